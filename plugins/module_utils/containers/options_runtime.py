# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry entries: how the container's process runs: logging, user and directories, names and
DNS, capabilities and devices, kernel limits, stop behaviour and terminal. Plain values nearly all:
one Engine API field each, set at create time (a change recreates the container)."""

from __future__ import annotations

import ipaddress
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import (
    AS_IS, FLAG, MAPPING, MORE, NUMBER, STRINGS, TEXT, Codec, Option,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.parse import (
    parse_device, parse_int, parse_items, parse_size, parse_ulimit, string_dict,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.platforms import (
    Platform, complete, image_platform, parse_platform,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.values import Device, Ulimit
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


def _or_none(value: Any, option: str) -> Any:
    return value or None


def _strings(value: Any, option: str) -> tuple[str, ...]:
    return tuple(str(item) for item in value)


def _log_config_request(spec: Any, config: dict[str, Any], host: dict[str, Any]) -> None:
    if spec.log_driver is not None or spec.log_options is not None:
        host["LogConfig"] = {"Type": spec.log_driver or "", "Config": dict(spec.log_options or {})}


def _etc_hosts(value: Any, option: str) -> Optional[dict[str, str]]:
    hosts = string_dict(value, option)
    for host, address in (hosts or {}).items():
        try:
            ipaddress.ip_address(address)
        except ValueError:
            if address != "host-gateway":
                raise OptionError("%s.%s" % (option, host), "%r is not an IP address" % address)
    return hosts


def _dict_from_pairs(entries: Optional[list[str]]) -> dict[str, str]:
    result = {}
    for entry in entries or ():
        key, _sep, value = entry.partition(":")
        result[key] = value
    return result


def _caps(value: Any, option: str) -> tuple[str, ...]:
    """Capabilities as the engine reports them: upper case with the CAP_ prefix."""
    caps = set()
    for item in value:
        name = str(item).strip().upper()
        caps.add(name if name == "ALL" or name.startswith("CAP_") else "CAP_" + name)
    return tuple(sorted(caps))


CAPABILITIES = Codec(to_api=list, from_api=lambda value: _caps(value or (), ""))
DEVICES = Codec(
    to_api=lambda devices: [{"PathOnHost": d.path_on_host, "PathInContainer": d.path_in_container,
                             "CgroupPermissions": d.permissions} for d in devices],
    from_api=lambda value: tuple(Device(d.get("PathOnHost", ""), d.get("PathInContainer", ""),
                                        d.get("CgroupPermissions") or "rwm") for d in value or ()),
)
ULIMITS = Codec(
    to_api=lambda limits: [{"Name": u.name, "Soft": u.soft, "Hard": u.hard} for u in limits],
    from_api=lambda value: tuple(sorted((Ulimit(u["Name"], u.get("Soft", 0), u.get("Hard", 0)) for u in value or ()),
                                        key=lambda u: u.name)),
)


def _container_os(inspect: dict[str, Any]) -> Optional[Platform]:
    """A container's inspect data name only its OS; the rest is its image's (observe_image)."""
    return Platform(inspect["Platform"].lower()) if inspect.get("Platform") else None


def _platform_with_image(desired: Any, image: Any) -> Any:
    return complete(desired.platform, image.platform) if desired.platform is not None else None


PLATFORM = Option(
    "platform", (
        "Platform of the container, V(os[/arch[/variant]]) such as V(linux/amd64) or V(linux/arm/v7), or an "
        "architecture alone such as V(arm64); sent with the create request (Engine API 1.41 or newer), where the "
        "engine picks the image of that platform, and with a pull (O(pull)).",
        "Compared with the platform of the container's image in the engine's normal form (V(x86_64), V(amd64) "
        "and V(linux/amd64) are the same); an OS or an architecture alone is completed from the image's platform. "
        "A difference recreates the container.",
    ),
    field="platform", parse=parse_platform, query="platform", codec=Codec(to_api=str),
    observe=_container_os, observe_image=image_platform, image_merge=_platform_with_image,
    read=lambda spec: str(spec.platform) if spec.platform is not None else None,
    compare="value", min_api="1.41", sample={"platform": "linux/arm64"},
)

RUNTIME_OPTIONS: tuple[Option, ...] = (
    PLATFORM,
    Option("log_driver", "Logging driver, such as C(json-file) or C(local).", field="log_driver", parse=_or_none,
           serialize=_log_config_request, api="HostConfig.LogConfig.Type", codec=TEXT, compare="value",
           sample={"log_driver": "json-file"}),
    Option("log_options", "Options of the logging driver.", type="dict", aliases=("log_opt",), field="log_options",
           parse=string_dict, part_of="log_driver", api="HostConfig.LogConfig.Config", codec=MAPPING, compare="dict",
           mode=MORE,
           sample={"log_options": {"max-size": "1m"}}),
    Option("user", "User (and group), C(name), C(uid) or C(uid:gid).", field="user", api="Config.User", codec=TEXT,
           compare="value", sample={"user": "1000:1000"}),
    Option("working_dir", "Working directory.", field="working_dir", api="Config.WorkingDir", codec=TEXT,
           compare="value", sample={"working_dir": "/srv"}),
    Option("hostname", "Host name of the container.", field="hostname", api="Config.Hostname", codec=TEXT,
           compare="value", sample={"hostname": "web"}),
    Option("domainname", "Domain name of the container.", field="domainname", api="Config.Domainname", codec=TEXT,
           compare="value", sample={"domainname": "example.test"}),
    Option("etc_hosts", "Extra C(/etc/hosts) entries, host name to IP address.", type="dict", field="etc_hosts",
           parse=_etc_hosts, api="HostConfig.ExtraHosts", compare="dict", mode=MORE,
           codec=Codec(to_api=lambda hosts: ["%s:%s" % item for item in sorted(hosts.items())], from_api=_dict_from_pairs),
           sample={"etc_hosts": {"db": "192.0.2.1", "gw": "host-gateway"}}),
    Option("dns_servers", "DNS servers.", type="list", elements="str", field="dns_servers", parse=_strings,
           api="HostConfig.Dns", codec=STRINGS, compare="value", sample={"dns_servers": ["192.0.2.53"]}),
    Option("dns_search_domains", "DNS search domains.", type="list", elements="str", field="dns_search",
           parse=_strings, api="HostConfig.DnsSearch", codec=STRINGS, compare="value",
           sample={"dns_search_domains": ["example.test"]}),
    Option("dns_opts", "DNS resolver options.", type="list", elements="str", field="dns_opts", parse=_strings,
           api="HostConfig.DnsOptions", codec=STRINGS, compare="set", mode=MORE, sample={"dns_opts": ["ndots:2"]}),
    Option("capabilities", "Capabilities to add, such as C(NET_ADMIN).", type="list", elements="str",
           aliases=("cap_add",), field="cap_add", parse=_caps, api="HostConfig.CapAdd", codec=CAPABILITIES,
           compare="set", mode=MORE, comparison_aliases=("cap_add",), sample={"capabilities": ["net_admin"]}),
    Option("cap_drop", "Capabilities to drop.", type="list", elements="str", field="cap_drop", parse=_caps,
           api="HostConfig.CapDrop", codec=CAPABILITIES, compare="set", mode=MORE, sample={"cap_drop": ["MKNOD"]}),
    Option("privileged", "Run privileged.", type="bool", field="privileged", api="HostConfig.Privileged", codec=FLAG,
           compare="value", sample={"privileged": True}),
    Option("devices", "Host devices, C(/dev/host[:/dev/container[:rwm]]).", type="list", elements="str",
           field="devices", parse=lambda value, option: tuple(parse_items(value, option, parse_device)),
           api="HostConfig.Devices", codec=DEVICES, compare="set", mode=MORE,
           sample={"devices": ["/dev/null:/dev/gs-null:r"]}),
    Option("ulimits", "Resource limits, C(name:soft[:hard]), such as C(nofile:1024:2048).", type="list",
           elements="str", field="ulimits",
           parse=lambda value, option: tuple(sorted(parse_items(value, option, parse_ulimit), key=lambda u: u.name)),
           api="HostConfig.Ulimits", codec=ULIMITS, compare="set", mode=MORE, sample={"ulimits": ["nofile:1024:2048"]}),
    Option("sysctls", "Namespaced kernel parameters.", type="dict", field="sysctls", parse=string_dict,
           api="HostConfig.Sysctls", codec=MAPPING, compare="dict", mode=MORE,
           sample={"sysctls": {"net.core.somaxconn": "1024"}}),
    Option("read_only", "Mount the root filesystem read-only.", type="bool", field="read_only",
           api="HostConfig.ReadonlyRootfs", codec=FLAG, compare="value", sample={"read_only": True}),
    Option("init", "Run an init process as PID 1 that forwards signals and reaps zombies.", type="bool",
           field="init", api="HostConfig.Init", codec=FLAG, compare="value", min_api="1.25", sample={"init": True}),
    Option("security_opts", "Security options, such as C(no-new-privileges).", type="list", elements="str",
           field="security_opts", parse=_strings, api="HostConfig.SecurityOpt", codec=STRINGS, compare="set", mode=MORE,
           sample={"security_opts": ["no-new-privileges"]}),
    Option("shm_size", "Size of C(/dev/shm), such as C(64m).", field="shm_size", parse=parse_size,
           api="HostConfig.ShmSize", codec=NUMBER, compare="value", sample={"shm_size": "64m"}),
    Option("stop_timeout", "Seconds to wait for the container to stop before it is killed; stored on the container.",
           type="int", field="stop_timeout", parse=lambda value, option: parse_int(value, option, minimum=0),
           api="Config.StopTimeout", codec=AS_IS, compare="value", mode="ignore", min_api="1.25",
           sample={"stop_timeout": 3}),
    Option("stop_signal", "Signal that stops the container, such as C(SIGTERM).", field="stop_signal",
           parse=_or_none, api="Config.StopSignal", codec=TEXT, compare="value", sample={"stop_signal": "SIGINT"}),
    Option("auto_remove", "Let the engine remove the container when it exits.", type="bool", field="auto_remove",
           api="HostConfig.AutoRemove", codec=FLAG, compare="value", sample={"auto_remove": True}),
    Option("tty", "Allocate a pseudo-TTY.", type="bool", field="tty", api="Config.Tty", codec=FLAG,
           compare="value", sample={"tty": True}),
    Option("interactive", "Keep stdin open.", type="bool", field="stdin_open", api="Config.OpenStdin", codec=FLAG,
           compare="value", sample={"interactive": True}),
)
