# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Durations and byte sizes in the forms users write them, normalised to what the API takes.

Durations follow Go's time.ParseDuration as Compose and the Docker CLI accept them
("1m30s", "500ms", "1h", "2.5s"); a bare number means seconds. Sizes follow the Docker CLI
("512m", "1g", "100k", "1024b", "1.5GiB"); a bare number means bytes.
"""

from __future__ import annotations

import re
from typing import Union

_DURATION_UNITS = {
    "ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
    "m": 60_000_000_000, "h": 3_600_000_000_000,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$", re.IGNORECASE)
_SIZE_FACTORS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4, "p": 1024 ** 5}

Number = Union[int, float]


def parse_duration_ns(value: Union[str, Number]) -> int:
    """Duration in nanoseconds. Raises ValueError naming the bad value."""
    if isinstance(value, bool):
        raise ValueError("invalid duration %r" % (value,))
    if isinstance(value, (int, float)):
        return int(value * 1_000_000_000)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return int(float(text) * 1_000_000_000)
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text == "0":
        return 0
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError("invalid duration %r (expected a form like 30s, 1m30s or 500ms)" % (value,))
    return sign * int(round(total))


def parse_size_bytes(value: Union[str, Number]) -> int:
    """Size in bytes. Raises ValueError naming the bad value."""
    if isinstance(value, bool):
        raise ValueError("invalid size %r" % (value,))
    if isinstance(value, (int, float)):
        return int(value)
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError("invalid size %r (expected a form like 512m, 1g or 1048576)" % (value,))
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * _SIZE_FACTORS[unit])


def format_duration(ns: int) -> str:
    """Nanoseconds as Go prints durations (1m30s, 500ms), for diffs and compose output."""
    if ns == 0:
        return "0s"
    parts = []
    for unit, size in (("h", 3_600_000_000_000), ("m", 60_000_000_000)):
        if ns >= size:
            parts.append("%d%s" % (ns // size, unit))
            ns %= size
    if ns:
        if ns % 1_000_000_000 == 0 or parts:
            seconds = ns / 1_000_000_000
            parts.append(("%f" % seconds).rstrip("0").rstrip(".") + "s")
        elif ns % 1_000_000 == 0:
            parts.append("%dms" % (ns // 1_000_000))
        elif ns % 1_000 == 0:
            parts.append("%dus" % (ns // 1_000))
        else:
            parts.append("%dns" % ns)
    return "".join(parts)
