# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input bounds (issue 20): every hostile or broken input of fuzz_inputs.py is refused by the loader
with one line naming the file or the key, quickly, and no input ever escapes as another exception.

The corpus runs in a child process capped at 2 GiB of address space and a time limit, so that a
regression of a bound (an alias bomb expanded after all) fails this test instead of exhausting the
machine the suite shares.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load import bounds
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.tests.unit.plugins.module_utils.compose.load import fuzz_inputs

GENERATOR = fuzz_inputs.__file__


def _cap_memory() -> None:
    limit = 2 * 1024 ** 3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run(kind: str) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, GENERATOR, "--check", kind], capture_output=True, text=True, env=env,
                          preexec_fn=_cap_memory, timeout=900, check=False)
    assert done.returncode == 0, "the fuzz run died (exit %d): %s" % (done.returncode, done.stderr[-2000:])
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _clear(result: dict) -> list[str]:
    """What is wrong with a refusal's message (nothing: it is clear)."""
    problems = []
    message = result["message"]
    if result["outcome"] != "refused":
        problems.append("%s (%s)" % (result["outcome"], message[:300]))
        return problems
    if "\n" in message or "\r" in message:
        problems.append("more than one line")
    if len(message) > 2000:
        problems.append("%d characters long" % len(message))
    names_key = result["path"] and not result["path"].startswith("/")  # `services.web.ports[0]`, `x-a`, `.env`
    if result["file"] not in message and not names_key:
        problems.append("names neither the file nor a key: %r" % message[:200])
    if "bug in goship" in message:
        problems.append("reached the loader's last-resort handler: %s" % message[:300])
    if result["seconds"] > 30:
        problems.append("took %.1fs" % result["seconds"])
    return problems


def test_every_bad_input_is_refused_clearly() -> None:
    results = _run("bad")
    assert len(results) == len(fuzz_inputs.bad_cases()) >= 150
    unclear = {r["name"]: p for r in results for p in [_clear(r)] if p}
    clear = len(results) - len(unclear)
    print("bad inputs %d/%d clear (slowest %.2fs)" % (clear, len(results), max(r["seconds"] for r in results)))
    assert not unclear, "bad inputs %d/%d clear; the others:\n%s" % (
        clear, len(results), "\n".join("%s: %s" % (k, "; ".join(v)) for k, v in sorted(unclear.items())))


def test_mutants_load_or_are_refused_clearly() -> None:
    results = _run("mutants")
    loaded = sum(r["outcome"] == "loaded" for r in results)
    unclear = {r["name"]: p for r in results if r["outcome"] != "loaded" for p in [_clear(r)] if p}
    print("mutants %d: %d loaded, %d refused clearly" % (len(results), loaded, len(results) - loaded - len(unclear)))
    assert not unclear, "\n".join("%s: %s" % (k, "; ".join(v)) for k, v in sorted(unclear.items()))


# ---------------------------------------------------------------- the bounds one by one

def _write(tmp_path, content: bytes, name: str = "compose.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_billion_laughs_fails_fast_naming_file_and_key(tmp_path) -> None:
    lines = ['x-a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += ["x-a%d: &a%d [%s]" % (i, i, ",".join(["*a%d" % (i - 1)] * 9)) for i in range(1, 9)]
    file = _write(tmp_path, ("\n".join(lines) + "\nservices:\n  web:\n    image: busybox\n").encode())
    assert os.path.getsize(file) < 1024
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path), files=[file], environ={})
    assert info.value.path == file
    assert re.search(r"x-a\d: YAML aliases expand this value to more than \d+ values", info.value.problem)


def test_shared_anchors_of_a_real_file_are_fine(tmp_path) -> None:
    services = "".join("  s%d:\n    <<: *common\n    image: busybox\n" % i for i in range(300))
    file = _write(tmp_path, b"x-common: &common {labels: [a=1, b=2], environment: {A: '1'}, restart: always}\n"
                  b"services:\n" + services.encode())
    project = load_project(str(tmp_path), files=[file], environ={})
    assert project.services["s299"].labels == {"a": "1", "b": "2"}


@pytest.mark.parametrize("depth", [bounds.MAX_DEPTH + 1, 5000, 100000])
def test_deep_lists_in_an_extension_are_refused_not_a_recursion_error(tmp_path, depth) -> None:
    file = _write(tmp_path, b"services:\n  web:\n    image: busybox\nx-deep: " + b"[" * depth + b"]" * depth + b"\n")
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path), files=[file], environ={})
    assert info.value.problem == "under x-deep: values nest deeper than %d levels (line 4); refused" % bounds.MAX_DEPTH


def test_nesting_at_the_bound_loads(tmp_path) -> None:
    depth = bounds.MAX_DEPTH - 2  # the document and x-deep's mapping are two levels
    file = _write(tmp_path, b"services:\n  web:\n    image: busybox\nx-deep: " + b"[" * depth + b"]" * depth + b"\n")
    assert "x-deep" in load_project(str(tmp_path), files=[file], environ={}).to_config()


def test_not_utf8_names_the_byte_line_and_column(tmp_path) -> None:
    file = _write(tmp_path, b"services:\n  web:\n    image: busy\xffbox\n")
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path), files=[file], environ={})
    assert str(info.value) == "files[0]: compose file %s is not UTF-8 text: byte 0xff at line 3, column 16 " \
                              "(save it as UTF-8)" % file


def test_utf16_with_a_bom_and_a_utf8_bom_are_read(tmp_path) -> None:
    text = "services:\n  web:\n    image: busybox\n    labels: {note: caf\u00e9}\n"
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode()):
        file = _write(tmp_path, data)
        assert load_project(str(tmp_path), files=[file], environ={}).services["web"].labels == {"note": "caf\u00e9"}


def test_size_bound_reads_no_further(tmp_path) -> None:
    file = _write(tmp_path, b"services: {}\n# " + b"x" * bounds.MAX_DOCUMENT_BYTES)
    with pytest.raises(ComposeError, match="larger than 4 MiB"):
        load_project(str(tmp_path), files=[file], environ={})


@pytest.mark.parametrize("content", [b"", b"# only a comment\n", b"{}\n"])
def test_empty_compose_file_is_refused(tmp_path, content) -> None:
    file = _write(tmp_path, content)
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path), files=[file], environ={})
    assert (info.value.path, info.value.problem) == (file, "empty compose file")


def test_an_empty_override_file_is_fine(tmp_path) -> None:
    """As with the CLI, only a project that is empty as a whole is refused."""
    base = _write(tmp_path, b"services:\n  web:\n    image: busybox\n")
    override = _write(tmp_path, b"", "override.yaml")
    assert list(load_project(str(tmp_path), files=[base, override], environ={}).services) == ["web"]


def test_several_documents_in_one_file_merge_in_order(tmp_path) -> None:
    file = _write(tmp_path, b"services:\n  web:\n    image: a\n---\nservices:\n  web:\n    image: b\n  db:\n    image: c\n")
    project = load_project(str(tmp_path), files=[file], environ={})
    assert (project.services["web"].image, project.services["db"].image) == ("b", "c")


def test_definition_data_is_bounded_too() -> None:
    deep: dict = {}
    node = deep
    for _level in range(5000):
        node["k"] = {}
        node = node["k"]
    with pytest.raises(ComposeError, match="^definition: under x-deep: values nest deeper"):
        load_project("/tmp", definition={"services": {"web": {"image": "busybox"}}, "x-deep": deep}, environ={})


def test_env_file_fifo_or_device_cannot_hang(tmp_path) -> None:
    file = _write(tmp_path, b"services:\n  web:\n    image: busybox\n    env_file: /dev/zero\n")
    with pytest.raises(ComposeError, match="larger than 4 MiB"):
        load_project(str(tmp_path), files=[file], environ={})
