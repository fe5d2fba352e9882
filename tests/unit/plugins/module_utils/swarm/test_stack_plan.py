"""Planning a stack: unchanged services are no-ops; differences and drift are named; prune and removal."""

from __future__ import annotations

import copy

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.swarm.service_spec import (
    SPEC_HASH_LABEL, StackServiceBuilder,
)
from ansible_collections.goship.containers.plugins.module_utils.swarm.stack_plan import (
    normalise_observed_spec, plan_removal, plan_service, plan_stack, projection, spec_differences,
)

PROJECT = {"services": {"web": {"image": "app:1", "deploy": {"replicas": 2}},
                        "api": {"image": "app:1", "networks": ["back"]}},
           "networks": {"back": {}}}


def desired(definition=None):
    builder = StackServiceBuilder(load_project(definition=definition or PROJECT, project_name="st", environ={}), "st")
    return builder.networks(), builder.services()


def as_engine(spec, ids):
    """What the engine returns for a service created from `spec`: network IDs, some defaults added."""
    stored = copy.deepcopy(spec)
    for attachment in stored["TaskTemplate"].get("Networks", []):
        attachment["Target"] = ids[attachment["Target"]]
    stored["TaskTemplate"]["ContainerSpec"]["Isolation"] = "default"
    stored["TaskTemplate"]["ForceUpdate"] = 0
    stored["TaskTemplate"]["Runtime"] = "container"
    stored["UpdateConfig"]["MaxFailureRatio"] = 0.0
    return stored


IDS = {"st_default": "n1", "st_back": "n2"}
NAMES = {v: k for k, v in IDS.items()}


def observed(services):
    return {name: {"ID": "id-" + name, "Version": {"Index": 7},
                   "Spec": normalise_observed_spec(as_engine(spec, IDS), NAMES)}
            for name, spec in services.items()}


def observed_networks():
    return {name: {"Id": nid, "Name": name, "Labels": {"com.docker.stack.namespace": "st"}} for name, nid in IDS.items()}


def test_first_deploy_creates_networks_then_services():
    networks, services = desired()
    plan = plan_stack(networks, services, {}, {}, prune=True)
    assert [(a.kind, a.name) for a in plan.actions] == [
        ("create-network", "st_back"), ("create-network", "st_default"),
        ("create-service", "st_api"), ("create-service", "st_web")]
    assert plan.before == {} and set(plan.after) == {"st_api", "st_web"}


def test_engine_defaults_and_network_ids_do_not_count_as_changes():
    networks, services = desired()
    plan = plan_stack(networks, services, observed_networks(), observed(services), prune=True)
    assert plan.actions == []
    assert sorted(plan.unchanged) == ["st_api", "st_web"]


def test_image_change_is_a_rolling_update_with_a_readable_reason():
    networks, services = desired()
    current = observed(services)
    changed = copy.deepcopy(PROJECT)
    changed["services"]["web"]["image"] = "app:2"
    _n, new_services = desired(changed)
    plan = plan_stack(networks, new_services, observed_networks(), current, prune=True)
    assert [(a.kind, a.name) for a in plan.actions] == [("update-service", "st_web")]
    action = plan.actions[0]
    assert action.rolling and action.version == 7 and action.object_id == "id-st_web"
    assert "TaskTemplate.ContainerSpec.Image: app:1 -> app:2" in action.reason
    assert plan.before["st_web"]["TaskTemplate"]["ContainerSpec"]["Image"] == "app:1"
    assert plan.after["st_web"]["TaskTemplate"]["ContainerSpec"]["Image"] == "app:2"


def test_a_changed_variable_or_label_is_named_by_its_path_only():
    with_env = copy.deepcopy(PROJECT)
    with_env["services"]["web"]["environment"] = {"DB_PASSWORD": "old-pw"}
    networks, services = desired(with_env)
    current = observed(services)
    with_env["services"]["web"]["environment"] = {"DB_PASSWORD": "new-pw"}
    _n, new_services = desired(with_env)
    plan = plan_stack(networks, new_services, observed_networks(), current, prune=True)
    reason = plan.actions[0].reason
    assert "TaskTemplate.ContainerSpec.Env[0]" in reason and "pw" not in reason


def test_scaling_is_not_rolling():
    _n, services = desired()
    changed = copy.deepcopy(PROJECT)
    changed["services"]["web"]["deploy"]["replicas"] = 3
    _n, new_services = desired(changed)
    action = plan_service("st_web", new_services["st_web"], observed(services)["st_web"])
    assert action.kind == "update-service" and not action.rolling
    assert "Mode.Replicated.Replicas: 2 -> 3" in action.reason


def test_removed_setting_is_caught_by_the_spec_hash():
    with_env = copy.deepcopy(PROJECT)
    with_env["services"]["web"]["environment"] = {"A": "1"}
    _n, old = desired(with_env)
    _n, new = desired()
    action = plan_service("st_web", new["st_web"], observed(old)["st_web"])
    assert action is not None and action.rolling


def test_drift_behind_our_back_is_found():
    _n, services = desired()
    current = observed(services)
    current["st_web"]["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = "app:other"
    current["st_web"]["Spec"]["Labels"]["extra"] = "1"
    action = plan_service("st_web", services["st_web"], current["st_web"])
    assert action.kind == "update-service" and action.rolling
    assert action.reason.startswith("Labels; TaskTemplate.ContainerSpec.Image: app:other -> app:1")


def test_mode_change_replaces_the_service():
    _n, services = desired()
    changed = copy.deepcopy(PROJECT)
    changed["services"]["web"]["deploy"] = {"mode": "global"}
    _n, new_services = desired(changed)
    action = plan_service("st_web", new_services["st_web"], observed(services)["st_web"])
    assert action.kind == "replace-service"


def test_prune_removes_services_and_own_networks_but_not_external_ones():
    networks, services = desired()
    current = observed(services)
    only_web = {"services": {"web": PROJECT["services"]["web"]}}
    new_networks, new_services = desired(only_web)
    observed_nets = observed_networks()
    observed_nets["infra"] = {"Id": "n9", "Name": "infra", "Labels": {}}
    plan = plan_stack(new_networks, new_services, observed_nets, current, prune=True)
    assert [(a.kind, a.name) for a in plan.actions] == [("remove-service", "st_api"), ("remove-network", "st_back")]
    plan = plan_stack(new_networks, new_services, observed_nets, current, prune=False)
    assert plan.actions == []


def test_removal_removes_services_then_networks():
    _n, services = desired()
    plan = plan_removal(observed_networks(), observed(services))
    assert [a.kind for a in plan.actions] == ["remove-service", "remove-service", "remove-network", "remove-network"]
    assert plan_removal({}, {}).actions == []


def test_spec_differences_rules():
    assert spec_differences({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}) == []
    assert spec_differences({"Labels": {"a": "1"}}, {"Labels": {"a": "1", "b": "2"}}) == ["Labels"]
    assert spec_differences({"l": [1, 2]}, {"l": [1]}) == ["l"]
    assert spec_differences({"r": 0}, {"r": 0.0}) == []
    assert projection({"a": {"b": 1}}, {"a": {"b": 2, "c": 3}, "d": 4}) == {"a": {"b": 2}}


def test_hash_label_alone_differs():
    _n, services = desired()
    current = observed(services)
    current["st_web"]["Spec"]["Labels"][SPEC_HASH_LABEL] = "0" * 64
    action = plan_service("st_web", services["st_web"], current["st_web"])
    assert action.kind == "update-service" and "spec hash" in action.reason
