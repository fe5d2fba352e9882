# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A deterministic corpus of hostile and broken Compose inputs (issue 20, input bounds).

`bad_cases()` yields inputs the loader must refuse with a one-line message naming the file or the
key: alias bombs, self-containing aliases, deep nesting (flow and block, up to 100,000 levels),
bytes that are not UTF-8, oversized documents, empty and null documents, deeply nested
interpolation, long extends chains, wrong value types, YAML syntax errors, lone surrogates and
random bytes. `mutants()` yields byte-level mutations of our own corpus, which may load or be
refused, but never otherwise. Every case says whether `docker compose config` can judge it
(`cli`): the oracle stage checks that the CLI refuses those too; the others it cannot take (the
CLI expands an alias bomb into gigabytes, takes minutes on 5,000 nested lists) or accepts where
our bounds are stricter by design (size, nesting, interpolation depth, extends chains).

Run as a script to write the corpus to a directory: python fuzz_inputs.py DIR (the bad cases only:
--bad DIR)
"""

from __future__ import annotations

import glob
import os
import random
import sys
from dataclasses import dataclass, field
from typing import Iterator

SEED = 20  # issue 20
MAX_DEPTH = 100  # load/bounds.py's limits, restated so the cases sit on both sides of them
MAX_VALUES = 200_000
MAX_BYTES = 4 * 1024 * 1024
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(HERE), "fixtures", "corpus")

BASE = b"services:\n  web:\n    image: busybox:1\n    labels:\n      app: demo\n"


@dataclass
class Case:
    name: str
    files: dict[str, bytes]  # relative path -> content; "compose.yaml" is the one loaded
    cli: bool  # docker compose config refuses it too (the oracle stage checks)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def main(self) -> str:
        return "compose.yaml"


def _alias_bombs() -> Iterator[Case]:
    for width, levels in ((9, 9), (10, 7), (4, 12), (2, 24), (30, 5)):
        items = ", ".join(['"lol"'] * width)
        lines = ["x-l0: &l0 [%s]" % items]
        for level in range(1, levels):
            lines.append("x-l%d: &l%d [%s]" % (level, level, ", ".join(["*l%d" % (level - 1)] * width)))
        for placement in ("top", "labels", "merge"):
            body = "\n".join(lines) + "\n"
            if placement == "top":
                body += BASE.decode()
            elif placement == "labels":
                body += "services:\n  web:\n    image: busybox:1\n    labels:\n      bomb: *l%d\n" % (levels - 1)
            else:
                body += "x-m: &m {k: *l%d}\nservices:\n  web:\n    <<: *m\n    image: busybox:1\n" % (levels - 1)
            yield Case("alias-bomb-%dx%d-%s" % (width, levels, placement), {"compose.yaml": body.encode()}, cli=False)


def _alias_cycles() -> Iterator[Case]:
    for body in ("x-a: &a [*a]\n", "x-a: &a {k: *a}\n", "x-a: &a [1, [2, *a]]\n"):
        yield Case("alias-cycle-%d" % len(body), {"compose.yaml": body.encode() + BASE}, cli=True)


def _deep() -> Iterator[Case]:
    for depth in (MAX_DEPTH + 1, 300, 1000, 5000, 20000, 100000):
        # the CLI has a depth bound of its own (10,000), above ours; below it, it takes minutes
        cli = depth > 10000
        yield Case("deep-flow-list-%d" % depth, {"compose.yaml": BASE + b"x-deep: " + b"[" * depth + b"]" * depth + b"\n"}, cli)
        yield Case("deep-flow-map-%d" % depth, {"compose.yaml": BASE + b"x-deep: " + b"{a: " * depth + b"1" + b"}" * depth + b"\n"}, cli)
        yield Case("deep-pairs-%d" % depth, {"compose.yaml": BASE + b"x-deep: " + b"[a: " * depth + b"1" + b"]" * depth + b"\n"}, cli)
        if depth <= 1000:  # block nesting costs indentation: 1,000 levels are a 1 MB file already
            block = "".join(" " * (2 * level + 2) + "-\n" for level in range(depth)) + " " * (2 * depth + 2) + "1\n"
            yield Case("deep-block-list-%d" % depth, {"compose.yaml": BASE + b"x-deep:\n" + block.encode()}, False)
            nested = "".join(" " * (2 * level + 2) + "k:\n" for level in range(depth)) + " " * (2 * depth + 2) + "v: 1\n"
            yield Case("deep-block-map-%d" % depth, {"compose.yaml": BASE + b"x-deep:\n" + nested.encode()}, False)
    yield Case("deep-compact-%d" % 300, {"compose.yaml": BASE + b"x-deep:\n  " + b"- " * 300 + b"1\n"}, False)
    yield Case("deep-labels-%d" % 500, {"compose.yaml": BASE.replace(b"app: demo", b"app: " + b"[" * 500 + b"]" * 500)}, False)


def _not_utf8(rng: random.Random) -> Iterator[Case]:
    bad = (b"\xff", b"\xfe\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x28\xa1")
    for index in range(24):
        raw = bad[index % len(bad)]
        where = rng.choice((b"busybox:1", b"demo", b"web", b"app"))
        yield Case("not-utf8-%02d" % index, {"compose.yaml": BASE.replace(where, where[:1] + raw + where[1:], 1)}, cli=True)
    yield Case("not-utf8-utf16-no-bom", {"compose.yaml": BASE.decode().encode("utf-16-le")}, cli=True)
    yield Case("not-utf8-env-file", {"compose.yaml": b"services:\n  web:\n    image: busybox:1\n    env_file: app.env\n",
                                     "app.env": b"A=caf\xe9\n"}, cli=False)
    yield Case("not-utf8-dotenv", {"compose.yaml": BASE, ".env": b"TAG=\xff\n"}, cli=False)


def _oversize() -> Iterator[Case]:
    pad = b"x" * (MAX_BYTES + 16)
    yield Case("oversize-string", {"compose.yaml": BASE + b"x-pad: " + pad + b"\n"}, cli=False)
    yield Case("oversize-comment", {"compose.yaml": BASE + b"# " + pad + b"\n"}, cli=False)
    many = b"x-many: [" + b"1," * (MAX_VALUES + 10) + b"1]\n"
    yield Case("too-many-values", {"compose.yaml": BASE + many}, cli=False)


def _empty() -> Iterator[Case]:
    for index, body in enumerate((b"", b"\n\n", b"# nothing here\n", b"{}\n", b"  \n# c\n", b"\xef\xbb\xbf")):
        yield Case("empty-%d" % index, {"compose.yaml": body}, cli=True)
    for index, body in enumerate((b"---\n", b"null\n", b"~\n", b"--- null\n", b"[]\n", b"just a string\n", b"42\n")):
        yield Case("not-a-mapping-%d" % index, {"compose.yaml": body}, cli=True)


def _interpolation() -> Iterator[Case]:
    for depth in (33, 200, 5000):
        value = "${A:-" * depth + "x" + "}" * depth
        yield Case("interpolation-nesting-%d" % depth,
                   {"compose.yaml": BASE.replace(b"busybox:1", value.encode())}, cli=False)
    for index, value in enumerate(("${", "${A", "${A:-x", "${}", "${-x}", "${A?}", "${A:?must be set}", "${A:-${B}")):
        yield Case("interpolation-bad-%d" % index,
                   {"compose.yaml": BASE.replace(b"busybox:1", ('"%s"' % value).encode())}, cli=True)


def _extends_chain() -> Iterator[Case]:
    for length in (2000,):
        lines = ["services:"]
        for index in range(length - 1, 0, -1):  # the last first: resolving it walks the whole chain
            lines += ["  s%d:" % index, "    extends: s%d" % (index - 1)]
        lines += ["  s0:", "    image: busybox:1"]
        yield Case("extends-chain-%d" % length, {"compose.yaml": ("\n".join(lines) + "\n").encode()}, cli=False)


# Values that no Compose file may hold at these keys (the schema or the loader refuses them).
WRONG_TYPES = (
    ("image", "[busybox]"), ("image", "{a: b}"), ("ports", "{a: b}"), ("ports", "[[1]]"), ("ports", '["x:y:z:w"]'),
    ("environment", "5"), ("environment", "[{a: b}]"), ("labels", "[[a]]"), ("volumes", "{a: b}"),
    ("volumes", "[{type: nope, target: /x}]"), ("command", "{a: b}"), ("depends_on", "5"),
    ("depends_on", "{db: {condition: never}}"), ("healthcheck", "[a]"), ("healthcheck", "{interval: soon}"),
    ("deploy", "[a]"), ("deploy", "{replicas: many}"), ("restart", "sometimes"), ("mem_limit", "lots"),
    ("networks", "5"), ("networks", "{nope: {}}"), ("ulimits", "{nofile: {soft: x}}"), ("read_only", "maybe"),
    ("cap_add", "NET_ADMIN"), ("extra_hosts", "[nohost]"), ("build", "[a]"), ("build", "{context: ., bad: 1}"),
    ("secrets", "[nope]"), ("configs", "[{source: nope}]"), ("logging", "{driver: [a]}"), ("stop_grace_period", "[1]"),
    ("container_name", "[a]"), ("scale", "-1"), ("nonsense_key", "1"), ("env_file", "{path: []}"),
)


def _wrong_types(rng: random.Random) -> Iterator[Case]:
    for key, value in WRONG_TYPES:
        body = b"services:\n  web:\n    image: busybox:1\n" if key != "image" else b"services:\n  web:\n"
        body += ("    %s: %s\n" % (key, value)).encode()
        # the CLI leaves a restart policy to the engine; we refuse it before any write
        yield Case("wrong-type-%s-%d" % (key, rng.randrange(1000)), {"compose.yaml": body}, cli=key != "restart")
    for index, body in enumerate((b"services: 5\n", b"services: [web]\n", b"networks: [a]\n" + BASE,
                                  b"volumes: 5\n" + BASE, b"name: [a]\n" + BASE, b"include: 5\n" + BASE,
                                  b"services:\n  web: [a]\n", b"services:\n  'bad name!':\n    image: busybox:1\n")):
        yield Case("wrong-top-%d" % index, {"compose.yaml": body}, cli=True)


def _syntax() -> Iterator[Case]:
    broken = (b'services:\n  web:\n    image: "busybox\n', b"services:\n\tweb:\n    image: busybox\n",
              b"services:\n  web:\n   image: a\n    x: b\n", b"services: [\n", b"services: ]\n",
              b"services:\n  web: {image: a\n", b"services:\n  web:\n    image: a\n    image: b\n",
              b"x: *undefined\n" + BASE, b"services:\n  web:\n    image: !!binary notbase64\n",
              b"services:\n  web:\n    image: busybox\x00\n", b"a: b: c\n", b"%YAML 9.9\n---\n" + BASE,
              b"services:\n  web:\n    labels: {a: '\\ud800'}\n    image: \"\\ud800\"\n")
    for index, body in enumerate(broken):
        yield Case("syntax-%02d" % index, {"compose.yaml": body}, cli=True)


def _garbage(rng: random.Random) -> Iterator[Case]:
    for index in range(16):
        body = bytes(rng.randrange(256) for _byte in range(rng.randrange(64, 2048)))
        yield Case("garbage-%02d" % index, {"compose.yaml": body}, cli=True)


def bad_cases() -> list[Case]:
    rng = random.Random(SEED)
    cases: list[Case] = []
    for group in (_alias_bombs(), _alias_cycles(), _deep(), _not_utf8(rng), _oversize(), _empty(),
                  _interpolation(), _extends_chain(), _wrong_types(rng), _syntax(), _garbage(rng)):
        cases.extend(group)
    return cases


def mutants(count: int = 200) -> list[Case]:
    """Byte-level mutations of our own corpus: flips, cuts, duplicated and deleted spans."""
    rng = random.Random(SEED)
    sources = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "*", "compose.yaml"))):
        with open(path, "rb") as handle:
            sources.append((os.path.basename(os.path.dirname(path)), handle.read()))
    cases = []
    for index in range(count):
        name, data = sources[index % len(sources)]
        data = bytearray(data)
        for _mutation in range(rng.randrange(1, 4)):
            operation = rng.randrange(4)
            position = rng.randrange(len(data))
            if operation == 0:
                data[position] = rng.randrange(256)
            elif operation == 1:
                del data[position:position + rng.randrange(1, 40)]
            elif operation == 2:
                span = data[position:position + rng.randrange(1, 40)]
                data[position:position] = span
            else:
                data = data[:position]
                break
        cases.append(Case("mutant-%03d-%s" % (index, name), {"compose.yaml": bytes(data)}, cli=False))
    return cases


def write_case(case: Case, directory: str) -> str:
    """The case's files under `directory`; returns the path of its compose file."""
    for relative, content in case.files.items():
        path = os.path.join(directory, relative)
        with open(path, "wb") as handle:
            handle.write(content)
    return os.path.join(directory, case.main)


def check_case(case: Case) -> dict[str, object]:
    """Load one case in a scratch directory: {"name", "outcome": loaded|refused|crashed, "message", "file", "seconds"}."""
    import tempfile
    import time
    from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
    from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError

    with tempfile.TemporaryDirectory(prefix="gs-fuzz-") as directory:
        file = write_case(case, directory)
        started = time.monotonic()
        outcome, message, path = "loaded", "", ""
        try:
            load_project(directory, files=[file], environ=dict({"HOME": "/root"}, **case.env))
        except ComposeError as exc:
            outcome, message, path = "refused", str(exc), exc.path
        except BaseException as exc:  # pylint: disable=broad-except  # what the test must never see
            outcome, message = "crashed", "%s: %s" % (type(exc).__name__, exc)
        return {"name": case.name, "outcome": outcome, "message": message, "path": path, "file": file,
                "seconds": round(time.monotonic() - started, 3)}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:  # run by test_input_bounds.py in a memory-capped child process
        import json
        for found in bad_cases() if sys.argv[2] == "bad" else mutants():
            print(json.dumps(check_case(found)), flush=True)
        sys.exit(0)
    if sys.argv[1:2] == ["--bad"]:  # the bad cases only: tests/reliability/bad_inputs.sh deploys them
        for found in bad_cases():
            os.makedirs(os.path.join(sys.argv[2], found.name), exist_ok=True)
            write_case(found, os.path.join(sys.argv[2], found.name))
        print("wrote %d bad cases under %s" % (len(bad_cases()), sys.argv[2]))
        sys.exit(0)
    target = sys.argv[1] if len(sys.argv) > 1 else "fuzz-corpus"
    for found in bad_cases() + mutants():
        case_dir = os.path.join(target, found.name)
        os.makedirs(case_dir, exist_ok=True)
        write_case(found, case_dir)
    print("wrote %d cases under %s" % (len(bad_cases()) + len(mutants()), target))
