# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 17 point 1: what `docker compose config` checks, adds and prints that the loader used to
miss. The oracle stage compares the fixtures (corpus/conform-*, malformed/6x) with the CLI itself;
these tests pin our side without it."""

from __future__ import annotations

import os

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(HERE), "fixtures", "corpus")


def _load(services, **top):
    return load_project("/srv/app", definition=dict(top, services=services), environ={})


def _fails(services, path, **top):
    with pytest.raises(ComposeError) as info:
        _load(services, **top)
    assert info.value.path == path, str(info.value)
    return info.value.problem


def test_image_empty_after_interpolation() -> None:
    problem = _fails({"web": {"image": ""}}, "services.web.image")
    assert "no build" in problem
    project = _load({"web": {"image": "", "build": "."}})  # with a build: as if absent, as the CLI prints it
    assert project.services["web"].image is None
    assert "image" not in project.to_config()["services"]["web"]


def test_container_name_rules() -> None:
    assert "not a valid container name" in _fails({"web": {"image": "x", "container_name": ""}}, "services.web.container_name")
    _fails({"web": {"image": "x", "container_name": "x"}}, "services.web.container_name")
    _fails({"web": {"image": "x", "container_name": "ok", "deploy": {"replicas": 3}}}, "services.web.container_name")
    problem = _fails({"a": {"image": "x", "container_name": "same"}, "b": {"image": "x", "container_name": "same"}},
                     "services.b.container_name")
    assert problem == "container name 'same' is already used by service 'a'"


def test_platform_must_be_one_of_build_platforms() -> None:
    build = {"context": ".", "platforms": ["linux/amd64"]}
    _fails({"web": {"image": "x", "platform": "linux/arm64", "build": build}}, "services.web.platform")
    assert _load({"web": {"image": "x", "platform": "linux/amd64", "build": build}}).services["web"].platform


def test_empty_service_definition_is_refused() -> None:
    assert _fails({"web": None}, "services.web").startswith("must be a mapping")


@pytest.mark.parametrize("key", ["ipc", "pid", "network_mode"])
def test_service_references_add_restart_dependencies(key) -> None:
    project = _load({"web": {"image": "x", key: "service:db"}, "db": {"image": "x"}})
    dep = project.services["web"].depends_on["db"]
    assert (dep.condition, dep.restart, dep.required) == ("service_started", True, True)
    assert project.service_order() == ["db", "web"]


def test_volumes_from_dependency_does_not_restart() -> None:
    project = _load({"web": {"image": "x", "volumes_from": ["db:ro"]}, "db": {"image": "x"}})
    assert project.services["web"].depends_on["db"].restart is False


def test_an_explicit_dependency_wins_over_the_implicit_one() -> None:
    project = _load({"web": {"image": "x", "ipc": "service:db", "depends_on": {"db": {"condition": "service_healthy"}}},
                     "db": {"image": "x"}})
    assert project.services["web"].depends_on["db"].condition == "service_healthy"


def test_compose_variables_from_the_project_dotenv() -> None:
    case = os.path.join(CORPUS, "conform-dotenv-compose-vars")
    project = load_project(case, environ={})
    assert project.name == "from-dotenv"
    assert sorted(project.services) == ["debugger", "web"]
    assert project.services["web"].labels == {"from": "extra"}
    shell = load_project(case, environ={"COMPOSE_PROFILES": "", "COMPOSE_PROJECT_NAME": "shell"})
    assert (shell.name, sorted(shell.services)) == ("shell", ["web"])  # the shell wins over .env


def test_include_project_directory_resolves_relative_paths() -> None:
    case = os.path.join(CORPUS, "conform-include-project-dir")
    api = load_project(case, environ={}).services["api"]
    elsewhere = os.path.join(case, "elsewhere")
    assert api.build.context == os.path.join(elsewhere, "app")
    assert api.build.additional_contexts == {"shared": os.path.join(elsewhere, "shared")}
    assert [m.source for m in api.volumes] == [os.path.join(elsewhere, "data"), os.path.join(elsewhere, "conf")]
    assert api.environment == {"A": "from-elsewhere"}


def test_build_keys_are_kept() -> None:
    build = _load({"web": {"image": "x", "build": {
        "context": ".", "entitlements": ["network.host"], "ulimits": {"nofile": {"soft": 1, "hard": 2}},
        "provenance": True, "sbom": "generator=x"}}}).to_config()["services"]["web"]["build"]
    assert build["entitlements"] == ["network.host"]
    assert build["ulimits"] == {"nofile": {"soft": 1, "hard": 2}}
    assert (build["provenance"], build["sbom"]) == ("true", "generator=x")


def test_windows_bind_sources_stay_as_written() -> None:
    volumes = _load({"web": {"image": "x", "volumes": ["C:\\data:/data", "C:/foo:/foo:ro", "./rel:/rel",
                                                       {"type": "bind", "source": "D:\\x", "target": "/x"}]}}
                    ).services["web"].volumes
    assert [(m.source, m.target) for m in volumes] == [
        ("C:\\data", "/data"), ("C:/foo", "/foo"), ("/srv/app/rel", "/rel"), ("D:\\x", "/x")]
    assert volumes[1].read_only


def test_develop_is_normalised() -> None:
    develop = _load({"web": {"image": "x", "develop": {"watch": [
        {"path": "./src", "action": "sync", "target": "/app"},
        {"path": "cfg", "action": "sync+exec", "target": "/etc", "exec": {"command": "kill -HUP 1"}, "include": "*.conf"},
    ]}}}).to_config()["services"]["web"]["develop"]
    assert develop["watch"][0] == {"path": "/srv/app/src", "action": "sync", "target": "/app", "exec": {"command": None}}
    assert develop["watch"][1]["exec"] == {"command": ["kill", "-HUP", "1"]}
    assert develop["watch"][1]["include"] == ["*.conf"]
    _fails({"web": {"image": "x", "develop": {"watch": [{"path": ".", "action": "teleport"}]}}},
           "services.web.develop.watch[0].action")


def test_hooks_are_normalised() -> None:
    project = load_project("/srv/app", environ={"B": "from-env"}, definition={"services": {"web": {
        "image": "x", "post_start": [{"command": "echo hi", "environment": ["A=1", "B"], "privileged": "true"}],
        "pre_stop": [{"command": ["sh", "-c", "x"]}]}}})
    service = project.services["web"]
    assert service.extra["post_start"] == [{"command": ["echo", "hi"], "privileged": True,
                                            "environment": {"A": "1", "B": "from-env"}}]
    assert service.extra["pre_stop"] == [{"command": ["sh", "-c", "x"]}]
    _fails({"web": {"image": "x", "post_start": [{"user": "root"}]}}, "services.web.post_start[0].command")


def test_models_provider_and_image_mounts_load() -> None:
    project = _load({
        "web": {"image": "x", "models": ["llm"]},
        "ai": {"provider": {"type": "model", "options": {"model": "ai/smollm2", "n": 2}}},
        "reader": {"image": "x", "volumes": [{"type": "image", "source": "busybox", "target": "/img",
                                              "image": {"subpath": "/etc"}}]},
    }, models={"llm": {"model": "ai/smollm2"}})
    config = project.to_config()["services"]
    assert config["web"]["models"] == {"llm": None}
    assert config["ai"]["provider"] == {"type": "model", "options": {"model": ["ai/smollm2"], "n": ["2"]}}
    assert "networks" not in config["ai"]
    assert config["reader"]["volumes"][0]["image"] == {"subpath": "/etc"}
