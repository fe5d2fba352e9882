"""com.docker.compose.config-hash as Compose 2.40 computes it (no Docker).

The expected hashes were printed by `docker compose --profile debug config --hash '*'` (Compose
2.40.3) for fixtures/config_hash/compose.yaml with DB_PASSWORD=pw; that project has no env_file,
so `config --hash` equals the label `docker compose up` writes. The oracle stage compares every
service of both corpora with the CLI (tests/compose_oracle/test_compose_hash_oracle.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.compose_hash import (
    SERVICE, compose_config_hash, go_float, go_json, go_string, hashed_config, unknown_keys,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "config_hash")

# docker compose --profile debug config --hash '*' (2.40.3)
CLI_HASHES = {
    "cache": "27523f88b01ac773b517f2a1f2fd7f89a47bf2f11ccc600154d108e6dfc15973",  # scale: 3, entrypoint + command
    "db": "8ab9d16152392f0281606ee795b8097c5e44ba686d48b41d85c98f523566afa5",  # deploy, volumes, ulimits, float32 cpus
    "debug": "b9a5566b4d48f8ca09ed0cc26789acd2ebbaebc012cb561d43f1816bde2e364a",  # enabled by its profile
    "tagged": "7f8656e38f7cf1c8431712eb3f1a9e8549e405df1e2186228cba8e6d4ea399ee",  # build: with image:
    "web": "1753200b6f85b6979de63addb8165b040610b31ec4a1f0a289e1b9b67a7fc164",  # build, depends_on, secrets, configs, networks
}


@pytest.fixture(scope="module")
def project():
    return load_project(FIXTURE, profiles=["debug"], environ={"DB_PASSWORD": "pw", "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("name", sorted(CLI_HASHES))
def test_hash_equals_the_cli(project, name):
    service = project.services[name]
    assert compose_config_hash(service, project.environment) == CLI_HASHES[name]
    assert unknown_keys(hashed_config(service, project.environment)) == []


def test_the_planner_writes_compose_hash(project):
    desired = desired_project(project)
    assert {name: s.config_hash for name, s in desired.services.items()} == CLI_HASHES


def test_what_compose_does_not_hash(project):
    web = project.services["web"]
    base = compose_config_hash(web)
    same = [
        dataclasses.replace(web, scale=5),
        dataclasses.replace(web, build=None, pull_policy=None),
        dataclasses.replace(web, depends_on={}),
        dataclasses.replace(web, profiles=["x"]),
    ]
    assert {compose_config_hash(s) for s in same} == {base}
    db = project.services["db"]
    assert compose_config_hash(dataclasses.replace(db, deploy=dataclasses.replace(db.deploy, replicas=9))) == \
        compose_config_hash(db)
    changed = dataclasses.replace(web, environment=dict(web.environment, GREETING="hi"))
    assert compose_config_hash(changed) != base


def test_default_platform_applies_to_built_services_only(project):
    env = {"DOCKER_DEFAULT_PLATFORM": "linux/amd64"}
    assert hashed_config(project.services["web"], env)["platform"] == "linux/amd64"
    assert "platform" not in hashed_config(project.services["db"], env)


def test_struct_fields_in_declaration_order_maps_sorted():
    port = {"protocol": "tcp", "target": 80, "mode": "ingress", "published": "8080"}
    assert go_json({"ports": [port], "image": "x", "environment": {"B": "1", "A": None}}, SERVICE) == (
        '{"environment":{"A":null,"B":"1"},"image":"x",'
        '"ports":[{"mode":"ingress","target":80,"published":"8080","protocol":"tcp"}]}')
    # a key the orders do not know goes last (and unknown_keys names it for the tests)
    assert go_json({"zz": 1, "image": "x"}, SERVICE) == '{"image":"x","zz":1}'
    assert unknown_keys({"zz": 1, "ports": [{"nope": 1}]}) == ["zz", "ports.0.nope"]


def test_strings_escape_like_go():
    assert go_string("<a & b>") == '"\\u003ca \\u0026 b\\u003e"'
    assert go_string("é\u2028\u2029\x01\n\"\\") == '"é\\u2028\\u2029\\u0001\\n\\"\\\\"'


@pytest.mark.parametrize("value, bits, text", [
    (0.5, 32, "0.5"), (0.1, 32, "0.1"), (2, 32, "2"), (0.3, 32, "0.3"), (123456789, 32, "123456790"),
    (1e-7, 32, "1e-7"), (1e-10, 64, "1e-10"), (1.5e22, 64, "1.5e+22"), (2.0, 64, "2"), (-0.25, 64, "-0.25"),
])
def test_floats_as_go_writes_them(value, bits, text):
    assert go_float(value, bits) == text


def test_hash_is_sha256_of_the_encoding(project):
    service = project.services["debug"]
    text = go_json(hashed_config(service), SERVICE)
    assert text == ('{"command":null,"entrypoint":null,"image":"goship-test/busybox:latest",'
                    '"networks":{"default":null},"stdin_open":true,"tty":true}')
    assert hashlib.sha256(text.encode()).hexdigest() == CLI_HASHES["debug"]


def test_a_short_volume_of_two_characters_has_no_volume_options():
    """compose-go returns a short spec of one or two characters as a bare target (no `volume: {}`),
    found comparing a wider project with the CLI; docker compose config --hash (2.40.3)."""
    project = load_project(definition={"name": "t1", "services": {"short": {
        "image": "goship-test/busybox:latest", "volumes": ["/d", "/ab", "/d:/e"]}}}, project_dir="/tmp")
    volumes = hashed_config(project.services["short"])["volumes"]
    assert [("volume" in v) for v in volumes] == [False, True, False]
    assert compose_config_hash(project.services["short"]) == "496887acee90b646021f496b5018e8cac4fbcccb170115e2a570d4642c05753f"
