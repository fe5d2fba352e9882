# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The loader held against the official Compose JSON schema (../shared/compose-spec/compose-spec.json).

- every file of both corpora is valid for the schema (so the corpora test real Compose),
- what we print (`Project.to_config()`) is valid for the schema,
- where the schema rejects a malformed file, our error names the same path (one is a prefix of the
  other: the schema sometimes stops at the list item, we go down to the bad key, or the reverse).
jsonschema is a test dependency only: the module validates by hand, fast.
"""

from __future__ import annotations

import glob
import json
import os

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load import syntax
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project

jsonschema = pytest.importorskip("jsonschema")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("ROOT") or os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "unit", "plugins", "module_utils", "compose", "fixtures")
SHARED = os.environ.get("GOSHIP_SHARED") or os.path.join(ROOT, "..", "shared")  # set by the stage
SCHEMA_FILE = os.path.join(SHARED, "compose-spec", "compose-spec.json")


@pytest.fixture(scope="module")
def validator():
    assert os.path.exists(SCHEMA_FILE), "the compose-spec schema must be at %s" % SCHEMA_FILE
    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        schema = json.load(handle)
    return jsonschema.Draft7Validator(schema)


def _plain(value):
    """Parsed YAML with the !reset / !override wrappers removed (the schema knows no tags)."""
    if isinstance(value, (syntax.Reset, syntax.Override)):
        return _plain(value.value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return _plain(syntax.parse_yaml(handle.read(), path))


def _corpus_files():
    own = sorted(glob.glob(os.path.join(FIXTURES, "corpus", "**", "*.y*ml"), recursive=True))
    shared = sorted(glob.glob(os.path.join(SHARED, "corpus", "awesome-compose", "*", "compose.y*ml")))
    return own + shared


def _schema_path(error) -> str:
    text = ""
    for part in error.absolute_path:
        text += "[%d]" % part if isinstance(part, int) else ("." if text else "") + str(part)
    return text


def test_corpora_are_present():
    files = _corpus_files()
    assert len([f for f in files if "awesome-compose" in f]) >= 20
    assert len([f for f in files if "awesome-compose" not in f]) >= 20


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: os.path.relpath(p, ROOT))
def test_corpus_file_is_valid_for_the_schema(validator, path):
    errors = sorted(validator.iter_errors(_read(path)), key=str)
    assert not errors, "%s: %s" % (_schema_path(errors[0]), errors[0].message)


def _case_dirs():
    own = sorted(glob.glob(os.path.join(FIXTURES, "corpus", "*", "")))
    shared = sorted(glob.glob(os.path.join(SHARED, "corpus", "awesome-compose", "*", "")))
    return [d.rstrip("/") for d in own + shared if glob.glob(os.path.join(d, "*compose*.y*ml"))]


@pytest.mark.parametrize("case_dir", _case_dirs(), ids=os.path.basename)
def test_our_output_is_valid_for_the_schema(validator, case_dir):
    options = {}
    if os.path.exists(os.path.join(case_dir, "case.json")):
        with open(os.path.join(case_dir, "case.json"), encoding="utf-8") as handle:
            options = json.load(handle)
    files = [os.path.join(case_dir, f) for f in options.get("files", [])] or None
    project = load_project(case_dir, files=files, profiles=options.get("profiles", []),
                           environ=dict({"HOME": "/root"}, **options.get("env", {})))
    errors = sorted((e for e in validator.iter_errors(project.to_config()) if not _cli_shape(e)), key=str)
    assert not errors, "%s: %s" % (_schema_path(errors[0]), errors[0].message)


def _cli_shape(error) -> bool:
    """Where `docker compose config` itself prints what the schema does not admit, the CLI (the
    oracle) wins: a service's `models: [llm]` is printed `{"llm": null}`, which the schema's
    mapping form (a mapping per model) refuses."""
    path = list(error.absolute_path)
    return len(path) == 3 and path[0] == "services" and path[2] == "models" and isinstance(error.instance, dict) \
        and any(value is None for value in error.instance.values())


MALFORMED = sorted(glob.glob(os.path.join(FIXTURES, "malformed", "*.yaml")) + glob.glob(os.path.join(FIXTURES, "malformed", "*.compose")))


@pytest.mark.parametrize("path", MALFORMED, ids=os.path.basename)
def test_schema_errors_and_ours_name_the_same_place(validator, path):
    try:
        document = _read(path)
    except ComposeError:
        return  # not YAML: nothing for the schema to say
    with pytest.raises(ComposeError) as info:
        load_project(os.path.dirname(path), files=[path], environ={"HOME": "/root"})
    ours = info.value.path
    schema_paths = [_schema_path(e) for e in validator.iter_errors(document)]
    if not schema_paths:
        return  # a semantic error (undefined volume, cycle, ...): beyond what a schema can say
    assert any(ours.startswith(p) or p.startswith(ours) for p in schema_paths), \
        "we say %r, the schema says %s" % (ours, schema_paths)


def test_schema_rejects_most_malformed_files(validator):
    """Guards the test above against passing vacuously."""
    rejected = 0
    for path in MALFORMED:
        try:
            document = _read(path)
        except ComposeError:
            continue
        rejected += bool(list(validator.iter_errors(document)))
    assert rejected >= 15
