"""Compose settings the engine's API version lacks fail before any write, naming the path."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.plan.api_versions import settings_needing_newer_api
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.compose.run import require_api_version
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import container_spec
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import to_create_request

HEALTH = {"test": ["CMD", "true"], "interval": "5s", "start_interval": "1s"}


def project(**web):
    return load_project(definition={"services": {"web": dict({"image": "goship-test/app:1"}, **web), "db": {"image": "x"}}},
                        project_name="gscmpunit", project_dir="/tmp")


def test_start_interval_needs_api_1_44():
    assert settings_needing_newer_api(project(healthcheck=HEALTH), "1.41") == [("services.web.healthcheck.start_interval", "1.44")]
    assert settings_needing_newer_api(project(healthcheck=HEALTH), "1.44") == []
    assert settings_needing_newer_api(project(healthcheck={"disable": True, "start_interval": "1s"}), "1.41") == []
    assert settings_needing_newer_api(project(), "1.41") == []


def test_container_options_are_named_by_their_compose_path():
    found = settings_needing_newer_api(project(init=True, volumes=["/data"], stop_grace_period="3s"), "1.24")
    assert sorted(found) == [("services.web.init", "1.25"), ("services.web.stop_grace_period", "1.25"),
                             ("services.web.volumes", "1.30")]


class FakeClient:
    api_version = "1.41"
    base_url = "http+docker://localhost"


def test_the_error_names_the_path_and_both_versions():
    with pytest.raises(PlanError) as err:
        require_api_version(FakeClient(), project(healthcheck=HEALTH))
    assert err.value.path == "services.web.healthcheck.start_interval"
    assert str(err.value) == ("services.web.healthcheck.start_interval: needs Docker Engine API 1.44 or newer;"
                              " the daemon at http+docker://localhost speaks API 1.41")


def test_start_interval_reaches_the_create_request_when_the_api_has_it():
    p = project(healthcheck=HEALTH)
    body = to_create_request(container_spec(p, p.services["web"], 1, {}).spec)
    assert body["Healthcheck"]["StartInterval"] == 1_000_000_000
