# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/support/run_guide.py: which blocks of a guide it acts on, and how a session carries over."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "support" / "run_guide.py"
_SPEC = importlib.util.spec_from_file_location("run_guide", _PATH)
run_guide = importlib.util.module_from_spec(_SPEC)
sys.modules["run_guide"] = run_guide
_SPEC.loader.exec_module(run_guide)

GUIDE = """# A guide

Shown, not run:

```sh
rm -rf /
```

<!-- guide: run -->
```sh
mkdir app && cd app
export GREETING=hello
```

<!-- guide: file main.txt -->
```text
line one
  indented
```

<!-- guide: milestone first -->

- a list item with a block

  <!-- guide: run expect="hello from app" timeout=30 -->
  ```sh
  echo "$GREETING from $(basename "$PWD")"
  ```
"""


def test_only_marked_blocks_become_steps():
    steps = run_guide.parse(GUIDE)
    assert [(s.kind, s.arg) for s in steps] == [("run", ""), ("file", "main.txt"), ("milestone", "first"), ("run", "")]
    assert "rm -rf" not in "".join(s.text for s in steps)
    assert steps[1].text == "line one\n  indented\n"
    assert steps[3].text == 'echo "$GREETING from $(basename "$PWD")"\n'  # the list's indentation removed
    assert (steps[3].expect, steps[3].timeout) == ("hello from app", 30)


@pytest.mark.parametrize("text, message", [
    ("<!-- guide: run -->\nnot a block\n", "must be followed by a fenced block"),
    ("<!-- guide: run -->\n```sh\necho\n", "not closed"),
    ("<!-- guide: file -->\n```\nx\n```\n", "file takes one path"),
    ("<!-- guide: run retries=3 -->\n```sh\necho\n```\n", "run takes expect= and timeout="),
    ("<!-- guide: milestone a b -->\n", "milestone takes one name"),
])
def test_malformed_markers_are_refused(text, message):
    with pytest.raises(run_guide.GuideError, match=message):
        run_guide.parse(text)


def _run(tmp_path, guide, *args):
    path = tmp_path / "guide.md"
    path.write_text(guide, encoding="utf-8")
    (tmp_path / "work").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, str(_PATH), str(path), "--workdir", str(tmp_path / "work"),
                           "--state", str(tmp_path / "state")] + list(args),
                          capture_output=True, text=True, check=False)


def test_directory_and_environment_carry_over_between_blocks(tmp_path):
    result = _run(tmp_path, GUIDE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hello from app" in result.stdout
    assert (tmp_path / "work" / "app" / "main.txt").read_text(encoding="utf-8") == "line one\n  indented\n"
    assert "milestone first:" in result.stdout


def test_a_failing_command_stops_the_run_naming_the_line(tmp_path):
    result = _run(tmp_path, "<!-- guide: run -->\n```sh\nfalse\necho not reached\n```\n<!-- guide: run -->\n```sh\necho later\n```\n")
    assert result.returncode == 1
    assert "guide.md:1: the block failed (exit 1)" in result.stderr
    assert "not reached" not in result.stdout and "later" not in result.stdout


def test_output_must_match_expect(tmp_path):
    result = _run(tmp_path, '<!-- guide: run expect="changed=0" -->\n```sh\necho changed=1\n```\n')
    assert result.returncode == 1
    assert "does not match 'changed=0'" in result.stderr


def test_a_block_past_its_timeout_is_stopped(tmp_path):
    result = _run(tmp_path, "<!-- guide: run timeout=1 -->\n```sh\nsleep 30\n```\n")
    assert result.returncode == 1
    assert "ran longer than 1 s" in result.stderr


def test_until_and_continue_split_a_session(tmp_path):
    first = _run(tmp_path, GUIDE, "--until", "first")
    assert first.returncode == 0 and "hello from app" not in first.stdout
    second = _run(tmp_path, '<!-- guide: run expect="hello /.*/app" -->\n```sh\necho "$GREETING $PWD"\n```\n', "--continue")
    assert second.returncode == 0, second.stdout + second.stderr


def test_since_measures_milestones_from_an_earlier_time(tmp_path):
    result = _run(tmp_path, "<!-- guide: milestone m -->\n", "--since", "%d" % (time.time() - 100))
    assert result.returncode == 0
    assert re.search(r"milestone m: 10[0-9] s", result.stdout), result.stdout
