"""Network option validation, normalisation, comparison and planning (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.networks.apply import create_kwargs, endpoint_settings
from ansible_collections.goship.containers.plugins.module_utils.networks.observed import (
    ContainerRef, attached_containers, network_state_from_inspect, resolve_containers,
)
from ansible_collections.goship.containers.plugins.module_utils.networks.plan import (
    desired_config, network_differences, plan_network,
)
from ansible_collections.goship.containers.plugins.module_utils.networks.spec import (
    IpamPool, load_network_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

INSPECT = {
    "Name": "web", "Id": "n1", "Driver": "bridge", "EnableIPv6": False, "Internal": False, "Attachable": False,
    "IPAM": {"Driver": "default", "Config": [{"Subnet": "172.30.0.0/24", "Gateway": "172.30.0.1"}]},
    "Options": {"com.docker.network.bridge.enable_icc": "true", "added.by.driver": "x"},
    "Labels": {"app": "shop"},
}
C1 = ContainerRef("c1" * 32, "api")
C2 = ContainerRef("c2" * 32, "worker")


def spec(**params):
    params.setdefault("name", "web")
    return load_network_spec(params)


def state(**changes):
    data = dict(INSPECT)
    data.update(changes)
    return network_state_from_inspect(data)


# --- loading --------------------------------------------------------------------------------

def test_load_normalises_maps_and_pools():
    loaded = spec(
        driver_options={"com.docker.network.bridge.enable_icc": False, "mtu": 1400},
        labels={"n": 1},
        ipam_config=[{"subnet": "172.30.0.0/24", "gateway": "172.30.0.1", "iprange": "172.30.0.128/25",
                      "aux_addresses": {"r": "172.30.0.2"}}],
        connected=["api", "api", " worker "],
    )
    assert loaded.driver_options == {"com.docker.network.bridge.enable_icc": "false", "mtu": "1400"}
    assert loaded.labels == {"n": "1"}
    assert loaded.ipam_config == [IpamPool("172.30.0.0/24", "172.30.0.1", "172.30.0.128/25", (("r", "172.30.0.2"),))]
    assert loaded.connected == ["api", "worker"]
    assert loaded.driver is None and loaded.internal is None


@pytest.mark.parametrize("pool, message", [
    ({"subnet": "172.30.300.0/24"}, "ipam_config[0].subnet: '172.30.300.0/24' is not a subnet"),
    ({"subnet": "172.30.0.0"}, "ipam_config[0].subnet: '172.30.0.0' needs a prefix length"),
    ({"subnet": "172.30.0.9/24"}, "did you mean 172.30.0.0/24"),
    ({"subnet": "172.30.0.0/24", "gateway": "10.0.0.1"}, "ipam_config[0].gateway: 10.0.0.1 is not inside"),
    ({"subnet": "172.30.0.0/24", "gateway": "nope"}, "ipam_config[0].gateway: 'nope' is not an IP address"),
    ({"subnet": "172.30.0.0/24", "iprange": "172.31.0.0/25"}, "ipam_config[0].iprange: 172.31.0.0/25 is not inside"),
    ({"subnet": "172.30.0.0/24", "iprange": "fd00::/64"}, "ipam_config[0].iprange: fd00::/64 is IPv6"),
    ({"subnet": "172.30.0.0/24", "aux_addresses": {"r": "10.0.0.1"}}, "ipam_config[0].aux_addresses.r:"),
    ({"gateway": "172.30.0.1"}, "ipam_config[0].subnet: required"),
])
def test_bad_pools_name_the_field(pool, message):
    with pytest.raises(OptionError) as error:
        spec(ipam_config=[pool])
    assert message in str(error.value)


@pytest.mark.parametrize("params, message", [
    (dict(name=" "), "name: must not be empty"),
    (dict(name="a/b"), "name:"),
    (dict(driver=" "), "driver: must not be empty"),
    (dict(labels={"a": None}), "labels.a: expected a string value"),
    (dict(driver_options={"a": [1]}), "driver_options.a: expected a string value"),
    (dict(connected=["api", ""]), "connected[1]:"),
    (dict(ipam_config=[{"subnet": "10.1.0.0/24"}, {"subnet": "10.1.0.0/24"}]), "ipam_config[1].subnet: 10.1.0.0/24 is listed twice"),
    (dict(ipam_config=[{"subnet": "fd00::/64"}], enable_ipv6=False), "ipam_config: an IPv6 subnet needs enable_ipv6"),
])
def test_bad_options_name_the_option(params, message):
    with pytest.raises(OptionError) as error:
        spec(**params)
    assert message in str(error.value)


# --- observed state and comparison ------------------------------------------------------------

def test_inspect_is_normalised_like_the_spec():
    observed = state(IPAM={"Config": [{"Subnet": "172.30.0.5/24", "Gateway": "172.30.0.1/24"}]}, Labels=None)
    assert observed.ipam_config == [IpamPool("172.30.0.0/24", "172.30.0.1")]
    assert observed.labels == {}


def test_unspecified_options_never_differ():
    assert network_differences(spec(), state()) == []


def test_driver_options_allow_what_the_driver_adds_labels_are_exact():
    assert network_differences(spec(driver_options={"com.docker.network.bridge.enable_icc": True}), state()) == []
    assert network_differences(spec(driver_options={"mtu": 1400}), state()) == ["driver_options"]
    assert network_differences(spec(labels={"app": "shop"}), state()) == []
    assert network_differences(spec(labels={}), state()) == ["labels"]
    assert network_differences(spec(labels={"app": "shop", "x": "1"}), state()) == ["labels"]


def test_fixed_options_differ_by_name():
    assert network_differences(spec(driver="macvlan", internal=True, attachable=False, enable_ipv6=False), state()) == [
        "driver", "internal"]


def test_ipam_compares_only_what_is_given_per_ip_version():
    same_subnet = spec(ipam_config=[{"subnet": "172.30.0.0/24"}])
    assert network_differences(same_subnet, state()) == []
    other_gateway = spec(ipam_config=[{"subnet": "172.30.0.0/24", "gateway": "172.30.0.9"}])
    assert network_differences(other_gateway, state()) == ["ipam_config"]
    other_subnet = spec(ipam_config=[{"subnet": "172.31.0.0/24"}])
    assert network_differences(other_subnet, state()) == ["ipam_config"]
    two = spec(ipam_config=[{"subnet": "172.30.0.0/24"}, {"subnet": "172.31.0.0/24"}])
    assert network_differences(two, state()) == ["ipam_config"]
    # An IPv6 pool given, the engine's own IPv4 pool is not a difference.
    v6 = state(EnableIPv6=True, IPAM={"Config": [{"Subnet": "172.22.0.0/16"}, {"Subnet": "fd00:1::/64"}]})
    assert network_differences(spec(enable_ipv6=True, ipam_config=[{"subnet": "fd00:1::/64"}]), v6) == []
    assert network_differences(spec(ipam_config=[]), state()) == []


# --- containers -----------------------------------------------------------------------------

CONTAINERS = [
    {"Id": C1.id, "Names": ["/api"], "NetworkSettings": {"Networks": {"web": {"NetworkID": "n1"}}}},
    # stopped: the endpoint has no NetworkID yet
    {"Id": C2.id, "Names": ["/worker"], "NetworkSettings": {"Networks": {"web": {"NetworkID": ""}}}},
    # attached to an older network that had the same name
    {"Id": "c3" * 32, "Names": ["/old"], "NetworkSettings": {"Networks": {"web": {"NetworkID": "n0"}}}},
    {"Id": "c4" * 32, "Names": ["/db"], "NetworkSettings": {"Networks": {"bridge": {"NetworkID": "b"}}}},
]


def test_attached_containers_include_stopped_ones_only_of_this_network():
    assert attached_containers(CONTAINERS, state()) == [C1, C2]


def test_resolve_containers_by_name_or_id_prefix():
    assert resolve_containers("connected", ["worker", "c1c1c1"], CONTAINERS) == [C2, C1]
    with pytest.raises(OptionError, match=r"connected\[0\]: no container named 'nope'"):
        resolve_containers("connected", ["nope"], CONTAINERS)


# --- plans ----------------------------------------------------------------------------------

def kinds(plan):
    return [(step.kind, step.container.name if step.container else None) for step in plan.steps]


def test_create_then_connect():
    plan = plan_network(spec(connected=["api"]), None, [], [C1])
    assert kinds(plan) == [("create", None), ("connect", "api")]
    assert plan.before is None
    assert plan.after["connected"] == ["api"] and plan.after["driver"] == "bridge"
    assert plan.actions[0] == "create network web (network does not exist)"


def test_no_op_when_nothing_differs():
    plan = plan_network(spec(labels={"app": "shop"}), state(), [C1], [])
    assert plan.steps == []
    assert plan.before == plan.after


def test_connected_without_appends_disconnects_the_rest():
    plan = plan_network(spec(connected=["api"]), state(), [C1, C2], [C1])
    assert kinds(plan) == [("disconnect", "worker")]
    plan = plan_network(spec(connected=["api"], appends=True), state(), [C2], [C1])
    assert kinds(plan) == [("connect", "api")]
    assert plan.after["connected"] == ["api", "worker"]


def test_recreate_reconnects_the_containers_it_had():
    plan = plan_network(spec(internal=True, connected=["worker"], appends=True), state(), [C1], [C2])
    assert kinds(plan) == [("disconnect", "api"), ("remove", None), ("create", None), ("reconnect", "api"),
                           ("connect", "worker")]
    assert plan.differences == ["internal"]
    assert plan.config.internal is True
    assert plan.config.labels == {"app": "shop"}  # not given: carried over
    assert plan.after["connected"] == ["api", "worker"]


def test_recreate_drops_containers_not_listed():
    plan = plan_network(spec(labels={}, connected=["worker"]), state(), [C1], [C2])
    assert kinds(plan) == [("disconnect", "api"), ("remove", None), ("create", None), ("connect", "worker")]


def test_absent_disconnects_attached_containers_with_or_without_force():
    for force in (False, True):
        plan = plan_network(spec(state="absent", force=force), state(), [C1, C2], [])
        assert kinds(plan) == [("disconnect", "api"), ("disconnect", "worker"), ("remove", None)]
        assert plan.after is None
    assert plan_network(spec(state="absent"), None, [], []).steps == []


def test_desired_config_carries_over_and_replaces_per_ip_version():
    old = state(EnableIPv6=True, IPAM={"Config": [{"Subnet": "172.30.0.0/24"}, {"Subnet": "fd00:1::/64"}]})
    config = desired_config(spec(ipam_config=[{"subnet": "172.31.0.0/24"}]), old)
    assert [p.subnet for p in config.ipam_config] == ["172.31.0.0/24", "fd00:1::/64"]
    config = desired_config(spec(enable_ipv6=False), old)
    assert [p.subnet for p in config.ipam_config] == ["172.30.0.0/24"]
    config = desired_config(spec(driver="macvlan", driver_options={"parent": "eth0"}), state())
    assert config.driver_options == {"parent": "eth0"}


def test_create_kwargs():
    config = desired_config(spec(ipam_config=[{"subnet": "172.31.0.0/24", "aux_addresses": {"r": "172.31.0.2"}}]), None)
    kwargs = create_kwargs(config)
    assert kwargs["ipam"]["Config"] == [{"Subnet": "172.31.0.0/24", "AuxiliaryAddresses": {"r": "172.31.0.2"}}]
    assert kwargs["check_duplicate"] is True
    assert kwargs["options"] is None and kwargs["labels"] is None
    assert create_kwargs(desired_config(spec(), None))["ipam"] is None


def test_endpoint_settings_keep_aliases_and_fitting_addresses():
    container = {"Id": "abcdef1234567890", "NetworkSettings": {"Networks": {"web": {
        "Aliases": ["db", "abcdef123456"], "Links": ["other:alias"],
        "IPAMConfig": {"IPv4Address": "172.30.0.10", "IPv6Address": "fd00:9::10"}}}}}
    config = desired_config(spec(), state())
    assert endpoint_settings(container, "web", config) == {
        "aliases": ["db"], "links": [("other", "alias")], "ipv4_address": "172.30.0.10"}
