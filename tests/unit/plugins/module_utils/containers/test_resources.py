"""CPU, block I/O, OOM and namespace options: parsing, the create body, inspect round trip, plan."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.observed import observed_container
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import plan_container, resolve_comparisons
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import DeviceRate, to_create_request

FULL = dict(
    cpu_period=100000, cpu_quota=50000, cpuset_cpus="0", cpuset_mems="0", blkio_weight=300,
    device_read_bps=[{"path": "/dev/vda", "rate": "1m"}], device_write_iops=[{"path": "/dev/vda", "rate": "100"}],
    oom_score_adj=100, oom_killer=True, memory_swappiness=10, cgroup_parent="/gs", cgroupns_mode="host",
    runtime="runc", userns_mode="host", uts="host", ipc_mode="private", pid_mode="host", groups=["audio"],
    mac_address="02:42:ac:11:00:09", device_cgroup_rules=["c 1:3 mr"], storage_opts={"size": "1G"},
    volumes_from=["data:ro"],
)


def spec(**params):
    return spec_from_params(dict(dict(name="c", image="i"), **params))


def inspect_of(request, **state):
    """What the engine reports for a container created from `request` (the fields we read)."""
    host = dict(request["HostConfig"])
    config = {k: v for k, v in request.items() if k not in ("HostConfig", "NetworkingConfig")}
    return {"Id": "abc", "Name": "/c", "Image": "sha256:img", "Config": config, "HostConfig": host,
            "State": dict({"Status": "running"}, **state), "NetworkSettings": {"Networks": {}}}


def test_create_body_carries_every_resource_option():
    host = to_create_request(spec(**FULL))["HostConfig"]
    assert host["CpuPeriod"] == 100000 and host["CpuQuota"] == 50000
    assert host["CpusetCpus"] == "0" and host["CpusetMems"] == "0" and host["BlkioWeight"] == 300
    assert host["BlkioDeviceReadBps"] == [{"Path": "/dev/vda", "Rate": 1024 * 1024}]
    assert host["BlkioDeviceWriteIOps"] == [{"Path": "/dev/vda", "Rate": 100}]
    assert host["OomScoreAdj"] == 100 and host["OomKillDisable"] is True and host["MemorySwappiness"] == 10
    assert host["CgroupParent"] == "/gs" and host["CgroupnsMode"] == "host" and host["Runtime"] == "runc"
    assert host["UsernsMode"] == "host" and host["UTSMode"] == "host"
    assert host["IpcMode"] == "private" and host["PidMode"] == "host" and host["GroupAdd"] == ["audio"]
    assert host["DeviceCgroupRules"] == ["c 1:3 mr"] and host["StorageOpt"] == {"size": "1G"}
    assert host["VolumesFrom"] == ["data:ro"]
    assert to_create_request(spec(**FULL))["MacAddress"] == "02:42:ac:11:00:09"


def test_unset_options_are_not_sent():
    host = to_create_request(spec())["HostConfig"]
    for key in ("CpuPeriod", "CpusetCpus", "BlkioWeight", "OomScoreAdj", "OomKillDisable", "Runtime", "UTSMode"):
        assert key not in host


def test_created_container_is_idempotent():
    desired = spec(**FULL)
    observed = observed_container(inspect_of(to_create_request(desired)))
    plan = plan_container(desired, observed, "started", image_id="sha256:img")
    assert plan.steps == () and plan.differences == ()


def test_engine_defaults_do_not_differ_from_unset_options():
    observed = observed_container(inspect_of({"Image": "i", "HostConfig": {
        "CpuPeriod": 0, "CpusetCpus": "", "BlkioWeight": 0, "OomScoreAdj": 0, "OomKillDisable": False,
        "MemorySwappiness": None, "Runtime": "runc", "CgroupnsMode": "host", "BlkioDeviceReadBps": None}}))
    assert plan_container(spec(), observed, "started", image_id="sha256:img").steps == ()


@pytest.mark.parametrize("change, field", [
    (dict(cpu_quota=25000), "CpuQuota"), (dict(cpuset_cpus="1"), "CpusetCpus"), (dict(blkio_weight=500), "BlkioWeight"),
])
def test_cpu_and_blkio_weight_change_in_place(change, field):
    observed = observed_container(inspect_of(to_create_request(spec(**FULL))))
    plan = plan_container(spec(**dict(FULL, **change)), observed, "started", image_id="sha256:img")
    assert plan.kinds == ["update"]
    assert plan.steps[0].update[field] == list(change.values())[0]


@pytest.mark.parametrize("change", [
    dict(oom_score_adj=-500), dict(oom_killer=False), dict(device_read_bps=[{"path": "/dev/vda", "rate": "2m"}]),
    dict(uts=""), dict(memory_swappiness=0), dict(volumes_from=[]),
])
def test_create_time_options_recreate(change):
    observed = observed_container(inspect_of(to_create_request(spec(**FULL))))
    # strict: an emptied list (volumes_from=[]) differs only then (the default for sets is allow_more_present)
    plan = plan_container(spec(**dict(FULL, **change)), observed, "started", image_id="sha256:img",
                          comparisons=resolve_comparisons({"*": "strict"}))
    assert plan.kinds[0] == "recreate"
    assert list(change)[0] in plan.steps[0].reason


def test_switching_between_cpus_and_a_quota_recreates():
    observed = observed_container(inspect_of(to_create_request(spec(cpus=1.5))))
    plan = plan_container(spec(cpu_period=100000, cpu_quota=50000), observed, "started", image_id="sha256:img")
    assert plan.kinds[0] == "recreate" and "cannot switch in place" in plan.steps[0].reason
    observed = observed_container(inspect_of(to_create_request(spec(cpu_period=100000, cpu_quota=50000))))
    plan = plan_container(spec(cpus=2.0), observed, "started", image_id="sha256:img")
    assert plan.kinds[0] == "recreate"


def test_device_rates_are_sorted_and_sized():
    rates = spec(device_write_bps=[{"path": "/dev/vdb", "rate": "10k"}, {"path": "/dev/vda", "rate": 512}]).device_write_bps
    assert rates == (DeviceRate("/dev/vda", 512), DeviceRate("/dev/vdb", 10240))


@pytest.mark.parametrize("params, option", [
    (dict(cpu_period=10), "cpu_period"),
    (dict(cpu_quota=5), "cpu_quota"),
    (dict(cpus=1.0, cpu_quota=50000), "cpus"),
    (dict(cpuset_cpus="zero"), "cpuset_cpus"),
    (dict(blkio_weight=5000), "blkio_weight"),
    (dict(oom_score_adj=2000), "oom_score_adj"),
    (dict(memory_swappiness=101), "memory_swappiness"),
    (dict(mac_address="02:42"), "mac_address"),
    (dict(device_cgroup_rules=["x 1:3 q"]), "device_cgroup_rules[0]"),
    (dict(device_read_bps=[{"path": "vda", "rate": "1m"}]), "device_read_bps[0].path"),
    (dict(device_read_bps=[{"path": "/dev/vda", "rate": "lots"}]), "device_read_bps[0].rate"),
    (dict(device_read_iops=[{"path": "/dev/vda", "rate": "1k"}]), "device_read_iops[0].rate"),
])
def test_bad_values_name_the_option(params, option):
    with pytest.raises(OptionError) as error:
        spec(**params)
    assert str(error.value).startswith(option + ":")
