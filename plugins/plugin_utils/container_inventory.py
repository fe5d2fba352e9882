# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the docker_containers inventory plugin makes of the engine's container list: host names,
host variables, the groups it adds by itself (Compose project and service, chosen labels), how
each host is reached, and the include/exclude filters. Pure functions over the JSON of
GET /containers/json, so they are unit-tested without an engine or Ansible's inventory."""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable, Mapping, Optional

COMPOSE_PROJECT = "com.docker.compose.project"
COMPOSE_SERVICE = "com.docker.compose.service"
COMPOSE_NUMBER = "com.docker.compose.container-number"
STACK_NAMESPACE = "com.docker.stack.namespace"
SWARM_SERVICE = "com.docker.swarm.service.name"
CONNECTION_PLUGIN = "goship.containers.docker"
INSPECT_VAR = "docker_inspect"

_UNSAFE_GROUP_CHARS = re.compile(r"[^A-Za-z0-9_]")


class InventoryConfigError(ValueError):
    """An option of the inventory file is wrong; the message starts with its path."""


def host_name(entry: Mapping[str, Any]) -> str:
    """The container's name as `docker ps` shows it; its short ID when it has none."""
    for name in entry.get("Names") or ():
        name = name.lstrip("/")
        if name and "/" not in name:  # "/other/alias" entries are legacy links, not this container's name
            return name
    return (entry.get("Id") or "")[:12]


def _ports(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    ports = []
    for port in entry.get("Ports") or ():
        item: dict[str, Any] = {"container_port": port.get("PrivatePort"), "protocol": port.get("Type") or "tcp"}
        if port.get("PublicPort"):
            item.update(host_ip=port.get("IP") or "", host_port=port.get("PublicPort"))
        ports.append(item)
    return sorted(ports, key=lambda p: (p["container_port"] or 0, p["protocol"], p.get("host_ip", ""), p.get("host_port", 0)))


def host_vars(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The variables every host gets, from its entry in the container list (no inspect call)."""
    labels = dict(entry.get("Labels") or {})
    networks = ((entry.get("NetworkSettings") or {}).get("Networks") or {})
    state = entry.get("State") or ""
    variables: dict[str, Any] = {
        "docker_id": entry.get("Id") or "",
        "docker_short_id": (entry.get("Id") or "")[:12],
        "docker_name": host_name(entry),
        "docker_image": entry.get("Image") or "",
        "docker_image_id": entry.get("ImageID") or "",
        "docker_command": entry.get("Command") or "",
        "docker_created": entry.get("Created"),
        "docker_state": state,
        "docker_status": entry.get("Status") or "",
        "docker_running": state == "running",
        "docker_labels": labels,
        "docker_networks": {name: (net or {}).get("IPAddress") or "" for name, net in sorted(networks.items())},
        "docker_network_mode": (entry.get("HostConfig") or {}).get("NetworkMode") or "",
        "docker_ports": _ports(entry),
    }
    if labels.get(COMPOSE_PROJECT):
        variables["docker_compose_project"] = labels[COMPOSE_PROJECT]
        variables["docker_compose_service"] = labels.get(COMPOSE_SERVICE) or ""
        number = labels.get(COMPOSE_NUMBER) or ""
        variables["docker_compose_number"] = int(number) if number.isdigit() else None
    if labels.get(STACK_NAMESPACE):
        variables["docker_stack"] = labels[STACK_NAMESPACE]
    if labels.get(SWARM_SERVICE):
        variables["docker_swarm_service"] = labels[SWARM_SERVICE]
    return variables


def safe_group(*parts: str) -> str:
    """A group name from parts joined by "_", every character Ansible does not allow in a group
    name replaced by "_" (so `compose_my-app_web` is `compose_my_app_web`)."""
    return _UNSAFE_GROUP_CHARS.sub("_", "_".join(parts))


def compose_groups(variables: Mapping[str, Any]) -> list[str]:
    """compose_<project> and compose_<project>_<service> for a container of a Compose project."""
    project = variables.get("docker_compose_project")
    if not project:
        return []
    groups = [safe_group("compose", project)]
    if variables.get("docker_compose_service"):
        groups.append(safe_group("compose", project, variables["docker_compose_service"]))
    return groups


def label_groups(labels: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """label_<key>_<value> for each chosen label key the container carries."""
    return [safe_group("label", key, str(labels[key])) for key in keys if key in labels and labels[key] is not None]


def ssh_address(variables: Mapping[str, Any], ssh_port: int, default_ip: str) -> Optional[tuple[str, int]]:
    """Where the container's SSH port is published on the engine's host: (address, port), or None.
    A port published on every address (0.0.0.0, ::) is reached at `default_ip`."""
    for port in variables.get("docker_ports") or ():
        if port.get("container_port") == ssh_port and port.get("protocol") == "tcp" and port.get("host_port"):
            address = port.get("host_ip") or ""
            return (default_ip if address in ("", "0.0.0.0", "::") else address), int(port["host_port"])
    return None


def connection_vars(connection_type: str, variables: Mapping[str, Any], daemon_vars: Mapping[str, Any],
                    ssh_port: int = 22, default_ip: str = "127.0.0.1") -> dict[str, Any]:
    """The variables that tell Ansible how to reach the container; {} for ssh without a published port."""
    if connection_type == "ssh":
        address = ssh_address(variables, ssh_port, default_ip)
        return {} if address is None else {"ansible_host": address[0], "ansible_port": address[1]}
    result = {"ansible_connection": CONNECTION_PLUGIN, "ansible_host": variables["docker_name"] or variables["docker_id"]}
    result.update(daemon_vars)
    return result


def parse_filters(raw: Any) -> list[tuple[str, Any]]:
    """The `filters` option as (include|exclude, condition) pairs, each checked for shape."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InventoryConfigError("filters: must be a list of {include: condition} or {exclude: condition}")
    parsed = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or len(item) != 1 or next(iter(item)) not in ("include", "exclude"):
            raise InventoryConfigError("filters[%d]: must have exactly one key, include or exclude, got %r" % (index, item))
        kind, condition = next(iter(item.items()))
        if not isinstance(condition, (str, bool)):
            raise InventoryConfigError("filters[%d].%s: must be a condition (a Jinja2 expression) or true/false" % (index, kind))
        parsed.append((kind, condition))
    return parsed


def accepted(filters: list[tuple[str, Any]], evaluate: Callable[[int, str], bool]) -> bool:
    """The first filter whose condition holds decides; a host no filter matches is included.
    `evaluate(index, condition)` evaluates the condition of filters[index]."""
    for index, (kind, condition) in enumerate(filters):
        holds = condition if isinstance(condition, bool) else evaluate(index, condition)
        if holds:
            return kind == "include"
    return True


def needs_inspect(verbose_output: bool, *expressions: Any) -> bool:
    """Containers are inspected (one request each) only when their inspect data is shown or used."""
    if verbose_output:
        return True
    return any(INSPECT_VAR in json.dumps(expression, default=str) for expression in expressions if expression)
