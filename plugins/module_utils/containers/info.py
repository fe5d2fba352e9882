# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only views of containers for `container_info`: a summary of state, health and resource
limits from inspect data (the limits are the registry entries with an `info` field, options.py),
list-call summaries, and log lines split by stream."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Any, Optional, Union

from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.units import parse_duration_ns

_LIMITS = tuple(option for option in OPTIONS if option.info)


def _ports(settings_ports: Optional[dict[str, Any]]) -> list[str]:
    published = []
    for key, entries in sorted((settings_ports or {}).items()):
        for entry in entries or ():
            published.append("%s:%s->%s" % (entry.get("HostIp") or "0.0.0.0", entry.get("HostPort"), key))
    return published


def summary_from_inspect(inspect: dict[str, Any]) -> dict[str, Any]:
    """State, health and resource limits of one container, from GET /containers/{id}/json."""
    config = inspect.get("Config") or {}
    host = inspect.get("HostConfig") or {}
    state = inspect.get("State") or {}
    health = state.get("Health") or {}
    settings = inspect.get("NetworkSettings") or {}
    restart = host.get("RestartPolicy") or {}
    return {
        "id": inspect.get("Id"),
        "name": (inspect.get("Name") or "").lstrip("/"),
        "image": config.get("Image"),
        "image_id": inspect.get("Image"),
        "status": state.get("Status"),
        "running": bool(state.get("Running")),
        "exit_code": state.get("ExitCode"),
        "started_at": state.get("StartedAt"),
        "finished_at": state.get("FinishedAt"),
        "restart_count": inspect.get("RestartCount", 0),
        "oom_killed": bool(state.get("OOMKilled")),
        "health": health.get("Status"),
        "health_log": [
            {"exit_code": entry.get("ExitCode"), "output": (entry.get("Output") or "").strip(), "end": entry.get("End")}
            for entry in (health.get("Log") or ())[-5:]
        ],
        "limits": {option.info: option.info_view(option.observed(inspect)) for option in _LIMITS},
        "restart_policy": restart.get("Name") or "no",
        "labels": config.get("Labels") or {},
        "published_ports": _ports(settings.get("Ports")),
        "networks": sorted((settings.get("Networks") or {}).keys()),
    }


_HEALTH_IN_STATUS = re.compile(r"\((healthy|unhealthy|health: starting)\)")


def summary_from_list(entry: dict[str, Any]) -> dict[str, Any]:
    """A short summary from one item of GET /containers/json (no inspect call)."""
    match = _HEALTH_IN_STATUS.search(entry.get("Status") or "")
    health = match.group(1).replace("health: ", "") if match else None
    ports = ["%s:%s->%s/%s" % (p.get("IP"), p.get("PublicPort"), p.get("PrivatePort"), p.get("Type"))
             for p in entry.get("Ports") or () if p.get("PublicPort")]
    return {
        "id": entry.get("Id"),
        "name": ((entry.get("Names") or ["/"])[0]).lstrip("/"),
        "image": entry.get("Image"),
        "image_id": entry.get("ImageID"),
        "status": entry.get("State"),
        "running": entry.get("State") == "running",
        "status_text": entry.get("Status"),
        "health": health,
        "labels": entry.get("Labels") or {},
        "published_ports": sorted(ports),
        "networks": sorted(((entry.get("NetworkSettings") or {}).get("Networks") or {}).keys()),
    }


def label_filters(labels: Union[None, dict[str, Any], list[str]]) -> list[str]:
    """{app: shop, tier: null} / ["app=shop", "tier"] → the engine's label filter list."""
    if labels is None:
        return []
    if isinstance(labels, dict):
        return ["%s=%s" % (k, v) if v is not None else str(k) for k, v in sorted(labels.items())]
    return [str(label) for label in labels]


def parse_since(value: Any, now: Optional[float] = None) -> Optional[float]:
    """`since` as a UNIX timestamp: a number (timestamp), a duration ago (10m, 1h30m) or an
    RFC 3339 time (2026-11-22T06:00:00Z)."""
    if value is None or value == "":
        return None
    now = time.time() if now is None else now
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        return now - parse_duration_ns(text) / 1e9
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?", text)
    if not match:
        raise OptionError("since", "%r is not a timestamp, a duration (10m) or an RFC 3339 time" % (value,))
    zone = match.group(3) or "Z"
    stamp = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    offset = 0 if zone == "Z" else (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60) * (1 if zone[0] == "+" else -1)
    return stamp.timestamp() - offset + float(match.group(2) or 0)


def split_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]
