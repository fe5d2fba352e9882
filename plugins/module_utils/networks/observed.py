# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine data → NetworkState (normalised like NetworkSpec) and the containers attached to it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.networks.spec import IpamPool
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


@dataclass
class NetworkState:
    """The parts of `GET /networks/{id}` this module manages, normalised like NetworkSpec."""

    id: str
    name: str
    driver: str
    driver_options: dict[str, str]
    ipam_config: list[IpamPool]
    internal: bool
    attachable: bool
    enable_ipv6: bool
    labels: dict[str, str]
    ipam_driver: str = "default"
    ipam_options: dict[str, str] = field(default_factory=dict)
    scope: str = "local"
    config_only: bool = False
    config_from: str = ""  # the config-only network this one was created from


def _normalised_pool(config: dict[str, Any]) -> IpamPool:
    """An engine IPAM pool in IpamPool form; the engine keeps a subnet as it was given, so canonicalise it."""
    subnet = ipaddress.ip_network(config["Subnet"], strict=False)
    iprange = config.get("IPRange") or None
    aux = config.get("AuxiliaryAddresses") or None
    return IpamPool(
        subnet=str(subnet),
        gateway=str(ipaddress.ip_address(config["Gateway"].split("/")[0])) if config.get("Gateway") else None,
        iprange=str(ipaddress.ip_network(iprange, strict=False)) if iprange else None,
        aux_addresses=tuple(sorted((k, str(ipaddress.ip_address(v))) for k, v in aux.items())) if aux else None,
    )


def network_state_from_inspect(data: dict[str, Any]) -> NetworkState:
    ipam_data = data.get("IPAM") or {}
    ipam = ipam_data.get("Config") or []
    return NetworkState(
        id=data["Id"],
        name=data["Name"],
        driver=data.get("Driver") or "",
        driver_options=dict(data.get("Options") or {}),
        ipam_config=[_normalised_pool(c) for c in ipam if c.get("Subnet")],
        internal=bool(data.get("Internal")),
        attachable=bool(data.get("Attachable")),
        enable_ipv6=bool(data.get("EnableIPv6")),
        labels=dict(data.get("Labels") or {}),
        ipam_driver=ipam_data.get("Driver") or "default",
        ipam_options=dict(ipam_data.get("Options") or {}),
        scope=data.get("Scope") or "local",
        config_only=bool(data.get("ConfigOnly")),
        config_from=(data.get("ConfigFrom") or {}).get("Network") or "",
    )


@dataclass(frozen=True)
class ContainerRef:
    """A container as the plan names it: id for API calls, name for people."""

    id: str
    name: str


def _container_name(entry: dict[str, Any]) -> str:
    names = entry.get("Names") or []
    return names[0].lstrip("/") if names else entry["Id"][:12]


def attached_containers(containers: list[dict[str, Any]], network: NetworkState) -> list[ContainerRef]:
    """Containers attached to `network`, from `GET /containers/json?all=1` entries.

    The network's own inspect data lists running containers only; the container list also shows
    stopped ones (their endpoint has no NetworkID yet, so match those by network name).
    """
    attached = []
    for entry in containers:
        endpoints = (entry.get("NetworkSettings") or {}).get("Networks") or {}
        endpoint = endpoints.get(network.name)
        if endpoint is not None and (endpoint.get("NetworkID") or network.id) == network.id:
            attached.append(ContainerRef(entry["Id"], _container_name(entry)))
    return sorted(attached, key=lambda ref: ref.name)


def resolve_containers(option: str, wanted: list[str], containers: list[dict[str, Any]]) -> list[ContainerRef]:
    """Each wanted name or id as a ContainerRef; raises OptionError for names that match no container."""
    by_name = {_container_name(entry): entry for entry in containers}
    resolved = []
    for i, key in enumerate(wanted):
        entry = by_name.get(key.lstrip("/"))
        if entry is None and len(key) >= 4:
            matches = [c for c in containers if c["Id"].startswith(key)]
            if len(matches) > 1:
                raise OptionError("%s[%d]" % (option, i), "%r matches %d container ids; give a longer id or the name" % (key, len(matches)))
            entry = matches[0] if matches else None
        if entry is None:
            raise OptionError("%s[%d]" % (option, i), "no container named %r exists (containers must exist before they are connected)" % (key,))
        ref = ContainerRef(entry["Id"], _container_name(entry))
        if ref not in resolved:
            resolved.append(ref)
    return resolved


def find_network(client: Any, name: str) -> Optional[dict[str, Any]]:
    """The network named exactly `name` (the engine's name filter matches substrings), or None."""
    found = [n for n in client.networks(names=[name]) if n.get("Name") == name]
    if len(found) > 1:
        raise OptionError("name", "%d networks are named %s; remove the duplicates by ID first" % (len(found), name))
    return found[0] if found else None


def config_dependents(client: Any, state: Optional[NetworkState]) -> list[str]:
    """Networks created from `state` if it is a config-only network: while they exist the engine
    refuses to remove it (one more list request, for config-only networks only)."""
    if state is None or not state.config_only:
        return []
    return [n["Name"] for n in client.networks() if (n.get("ConfigFrom") or {}).get("Network") == state.name]


def check_engine_can_create(client: Any, config: Any) -> None:
    """Refuse, before any write, a create this engine cannot do (so a recreate never removes the
    old network for nothing)."""
    if config is None:
        return
    if config.scope in ("swarm", "global"):
        swarm = client.info().get("Swarm") or {}
        if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
            raise OptionError("scope", "%s needs an engine that is a swarm manager; this engine is not in swarm mode "
                              "(node state %r): leave scope unset or use local" % (config.scope, swarm.get("LocalNodeState") or "inactive"))
    if config.config_from:
        source = find_network(client, config.config_from)
        if source is None:
            raise OptionError("config_from", "no network named %s exists; create it first with config_only=true" % config.config_from)
        if not source.get("ConfigOnly"):
            raise OptionError("config_from", "%s is not a config-only network (create it with config_only=true)" % config.config_from)
