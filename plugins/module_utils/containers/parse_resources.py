# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Value parsers for the CPU, block I/O, OOM and namespace options (options_resources.py).

Kept apart from parse.py (ports, volumes, networks, healthchecks) because these options are
plain values with engine-side ranges: each is checked here against the range the engine would
refuse at create time, so bad input fails before any API call and names the option. Each factory
returns a registry parser, `(value, option name) -> spec value`.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.values import DeviceRate
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.units import parse_size_bytes

Parser = Callable[[Any, str], Any]
CPU_LIST = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")  # "0-3,5"
MAC = re.compile(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")
CGROUP_RULE = re.compile(r"^[abc] (\d+|\*):(\d+|\*) [rwm]{1,3}$")  # "c 1:3 mr"


def ranged(low: int, high: int, also: tuple[int, ...] = ()) -> Parser:
    def parse(value: Any, option: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise OptionError(option, "expected an integer, got %r" % (value,))
        if not (low <= value <= high or value in also):
            extra = " (or %s)" % ", ".join(str(v) for v in also) if also else ""
            raise OptionError(option, "must be between %d and %d%s, got %d" % (low, high, extra, value))
        return value
    return parse


def matching(pattern: re.Pattern, example: str) -> Parser:
    def parse(value: Any, option: str) -> str:
        if not pattern.match(str(value)):
            raise OptionError(option, "%r is not like %s" % (value, example))
        return str(value)
    return parse


def device_rates(bytes_per_second: bool) -> Parser:
    """[{path, rate}] → DeviceRates sorted by path; the rate is a size (bps) or a count (iops)."""
    def parse(items: Any, option: str) -> tuple[DeviceRate, ...]:
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
    return parse


def strings(pattern: Optional[re.Pattern] = None, example: str = "") -> Parser:
    def parse(values: Any, option: str) -> tuple[str, ...]:
        for index, value in enumerate(values):
            if pattern is not None and not pattern.match(str(value)):
                raise OptionError("%s[%d]" % (option, index), "%r is not like %s" % (value, example))
        return tuple(str(v) for v in values)
    return parse


def string_values(value: Any, option: str) -> dict[str, str]:
    """A dict whose values are passed on as strings (storage driver options)."""
    if not isinstance(value, dict):
        raise OptionError(option, "expected a dict")
    return {str(k): str(v) for k, v in value.items()}
