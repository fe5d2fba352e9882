# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every malformed Compose file fails with a ComposeError naming the path of the bad value.

Each file in fixtures/malformed/ starts with `# expect: <path>` (FILE: the error names the file,
for YAML-level errors). The oracle stage checks that `docker compose config` rejects them too.
"""

from __future__ import annotations

import glob
import os

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project

MALFORMED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "malformed")
# `.compose`: files that are not YAML to generic tools (broken on purpose), kept out of yamllint
FILES = sorted(glob.glob(os.path.join(MALFORMED, "*.yaml")) + glob.glob(os.path.join(MALFORMED, "*.compose")))


def expected_path(file: str) -> str:
    with open(file, encoding="utf-8") as handle:
        first = handle.readline()
    assert first.startswith("# expect: "), "%s must start with '# expect: <path>'" % file
    return first[len("# expect: "):].strip()


def test_enough_malformed_files():
    assert len(FILES) >= 30


@pytest.mark.parametrize("file", FILES, ids=os.path.basename)
def test_malformed_file_fails_naming_the_path(file):
    expected = expected_path(file)
    with pytest.raises(ComposeError) as info:
        load_project(MALFORMED, files=[file], environ={"HOME": "/root"})
    error = info.value
    want = file if expected == "FILE" else expected
    assert error.path == want, "error %r names %r, expected %r" % (str(error), error.path, want)
    assert str(error).startswith(want + ": ")
    assert len(error.problem) > 10


@pytest.mark.parametrize("file", FILES[:8], ids=os.path.basename)
def test_inline_definition_fails_the_same_way(file):
    """`definition` (an inline project) goes through the same validation as files."""
    from ansible_collections.goship.containers.plugins.module_utils.compose.load.syntax import parse_yaml
    expected = expected_path(file)
    with open(file, encoding="utf-8") as handle:
        definition = parse_yaml(handle.read(), file)
    with pytest.raises(ComposeError) as info:
        load_project(MALFORMED, definition=definition, environ={})
    assert info.value.path == expected
