# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `container` module's CPU, block I/O, OOM and namespace options → ContainerSpec fields.

Kept apart from parse.py (ports, volumes, networks, healthchecks) because these options are
plain values with engine-side ranges: each is checked here against the range the engine would
refuse at create time, so bad input fails before any API call and names the option.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ..units import parse_size_bytes
from ..errors import OptionError
from .spec import DeviceRate

_CPU_LIST = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")  # "0-3,5"
_MAC = re.compile(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")
_CGROUP_RULE = re.compile(r"^[abc] (\d+|\*):(\d+|\*) [rwm]{1,3}$")  # "c 1:3 mr"


def _ranged(params: dict[str, Any], option: str, low: int, high: int, also: tuple[int, ...] = ()) -> Optional[int]:
    value = params.get(option)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise OptionError(option, "expected an integer, got %r" % (value,))
    if not (low <= value <= high or value in also):
        extra = " (or %s)" % ", ".join(str(v) for v in also) if also else ""
        raise OptionError(option, "must be between %d and %d%s, got %d" % (low, high, extra, value))
    return value


def _matching(params: dict[str, Any], option: str, pattern: re.Pattern, example: str) -> Optional[str]:
    value = params.get(option)
    if value is None:
        return None
    if not pattern.match(str(value)):
        raise OptionError(option, "%r is not like %s" % (value, example))
    return str(value)


def _device_rates(params: dict[str, Any], option: str, bytes_per_second: bool) -> Optional[tuple[DeviceRate, ...]]:
    items = params.get(option)
    if items is None:
        return None
    rates = []
    for index, item in enumerate(items):
        where = "%s[%d]" % (option, index)
        if not isinstance(item, dict) or not item.get("path") or item.get("rate") is None:
            raise OptionError(where, "expected a dict with path and rate")
        path = str(item["path"])
        if not path.startswith("/"):
            raise OptionError(where + ".path", "%r is not an absolute device path" % path)
        if bytes_per_second:
            try:
                rate = parse_size_bytes(item["rate"])
            except ValueError as exc:
                raise OptionError(where + ".rate", str(exc))
        elif str(item["rate"]).strip().isdigit() and not isinstance(item["rate"], bool):
            rate = int(str(item["rate"]).strip())
        else:
            raise OptionError(where + ".rate", "expected a number of operations per second, got %r" % (item["rate"],))
        rates.append(DeviceRate(path, rate))
    return tuple(sorted(rates, key=lambda r: r.path))


def _strings(params: dict[str, Any], option: str, pattern: Optional[re.Pattern] = None,
             example: str = "") -> Optional[tuple[str, ...]]:
    values = params.get(option)
    if values is None:
        return None
    for index, value in enumerate(values):
        if pattern is not None and not pattern.match(str(value)):
            raise OptionError("%s[%d]" % (option, index), "%r is not like %s" % (value, example))
    return tuple(str(v) for v in values)


def resource_fields(params: dict[str, Any]) -> dict[str, Any]:
    """ContainerSpec keyword arguments for the CPU, I/O, OOM and namespace options in `params`."""
    if params.get("cpus") is not None and (params.get("cpu_period") is not None or params.get("cpu_quota") is not None):
        raise OptionError("cpus", "cannot be combined with cpu_period or cpu_quota (the engine takes one or the other)")
    storage = params.get("storage_opts")
    if storage is not None and not isinstance(storage, dict):
        raise OptionError("storage_opts", "expected a dict")
    oom_killer = params.get("oom_killer")
    return dict(
        cpu_period=_ranged(params, "cpu_period", 1000, 1000000, also=(0,)),
        cpu_quota=_ranged(params, "cpu_quota", 1000, 2 ** 63 - 1, also=(0, -1)),
        cpuset_cpus=_matching(params, "cpuset_cpus", _CPU_LIST, '"0-3" or "0,2"'),
        cpuset_mems=_matching(params, "cpuset_mems", _CPU_LIST, '"0-1" or "0"'),
        blkio_weight=_ranged(params, "blkio_weight", 10, 1000, also=(0,)),
        device_read_bps=_device_rates(params, "device_read_bps", True),
        device_write_bps=_device_rates(params, "device_write_bps", True),
        device_read_iops=_device_rates(params, "device_read_iops", False),
        device_write_iops=_device_rates(params, "device_write_iops", False),
        oom_score_adj=_ranged(params, "oom_score_adj", -1000, 1000),
        oom_kill_disable=None if oom_killer is None else bool(oom_killer),  # community.docker: true disables it
        memory_swappiness=_ranged(params, "memory_swappiness", 0, 100),
        cgroup_parent=params.get("cgroup_parent"),
        cgroupns_mode=params.get("cgroupns_mode"),
        runtime=params.get("runtime"),
        userns_mode=params.get("userns_mode"),
        uts_mode=params.get("uts"),
        ipc_mode=params.get("ipc_mode"),
        pid_mode=params.get("pid_mode"),
        group_add=_strings(params, "groups"),
        mac_address=_matching(params, "mac_address", _MAC, '"02:42:ac:11:00:02"'),
        device_cgroup_rules=_strings(params, "device_cgroup_rules", _CGROUP_RULE, '"c 1:3 mr"'),
        storage_opts=None if storage is None else {str(k): str(v) for k, v in storage.items()},
        volumes_from=_strings(params, "volumes_from"),
    )
