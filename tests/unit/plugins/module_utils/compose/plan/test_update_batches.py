"""deploy.update_config.parallelism and delay: recreates in batches (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.executor import _batches
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedNetwork, ObservedProject,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project

P = "gscmpunit"


def desired(replicas, update_config=None, env="2"):
    deploy = {"replicas": replicas}
    if update_config is not None:
        deploy["update_config"] = update_config
    definition = {"services": {"web": {"image": "goship-test/app:1", "environment": {"REV": env}, "deploy": deploy}}}
    return desired_project(load_project(definition=definition, project_name=P, project_dir="/tmp"))


def deployed(count, state="running"):
    old = desired(count, env="1").services["web"]
    obs = ObservedProject(name=P, containers=[ObservedContainer(
        id="id-%d" % n, name=L.container_name(P, "web", n), service="web", number=n, state=state, status="Up",
        health=None, exit_code=None, image_ref="goship-test/app:1", image_id="sha256:1", config_hash=old.config_hash,
        settings=old.settings, build_digest="", oneoff=False, networks=(P + "_default",)) for n in range(1, count + 1)])
    obs.networks[P + "_default"] = ObservedNetwork("nid", P + "_default", "default", P, "bridge", False, False)
    return obs


def batches(plan):
    return [[a.target.rsplit("-", 1)[1] for a in group] for group in _batches(plan.actions)]


def test_default_parallelism_is_one_at_a_time_without_delay():
    plan = plan_project(desired(3), deployed(3), PlanOptions())
    assert [a.batch for a in plan.actions] == [1, 2, 3]
    assert batches(plan) == [["1"], ["2"], ["3"]]
    assert plan.layers[-1][0].batch_delay == 0.0


@pytest.mark.parametrize("order", ["stop-first", "start-first"])
def test_parallelism_two_with_delay_in_both_orders(order):
    plan = plan_project(desired(5, {"parallelism": 2, "delay": "3s", "order": order}), deployed(5), PlanOptions())
    assert [a.batch for a in plan.actions] == [1, 1, 2, 2, 3]
    assert {a.strategy for a in plan.actions} == {order}
    assert batches(plan) == [["1", "2"], ["3", "4"], ["5"]]
    assert plan.layers[-1][0].batch_delay == 3.0


def test_parallelism_zero_is_all_at_once():
    plan = plan_project(desired(4, {"parallelism": 0}), deployed(4), PlanOptions())
    assert batches(plan) == [["1", "2", "3", "4"]]


def test_other_actions_are_not_batched():
    plan = plan_project(desired(3, {"parallelism": 3}), deployed(2), PlanOptions())
    assert [(a.kind, a.batch) for a in plan.actions] == [("recreate", 1), ("recreate", 1), ("create", None)]
    assert batches(plan) == [["1", "2"], ["3"]]


def test_a_negative_parallelism_names_the_path():
    with pytest.raises(ComposeError, match="^services.web.deploy.update_config.parallelism: "):
        desired(2, {"parallelism": -1})
