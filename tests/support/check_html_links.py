# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check every internal link and anchor of a built HTML site: `check_html_links.py SITE_DIR`.

A link is internal when it has no scheme (`http:`, `mailto:` ...) and does not start with `//`.
Its path (relative to the page, or the page itself for `#anchor`) must name a file of the site,
and its fragment, when there is one, an `id` (or `<a name>`) in that file. External links are
counted, not fetched (the site is built and checked offline). Exits 1 naming each broken link
with the page it is on.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Set, Tuple
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: List[str] = []
        self.anchors: Set[str] = set()

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.anchors.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.anchors.add(str(values["name"]))
        for attribute in ("href", "src"):
            if tag in ("a", "link", "img", "script") and values.get(attribute):
                self.links.append(str(values[attribute]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def check(site: Path) -> Tuple[List[str], int, int]:
    """Broken links as messages, and the numbers of internal and external links seen."""
    pages: Dict[Path, _Page] = {p.resolve(): _parse(p) for p in sorted(site.rglob("*.html"))}
    broken: List[str] = []
    internal = external = 0
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                external += 1
                continue
            internal += 1
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = "%s: %s" % (path.relative_to(site.resolve()), link)
            if not target.exists() or site.resolve() not in target.parents:
                broken.append("%s -> no such file" % where)
                continue
            if parts.fragment and target.suffix == ".html":
                anchors = (pages.get(target) or _parse(target)).anchors
                if unquote(parts.fragment) not in anchors:
                    broken.append("%s -> no anchor #%s in %s" % (where, parts.fragment, target.name))
    return broken, internal, external


def main() -> int:
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print("usage: check_html_links.py SITE_DIR", file=sys.stderr)
        return 2
    site = Path(sys.argv[1])
    broken, internal, external = check(site)
    for message in broken:
        print("check-links: BROKEN %s" % message, file=sys.stderr)
    print("check-links: %d pages, %d internal links and anchors checked, %d broken; %d external links not fetched"
          % (len(list(site.rglob("*.html"))), internal, len(broken), external))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
