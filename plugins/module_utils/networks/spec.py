# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`network` options → NetworkSpec: validated and normalised, every error naming its option."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.user_input import string_map

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
    ipam_driver=dict(type="str"),
    ipam_driver_options=dict(type="dict"),
    scope=dict(type="str", choices=["local", "global", "swarm"]),
    config_only=dict(type="bool"),
    config_from=dict(type="str"),
    connected=dict(type="list", elements="str", aliases=["containers"]),
    appends=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
)

DEFAULT_DRIVER = "bridge"
CONFIG_ONLY_DRIVER = "null"  # what the engine reports as the driver of a config-only network
# Set on the config-only network, never on a network created from it: the engine refuses them there.
CONFIG_FROM_EXCLUDES = ("ipam_config", "ipam_driver", "ipam_driver_options", "driver_options", "labels", "enable_ipv6")


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
    ipam_driver: Optional[str] = None
    ipam_driver_options: Optional[dict[str, str]] = None
    scope: Optional[str] = None
    config_only: Optional[bool] = None
    config_from: Optional[str] = None  # "" asks for a network not created from a config-only network
    connected: Optional[list[str]] = None
    appends: bool = False
    force: bool = False


def _network(option: str, value: str, version: Optional[int] = None) -> ipaddress._BaseNetwork:
    try:
        net = ipaddress.ip_network(str(value).strip(), strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            fixed = ipaddress.ip_network(str(value).strip(), strict=False)
            raise OptionError(option, "%s has host bits set; did you mean %s?" % (value, fixed))
        raise OptionError(option, "%r is not a subnet in CIDR notation such as 172.30.0.0/24 (%s)" % (value, exc))
    if "/" not in str(value):
        raise OptionError(option, "%r needs a prefix length, such as %s/24" % (value, value))
    if version is not None and net.version != version:
        raise OptionError(option, "%s is IPv%d but the subnet is IPv%d" % (value, net.version, version))
    return net


def _address_in(option: str, value: Any, subnet: ipaddress._BaseNetwork) -> str:
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise OptionError(option, "%r is not an IP address" % (value,))
    if address not in subnet:
        raise OptionError(option, "%s is not inside the subnet %s" % (address, subnet))
    return str(address)


def parse_ipam_pool(option: str, entry: dict[str, Any]) -> IpamPool:
    """Validate and normalise one `ipam_config` entry; `option` is its path, such as ipam_config[0]."""
    if not entry.get("subnet"):
        raise OptionError(option + ".subnet", "required (gateway, iprange and aux_addresses are relative to it)")
    subnet = _network(option + ".subnet", entry["subnet"])
    gateway = None
    if entry.get("gateway"):
        gateway = _address_in(option + ".gateway", entry["gateway"], subnet)
    iprange = None
    if entry.get("iprange"):
        ip_range = _network(option + ".iprange", entry["iprange"], subnet.version)
        if not ip_range.subnet_of(subnet):  # type: ignore[arg-type]
            raise OptionError(option + ".iprange", "%s is not inside the subnet %s" % (ip_range, subnet))
        iprange = str(ip_range)
    aux = None
    raw_aux = string_map(option + ".aux_addresses", entry.get("aux_addresses"))
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
        raise OptionError("name", "must not be empty")
    if "/" in name:
        raise OptionError("name", "%r must not contain '/'" % name)
    driver = params.get("driver")
    if driver is not None and not driver.strip():
        raise OptionError("driver", "must not be empty (leave it unset for %s)" % DEFAULT_DRIVER)
    ipam = None
    if params.get("ipam_config") is not None:
        ipam = [parse_ipam_pool("ipam_config[%d]" % i, entry or {}) for i, entry in enumerate(params["ipam_config"])]
        seen: set[str] = set()
        for i, pool in enumerate(ipam):
            if pool.subnet in seen:
                raise OptionError("ipam_config[%d].subnet" % i, "%s is listed twice" % pool.subnet)
            seen.add(pool.subnet)
        if params.get("enable_ipv6") is False and any(pool.version == 6 for pool in ipam):
            raise OptionError("ipam_config", "an IPv6 subnet needs enable_ipv6=true")
    connected = params.get("connected")
    if connected is not None:
        for i, container in enumerate(connected):
            if not (container or "").strip():
                raise OptionError("connected[%d]" % i, "container name must not be empty")
        connected = list(dict.fromkeys(c.strip() for c in connected))  # keep order, drop duplicates
    ipam_driver = params.get("ipam_driver")
    if ipam_driver is not None and not ipam_driver.strip():
        raise OptionError("ipam_driver", "must not be empty (leave it unset for the engine's default IPAM driver)")
    loaded = NetworkSpec(
        name=name,
        state=params.get("state") or "present",
        driver=driver.strip() if driver else None,
        driver_options=string_map("driver_options", params.get("driver_options")),
        ipam_config=ipam,
        internal=params.get("internal"),
        attachable=params.get("attachable"),
        enable_ipv6=params.get("enable_ipv6"),
        labels=string_map("labels", params.get("labels")),
        ipam_driver=ipam_driver.strip() if ipam_driver else None,
        ipam_driver_options=string_map("ipam_driver_options", params.get("ipam_driver_options")),
        scope=params.get("scope"),
        config_only=params.get("config_only"),
        config_from=params["config_from"].strip() if params.get("config_from") is not None else None,
        connected=connected,
        appends=bool(params.get("appends")),
        force=bool(params.get("force")),
    )
    _check_config_network_options(loaded)
    return loaded


def _is_set(value: Any) -> bool:
    """True for an option value that asks the engine for something (False, {} and [] ask for nothing)."""
    return value is not None and value is not False and value != {} and value != []


def _check_config_network_options(spec: NetworkSpec) -> None:
    """What the engine refuses for config-only networks and networks created from one, refused here
    first, so a recreate never removes a network for a create that cannot succeed."""
    if spec.config_only:
        if spec.config_from:
            raise OptionError("config_from", "a config-only network cannot itself be created from another one (config_only=true)")
        if spec.driver is not None and spec.driver != CONFIG_ONLY_DRIVER:
            raise OptionError("driver", "a config-only network has no driver (the engine reports %r); leave driver unset "
                              "with config_only=true, and set it on the networks created from it" % CONFIG_ONLY_DRIVER)
        for option in ("internal", "attachable"):
            if getattr(spec, option):
                raise OptionError(option, "not allowed with config_only=true: the engine accepts only IPAM, driver "
                                  "options, labels and enable_ipv6 on a config-only network")
        if spec.scope not in (None, "local"):
            raise OptionError("scope", "a config-only network is always local (config_only=true)")
        if spec.connected:
            raise OptionError("connected", "containers cannot be connected to a config-only network (config_only=true)")
    if spec.config_from:
        for option in CONFIG_FROM_EXCLUDES:
            if _is_set(getattr(spec, option)) and not (option == "ipam_driver" and spec.ipam_driver == "default"):
                raise OptionError(option, "not allowed with config_from: the network takes it from the config-only "
                                  "network %s; set it there" % spec.config_from)
        if spec.config_from == spec.name:
            raise OptionError("config_from", "a network cannot be created from itself")
