# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NetworkPlan → Engine API calls (docker.APIClient), each through Outcome.apply."""

from __future__ import annotations

import ipaddress
from typing import Any, Callable

from ansible_collections.goship.containers.plugins.module_utils.networks.observed import ContainerRef
from ansible_collections.goship.containers.plugins.module_utils.networks.plan import NetworkConfig, NetworkPlan


def create_kwargs(config: NetworkConfig) -> dict[str, Any]:
    """Arguments of docker.APIClient.create_network for `config`: the one place that says how a
    network is created, for the network module and for Compose's project networks."""
    pools = []
    for pool in config.ipam_config:
        entry: dict[str, Any] = {"Subnet": pool.subnet}
        if pool.gateway:
            entry["Gateway"] = pool.gateway
        if pool.iprange:
            entry["IPRange"] = pool.iprange
        if pool.aux_addresses:
            entry["AuxiliaryAddresses"] = dict(pool.aux_addresses)
        pools.append(entry)
    ipam = None
    if pools or config.ipam_driver != "default" or config.ipam_options:
        ipam = {"Driver": config.ipam_driver, "Config": pools, "Options": dict(config.ipam_options)}
    return dict(
        name=config.name,
        driver=config.driver,
        options=config.driver_options or None,
        ipam=ipam,
        check_duplicate=True,
        internal=config.internal,
        labels=config.labels or None,
        enable_ipv6=config.enable_ipv6,
        attachable=config.attachable or None,
        scope=config.scope if config.scope and not config.config_only else None,
    )


def create_network(client: Any, config: NetworkConfig) -> Any:
    """Create the network `config` describes.

    docker-py's create_network has no ConfigOnly and ConfigFrom (Engine API 1.30), so a request
    that needs them is the same body posted directly.
    """
    kwargs = create_kwargs(config)
    if not (config.config_only or config.config_from):
        return client.create_network(**kwargs)
    body: dict[str, Any] = {
        "Name": kwargs["name"], "Driver": kwargs["driver"], "Options": kwargs["options"], "IPAM": kwargs["ipam"],
        "CheckDuplicate": True, "Internal": bool(kwargs["internal"]), "EnableIPv6": bool(kwargs["enable_ipv6"]),
        "Attachable": bool(kwargs["attachable"]), "ConfigOnly": config.config_only,
    }
    if kwargs["labels"]:
        body["Labels"] = kwargs["labels"]
    if kwargs["scope"]:
        body["Scope"] = kwargs["scope"]
    if config.config_from:
        body["ConfigFrom"] = {"Network": config.config_from}
    # pylint: disable-next=protected-access  # docker-py's own request helpers, as its create_network uses them
    response = client._post_json(client._url("/networks/create"), data=body)
    return client._result(response, json=True)  # pylint: disable=protected-access


def endpoint_settings(container: dict[str, Any], network: str, config: NetworkConfig) -> dict[str, Any]:
    """What to reconnect a container with: its aliases, links and static addresses on `network`.

    The alias the engine adds by itself (the short container id) is left out; a static address is
    kept only if it fits the new network's subnets.
    """
    endpoint = ((container.get("NetworkSettings") or {}).get("Networks") or {}).get(network) or {}
    short_id = container["Id"][:12]
    settings: dict[str, Any] = {}
    aliases = [a for a in endpoint.get("Aliases") or [] if a != short_id]
    if aliases:
        settings["aliases"] = aliases
    links = endpoint.get("Links") or []
    if links:
        settings["links"] = [tuple(link.split(":", 1)) if ":" in link else (link, link) for link in links]
    static = endpoint.get("IPAMConfig") or {}
    subnets = [ipaddress.ip_network(pool.subnet) for pool in config.ipam_config]
    for key, arg in (("IPv4Address", "ipv4_address"), ("IPv6Address", "ipv6_address")):
        address = static.get(key)
        if address and any(ipaddress.ip_address(address) in subnet for subnet in subnets):
            settings[arg] = address
    return settings


def apply_network_plan(client: Any, plan: NetworkPlan, record: Callable[[str, Callable[[], Any]], Any]) -> None:
    """Run `plan` through `record(action, fn)` (Outcome.apply: skips fn in check mode).

    On a recreate, each container's endpoint settings are read just before it is disconnected, so
    it comes back with the same aliases. If creating the new network fails, the old one is created
    again and its containers reconnected before the error is raised, so a rejected option does not
    leave the containers without their network.
    """
    saved: dict[str, dict[str, Any]] = {}
    old_config = plan.existing

    def disconnect(ref: ContainerRef) -> None:
        if any(s.kind == "reconnect" and s.container == ref for s in plan.steps):
            saved[ref.id] = endpoint_settings(client.inspect_container(ref.id), plan.name, plan.config)  # type: ignore[arg-type]
        client.disconnect_container_from_network(ref.id, plan.name, force=True)

    def create() -> None:
        if plan.config is None:
            raise ValueError("a create step needs the network's configuration")  # a planning bug
        try:
            create_network(client, plan.config)
        except Exception:
            if old_config is not None and any(s.kind == "remove" for s in plan.steps):
                create_network(client, old_config)
                for ref_id, settings in saved.items():
                    client.connect_container_to_network(ref_id, plan.name, **settings)
            raise

    for step in plan.steps:
        ref = step.container
        action = step.describe(plan.name)
        if step.kind == "create":
            record(action, create)
        elif step.kind == "remove":
            record(action, lambda: client.remove_network(plan.name))
        elif step.kind == "disconnect":
            record(action, lambda ref=ref: disconnect(ref))
        elif step.kind == "reconnect":
            record(action, lambda ref=ref: client.connect_container_to_network(ref.id, plan.name, **saved.get(ref.id, {})))
        elif step.kind == "connect":
            record(action, lambda ref=ref: client.connect_container_to_network(ref.id, plan.name))
