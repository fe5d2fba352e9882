# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The normalised model: typed values, the compose-config shape, the canonical hash, ordering."""

from __future__ import annotations

import os
import textwrap
import time

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.compose_hash import compose_config_hash
from ansible_collections.goship.containers.plugins.module_utils.compose.model import (
    ComposeError, FileReference, config_mount_path, go_duration, secret_mount_path,
)


def load(tmp_path, text, **kwargs):
    with open(os.path.join(str(tmp_path), "compose.yaml"), "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(text))
    kwargs.setdefault("environ", {})
    return load_project(str(tmp_path), **kwargs)


@pytest.mark.parametrize("ns, text", [
    (0, "0s"), (1, "1ns"), (1_500, "1.5µs"), (1_000_000, "1ms"), (500_000_000, "500ms"), (1_500_000_000, "1.5s"),
    (10_000_000_000, "10s"), (60_000_000_000, "1m0s"), (90_000_000_000, "1m30s"), (3_600_000_000_000, "1h0m0s"),
    (3_723_000_000_000, "1h2m3s"), (60_500_000_000, "1m0.5s"), (-2_000_000_000, "-2s"),
])
def test_go_duration_matches_go(ns, text):
    assert go_duration(ns) == text


def test_typed_values(tmp_path):
    project = load(tmp_path, """\
        services:
          web:
            image: x
            stop_grace_period: 1m30s
            mem_limit: 512m
            shm_size: 1g
            ports: ["127.0.0.1:8000-8001:80-81/udp", "[::1]:9000:9000", 3000]
            healthcheck: {test: curl -f localhost, interval: 500ms, retries: 3}
            depends_on: {db: {condition: service_healthy}}
            deploy: {replicas: 2, update_config: {order: start-first, failure_action: rollback}}
            secrets: [token, {source: token, target: other}]
            configs: [conf, {source: conf, target: /etc/conf.ini}]
          db: {image: db}
        secrets: {token: {environment: TOKEN}}
        configs: {conf: {content: "x=1"}}
    """, environ={"TOKEN": "t0k"})
    web = project.services["web"]
    assert web.stop_grace_period == 90_000_000_000
    assert web.mem_limit == 512 * 1024 ** 2 and web.shm_size == 1024 ** 3
    assert [(p.host_ip, p.published, p.target, p.protocol) for p in web.ports] == [
        ("127.0.0.1", "8000", 80, "udp"), ("127.0.0.1", "8001", 81, "udp"), ("::1", "9000", 9000, "tcp"),
        (None, None, 3000, "tcp")]
    assert web.healthcheck.test == ["CMD-SHELL", "curl -f localhost"]
    assert web.healthcheck.interval == 500_000_000 and web.healthcheck.retries == 3
    assert web.depends_on["db"].condition == "service_healthy" and web.depends_on["db"].required
    assert web.replicas == 2 and web.update_order == "start-first" and web.update_failure_action == "rollback"
    assert [secret_mount_path(s) for s in web.secrets] == ["/run/secrets/token", "/run/secrets/other"]
    assert [config_mount_path(c) for c in web.configs] == ["/conf", "/etc/conf.ini"]
    assert project.secrets["token"].value == "t0k" and project.secrets["token"].name == "%s_token" % project.name
    assert project.networks["default"].name == "%s_default" % project.name


def test_mount_paths():
    assert secret_mount_path(FileReference(source="s", target="/abs/path")) == "/abs/path"
    assert secret_mount_path(FileReference(source="s", target="rel")) == "/run/secrets/rel"
    assert config_mount_path(FileReference(source="c")) == "/c"


def test_resource_names(tmp_path):
    project = load(tmp_path, """\
        name: proj
        services:
          web:
            image: x
            networks: [front, ext, named]
            volumes: [data:/data, ext-vol:/ext, named-vol:/named]
        networks:
          front: {}
          ext: {external: true}
          named: {name: exact-name}
        volumes:
          data: {}
          ext-vol: {external: true, name: real-ext}
          named-vol: {name: "exact-${SUFFIX:-v}"}
          unused: {}
    """)
    assert {k: n.name for k, n in project.networks.items()} == {"front": "proj_front", "ext": "ext", "named": "exact-name"}
    assert {k: v.name for k, v in project.volumes.items()} == {
        "data": "proj_data", "ext-vol": "real-ext", "named-vol": "exact-v"}
    assert project.networks["ext"].external and project.volumes["ext-vol"].external


def test_config_hash_is_stable_and_ignores_scale_and_order(tmp_path):
    text = """\
        services:
          web:
            image: x
            environment: {A: "1", B: "2"}
            labels: {x: "1"}
            deploy: {replicas: %d}
            depends_on: [db]
          db: {image: db}
    """
    first = load(tmp_path, text % 1).services["web"]
    again = load(tmp_path, text % 1).services["web"]
    scaled = load(tmp_path, text % 5).services["web"]
    reordered = load(tmp_path, (text % 1).replace('{A: "1", B: "2"}', '{B: "2", A: "1"}')).services["web"]
    changed = load(tmp_path, (text % 1).replace('A: "1"', 'A: "9"')).services["web"]
    hashes = [compose_config_hash(s) for s in (first, again, scaled, reordered, changed)]
    assert hashes[0] == hashes[1] == hashes[2] == hashes[3] != hashes[4]
    assert len(hashes[0]) == 64
    assert "depends_on" not in first.canonical() and "replicas" not in first.canonical()["deploy"]


def test_to_config_escapes_dollars_like_compose(tmp_path):
    project = load(tmp_path, "services:\n  web:\n    image: x\n    environment: {A: 'cost $$5'}\n")
    assert project.services["web"].environment == {"A": "cost $5"}
    assert project.to_config()["services"]["web"]["environment"] == {"A": "cost $$5"}


def test_service_order_and_dependencies(tmp_path):
    project = load(tmp_path, """\
        services:
          web: {image: w, depends_on: [api, cache]}
          api: {image: a, depends_on: {db: {condition: service_healthy}}}
          db: {image: d}
          cache: {image: c}
          lonely: {image: l}
    """)
    order = project.service_order()
    assert order.index("db") < order.index("api") < order.index("web")
    assert order.index("cache") < order.index("web")
    assert project.with_dependencies(["api"]) == ["db", "api"]
    assert set(project.with_dependencies(["web"])) == {"web", "api", "db", "cache"}


def test_network_mode_service_adds_dependency(tmp_path):
    project = load(tmp_path, "services:\n  a: {image: a}\n  b: {image: b, network_mode: 'service:a'}\n")
    dep = project.services["b"].depends_on["a"]
    assert dep.restart and dep.required and project.services["b"].networks == {}


def test_error_string_names_path():
    error = ComposeError("services.web.ports[1]", "invalid port")
    assert str(error) == "services.web.ports[1]: invalid port"
    assert str(ComposeError("", "whole project")) == "whole project"


def test_fifty_services_load_fast(tmp_path):
    """The compose module loads the project on every run; keep it far from the 0.15 s budget.
    CPU time, not wall time: the test machines run other suites at the same time."""
    services = {}
    for index in range(50):
        services["svc%02d" % index] = {
            "image": "goship-test/app:1", "ports": ["127.0.0.1:%d:8080" % (20000 + index)],
            "environment": {"INDEX": str(index), "MODE": "${MODE:-prod}"}, "labels": ["tier=web"],
            "volumes": ["data:/data", "./conf:/conf:ro"], "networks": ["front"],
            "depends_on": {"svc00": {"condition": "service_healthy"}} if index else {},
            "healthcheck": {"test": ["CMD", "/app", "-healthcheck"], "interval": "2s", "retries": 3},
            "deploy": {"update_config": {"order": "start-first"}, "resources": {"limits": {"memory": "64m"}}},
        }
    import yaml
    with open(os.path.join(str(tmp_path), "compose.yaml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump({"services": services, "volumes": {"data": {}}, "networks": {"front": {}}}, handle)
    load_project(str(tmp_path), environ={})  # warm imports
    started = time.process_time()
    for _round in range(5):
        project = load_project(str(tmp_path), environ={})
    elapsed = (time.process_time() - started) / 5
    assert len(project.services) == 50
    assert elapsed < 0.1, "loading 50 services took %.3f s" % elapsed
