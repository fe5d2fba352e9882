# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `network` module's core: options → NetworkSpec, inspect data → NetworkState, then a plan.

Only the set of connected containers can change on an existing Docker network; every other option
is fixed at creation. So the plan either connects/disconnects containers, or recreates the network:
disconnect every container, remove, create, and reconnect the containers that should stay (with
their aliases). Options the user leaves unset are carried over from the old network on recreate,
so a recreate changes exactly what was asked for.

Everything up to `plan_network` is pure (unit-tested without Docker); `apply_network_plan` runs it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compare import differs

NETWORK_OPTIONS: dict[str, dict[str, Any]] = dict(
    name=dict(type="str", required=True, aliases=["network_name"]),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    driver=dict(type="str"),
    driver_options=dict(type="dict", default=None),
    ipam_config=dict(
        type="list",
        elements="dict",
        options=dict(
            subnet=dict(type="str", required=True),
            gateway=dict(type="str"),
            iprange=dict(type="str", aliases=["ip_range"]),
            aux_addresses=dict(type="dict"),
        ),
    ),
    internal=dict(type="bool"),
    attachable=dict(type="bool"),
    enable_ipv6=dict(type="bool"),
    labels=dict(type="dict"),
    connected=dict(type="list", elements="str", aliases=["containers"]),
    appends=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
)

DEFAULT_DRIVER = "bridge"
# Options fixed at creation: a difference in any of them means recreating the network.
FIXED_OPTIONS = ("driver", "driver_options", "ipam_config", "internal", "attachable", "enable_ipv6", "labels")


class OptionError(ValueError):
    """Invalid user input; the message starts with the option (or option path) at fault."""


class PlanError(ValueError):
    """The desired state cannot be reached without a step the user did not allow."""


# --- desired model ----------------------------------------------------------------------------

@dataclass(frozen=True)
class IpamPool:
    """One IPAM pool, normalised: canonical subnet and ranges, addresses as the ipaddress module prints them."""

    subnet: str
    gateway: Optional[str] = None
    iprange: Optional[str] = None
    aux_addresses: Optional[tuple[tuple[str, str], ...]] = None

    @property
    def version(self) -> int:
        return ipaddress.ip_network(self.subnet).version

    def satisfied_by(self, actual: "IpamPool") -> bool:
        """True when `actual` has this subnet and every field set here (unset fields are the engine's choice)."""
        if self.subnet != actual.subnet:
            return False
        return all(
            mine is None or mine == theirs
            for mine, theirs in (
                (self.gateway, actual.gateway),
                (self.iprange, actual.iprange),
                (self.aux_addresses, actual.aux_addresses or ()),
            )
        )

    def to_view(self) -> dict[str, Any]:
        view: dict[str, Any] = dict(subnet=self.subnet)
        if self.gateway:
            view["gateway"] = self.gateway
        if self.iprange:
            view["iprange"] = self.iprange
        if self.aux_addresses:
            view["aux_addresses"] = dict(self.aux_addresses)
        return view


@dataclass
class NetworkSpec:
    """What the user asked for. `None` means "not specified": never compared, carried over on recreate."""

    name: str
    state: str = "present"
    driver: Optional[str] = None
    driver_options: Optional[dict[str, str]] = None
    ipam_config: Optional[list[IpamPool]] = None
    internal: Optional[bool] = None
    attachable: Optional[bool] = None
    enable_ipv6: Optional[bool] = None
    labels: Optional[dict[str, str]] = None
    connected: Optional[list[str]] = None
    appends: bool = False
    force: bool = False


def _string_map(option: str, value: Any) -> Optional[dict[str, str]]:
    """A dict of strings as the engine stores it; numbers and booleans are written the way YAML users expect."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise OptionError("%s: expected a dictionary, got %s" % (option, type(value).__name__))
    result: dict[str, str] = {}
    for key, item in value.items():
        if item is None or isinstance(item, (dict, list)):
            raise OptionError("%s.%s: expected a string value, got %s" % (option, key, type(item).__name__))
        result[str(key)] = str(item).lower() if isinstance(item, bool) else str(item)
    return result


def _network(option: str, value: str, version: Optional[int] = None) -> ipaddress._BaseNetwork:
    try:
        net = ipaddress.ip_network(str(value).strip(), strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            fixed = ipaddress.ip_network(str(value).strip(), strict=False)
            raise OptionError("%s: %s has host bits set; did you mean %s?" % (option, value, fixed))
        raise OptionError("%s: %r is not a subnet in CIDR notation such as 172.30.0.0/24 (%s)" % (option, value, exc))
    if "/" not in str(value):
        raise OptionError("%s: %r needs a prefix length, such as %s/24" % (option, value, value))
    if version is not None and net.version != version:
        raise OptionError("%s: %s is IPv%d but the subnet is IPv%d" % (option, value, net.version, version))
    return net


def _address_in(option: str, value: Any, subnet: ipaddress._BaseNetwork) -> str:
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise OptionError("%s: %r is not an IP address" % (option, value))
    if address not in subnet:
        raise OptionError("%s: %s is not inside the subnet %s" % (option, address, subnet))
    return str(address)


def parse_ipam_pool(option: str, entry: dict[str, Any]) -> IpamPool:
    """Validate and normalise one `ipam_config` entry; `option` is its path, such as ipam_config[0]."""
    if not entry.get("subnet"):
        raise OptionError("%s.subnet: required (gateway, iprange and aux_addresses are relative to it)" % option)
    subnet = _network(option + ".subnet", entry["subnet"])
    gateway = None
    if entry.get("gateway"):
        gateway = _address_in(option + ".gateway", entry["gateway"], subnet)
    iprange = None
    if entry.get("iprange"):
        ip_range = _network(option + ".iprange", entry["iprange"], subnet.version)
        if not ip_range.subnet_of(subnet):  # type: ignore[arg-type]
            raise OptionError("%s.iprange: %s is not inside the subnet %s" % (option, ip_range, subnet))
        iprange = str(ip_range)
    aux = None
    raw_aux = _string_map(option + ".aux_addresses", entry.get("aux_addresses"))
    if raw_aux:
        aux = tuple(sorted(
            (host, _address_in("%s.aux_addresses.%s" % (option, host), address, subnet))
            for host, address in raw_aux.items()
        ))
    return IpamPool(subnet=str(subnet), gateway=gateway, iprange=iprange, aux_addresses=aux)


def load_network_spec(params: dict[str, Any]) -> NetworkSpec:
    """The module's parameters as a validated NetworkSpec; raises OptionError naming the option."""
    name = (params.get("name") or "").strip()
    if not name:
        raise OptionError("name: must not be empty")
    if "/" in name:
        raise OptionError("name: %r must not contain '/'" % name)
    driver = params.get("driver")
    if driver is not None and not driver.strip():
        raise OptionError("driver: must not be empty (leave it unset for %s)" % DEFAULT_DRIVER)
    ipam = None
    if params.get("ipam_config") is not None:
        ipam = [parse_ipam_pool("ipam_config[%d]" % i, entry or {}) for i, entry in enumerate(params["ipam_config"])]
        seen: set[str] = set()
        for i, pool in enumerate(ipam):
            if pool.subnet in seen:
                raise OptionError("ipam_config[%d].subnet: %s is listed twice" % (i, pool.subnet))
            seen.add(pool.subnet)
        if params.get("enable_ipv6") is False and any(pool.version == 6 for pool in ipam):
            raise OptionError("ipam_config: an IPv6 subnet needs enable_ipv6=true")
    connected = params.get("connected")
    if connected is not None:
        for i, container in enumerate(connected):
            if not (container or "").strip():
                raise OptionError("connected[%d]: container name must not be empty" % i)
        connected = list(dict.fromkeys(c.strip() for c in connected))  # keep order, drop duplicates
    return NetworkSpec(
        name=name,
        state=params.get("state") or "present",
        driver=driver.strip() if driver else None,
        driver_options=_string_map("driver_options", params.get("driver_options")),
        ipam_config=ipam,
        internal=params.get("internal"),
        attachable=params.get("attachable"),
        enable_ipv6=params.get("enable_ipv6"),
        labels=_string_map("labels", params.get("labels")),
        connected=connected,
        appends=bool(params.get("appends")),
        force=bool(params.get("force")),
    )


# --- observed state ---------------------------------------------------------------------------

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
    ipam = (data.get("IPAM") or {}).get("Config") or []
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
                raise OptionError("%s[%d]: %r matches %d container ids; give a longer id or the name" % (option, i, key, len(matches)))
            entry = matches[0] if matches else None
        if entry is None:
            raise OptionError("%s[%d]: no container named %r exists (containers must exist before they are connected)" % (option, i, key))
        ref = ContainerRef(entry["Id"], _container_name(entry))
        if ref not in resolved:
            resolved.append(ref)
    return resolved


# --- plan -------------------------------------------------------------------------------------

def _ipam_differs(desired: Optional[list[IpamPool]], actual: list[IpamPool]) -> bool:
    """Per IP version named in `desired`, the actual pools must be exactly the desired ones.

    IP versions the user did not mention are the engine's choice: with enable_ipv6 and only an
    IPv6 subnet given, the engine adds an IPv4 pool of its own, and that is not a difference.
    """
    if not desired:
        return False
    for version in {pool.version for pool in desired}:
        mine = [p for p in desired if p.version == version]
        theirs = [p for p in actual if p.version == version]
        if len(mine) != len(theirs):
            return True
        if not all(any(m.satisfied_by(t) for t in theirs) for m in mine):
            return True
    return False


def network_differences(spec: NetworkSpec, state: NetworkState) -> list[str]:
    """The fixed options whose actual value differs from what the user specified."""
    found = []
    if differs(spec.driver, state.driver):
        found.append("driver")
    # Drivers may add options of their own: only the options the user lists are compared.
    if differs(spec.driver_options, state.driver_options, "allow_more_present", "dict"):
        found.append("driver_options")
    if _ipam_differs(spec.ipam_config, state.ipam_config):
        found.append("ipam_config")
    for option in ("internal", "attachable", "enable_ipv6"):
        if differs(getattr(spec, option), getattr(state, option)):
            found.append(option)
    if differs(spec.labels, state.labels, "strict", "dict"):
        found.append("labels")
    return found


@dataclass
class NetworkConfig:
    """Everything `POST /networks/create` needs, and the view diff mode shows."""

    name: str
    driver: str
    driver_options: dict[str, str]
    ipam_config: list[IpamPool]
    internal: bool
    attachable: bool
    enable_ipv6: bool
    labels: dict[str, str]

    def to_view(self) -> dict[str, Any]:
        return dict(
            name=self.name,
            driver=self.driver,
            driver_options=dict(sorted(self.driver_options.items())),
            ipam_config=[pool.to_view() for pool in self.ipam_config],
            internal=self.internal,
            attachable=self.attachable,
            enable_ipv6=self.enable_ipv6,
            labels=dict(sorted(self.labels.items())),
        )


def config_from_state(state: NetworkState) -> NetworkConfig:
    return NetworkConfig(
        name=state.name, driver=state.driver, driver_options=dict(state.driver_options),
        ipam_config=list(state.ipam_config), internal=state.internal, attachable=state.attachable,
        enable_ipv6=state.enable_ipv6, labels=dict(state.labels),
    )


def desired_config(spec: NetworkSpec, state: Optional[NetworkState]) -> NetworkConfig:
    """The network to create: the user's options, and for unset ones the old network's values
    (on recreate) or the engine defaults (on first creation)."""
    base = config_from_state(state) if state is not None else NetworkConfig(
        name=spec.name, driver=DEFAULT_DRIVER, driver_options={}, ipam_config=[], internal=False,
        attachable=False, enable_ipv6=False, labels={},
    )
    if spec.driver is not None:
        base.driver = spec.driver
    if spec.driver_options is not None:
        if state is not None and spec.driver is not None and spec.driver != state.driver:
            base.driver_options = {}  # the old driver's options mean nothing to the new one
        base.driver_options.update(spec.driver_options)
    for option in ("internal", "attachable", "enable_ipv6"):
        if getattr(spec, option) is not None:
            setattr(base, option, getattr(spec, option))
    if spec.ipam_config:
        # The user's pools replace the old ones of the same IP version; other versions carry over.
        versions = {pool.version for pool in spec.ipam_config}
        base.ipam_config = list(spec.ipam_config) + [p for p in base.ipam_config if p.version not in versions]
    if not base.enable_ipv6:
        base.ipam_config = [p for p in base.ipam_config if p.version == 4]
    if spec.labels is not None:
        base.labels = dict(spec.labels)
    base.name = spec.name
    return base


@dataclass
class Step:
    """One API action of a plan. `kind`: create, remove, connect, disconnect, reconnect."""

    kind: str
    reason: str
    container: Optional[ContainerRef] = None

    def describe(self, network: str) -> str:
        if self.container is None:
            return "%s network %s (%s)" % (self.kind, network, self.reason)
        preposition = "from" if self.kind == "disconnect" else "to"
        return "%s container %s %s network %s (%s)" % (self.kind, self.container.name, preposition, network, self.reason)


@dataclass
class NetworkPlan:
    name: str
    steps: list[Step] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    config: Optional[NetworkConfig] = None  # what create uses, when a step creates
    existing: Optional[NetworkConfig] = None  # the network as it is, to restore if a recreate fails
    before: Optional[dict[str, Any]] = None
    after: Optional[dict[str, Any]] = None

    @property
    def actions(self) -> list[str]:
        return [step.describe(self.name) for step in self.steps]


def _view(config: Optional[NetworkConfig], members: list[ContainerRef]) -> Optional[dict[str, Any]]:
    if config is None:
        return None
    view = config.to_view()
    view["connected"] = sorted(ref.name for ref in members)
    return view


def _final_members(spec: NetworkSpec, attached: list[ContainerRef], wanted: list[ContainerRef]) -> list[ContainerRef]:
    if spec.connected is None:
        return list(attached)
    if spec.appends:
        return list(attached) + [ref for ref in wanted if ref not in attached]
    return list(wanted)


def plan_network(
    spec: NetworkSpec,
    state: Optional[NetworkState],
    attached: list[ContainerRef],
    wanted: list[ContainerRef],
) -> NetworkPlan:
    """The steps from `state` (None: no such network) with `attached` containers to `spec`.

    `wanted` is spec.connected resolved to containers. Raises PlanError when only a step the user
    did not allow (disconnecting containers to remove the network without force) would get there.
    """
    plan = NetworkPlan(name=spec.name)
    if state is not None:
        plan.existing = config_from_state(state)
        plan.before = _view(plan.existing, attached)
    if spec.state == "absent":
        if state is None:
            return plan
        if attached and not spec.force:
            raise PlanError(
                "network %s still has containers attached (%s); set force=true to disconnect them and remove it"
                % (spec.name, ", ".join(ref.name for ref in attached))
            )
        plan.steps += [Step("disconnect", "force: network is removed", ref) for ref in attached]
        plan.steps.append(Step("remove", "state=absent"))
        return plan

    members = _final_members(spec, attached, wanted)
    if state is None:
        plan.config = desired_config(spec, None)
        plan.steps.append(Step("create", "network does not exist"))
        plan.steps += [Step("connect", "listed in connected", ref) for ref in members]
    else:
        plan.differences = network_differences(spec, state)
        if plan.differences:
            reason = "changed: %s" % ", ".join(plan.differences)
            plan.config = desired_config(spec, state)
            plan.steps += [Step("disconnect", "network is recreated", ref) for ref in attached]
            plan.steps.append(Step("remove", "recreate, " + reason))
            plan.steps.append(Step("create", "recreate, " + reason))
            plan.steps += [Step("reconnect", "was connected before the recreate", ref) for ref in members if ref in attached]
            plan.steps += [Step("connect", "listed in connected", ref) for ref in members if ref not in attached]
        else:
            plan.steps += [Step("connect", "listed in connected", ref) for ref in members if ref not in attached]
            plan.steps += [
                Step("disconnect", "not listed in connected and appends=false", ref)
                for ref in attached if ref not in members
            ]
    plan.after = _view(plan.config or plan.existing, members)
    return plan


# --- apply ------------------------------------------------------------------------------------

def create_kwargs(config: NetworkConfig) -> dict[str, Any]:
    """Arguments of docker.APIClient.create_network for `config`."""
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
    return dict(
        name=config.name,
        driver=config.driver,
        options=config.driver_options or None,
        ipam={"Driver": "default", "Config": pools, "Options": {}} if pools else None,
        check_duplicate=True,
        internal=config.internal,
        labels=config.labels or None,
        enable_ipv6=config.enable_ipv6,
        attachable=config.attachable or None,
    )


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
            client.create_network(**create_kwargs(plan.config))
        except Exception:
            if old_config is not None and any(s.kind == "remove" for s in plan.steps):
                client.create_network(**create_kwargs(old_config))
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
