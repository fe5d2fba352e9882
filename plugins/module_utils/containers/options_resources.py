# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry entries: CFS and cpuset CPU limits and block I/O weight (changed in place), per-device
I/O limits, OOM settings, cgroup, runtime and namespace modes, extra groups, MAC address, device
cgroup rules, storage options and volumes_from (set at create). Values are range-checked by the
parsers in parse_resources.py. The entries with no module option are set by compose only."""

from __future__ import annotations

from typing import Any

from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import (
    FLAG, MAPPING, MORE, NONZERO, NUMBER, STRINGS, TEXT, Codec, Option,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.parse_resources import (
    CGROUP_RULE, CPU_LIST, MAC, device_rates, matching, ranged, string_values, strings,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.values import DeviceRate, DeviceRequest
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


def _rates(unit: str = "Rate") -> Codec:
    return Codec(
        to_api=lambda rates: [{"Path": item.path, unit: item.rate} for item in rates],
        from_api=lambda entries: tuple(sorted((DeviceRate(e.get("Path", ""), e.get(unit) or 0) for e in entries or ()),
                                              key=lambda rate: rate.path)),
    )


_RATE_KEYS = (
    Option("path", "Absolute path of the block device on the host, such as C(/dev/vda).", required=True),
    Option("rate", "Bytes per second (a size such as C(10m)) or, for the C(_iops) options, operations per second.",
           required=True),
)


# what the engine's create and update warnings say of each per-device limit it discards
_THROTTLE_WORDS = {"device_read_bps": "BPS Block I/O read limit", "device_write_bps": "BPS Block I/O write limit",
                   "device_read_iops": "IOPS Block I/O read limit", "device_write_iops": "IOPS Block I/O write limit"}


def _device_limit(name: str, doc: str, api: str, bytes_per_second: bool, sample_rate: str) -> Option:
    throttle = "%s_%s_device" % (name.split("_")[1], name.split("_")[2])  # read_bps_device, ...
    return Option(name, doc, type="list", elements="dict", suboptions=_RATE_KEYS, field=name,
                  parse=device_rates(bytes_per_second), api=api, codec=_rates(), compare="set",
                  mode=MORE,
                  engine_warnings=("No blkio throttle.%s support" % throttle, _THROTTLE_WORDS[name]),
                  sample={name: [{"path": "/dev/vda", "rate": sample_rate}]})


def _mode(name: str, doc: str, field: str, api: str, sample: str, **more: Any) -> Option:
    """A namespace, cgroup or runtime mode: a string the engine stores as given ("" when unset)."""
    return Option(name, doc, field=field, api=api, codec=TEXT, compare="value", sample={name: sample}, **more)


def _device_requests(value: Any, option: str) -> tuple[DeviceRequest, ...]:
    requests = []
    for index, item in enumerate(value):
        path = "%s[%d]" % (option, index)
        if not isinstance(item, dict):
            raise OptionError(path, "expected a dictionary")
        count = item.get("count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < -1):
            raise OptionError(path + ".count", "expected a number of devices, or -1 for all, got %r" % (count,))
        capabilities = []
        for number, alternative in enumerate(item.get("capabilities") or ()):
            if not isinstance(alternative, (list, tuple)):
                raise OptionError("%s.capabilities[%d]" % (path, number),
                                  "expected a list of capabilities (a list of lists: OR of ANDs), such as [gpu]")
            capabilities.append(tuple(sorted(str(cap) for cap in alternative)))
        requests.append(DeviceRequest(
            driver=str(item.get("driver") or ""), count=count or 0,
            device_ids=tuple(str(device) for device in item.get("device_ids") or ()),
            capabilities=tuple(sorted(capabilities)),
            options=tuple(sorted((str(k), str(v)) for k, v in (item.get("options") or {}).items()))))
    return tuple(requests)


DEVICE_REQUESTS = Codec(
    to_api=lambda requests: [{"Driver": r.driver, "Count": r.count, "DeviceIDs": list(r.device_ids),
                              "Capabilities": [list(c) for c in r.capabilities], "Options": dict(r.options)}
                             for r in requests],
    from_api=lambda entries: tuple(DeviceRequest(
        driver=e.get("Driver") or "", count=e.get("Count") or 0, device_ids=tuple(e.get("DeviceIDs") or ()),
        capabilities=tuple(sorted(tuple(sorted(c)) for c in e.get("Capabilities") or ())),
        options=tuple(sorted((e.get("Options") or {}).items()))) for e in entries or ()),
)

RESOURCE_OPTIONS: tuple[Option, ...] = (
    Option("cpu_period", "Length of a CPU CFS period in microseconds (1000 to 1000000); changed in place. Not with "
                         "O(cpus).",
           type="int", field="cpu_period", parse=ranged(1000, 1000000, also=(0,)), api="HostConfig.CpuPeriod",
           codec=NUMBER, compare="value", update="CpuPeriod", info="cpu_period", engine_warnings=("No cpu cfs period support", "CPU cfs period"),
           sample={"cpu_period": 100000}),
    Option("cpu_quota", ("CPU time in microseconds the container may use per O(cpu_period) (1000 or more, C(-1) for "
                         "unlimited); changed in place. Not with O(cpus).",),
           type="int", field="cpu_quota", parse=ranged(1000, 2 ** 63 - 1, also=(0, -1)), api="HostConfig.CpuQuota",
           codec=NUMBER, compare="value", update="CpuQuota", info="cpu_quota", engine_warnings=("No cpu cfs quota support", "CPU cfs quota"),
           sample={"cpu_quota": 50000}),
    Option("cpu_rt_period", type=None, field="cpu_rt_period", api="HostConfig.CpuRealtimePeriod", codec=NUMBER,
           sample={"cpu_rt_period": 1000000}),
    Option("cpu_rt_runtime", type=None, field="cpu_rt_runtime", api="HostConfig.CpuRealtimeRuntime", codec=NUMBER,
           sample={"cpu_rt_runtime": 950000}),
    Option("cpuset_cpus", "CPUs the container may run on, such as C(0-3) or C(0,2); changed in place.",
           field="cpuset_cpus", parse=matching(CPU_LIST, '"0-3" or "0,2"'), api="HostConfig.CpusetCpus", codec=TEXT,
           compare="value", update="CpusetCpus", info="cpuset_cpus",
           engine_warnings=("No cpuset support", "support cpuset"), sample={"cpuset_cpus": "0"}),
    Option("cpuset_mems", "Memory nodes the container may use, such as C(0); changed in place.",
           field="cpuset_mems", parse=matching(CPU_LIST, '"0-1" or "0"'), api="HostConfig.CpusetMems", codec=TEXT,
           compare="value", update="CpusetMems", info="cpuset_mems",
           engine_warnings=("No cpuset support", "support cpuset"), sample={"cpuset_mems": "0"}),
    Option("blkio_weight", ("Relative block I/O weight, 10 to 1000; changed in place.",
                            "Kernels without the blkio weight controller discard it: the engine's warning is passed on "
                            "and remembered for that engine and kernel (in C(/var/lib/goship/engine-discards/) on the "
                            "managed host, or C(~/.cache/goship/engine-discards/)), and the container is compared with "
                            "the value the engine kept (0), so a re-run is not a change. The same holds for every "
                            "limit the engine says it cannot apply on its host (swap, CPU shares and CFS, cpusets, "
                            "per-device I/O limits, O(oom_killer), O(kernel_memory))."),
           type="int", field="blkio_weight", parse=ranged(10, 1000, also=(0,)), api="HostConfig.BlkioWeight",
           codec=NUMBER, compare="value", update="BlkioWeight", info="blkio_weight",
           engine_warnings=("No blkio weight support", "Block I/O weight or"), sample={"blkio_weight": 300}),
    Option("blkio_weight_devices", type=None, field="blkio_weight_devices", api="HostConfig.BlkioWeightDevice",
           codec=_rates("Weight"), engine_warnings=("No blkio weight_device support", "Block I/O weight_device"),
           sample={"blkio_weight_devices": (DeviceRate("/dev/vda", 200),)}),
    _device_limit("device_read_bps", "Read limits in bytes per second per block device; the rate is a size such as "
                                     "C(1m).", "HostConfig.BlkioDeviceReadBps", True, "1m"),
    _device_limit("device_write_bps", "Write limits in bytes per second per block device.",
                  "HostConfig.BlkioDeviceWriteBps", True, "2m"),
    _device_limit("device_read_iops", "Read limits in operations per second per block device.",
                  "HostConfig.BlkioDeviceReadIOps", False, "100"),
    _device_limit("device_write_iops", "Write limits in operations per second per block device.",
                  "HostConfig.BlkioDeviceWriteIOps", False, "200"),
    Option("oom_score_adj", "OOM killer preference, -1000 to 1000.", type="int", field="oom_score_adj",
           parse=ranged(-1000, 1000), api="HostConfig.OomScoreAdj", codec=NUMBER, compare="value",
           info="oom_score_adj", sample={"oom_score_adj": 100}),
    Option("oom_killer", ("Whether to disable the OOM killer for the container (HostConfig C(OomKillDisable)); the "
                          "same meaning as community.docker's option of this name.",),
           type="bool", field="oom_kill_disable", parse=lambda value, option: bool(value),
           api="HostConfig.OomKillDisable", codec=FLAG, compare="value", info="oom_kill_disable",
           engine_warnings=("No oom kill disable support", "OomKillDisable discarded"),
           sample={"oom_killer": True}),
    Option("memory_swappiness", "Memory swappiness, 0 to 100; unset keeps the host's value.", type="int",
           field="memory_swappiness", parse=ranged(0, 100), api="HostConfig.MemorySwappiness", compare="value",
           codec=Codec(from_api=lambda value: None if value in (None, -1) else value),  # -1 / null: the host's value
           sample={"memory_swappiness": 10}),
    _mode("cgroup_parent", "Parent cgroup of the container.", "cgroup_parent", "HostConfig.CgroupParent", "/gs"),
    _mode("cgroupns_mode", "Cgroup namespace mode (Docker Engine API 1.41 or newer).", "cgroupns_mode",
          "HostConfig.CgroupnsMode", "host", choices=("private", "host"), min_api="1.41"),
    _mode("runtime", "OCI runtime, such as C(runc).", "runtime", "HostConfig.Runtime", "runc"),
    _mode("userns_mode", "User namespace mode, C(host) or empty.", "userns_mode", "HostConfig.UsernsMode", "host"),
    _mode("uts", "UTS namespace mode, such as C(host).", "uts_mode", "HostConfig.UTSMode", "host"),
    _mode("ipc_mode", "IPC namespace mode, such as C(private), C(shareable), C(host) or C(container:<name>).",
          "ipc_mode", "HostConfig.IpcMode", "private"),
    _mode("pid_mode", "PID namespace mode, such as C(host) or C(container:<name>).", "pid_mode", "HostConfig.PidMode",
          "host"),
    Option("device_requests", (
        "Devices to request from a device driver, such as GPUs (C(docker run --gpus)); HostConfig "
        "C(DeviceRequests), set when the container is created.",
        "The engine refuses to start a container whose driver it does not have (C(could not select device "
        "driver)): the task fails naming the engine's error.",),
        type="list", elements="dict", suboptions=(
            Option("driver", "Device driver, such as C(nvidia)."),
            Option("count", "Number of devices, C(-1) for all.", type="int"),
            Option("device_ids", "Device IDs.", type="list", elements="str"),
            Option("capabilities", ("Capabilities, a list of lists: the driver satisfies one of the lists, with all "
                                    "the capabilities it holds, such as C([[gpu]])."), type="list", elements="list"),
            Option("options", "Driver options.", type="dict"),),
        field="device_requests", parse=_device_requests, api="HostConfig.DeviceRequests", codec=DEVICE_REQUESTS,
        compare="set", mode=MORE, sample={"device_requests": [{"driver": "nvidia", "count": -1,
                                                               "capabilities": [["gpu"]]}]}),
    Option("groups", "Additional groups the container's process runs with.", type="list", elements="str",
           field="group_add", parse=strings(), api="HostConfig.GroupAdd", codec=STRINGS, compare="set", mode=MORE,
           sample={"groups": ["audio"]}),
    Option("mac_address", "MAC address of the container's first network endpoint.", field="mac_address",
           parse=matching(MAC, '"02:42:ac:11:00:02"'), api="Config.MacAddress", codec=NONZERO, compare="value",
           sample={"mac_address": "02:42:ac:11:00:09"}),
    Option("device_cgroup_rules", "Device cgroup rules, such as C(c 1:3 mr).", type="list", elements="str",
           field="device_cgroup_rules", parse=strings(CGROUP_RULE, '"c 1:3 mr"'), api="HostConfig.DeviceCgroupRules",
           codec=STRINGS, compare="set", sample={"device_cgroup_rules": ["c 1:3 mr"]}),
    Option("storage_opts", "Storage driver options, such as C(size=1G) (needs a driver that supports them).",
           type="dict", field="storage_opts", parse=string_values, api="HostConfig.StorageOpt", codec=MAPPING,
           compare="dict", mode=MORE, sample={"storage_opts": {"size": "1G"}}),
    Option("volumes_from", "Containers to mount all volumes of, as C(name) or C(name:ro).", type="list",
           elements="str", field="volumes_from", parse=strings(), api="HostConfig.VolumesFrom", codec=STRINGS,
           compare="set", mode=MORE, sample={"volumes_from": ["data:ro"]}),
)
