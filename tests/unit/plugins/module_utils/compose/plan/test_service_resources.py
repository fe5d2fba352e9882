"""Service CPU, block I/O, OOM, namespace and link keys reach the container spec; the keys that
cannot be applied fail planning with their path instead of being dropped (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import container_spec
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import DeviceRate, to_create_request

P = "gscmpres"


def project(**web):
    definition = {"services": {"web": dict({"image": "goship-test/app:1"}, **web),
                               "db": {"image": "goship-test/app:1"}}}
    return load_project(definition=definition, project_name=P, project_dir="/tmp")


def host_config(**web):
    loaded = project(**web)
    return to_create_request(container_spec(loaded, loaded.services["web"], 1, {}).spec)


def test_resource_keys_reach_the_host_config():
    body = host_config(
        cpu_shares=512, cpu_period=100000, cpu_quota=50000, cpuset="0", mem_swappiness=10, oom_score_adj=200,
        oom_kill_disable=True, cgroup_parent="/gs", cgroup="host", runtime="runc", userns_mode="host", uts="host",
        mac_address="02:42:ac:11:00:09", device_cgroup_rules=["c 1:3 mr"], storage_opt={"size": "1G"},
        blkio_config={"weight": 300, "weight_device": [{"path": "/dev/vda", "weight": 400}],
                      "device_read_bps": [{"path": "/dev/vda", "rate": "1mb"}],
                      "device_write_iops": [{"path": "/dev/vda", "rate": 100}]})
    host = body["HostConfig"]
    assert (host["CpuShares"], host["CpuPeriod"], host["CpuQuota"], host["CpusetCpus"]) == (512, 100000, 50000, "0")
    assert (host["MemorySwappiness"], host["OomScoreAdj"], host["OomKillDisable"]) == (10, 200, True)
    assert (host["CgroupParent"], host["CgroupnsMode"], host["Runtime"]) == ("/gs", "host", "runc")
    assert (host["UsernsMode"], host["UTSMode"]) == ("host", "host")
    assert host["DeviceCgroupRules"] == ["c 1:3 mr"] and host["StorageOpt"] == {"size": "1G"}
    assert host["BlkioWeight"] == 300
    assert host["BlkioWeightDevice"] == [{"Path": "/dev/vda", "Weight": 400}]
    assert host["BlkioDeviceReadBps"] == [{"Path": "/dev/vda", "Rate": 1024 * 1024}]
    assert host["BlkioDeviceWriteIOps"] == [{"Path": "/dev/vda", "Rate": 100}]
    assert body["MacAddress"] == "02:42:ac:11:00:09"


def test_links_and_volumes_from_name_the_first_container_and_are_dependencies():
    loaded = project(links=["db:database"], external_links=["legacy-cache:cache"], volumes_from=["db:ro", "container:data"])
    spec = container_spec(loaded, loaded.services["web"], 1, {}).spec
    assert spec.networks[0].links == ("%s-db-1:database" % P, "legacy-cache:cache")
    assert spec.volumes_from == ("%s-db-1:ro" % P, "data")
    assert "db" in desired_project(loaded).services["web"].depends_on


@pytest.mark.parametrize("key, value", [
    ("gpus", "all"), ("use_api_socket", True), ("label_file", "labels.env"),
    ("cpu_count", 2), ("isolation", "hyperv"),
])
def test_keys_that_cannot_be_applied_fail_with_their_path(key, value):
    with pytest.raises(PlanError) as error:
        desired_project(project(**{key: value}))
    assert str(error.value).startswith("services.web.%s" % key)


def test_dev_only_keys_are_ignored_like_up_does():
    desired_project(project(attach=False, develop={"watch": [{"action": "sync", "path": ".", "target": "/app"}]}))


def test_bad_blkio_rate_names_the_path():
    with pytest.raises(PlanError) as error:
        desired_project(project(blkio_config={"device_read_bps": [{"path": "/dev/vda", "rate": "fast"}]}))
    assert str(error.value).startswith("services.web.blkio_config.device_read_bps[0].rate")


def test_unset_keys_leave_the_spec_unspecified():
    loaded = project()
    spec = container_spec(loaded, loaded.services["web"], 1, {}).spec
    assert spec.cpu_period is None and spec.device_read_bps is None and spec.volumes_from is None
    assert spec.networks[0].links == ()
    assert DeviceRate("/dev/vda", 1) != DeviceRate("/dev/vda", 2)
