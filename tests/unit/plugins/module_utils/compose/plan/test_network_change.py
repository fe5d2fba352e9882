"""A changed network definition recreates the network and the containers attached (no Docker)."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.network_change import network_change
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedNetwork, ObservedProject,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project

P = "gscmpunit"


def desired(**net):
    definition = {"services": {"web": {"image": "goship-test/app:1", "networks": ["back"]},
                               "db": {"image": "goship-test/app:1", "networks": ["back"]},
                               "solo": {"image": "goship-test/app:1"}},
                  "networks": {"back": net}}
    return desired_project(load_project(definition=definition, project_name=P, project_dir="/tmp"))


def ctr(service, settings, net, number=1, oneoff=False):
    return ObservedContainer(
        id="id-%s-%d" % (service, number), name=L.container_name(P, service, number), service=service, number=number,
        state="running", status="Up", health=None, exit_code=None, image_ref="goship-test/app:1", image_id="sha256:1",
        config_hash=settings.config_hash, settings=settings.settings, build_digest="", oneoff=oneoff, networks=(net,))


def deployed(project, recorded):
    """The project as deployed from `recorded` (its networks labelled with their settings then)."""
    obs = ObservedProject(name=P, containers=[ctr(n, s, P + ("_default" if n == "solo" else "_back"))
                                              for n, s in recorded.services.items()])
    for net in recorded.networks:
        obs.networks[net.name] = ObservedNetwork("nid-" + net.key, net.name, net.key, P, net.driver or "bridge",
                                                 net.internal, net.attachable, {L.NETWORK_SETTINGS: net.settings})
    return obs


def kinds(plan):
    return [(a.kind, a.target, a.reason) for a in plan.actions]


def test_unchanged_networks_are_a_no_op():
    base = desired(driver_opts={"com.docker.network.driver.mtu": "1400"})
    assert not plan_project(base, deployed(base, base), PlanOptions()).changed


def test_a_changed_network_is_recreated_then_its_containers_on_it():
    base = desired()
    changed = desired(ipam={"config": [{"subnet": "10.213.0.0/24"}]}, labels={"tier": "back"})
    plan = plan_project(changed, deployed(changed, base), PlanOptions())
    assert kinds(plan) == [
        ("recreate_network", P + "_back", "changed: ipam, labels"),
        ("recreate", P + "-db-1", "network back recreated"),
        ("recreate", P + "-web-1", "network back recreated"),
    ]
    (net_action,) = plan.layers[0][0].actions
    assert net_action.attached == ("id-db-1", "id-web-1")
    assert all(a.strategy == "stop-first" for a in plan.actions if a.kind == "recreate")
    # the network layer runs before the containers' layers
    assert [a.kind for a in plan.layers[0][0].actions] == ["recreate_network"]


@pytest.mark.parametrize("change", [{"internal": True}, {"attachable": True}, {"enable_ipv6": True},
                                    {"driver_opts": {"com.docker.network.driver.mtu": "1300"}}, {"driver": "macvlan"}])
def test_every_creation_setting_counts(change):
    base = desired()
    plan = plan_project(desired(**change), deployed(desired(**change), base), PlanOptions())
    assert plan.actions[0].kind == "recreate_network"
    assert plan.actions[0].reason.startswith("changed: ")


def test_a_network_without_the_settings_label_is_compared_on_what_the_list_shows():
    unlabelled = ObservedNetwork("nid", P + "_back", "back", P, "bridge", False, False, {})
    assert network_change("x=1", None, False, False, unlabelled) is None
    assert network_change("x=1", None, True, False, unlabelled) == "changed: internal False -> True"


def test_containers_outside_the_run_block_the_recreation():
    base = desired()
    changed = desired(internal=True)
    with pytest.raises(PlanError) as err:
        plan_project(changed, deployed(changed, base), PlanOptions(selected=("web",)))
    assert err.value.path == "networks.back" and P + "-db-1" in str(err.value)
    with pytest.raises(PlanError, match="recreate is 'never'"):
        plan_project(changed, deployed(changed, base), PlanOptions(recreate="never"))


def test_a_service_changed_too_is_recreated_once_with_both_reasons():
    base = desired()
    changed = desired(internal=True)
    obs = deployed(changed, base)
    index = next(i for i, c in enumerate(obs.containers) if c.service == "web")
    obs.containers[index] = dataclasses.replace(obs.containers[index], config_hash="old", settings="image=old")
    plan = plan_project(changed, obs, PlanOptions())
    web = [a for a in plan.actions if a.target == P + "-web-1"]
    assert len(web) == 1 and web[0].reason.endswith("; network back recreated")
