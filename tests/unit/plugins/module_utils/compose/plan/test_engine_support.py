# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a deploy needs that the engine or the collection lacks is named before any write; loading
and planning (compose_info, check mode) never depend on it."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose import run
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action, Plan, Step
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.engine_support import (
    APPLIED_BUILD_KEYS, deploy_refusals,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.model import BuildConfig
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError

SERVICES = {
    "web": {"image": "x", "models": ["llm"]},
    "ai": {"provider": {"type": "model", "options": {"model": "ai/smollm2"}}},
    "reader": {"image": "x", "volumes": [{"type": "image", "source": "busybox", "target": "/img"}]},
    "plain": {"image": "x"},
    "built": {"image": "y", "build": {"context": ".", "entitlements": ["network.host"], "no_cache": True}},
}


def _project():
    return load_project("/srv/app", definition={"services": SERVICES, "models": {"llm": {"model": "ai/smollm2"}}},
                        environ={})


def test_loading_and_planning_do_not_depend_on_the_engine():
    desired = desired_project(_project())  # what compose_info and check mode compute
    assert sorted(desired.services) == ["ai", "built", "plain", "reader", "web"]


def test_each_refusal_names_the_service_the_feature_and_the_version():
    found = dict(deploy_refusals(_project(), "1.41", built=["built"]))
    assert sorted(found) == ["services.ai.provider", "services.built.build.entitlements", "services.reader.volumes[0]",
                             "services.web.models"]
    assert found["services.reader.volumes[0]"].startswith(
        "an image mount needs Docker Engine API 1.48 (Engine 28.0) or newer; the daemon speaks API 1.41")
    assert "docker model" in found["services.ai.provider"]
    assert "Model Runner" in found["services.web.models"]
    assert deploy_refusals(_project(), "1.41", built=[], selected=["plain"]) == []
    assert "services.built.build.entitlements" not in dict(deploy_refusals(_project(), "1.41"))  # not built: fine


def test_every_build_key_is_applied_or_refused_by_name():
    names = set(BuildConfig.__dataclass_fields__)
    refused = {path.rsplit(".", 1)[1] for path, _why in deploy_refusals(
        load_project("/srv", environ={}, definition={"services": {"b": {"image": "b", "build": {
            "context": ".", "dockerfile_inline": "FROM x", "cache_to": ["type=local,dest=/c"], "shm_size": "1g",
            "extra_hosts": ["a=1.2.3.4"], "additional_contexts": {"x": "/x"}, "platforms": ["linux/amd64"],
            "privileged": True, "isolation": "default", "secrets": ["s"], "ssh": ["default"],
            "ulimits": {"nofile": 1}, "entitlements": ["network.host"], "provenance": True, "sbom": True}}},
            "secrets": {"s": {"file": "/etc/hostname"}}}), "1.41", built=["b"])}
    assert names == set(APPLIED_BUILD_KEYS) | refused | {"dockerfile"}


class _Client:
    api_version = "1.41"


def test_a_deploy_fails_before_any_write_and_check_mode_warns():
    project = _project()
    plan = Plan(layers=((Step("build:built", (Action("build", "y", "no image yet", service="built"),)),),))
    with pytest.raises(PlanError) as error:
        run._refuse_unsupported(_Client(), project, plan, sorted(project.services), check_mode=False)
    assert error.value.path == "services.ai.provider"
    assert "\n" not in str(error.value) and "services.built.build.entitlements: " in str(error.value)
    warned = run._refuse_unsupported(_Client(), project, plan, sorted(project.services), check_mode=True)
    assert len(warned.warnings) == 4 and warned.warnings[0].startswith("the deploy would fail: services.ai.provider: ")
