"""The keys of mounts[] and networks[] items that community.docker's docker_container takes
(options_item_keys.py), walked like the registry test walks options: module params → spec →
create request → the inspect data an engine reports for it → observed → plan with no difference;
a container made without the key differs (a mount recreates, an endpoint reconnects); a key
newer than the engine's API is named with the version it needs, whatever engine loads it."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers import engine
from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_needing_newer_api
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import (
    image_defaults, observed_container, with_image_defaults,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS_BY_NAME
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import plan_container, resolve_comparisons
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import NetworkAttachment, to_create_request
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.parse_mounts import parse_mount
from ansible_collections.goship.containers.plugins.module_utils.containers.task_plan import api_refusal_message
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

from ansible_collections.goship.containers.tests.unit.plugins.module_utils.containers.test_registry import (
    IMAGE, engine_inspect, module_params,
)

BIND = {"type": "bind", "source": "/srv/data", "target": "/data"}
VOLUME = {"type": "volume", "source": "vol", "target": "/v"}
TMPFS = {"type": "tmpfs", "target": "/scratch", "tmpfs_size": "1m"}

# key -> (the item with it, the item without it, where the create request carries it, its value there)
MOUNT_KEYS = {
    "non_recursive": (dict(BIND, non_recursive=True), BIND, ("Mounts", "BindOptions", "NonRecursive"), True),
    "create_mountpoint": (dict(BIND, create_mountpoint=True), BIND, ("Mounts", "BindOptions", "CreateMountpoint"), True),
    "read_only_non_recursive": (dict(BIND, read_only=True, read_only_non_recursive=True), dict(BIND, read_only=True),
                                ("Mounts", "BindOptions", "ReadOnlyNonRecursive"), True),
    "read_only_force_recursive": (dict(BIND, read_only=True, read_only_force_recursive=True), dict(BIND, read_only=True),
                                  ("Mounts", "BindOptions", "ReadOnlyForceRecursive"), True),
    "subpath": (dict(VOLUME, subpath="conf/app"), VOLUME, ("Mounts", "VolumeOptions", "Subpath"), "conf/app"),
    "consistency": (dict(VOLUME, consistency="cached"), VOLUME, ("Mounts", "Consistency"), "cached"),
    "consistency (bind)": (dict(BIND, consistency="delegated"), BIND, ("Mounts", "Consistency"), "delegated"),
    "tmpfs_options": (dict(TMPFS, tmpfs_options=[{"noexec": None}, {"uid": 1000}, {"nosuid": ""}]), TMPFS,
                      ("Tmpfs", "/scratch"), "size=1048576,noexec,nosuid,uid=1000"),
}
FRONT = {"name": "front", "aliases": ["web"]}
NETWORK_KEYS = {
    "driver_opts": (dict(FRONT, driver_opts={"com.docker.network.endpoint.ifname": "eth7", "x": 1}),
                    ("DriverOpts",), {"com.docker.network.endpoint.ifname": "eth7", "x": "1"}),
    "mac_address": (dict(FRONT, mac_address="92:D0:C6:0A:29:33"), ("MacAddress",), "92:d0:c6:0a:29:33"),
    "gw_priority": (dict(FRONT, gw_priority=10), ("GwPriority",), 10),
}
MINIMUM_API = {"non_recursive": "1.40", "create_mountpoint": "1.42", "read_only_non_recursive": "1.44",
               "read_only_force_recursive": "1.44", "subpath": "1.45", "mac_address": "1.44", "gw_priority": "1.48"}


def spec_of(**params):
    validated = module_params(params)
    return spec_from_params(validated, None)


def _plan(desired, made_from, mode="allow_more_present"):
    observed = observed_container(engine_inspect(made_from))
    return plan_container(with_image_defaults(desired, image_defaults(IMAGE)), observed, "started", IMAGE["Id"],
                          resolve_comparisons({"networks": mode, "mounts": mode}))


def test_every_key_of_community_dockers_items_is_declared():
    """The keys community.docker 5.x documents for mounts[] and networks[] items (its npipe,
    cluster and image mount types are listed as not supported in
    docs/migrating-from-community-docker.md)."""
    mounts = {sub.name for sub in OPTIONS_BY_NAME["mounts"].suboptions}
    assert mounts >= {"target", "source", "type", "read_only", "propagation", "no_copy", "labels", "volume_driver",
                      "volume_options", "tmpfs_size", "tmpfs_mode"} | {key.split()[0] for key in MOUNT_KEYS}
    networks = {sub.name for sub in OPTIONS_BY_NAME["networks"].suboptions}
    assert networks == {"name", "aliases", "ipv4_address", "ipv6_address", "links"} | set(NETWORK_KEYS)
    for option in ("mounts", "networks"):
        for sub in OPTIONS_BY_NAME[option].suboptions:
            assert sub.doc and (not sub.min_api or sub.in_use), "%s[].%s" % (option, sub.name)
            assert MINIMUM_API.get(sub.name) == sub.min_api, "%s[].%s" % (option, sub.name)


@pytest.mark.parametrize("key", sorted(MOUNT_KEYS))
def test_mount_key_round_trips_and_a_container_without_it_is_recreated(key):
    item, bare_item, path, sent = MOUNT_KEYS[key]
    spec, bare = spec_of(name="c", image="app:1", mounts=[item]), spec_of(name="c", image="app:1", mounts=[bare_item])
    host = to_create_request(spec)["HostConfig"]
    section, rest = host[path[0]], path[1:]
    value = section[0] if isinstance(section, list) else section
    for step in rest:
        value = value[step]
    if key == "tmpfs_options":  # HostConfig.Tmpfs: docker run --tmpfs's options, in any order
        assert sorted(value.split(",")) == sorted(sent.split(",")), value
    else:
        assert value == sent, (key, value)
    assert to_create_request(spec) != to_create_request(bare)
    plan = _plan(spec, spec)
    assert plan.steps == () and plan.differences == (), (plan.differences, plan.before, plan.after)
    for made_from, mode in ((bare, "allow_more_present"), (bare, "strict")):
        changed = _plan(spec, made_from, mode)
        assert changed.kinds[0] == "recreate" and "mounts" in changed.differences, (key, mode, changed.kinds)
    # and the other way round: a container made with the key differs from a task without it (strict)
    assert "mounts" in _plan(bare, spec, "strict").differences


@pytest.mark.parametrize("key", sorted(NETWORK_KEYS))
def test_network_key_round_trips_and_a_difference_reconnects(key):
    item, path, sent = NETWORK_KEYS[key]
    bare_item = {k: v for k, v in item.items() if k != key}
    for networks in ([item], [{"name": "back"}, item]):  # joined at create, and joined right after it
        spec = spec_of(name="c", image="app:1", networks=networks)
        joined = networks.index(item)
        endpoint = engine.NetworkAttachment.endpoint_config(spec.networks[joined])
        assert endpoint[path[0]] == sent
        if joined == 0:
            assert to_create_request(spec)["NetworkingConfig"]["EndpointsConfig"]["front"][path[0]] == sent
        assert _plan(spec, spec).steps == ()
        bare = spec_of(name="c", image="app:1", networks=[bare_item if n is item else n for n in networks])
        changed = _plan(spec, bare)
        assert [(step.kind, step.network.name) for step in changed.steps] == [("disconnect", "front"), ("connect", "front")]
        assert key in changed.steps[0].reason and changed.differences == ("networks",)


def test_a_removed_driver_opts_reconnects_only_with_strict_comparison():
    with_opts = spec_of(name="c", image="app:1", networks=[NETWORK_KEYS["driver_opts"][0]])
    without = spec_of(name="c", image="app:1", networks=[FRONT])
    assert _plan(without, with_opts).steps == ()
    assert [step.kind for step in _plan(without, with_opts, "strict").steps] == ["disconnect", "connect"]


def test_the_engine_reports_its_own_mac_address_and_a_zero_priority():
    """An endpoint always has a MAC address (the engine picks one) and, from API 1.48, a GwPriority:
    neither is a difference unless the task asks for a value."""
    spec = spec_of(name="c", image="app:1", networks=[FRONT])
    inspect = engine_inspect(spec)
    inspect["NetworkSettings"]["Networks"]["front"].update(MacAddress="02:42:ac:11:00:02", GwPriority=0)
    assert plan_container(spec, observed_container(inspect), "started", IMAGE["Id"]).steps == ()
    pinned = spec_of(name="c", image="app:1", networks=[dict(FRONT, mac_address="02:42:AC:11:00:02", gw_priority=0)])
    assert plan_container(pinned, observed_container(inspect), "started", IMAGE["Id"]).steps == ()
    # the diff shows the engine's MAC address only where the task asks for one
    aliased = spec_of(name="c", image="app:1", networks=[dict(FRONT, aliases=["web", "www"])])
    plan = plan_container(aliased, observed_container(inspect), "started", IMAGE["Id"])
    assert plan.differences == ("networks",) and "mac_address" not in plan.before["networks"][0]
    moved = spec_of(name="c", image="app:1", networks=[dict(FRONT, mac_address="02:42:ac:11:00:03")])
    plan = plan_container(moved, observed_container(inspect), "started", IMAGE["Id"])
    assert plan.before["networks"][0]["mac_address"] == "02:42:ac:11:00:02"
    assert plan.after["networks"][0]["mac_address"] == "02:42:ac:11:00:03"


@pytest.mark.parametrize("key", sorted(MINIMUM_API))
def test_a_key_newer_than_the_api_is_named_with_its_version(key):
    if key in MOUNT_KEYS:
        spec, label = spec_of(name="c", image="app:1", mounts=[MOUNT_KEYS[key][0]]), "mounts[].%s" % key
    else:
        spec, label = spec_of(name="c", image="app:1", networks=[NETWORK_KEYS[key][0]]), "networks[].%s" % key
    minimum = MINIMUM_API[key]
    older = "1.%d" % (int(minimum.split(".")[1]) - 1)
    assert (label, minimum) in options_needing_newer_api(spec, older)
    assert (label, minimum) not in options_needing_newer_api(spec, minimum)
    assert options_needing_newer_api(spec, minimum) == []
    assert "Option %s needs Docker Engine API %s or newer" % (label, minimum) in api_refusal_message(
        label, minimum, "unix:///var/run/docker.sock", "1.41")


def test_what_this_engine_takes_is_not_refused_on_api_1_41():
    spec = spec_of(name="c", image="app:1", mounts=[MOUNT_KEYS["non_recursive"][0], MOUNT_KEYS["tmpfs_options"][0]],
                   networks=[NETWORK_KEYS["driver_opts"][0]])
    assert options_needing_newer_api(spec, "1.41") == []
    refused = spec_of(name="c", image="app:1", mounts=[MOUNT_KEYS["subpath"][0]],
                      networks=[NETWORK_KEYS["mac_address"][0], dict(NETWORK_KEYS["gw_priority"][0], name="b")])
    assert options_needing_newer_api(refused, "1.41") == [
        ("networks[].mac_address", "1.44"), ("mounts[].subpath", "1.45"), ("networks[].gw_priority", "1.48")]


def test_keys_set_to_false_or_empty_are_not_used():
    spec = spec_of(name="c", image="app:1", mounts=[dict(BIND, create_mountpoint=False, read_only_force_recursive=False)],
                   networks=[dict(FRONT, driver_opts={})])
    assert options_needing_newer_api(spec, "1.30") == []
    assert "BindOptions" not in to_create_request(spec)["HostConfig"]["Mounts"][0]


@pytest.mark.parametrize("item, message", [
    (dict(VOLUME, non_recursive=True), r"mounts\[0\]\.non_recursive: applies to bind mounts only, and this one is a volume"),
    (dict(TMPFS, create_mountpoint=True), r"mounts\[0\]\.create_mountpoint: applies to bind mounts only"),
    (dict(BIND, subpath="x"), r"mounts\[0\]\.subpath: applies to volume mounts only"),
    (dict(VOLUME, tmpfs_options=[{"noexec": None}]), r"mounts\[0\]\.tmpfs_options: applies to tmpfs mounts only"),
    (dict(BIND, read_only_non_recursive=True), r"mounts\[0\]\.read_only_non_recursive: needs read_only: true"),
    (dict(BIND, read_only=True, read_only_non_recursive=True, read_only_force_recursive=True),
     r"mounts\[0\]\.read_only_force_recursive: contradicts read_only_non_recursive"),
    (dict(TMPFS, consistency="cached"), r"mounts\[0\]\.consistency: applies to bind and volume mounts only"),
    (dict(VOLUME, subpath="/etc"), r"mounts\[0\]\.subpath: '/etc' must be a relative path inside the volume"),
    (dict(VOLUME, subpath="a/../../b"), r"mounts\[0\]\.subpath: .* must be a relative path"),
    (dict(TMPFS, tmpfs_options=[{"noexec": None, "nosuid": None}]), r"mounts\[0\]\.tmpfs_options\[0\]: must be a mapping with one key"),
    (dict(TMPFS, tmpfs_options=[{"size": "1m"}]), r"mounts\[0\]\.tmpfs_options\[0\]\.size: use the mount's tmpfs_size key"),
    (dict(TMPFS, tmpfs_options=[{"exec": None}, {"bogus": "1"}]), r"mounts\[0\]\.tmpfs_options\[1\]\.bogus: unknown tmpfs option"),
])
def test_bad_mount_keys_are_refused_naming_the_key(item, message):
    with pytest.raises(OptionError, match=message):
        spec_of(name="c", image="app:1", mounts=[item])


def test_default_consistency_is_no_consistency():
    """`default` is the engine's own: the mount goes where it would go without it (HostConfig.Binds)."""
    spec = spec_of(name="c", image="app:1", mounts=[dict(VOLUME, consistency="default")])
    assert spec == spec_of(name="c", image="app:1", mounts=[VOLUME])
    inspect = engine_inspect(spec_of(name="c", image="app:1", mounts=[dict(VOLUME, consistency="cached")]))
    inspect["HostConfig"]["Mounts"][0]["Consistency"] = "default"
    desired = with_image_defaults(spec, image_defaults(IMAGE))
    assert plan_container(desired, observed_container(inspect), "started", IMAGE["Id"],
                          resolve_comparisons({"mounts": "strict"})).steps == ()


def test_tmpfs_options_as_ansible_reads_them():
    """Ansible turns a `key=value` element into a mapping; a bare flag is not one (the parser also
    refuses it when called without the argument spec)."""
    assert spec_of(name="c", image="app:1", mounts=[dict(TMPFS, tmpfs_options=["uid=1000"])]).mounts[0].tmpfs_options \
        == ("uid=1000",)
    with pytest.raises(OptionError, match=r"mounts\.tmpfs_options\[0\]: must be a mapping with one key"):
        parse_mount(dict(TMPFS, tmpfs_options=["noexec"]))


@pytest.mark.parametrize("item, message", [
    (dict(FRONT, mac_address="92:d0:c6:0a:29"), r"networks\[0\]\.mac_address: '92:d0:c6:0a:29' is not a MAC address"),
    (dict(FRONT, driver_opts={"flag": True}), r"networks\[0\]\.driver_opts\.flag: quote the boolean"),
])
def test_bad_network_keys_are_refused_naming_the_key(item, message):
    with pytest.raises(OptionError, match=message):
        spec_of(name="c", image="app:1", networks=[item])


class _Client:
    def __init__(self):
        self.calls = []

    def connect_container_to_network(self, container, network, **kwargs):
        self.calls.append(("sdk", container, network, kwargs))

    def _url(self, path, *args):
        return path.format(*args)

    def _post_json(self, url, data):
        self.calls.append(("post", url, copy.deepcopy(data)))
        return "response"

    def _raise_for_status(self, response):
        assert response == "response"


def test_connect_sends_the_endpoint_keys():
    client = _Client()
    engine.connect_network(client, "cid", NetworkAttachment("front", driver_opts=(("a", "1"),), mac_address="02:42:ac:11:00:09"))
    engine.connect_network(client, "cid", NetworkAttachment("plain"))
    assert client.calls[0][3]["driver_opt"] == {"a": "1"} and client.calls[0][3]["mac_address"] == "02:42:ac:11:00:09"
    assert "driver_opt" not in client.calls[1][3] and "mac_address" not in client.calls[1][3]  # as before: compose's fakes
    engine.connect_network(client, "cid", NetworkAttachment("front", aliases=("web",), gw_priority=5))
    assert client.calls[2] == ("post", "/networks/front/connect",
                               {"Container": "cid", "EndpointConfig": {"Aliases": ["web"], "GwPriority": 5}})


def test_a_mount_diff_shows_only_the_flags_that_are_set():
    spec = spec_of(name="c", image="app:1", mounts=[MOUNT_KEYS["non_recursive"][0]])
    bare = spec_of(name="c", image="app:1", mounts=[BIND])
    plan = _plan(spec, bare)
    bind = [mount for mount in plan.after["mounts"] if mount["target"] == "/data"][0]
    assert bind["non_recursive"] is True
    assert not {"create_mountpoint", "read_only_non_recursive", "read_only_force_recursive", "subpath",
                "consistency"} & set(bind)
    assert "non_recursive" not in [mount for mount in plan.before["mounts"] if mount["target"] == "/data"][0]
