"""Swarm membership: options, state from /info, and the one action (or none) per state."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.errors import GoshipError
from ansible_collections.goship.containers.plugins.module_utils.swarm.node import (
    init_request, join_request, load_swarm_spec, node_state_from_info, plan_swarm,
)

TOKENS = {"Worker": "SWMTKN-1-abc-worker", "Manager": "SWMTKN-1-abc-manager"}


def spec(**params):
    base = dict(state="present", advertise_addr=None, listen_addr="0.0.0.0:2377", data_path_addr=None,
                default_addr_pool=None, subnet_size=None, remote_addrs=None, join_token=None, force=False)
    base.update(params)
    return load_swarm_spec(base)


def node(state="active", manager=True, managers=("10.0.0.1:2377",)):
    return node_state_from_info({"Swarm": {
        "LocalNodeState": state, "NodeID": "n1" if state != "inactive" else "", "NodeAddr": "10.0.0.2",
        "ControlAvailable": manager, "RemoteManagers": [{"NodeID": "m", "Addr": a} for a in managers]}})


INACTIVE = node_state_from_info({"Swarm": {"LocalNodeState": "inactive"}})


def test_init_only_when_not_in_a_swarm():
    assert plan_swarm(spec(), INACTIVE).action == "init"
    assert plan_swarm(spec(), node()).action is None
    with pytest.raises(GoshipError, match="worker"):
        plan_swarm(spec(), node(manager=False))


def test_join_only_when_not_in_a_swarm_and_same_swarm_is_a_no_op():
    joining = spec(state="join", remote_addrs=["10.0.0.1:2377"], join_token=TOKENS["Worker"])
    assert plan_swarm(joining, INACTIVE).action == "join"
    assert plan_swarm(joining, node(manager=False)).action is None
    with pytest.raises(GoshipError, match="another swarm"):
        plan_swarm(joining, node(manager=False, managers=("10.9.9.9:2377",)))


def test_join_role_mismatch_on_a_manager_fails():
    as_worker = spec(state="join", remote_addrs=["10.0.0.1"], join_token=TOKENS["Worker"])
    with pytest.raises(GoshipError, match="demote"):
        plan_swarm(as_worker, node(manager=True), TOKENS)
    as_manager = spec(state="join", remote_addrs=["10.0.0.1"], join_token=TOKENS["Manager"])
    assert plan_swarm(as_manager, node(manager=True), TOKENS).action is None


def test_leave_only_when_in_a_swarm_and_managers_need_force():
    assert plan_swarm(spec(state="absent"), INACTIVE).action is None
    assert plan_swarm(spec(state="absent"), node(manager=False)).action == "leave"
    with pytest.raises(GoshipError, match="force"):
        plan_swarm(spec(state="absent"), node(manager=True))
    assert plan_swarm(spec(state="absent", force=True), node(manager=True)).action == "leave"
    assert plan_swarm(spec(state="absent"), node(state="error", manager=False)).action == "leave"


@pytest.mark.parametrize("params, option", [
    (dict(state="join", join_token="SWMTKN-1-x"), "remote_addrs"),
    (dict(state="join", remote_addrs=["m:2377"]), "join_token"),
    (dict(state="join", remote_addrs=["m:2377"], join_token="secret"), "join_token"),
    (dict(state="present", join_token="SWMTKN-1-x"), "remote_addrs, join_token"),
    (dict(state="present", subnet_size=8), "subnet_size"),
    (dict(state="absent", default_addr_pool=["10.20.0.0/16"]), "default_addr_pool, subnet_size"),
])
def test_bad_options_name_the_option(params, option):
    with pytest.raises(GoshipError) as err:
        spec(**params)
    assert str(err.value).startswith(option + ":")


def test_requests_carry_only_what_was_set():
    assert init_request(spec()) == {"listen_addr": "0.0.0.0:2377"}
    assert init_request(spec(advertise_addr="eth0", default_addr_pool=["10.20.0.0/16"], subnet_size=24)) == {
        "listen_addr": "0.0.0.0:2377", "advertise_addr": "eth0", "default_addr_pool": ["10.20.0.0/16"],
        "subnet_size": 24}
    joining = spec(state="join", remote_addrs=["m:2377"], join_token=TOKENS["Worker"])
    assert join_request(joining) == {"remote_addrs": ["m:2377"], "join_token": TOKENS["Worker"],
                                     "listen_addr": "0.0.0.0:2377"}
