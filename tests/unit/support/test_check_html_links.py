# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/support/check_html_links.py: internal links and anchors of a built site."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "support" / "check_html_links.py"
_SPEC = importlib.util.spec_from_file_location("check_html_links", _PATH)
check_html_links = importlib.util.module_from_spec(_SPEC)
sys.modules["check_html_links"] = check_html_links
_SPEC.loader.exec_module(check_html_links)


def _site(tmp_path, pages):
    for name, body in pages.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<html><body>%s</body></html>" % body, encoding="utf-8")
    return tmp_path


def test_good_links_and_anchors_pass(tmp_path):
    site = _site(tmp_path, {
        "index.html": '<a href="docs/guide.html#step-2">x</a><a href="#top">t</a><h1 id="top">T</h1>'
                      '<a href="https://example.org/nowhere">ext</a><img src="img/logo.png">',
        "docs/guide.html": '<section id="step-2"></section><a href="../index.html">up</a><a name="old"></a>'
                           '<a href="guide.html#old">o</a>',
        "img/logo.png": "",
    })
    broken, internal, external = check_html_links.check(site)
    assert broken == []
    assert (internal, external) == (5, 1)


def test_missing_files_and_anchors_are_named(tmp_path):
    site = _site(tmp_path, {
        "index.html": '<a href="docs/missing.html">m</a><a href="docs/guide.html#nope">n</a><a href="#gone">g</a>'
                      '<a href="../outside.html">o</a>',
        "docs/guide.html": '<h2 id="here">H</h2>',
    })
    (tmp_path.parent / "outside.html").write_text("<html></html>", encoding="utf-8")
    broken = check_html_links.check(site)[0]
    assert sorted(broken) == sorted([
        "index.html: docs/missing.html -> no such file",
        "index.html: docs/guide.html#nope -> no anchor #nope in guide.html",
        "index.html: #gone -> no anchor #gone in index.html",
        "index.html: ../outside.html -> no such file",
    ])
