"""Two networks of one project name (two runs created it at once, or by hand): present and absent
keep the one containers use and remove the others by ID, first (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedImage, keep_network, observe_project,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError

P = "dup"
NET = P + "_default"
MODEL = load_project(definition={"services": {"web": {"image": "app:1", "deploy": {"replicas": 2}}}}, project_name=P,
                     project_dir="/tmp")
DESIRED = desired_project(MODEL)


def net(nid, created, labelled=True):
    labels = {L.PROJECT: P, L.NETWORK: "default"} if labelled else {}
    return {"Id": nid, "Name": NET, "Labels": labels, "Driver": "bridge", "Created": created}


def container(number, network_id, config_hash=DESIRED.services["web"].config_hash):
    name = L.container_name(P, "web", number)
    return {"Id": "c%d" % number, "Names": ["/" + name], "State": "running", "Status": "Up", "Image": "app:1",
            "ImageID": "sha256:1",
            "Labels": {L.PROJECT: P, L.SERVICE: "web", L.CONTAINER_NUMBER: str(number), L.CONFIG_HASH: config_hash,
                       L.SETTINGS: DESIRED.services["web"].settings},
            "NetworkSettings": {"Networks": {NET: {"NetworkID": network_id}}}}


class Engine:
    """The list calls observe_project makes."""

    def __init__(self, networks, containers=(), unlabelled=()):
        self.labelled, self.unlabelled, self.listed = list(networks), list(unlabelled), list(containers)
        self.calls = []

    def containers(self, all=True, filters=None):
        self.calls.append("containers")
        return self.listed

    def networks(self, filters=None, names=None):
        self.calls.append("networks:%s" % ("label" if filters else ",".join(names)))
        if filters:
            return self.labelled
        return [n for n in self.labelled + self.unlabelled if any(name in n["Name"] for name in names)]

    def volumes(self, filters=None):
        self.calls.append("volumes")
        return {"Volumes": []}


def plan(engine, state="present", thorough=False):
    observed = observe_project(engine, P, [NET], [], every_network_by_name=thorough)
    return plan_project(DESIRED, observed, PlanOptions(state=state), {"app:1": ObservedImage("sha256:1")}), observed


def test_the_network_containers_use_is_kept_and_the_empty_duplicate_removed_before_anything_else():
    engine = Engine([net("n-old", "2026-01-01"), net("n-used", "2026-01-02")],
                    [container(1, "n-used"), container(2, "n-used")])
    the_plan, observed = plan(engine)
    assert observed.networks[NET].id == "n-used"
    assert [n.id for n in observed.duplicate_networks[NET]] == ["n-old"]
    assert [(a.kind, a.target) for a in the_plan.actions] == [(A.REMOVE_NETWORK, "n-old")]
    reason = the_plan.actions[0].reason
    assert "duplicate of network dup_default: 2 networks have that name" in reason and "n-used is kept (2 container(s) use it)" in reason
    assert engine.calls == ["containers", "networks:label", "volumes"]  # labelled duplicates cost no extra call


def test_a_new_project_left_with_two_empty_networks_keeps_the_oldest_and_then_creates_its_containers():
    the_plan, _observed = plan(Engine([net("n-b", "2026-01-02"), net("n-a", "2026-01-01")]))
    kinds = [(a.kind, a.target) for a in the_plan.actions]
    assert kinds[0] == (A.REMOVE_NETWORK, "n-b")
    assert [k for k, _t in kinds[1:]] == [A.CREATE, A.CREATE]
    network_step = the_plan.steps[0]
    assert all(network_step.name in step.after for step in the_plan.steps[1:])  # containers wait for the repair


def test_a_duplicate_made_by_hand_without_labels_is_found_when_the_run_will_change_something():
    engine = Engine([net("n-ours", "2026-01-01")], [container(1, "n-ours")], unlabelled=[net("n-hand", "2026-02-01", False)])
    quick, _observed = plan(engine)
    assert not any(a.kind == A.REMOVE_NETWORK for a in quick.actions)  # not seen by the no-op observation
    the_plan, observed = plan(engine, thorough=True)
    assert [n.id for n in observed.duplicate_networks[NET]] == ["n-hand"]
    assert (A.REMOVE_NETWORK, "n-hand") in [(a.kind, a.target) for a in the_plan.actions]


def test_containers_on_a_duplicate_are_detached_and_recreated_on_the_kept_network():
    engine = Engine([net("n-a", "2026-01-01"), net("n-b", "2026-01-02")], [container(1, "n-a"), container(2, "n-b")])
    the_plan, _observed = plan(engine)
    removal = next(a for a in the_plan.actions if a.kind == A.REMOVE_NETWORK)
    assert removal.target == "n-b" and removal.attached == ("c2",)  # a tie on use: the oldest is kept
    recreate = next(a for a in the_plan.actions if a.kind == A.RECREATE)
    assert recreate.container_id == "c2" and "moved off its duplicate n-b" in recreate.reason
    assert recreate.strategy == "stop-first"


def test_absent_removes_every_network_of_the_name():
    engine = Engine([net("n-a", "2026-01-01"), net("n-b", "2026-01-02")], [container(1, "n-a")])
    the_plan, _observed = plan(engine, state="absent")
    assert [(a.kind, a.target) for a in the_plan.actions if a.kind == A.REMOVE_NETWORK] == \
        [(A.REMOVE_NETWORK, "n-b"), (A.REMOVE_NETWORK, NET)]


def test_keep_network_ranks_use_then_the_project_label_then_age():
    from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import _network
    nets = [_network(net("n-1", "2026-01-01", labelled=False)), _network(net("n-2", "2026-01-05"))]
    assert keep_network(nets, [], P).id == "n-2"  # the project's own before an older one by hand
    used = [ObservedContainer("c", "x", "web", 1, "running", "Up", None, None, "i", "i", "", "", "", False,
                              network_ids=("n-1",))]
    assert keep_network(nets, used, P).id == "n-1"


def test_an_external_network_that_exists_twice_fails_before_any_change():
    model = load_project(definition={"services": {"web": {"image": "app:1"}},
                                     "networks": {"default": {"name": "shared", "external": True}}},
                         project_name=P, project_dir="/tmp")
    engine = Engine([], unlabelled=[dict(net("s-1", "1"), Name="shared"), dict(net("s-2", "2"), Name="shared")])
    observed = observe_project(engine, P, ["shared"], [], every_network_by_name=True)
    with pytest.raises(PlanError, match=r"networks.default: external network shared exists 2 times \(s-1, s-2\)"):
        plan_project(desired_project(model), observed, PlanOptions(), {})
