"""community.docker's ipam_driver, ipam_driver_options, scope, config_only and config_from on the
network module: parsing, comparison, planning and the engine checks (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.networks.apply import create_kwargs, create_network
from ansible_collections.goship.containers.plugins.module_utils.networks.observed import (
    ContainerRef, check_engine_can_create, config_dependents, network_state_from_inspect,
)
from ansible_collections.goship.containers.plugins.module_utils.networks.plan import (
    desired_config, network_differences, plan_network,
)
from ansible_collections.goship.containers.plugins.module_utils.networks.spec import load_network_spec
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError

BRIDGE = {
    "Name": "web", "Id": "n1", "Driver": "bridge", "Scope": "local",
    "IPAM": {"Driver": "default", "Options": None, "Config": [{"Subnet": "172.30.0.0/24"}]},
    "Options": {}, "Labels": {}, "ConfigOnly": False, "ConfigFrom": {"Network": ""},
}
CONFIG_ONLY = dict(BRIDGE, Name="cfg", Id="n2", Driver="null", ConfigOnly=True, Labels={"tier": "back"},
                   IPAM={"Driver": "default", "Options": {"a": "1"}, "Config": [{"Subnet": "172.31.0.0/24"}]})
FROM_CONFIG = dict(BRIDGE, ConfigFrom={"Network": "cfg"}, Labels={"tier": "back"},
                   IPAM={"Driver": "default", "Options": {"a": "1"}, "Config": [{"Subnet": "172.31.0.0/24"}]})
C1 = ContainerRef("c1" * 32, "api")


def spec(**params):
    params.setdefault("name", "web")
    return load_network_spec(params)


def state(data=None, **changes):
    merged = dict(data or BRIDGE)
    merged.update(changes)
    return network_state_from_inspect(merged)


def test_inspect_reads_the_new_fields_with_engine_defaults():
    observed = state()
    assert (observed.ipam_driver, observed.ipam_options, observed.scope) == ("default", {}, "local")
    assert (observed.config_only, observed.config_from) == (False, "")
    bare = network_state_from_inspect({"Name": "x", "Id": "i"})  # an engine that omits them
    assert (bare.ipam_driver, bare.scope, bare.config_from) == ("default", "local", "")
    assert state(FROM_CONFIG).config_from == "cfg" and state(CONFIG_ONLY).config_only is True


def test_load_normalises_ipam_driver_options_like_driver_options():
    loaded = spec(ipam_driver=" default ", ipam_driver_options={"n": 1, "b": True}, scope="local")
    assert loaded.ipam_driver == "default"
    assert loaded.ipam_driver_options == {"n": "1", "b": "true"}
    assert spec().ipam_driver is None and spec().scope is None and spec().config_from is None
    assert spec(config_from=" ").config_from == ""


@pytest.mark.parametrize("params, message", [
    (dict(ipam_driver=""), "ipam_driver: must not be empty"),
    (dict(ipam_driver_options={"a": {"b": 1}}), "ipam_driver_options.a: expected a string value"),
    (dict(config_only=True, driver="bridge"), "driver: a config-only network has no driver"),
    (dict(config_only=True, internal=True), "internal: not allowed with config_only=true"),
    (dict(config_only=True, attachable=True), "attachable: not allowed with config_only=true"),
    (dict(config_only=True, scope="swarm"), "scope: a config-only network is always local"),
    (dict(config_only=True, connected=["api"]), "connected: containers cannot be connected to a config-only"),
    (dict(config_only=True, config_from="cfg"), "config_from: a config-only network cannot itself"),
    (dict(config_from="web"), "config_from: a network cannot be created from itself"),
    (dict(config_from="cfg", ipam_config=[{"subnet": "10.9.0.0/24"}]), "ipam_config: not allowed with config_from"),
    (dict(config_from="cfg", ipam_driver="other"), "ipam_driver: not allowed with config_from"),
    (dict(config_from="cfg", ipam_driver_options={"a": "1"}), "ipam_driver_options: not allowed with config_from"),
    (dict(config_from="cfg", driver_options={"mtu": "1400"}), "driver_options: not allowed with config_from"),
    (dict(config_from="cfg", labels={"a": "b"}), "labels: not allowed with config_from"),
    (dict(config_from="cfg", enable_ipv6=True), "enable_ipv6: not allowed with config_from"),
])
def test_what_the_engine_refuses_is_refused_naming_the_option(params, message):
    with pytest.raises(OptionError) as error:
        spec(**params)
    assert message in str(error.value)


def test_config_only_and_config_from_accept_what_the_engine_accepts():
    spec(config_only=True, driver="null", scope="local", internal=False, labels={"a": "b"}, enable_ipv6=True,
         ipam_config=[{"subnet": "fd00:3::/64"}], ipam_driver_options={"a": "1"}, driver_options={"mtu": "1400"})
    spec(config_from="cfg", driver="bridge", internal=True, attachable=True, labels={}, ipam_driver="default")


def test_each_option_differs_by_name_and_unset_never_differs():
    assert network_differences(spec(), state(CONFIG_ONLY)) == []
    assert network_differences(spec(ipam_driver="default", scope="local", config_only=False, config_from=""), state()) == []
    assert network_differences(spec(ipam_driver="other"), state()) == ["ipam_driver"]
    assert network_differences(spec(ipam_driver_options={"a": "1"}), state()) == ["ipam_driver_options"]
    assert network_differences(spec(ipam_driver_options={}), state()) == []
    # compared as a whole, as community.docker does: an extra option on the network is a difference
    assert network_differences(spec(ipam_driver_options={}), state(CONFIG_ONLY)) == ["ipam_driver_options"]
    assert network_differences(spec(scope="swarm"), state()) == ["scope"]
    assert network_differences(spec(config_only=True), state()) == ["config_only"]
    assert network_differences(spec(config_from="cfg"), state()) == ["config_from"]
    assert network_differences(spec(config_from="cfg2"), state(FROM_CONFIG)) == ["config_from"]
    assert network_differences(spec(config_from=""), state(FROM_CONFIG)) == ["config_from"]


def test_a_difference_recreates_and_the_rest_carries_over():
    plan = plan_network(spec(ipam_driver_options={"b": "2"}), state(), [C1], [])
    assert [s.kind for s in plan.steps] == ["disconnect", "remove", "create", "reconnect"]
    assert plan.differences == ["ipam_driver_options"]
    assert plan.config.ipam_options == {"b": "2"} and plan.config.ipam_config[0].subnet == "172.30.0.0/24"
    assert plan.before["ipam_driver_options"] == {} and plan.after["ipam_driver_options"] == {"b": "2"}
    ipam = create_kwargs(plan.config)["ipam"]
    assert ipam == {"Driver": "default", "Config": [{"Subnet": "172.30.0.0/24"}], "Options": {"b": "2"}}


def test_config_only_network_is_created_with_the_null_driver_and_no_scope():
    config = desired_config(spec(config_only=True, ipam_config=[{"subnet": "172.31.0.0/24"}]), None)
    assert (config.driver, config.config_only, config.scope) == ("null", True, None)
    assert create_kwargs(config)["scope"] is None
    # made config-only on a recreate: the driver and scope of the old network are dropped
    config = desired_config(spec(config_only=True), state())
    assert (config.driver, config.scope) == ("null", None)
    # and back: the driver is the default one again, unless given
    assert desired_config(spec(config_only=False), state(CONFIG_ONLY)).driver == "bridge"
    assert desired_config(spec(config_only=False, driver="macvlan"), state(CONFIG_ONLY)).driver == "macvlan"


def test_containers_that_would_stay_refuse_a_config_only_recreate():
    with pytest.raises(PlanError, match="config_only: containers cannot be connected.*api would stay"):
        plan_network(spec(config_only=True), state(), [C1], [])
    plan = plan_network(spec(config_only=True, connected=[]), state(), [C1], [])
    assert [s.kind for s in plan.steps] == ["disconnect", "remove", "create"]


def test_from_config_drops_what_the_config_network_gave():
    config = desired_config(spec(internal=True), state(FROM_CONFIG))
    assert config.config_from == "cfg" and config.internal is True
    assert (config.ipam_config, config.ipam_options, config.labels) == ([], {}, {})
    config = desired_config(spec(config_from=""), state(FROM_CONFIG))  # no longer from cfg: keeps what it had
    assert config.config_from == "" and config.ipam_config[0].subnet == "172.31.0.0/24" and config.labels == {"tier": "back"}


def test_a_config_only_network_with_dependents_is_not_removed():
    with pytest.raises(PlanError, match="name: cfg is a config-only network that web is created from"):
        plan_network(spec(name="cfg", state="absent"), state(CONFIG_ONLY), [], [], ["web"])
    with pytest.raises(PlanError, match="the recreate for labels cannot be done"):
        plan_network(spec(name="cfg", labels={}), state(CONFIG_ONLY), [], [], ["web"])
    assert plan_network(spec(name="cfg", labels={"tier": "back"}), state(CONFIG_ONLY), [], [], ["web"]).steps == []


class FakeClient:
    def __init__(self, networks, swarm=None):
        self.listed = networks
        self.swarm = swarm or {"LocalNodeState": "inactive"}
        self.posted = []

    def networks(self, names=None):
        return [n for n in self.listed if not names or n["Name"] in names]

    def info(self):
        return {"Swarm": self.swarm}

    def _url(self, path):
        return path

    def _post_json(self, url, data):
        self.posted.append((url, data))
        return {"Id": "new"}

    def _result(self, response, json=False):
        return response

    def create_network(self, **kwargs):
        self.posted.append(("create_network", kwargs))


def test_engine_checks_before_any_write():
    client = FakeClient([BRIDGE, CONFIG_ONLY, dict(FROM_CONFIG, Name="derived", Id="n3")])
    assert config_dependents(client, state(CONFIG_ONLY)) == ["derived"]
    assert config_dependents(client, state()) == []
    with pytest.raises(OptionError, match="scope: swarm needs an engine that is a swarm manager"):
        check_engine_can_create(client, desired_config(spec(scope="swarm"), None))
    check_engine_can_create(FakeClient([], {"LocalNodeState": "active", "ControlAvailable": True}),
                            desired_config(spec(scope="global"), None))
    with pytest.raises(OptionError, match="config_from: no network named nope exists"):
        check_engine_can_create(client, desired_config(spec(config_from="nope"), None))
    with pytest.raises(OptionError, match="config_from: web is not a config-only network"):
        check_engine_can_create(client, desired_config(spec(name="other", config_from="web"), None))
    check_engine_can_create(client, desired_config(spec(name="other", config_from="cfg"), None))
    check_engine_can_create(client, None)


def test_create_posts_config_only_and_config_from_the_sdk_cannot_send():
    client = FakeClient([])
    create_network(client, desired_config(spec(name="cfg", config_only=True, ipam_config=[{"subnet": "172.31.0.0/24"}]), None))
    create_network(client, desired_config(spec(name="n", config_from="cfg", internal=True), None))
    create_network(client, desired_config(spec(name="plain", scope="local"), None))
    (_url, first), (_url2, second), (kind, third) = client.posted
    assert first["ConfigOnly"] is True and first["Driver"] == "null" and "Scope" not in first
    assert first["IPAM"]["Config"] == [{"Subnet": "172.31.0.0/24"}]
    assert second["ConfigFrom"] == {"Network": "cfg"} and second["IPAM"] is None and second["Internal"] is True
    assert kind == "create_network" and third["scope"] == "local"
