"""network_mode service:<name>: start order, and joiners recreated with their owner (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedNetwork, ObservedProject, container_from_list,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedImage
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project

P = "gscmpunit"


def desired(vpn_env="1", app_env="1", mode="service:vpn"):
    definition = {"services": {
        "vpn": {"image": "goship-test/app:1", "environment": {"REV": vpn_env}},
        "app": {"image": "goship-test/app:1", "environment": {"REV": app_env}, "network_mode": mode},
    }}
    return desired_project(load_project(definition=definition, project_name=P, project_dir="/tmp"))


def ctr(service, settings, cid, network_mode=""):
    """A container as Compose or the module makes it: its label hashes the ID it joined."""
    joined = {"vpn": network_mode[len("container:"):]} if network_mode else {}
    return ObservedContainer(
        id=cid, name=L.container_name(P, service, 1), service=service, number=1, state="running", status="Up",
        health=None, exit_code=None, image_ref="goship-test/app:1", image_id="sha256:1",
        config_hash=settings.resolved_hash(joined),
        settings=settings.settings, build_digest="", oneoff=False, network_mode=network_mode,
        networks=(P + "_default",) if not network_mode else ())


def deployed(project, app_joins="vpn-id"):
    obs = ObservedProject(name=P, containers=[ctr("vpn", project.services["vpn"], "vpn-id"),
                                              ctr("app", project.services["app"], "app-id", "container:" + app_joins)])
    obs.networks[P + "_default"] = ObservedNetwork("nid", P + "_default", "default", P, "bridge", False, False)
    return obs


def kinds(plan):
    return [(a.kind, a.target, a.reason) for a in plan.actions]


def test_the_owner_starts_first():
    fresh = ObservedProject(name=P)
    plan = plan_project(desired(), fresh, PlanOptions(), {"goship-test/app:1": ObservedImage("sha256:" + "1" * 64)})
    expected = [("create_network", P + "_default"), ("create", P + "-vpn-1"), ("create", P + "-app-1")]
    assert [(k, t) for k, t, _r in kinds(plan)] == expected
    assert plan.layers[-1][0].waits == [("vpn", "service_started")]


def test_an_unchanged_project_is_a_no_op():
    base = desired()
    assert not plan_project(base, deployed(base), PlanOptions()).changed


def test_a_recreated_owner_recreates_its_joiners_not_restarts_them():
    base = desired()
    plan = plan_project(desired(vpn_env="2"), deployed(base), PlanOptions())
    assert kinds(plan) == [("recreate", P + "-vpn-1", "changed: environment"),
                           ("recreate", P + "-app-1", "network_mode service:vpn: its container is replaced")]
    assert plan.actions[1].strategy == "stop-first"


def test_a_joiner_of_a_container_that_is_gone_is_recreated():
    base = desired()
    plan = plan_project(base, deployed(base, app_joins="old-vpn-id"), PlanOptions())
    assert kinds(plan) == [("recreate", P + "-app-1", "network_mode service:vpn: joined to a container that is gone")]


def test_a_joiner_changed_itself_does_not_touch_the_owner():
    base = desired()
    plan = plan_project(desired(app_env="2"), deployed(base), PlanOptions())
    assert kinds(plan) == [("recreate", P + "-app-1", "changed: environment")]


def test_an_unknown_owner_names_the_path():
    with pytest.raises((ComposeError, PlanError)) as err:
        desired(mode="service:nope")
    assert "services.app" in str(err.value) and "nope" in str(err.value)


def test_the_list_call_gives_the_network_mode():
    item = {"Id": "x", "Names": ["/c"], "Labels": {}, "HostConfig": {"NetworkMode": "container:abc"}}
    assert container_from_list(item).network_mode == "container:abc"
