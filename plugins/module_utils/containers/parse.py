# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The short syntaxes of container settings: one parser per syntax, for the `container` module and
for Compose alike (volumes, mounts and tmpfs: parse_mounts.py). Every error is an OptionError naming the option or path (`published_ports[0]`,
`services.web.ports[1].target`).

Where Compose writes more than the Docker CLI (long-form ports and mounts, `volume.nocopy`,
`bind.create_host_path`), the parser takes it, so both callers get it. Where the two syntaxes
really differ (a healthcheck test's forms), a parameter says which rules apply. Items parse into
frozen values (PortMapping, VolumeSpec, MountSpec, HealthcheckSpec) that carry everything the
syntax says; each turns into the ContainerSpec part the engine takes, and Compose's model is
built from the same values. Single values (integers, sizes, durations, booleans) are read by
user_input.py; the option registry (options*.py) maps the `container` module's options with these.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

# The container module reads its volumes, mounts and tmpfs options through these names.
from ansible_collections.goship.containers.plugins.module_utils.containers.parse_mounts import parse_mount, parse_tmpfs, parse_volume
from ansible_collections.goship.containers.plugins.module_utils.containers.values import Device, Healthcheck, NetworkAttachment, PortBinding, Ulimit
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.user_input import (
    as_bool, as_enum, as_scalar_str, as_str, check_keys, mapping_with, parse_duration, parse_int, parse_size,
    type_name,
)

__all__ = [  # parse_int and parse_size are user_input's, named here for the container module's options
    "PortMapping", "HealthcheckSpec", "parse_port", "parse_port_mappings", "parse_exposed_port", "parse_volume",
    "parse_mount", "parse_tmpfs", "parse_healthcheck", "parse_healthcheck_spec", "parse_ulimit", "parse_device",
    "parse_network", "parse_env_file", "parse_int", "parse_size", "string_dict", "string_tuple", "parse_command",
    "parse_items",
]

PROTOCOLS = ("tcp", "udp", "sctp")
PORT_MODES = ("ingress", "host")


# ---------------------------------------------------------------- ports

@dataclass(frozen=True)
class PortMapping:
    """One published port, as Compose's long syntax writes it; the short syntax expands to these."""

    target: int
    published: Optional[str] = None  # None: the engine picks; "8080"; or a host range "8000-8010" for one target
    host_ip: Optional[str] = None
    protocol: str = "tcp"
    mode: str = "ingress"  # Swarm's publish mode; a container publishes on its host either way
    name: Optional[str] = None
    app_protocol: Optional[str] = None

    @property
    def binding(self) -> PortBinding:
        return PortBinding(self.target, self.protocol, self.host_ip or "", self.published or "")


_PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


def _port_range(text: str, option: str, what: str, lowest: int = 1) -> list[int]:
    """'80' or '8000-8010' → the ports; a host port may be 0 (the engine picks), a container port not."""
    match = _PORT_RANGE.match(text.strip())
    if not match:
        raise OptionError(option, "%s %r is not a port or a port range" % (what, text))
    first = int(match.group(1))
    last = int(match.group(2) or first)
    for port in (first, last):
        if not lowest <= port <= 65535:
            raise OptionError(option, "%s %d is out of range (%d-65535)" % (what, port, lowest))
    if last < first:
        raise OptionError(option, "%s range %r ends before it starts" % (what, text))
    return list(range(first, last + 1))


def _split_host_ip(text: str, option: str) -> tuple[str, str]:
    """'[::1]:80:8080' / '127.0.0.1:80:8080' / '::1:80:8080' / '80:8080' / '8080' → (host_ip, rest)."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or text[end + 1:end + 2] != ":":
            raise OptionError(option, "unterminated IPv6 address in %r" % text)
        return text[1:end], text[end + 2:]
    parts = text.split(":")
    if len(parts) >= 3:  # an IPv6 host ip may be written bare: all before the last two fields
        return ":".join(parts[:-2]), parts[-2] + ":" + parts[-1]
    return "", text


def _host_ip(address: str, option: str, text: str) -> str:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise OptionError(option, "%r is not an IP address (in %r)" % (address, text))
    return address


def _protocol(value: Any, option: str, text: Any) -> str:
    protocol = str(value or "tcp").lower()
    if protocol not in PROTOCOLS:
        raise OptionError(option, "unknown protocol %r in %r (tcp, udp or sctp)" % (value, text))
    return protocol


def parse_port_mappings(item: Any, option: str = "published_ports") -> list[PortMapping]:
    """'[ip:][host[-range]:]container[-range][/proto]' (ranges expanded pairwise; one container port
    with a host range lets the engine pick from the range), or Compose's long syntax (a mapping)."""
    if isinstance(item, dict):
        return [_long_port(item, option)]
    if isinstance(item, int) and not isinstance(item, bool):
        item = str(item)
    if not isinstance(item, str) or not item.strip():
        raise OptionError(option, "expected a port like '127.0.0.1:8080:80/tcp' or a mapping, got %r" % (item,))
    text = item.strip()
    body, _sep, protocol = text.partition("/")
    protocol = _protocol(protocol, option, text)
    host_ip, rest = _split_host_ip(body, option)
    if host_ip:
        _host_ip(host_ip, option, text)
    host_part, _sep, container_part = rest.rpartition(":")
    container_ports = _port_range(container_part, option, "container port")
    ip = host_ip or None
    if not host_part:
        return [PortMapping(port, None, ip, protocol) for port in container_ports]
    host_ports = _port_range(host_part, option, "host port", lowest=0)
    if len(container_ports) == 1:
        return [PortMapping(container_ports[0], host_part.strip(), ip, protocol)]
    if len(host_ports) != len(container_ports):
        raise OptionError(option, "host and container port ranges differ in length in %r" % text)
    return [PortMapping(c, str(h), ip, protocol) for h, c in zip(host_ports, container_ports)]


def _long_port(item: dict[str, Any], option: str) -> PortMapping:
    check_keys(item, option, ("target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"))
    if "target" not in item:
        raise OptionError(option + ".target", "is required")
    target = parse_int(item["target"], option + ".target", 1)
    if target > 65535:
        raise OptionError(option + ".target", "must be a port number (1-65535), not %d" % target)
    published = item.get("published")
    if published is not None:
        if isinstance(published, bool) or not isinstance(published, (str, int)):
            raise OptionError(option + ".published", "must be a port or a port range, not %s" % type_name(published))
        published = str(published)
        _port_range(published, option + ".published", "published port", lowest=0)
    host_ip = as_str(item["host_ip"], option + ".host_ip") if item.get("host_ip") else None
    if host_ip:
        _host_ip(host_ip, option + ".host_ip", host_ip)
    return PortMapping(
        target=target, published=published or None, host_ip=host_ip,
        protocol=_protocol(as_str(item.get("protocol", "tcp"), option + ".protocol"), option + ".protocol", item),
        mode=as_enum(item.get("mode", "ingress"), option + ".mode", PORT_MODES),
        name=as_str(item["name"], option + ".name") if item.get("name") is not None else None,
        app_protocol=as_str(item["app_protocol"], option + ".app_protocol") if item.get("app_protocol") else None,
    )


def parse_port(item: Any, option: str = "published_ports") -> list[PortBinding]:
    return [mapping.binding for mapping in parse_port_mappings(item, option)]


def parse_exposed_port(text: Any, option: str = "exposed_ports") -> list[str]:
    """'80', '8000-8010' or '53/udp' → ['80/tcp', ...] (port 0 is taken, as the engine takes it)."""
    text = str(text).strip()
    body, _sep, protocol = text.partition("/")
    protocol = _protocol(protocol, option, text)
    return ["%d/%s" % (port, protocol) for port in _port_range(body, option, "port", lowest=0)]


# ---------------------------------------------------------------- healthcheck

HEALTHCHECK_KEYS = ("test", "interval", "timeout", "retries", "start_period", "start_interval", "disable")
_TEST_FORMS = ("CMD", "CMD-SHELL", "NONE")


@dataclass(frozen=True)
class HealthcheckSpec:
    test: Optional[tuple[str, ...]] = None  # None: not given (the image's test stays)
    interval_ns: Optional[int] = None
    timeout_ns: Optional[int] = None
    retries: Optional[int] = None
    start_period_ns: Optional[int] = None
    start_interval_ns: Optional[int] = None
    disable: bool = False

    @property
    def healthcheck(self) -> Healthcheck:
        """What the engine takes: a disabled check is the test ["NONE"] and nothing else."""
        if self.disable or (self.test or ("",))[0] == "NONE":
            return Healthcheck(test=("NONE",))
        return Healthcheck(test=self.test or (), interval_ns=self.interval_ns, timeout_ns=self.timeout_ns,
                           retries=self.retries, start_period_ns=self.start_period_ns,
                           start_interval_ns=self.start_interval_ns)


def _healthcheck_test(value: Any, option: str, compose_forms: bool) -> Optional[tuple[str, ...]]:
    if value is None or (value == "" and not compose_forms) or value == []:
        return None
    if isinstance(value, str):
        return ("CMD-SHELL", value)  # a string is a shell command, as in `docker run --health-cmd`
    if not isinstance(value, (list, tuple)):
        raise OptionError(option, "expected a string or a list, got %r" % (value,))
    test = tuple(as_str(part, "%s[%d]" % (option, index)) if compose_forms else str(part)
                 for index, part in enumerate(value))
    if test[0] not in _TEST_FORMS:
        if compose_forms:
            raise OptionError(option, "a list must start with CMD, CMD-SHELL or NONE, not %r" % test[0])
        test = ("CMD",) + test  # the container module's exec form without its CMD
    if test[0] != "NONE" and len(test) < 2:
        raise OptionError(option, "%s needs a command after it" % test[0])
    return test


def parse_healthcheck_spec(item: Any, option: str = "healthcheck", compose_forms: bool = False) -> HealthcheckSpec:
    """dict(test, interval, timeout, retries, start_period, start_interval, disable). A string test
    runs in the shell (CMD-SHELL); a list names its form: CMD (exec), CMD-SHELL or NONE (disabled).
    The container module's rules (default): an empty test keeps the image's and a list without a
    form is an exec command; Compose's (`compose_forms`): an empty string is a shell command and a
    list without a form is an error."""
    item = mapping_with(item, option, HEALTHCHECK_KEYS)
    test = _healthcheck_test(item.get("test"), option + ".test", compose_forms)
    unset = (None,) if compose_forms else (None, "")  # the container module's options may come as ""
    durations = {key: parse_duration(item[key], "%s.%s" % (option, key), minimum=0)
                 if item.get(key) not in unset else None
                 for key in ("interval", "timeout", "start_period", "start_interval")}
    disable = as_bool(item["disable"], option + ".disable") if item.get("disable") is not None else False
    if disable and test and test != ("NONE",):
        raise OptionError(option, "test and disable: true cannot be combined")
    return HealthcheckSpec(
        test=test, interval_ns=durations["interval"], timeout_ns=durations["timeout"],
        retries=parse_int(item["retries"], option + ".retries", minimum=0) if item.get("retries") is not None else None,
        start_period_ns=durations["start_period"], start_interval_ns=durations["start_interval"], disable=disable,
    )


def parse_healthcheck(item: Any, option: str = "healthcheck") -> Healthcheck:
    return parse_healthcheck_spec(item, option).healthcheck


# ---------------------------------------------------------------- other items

def parse_ulimit(item: Any, option: str = "ulimits", name: Optional[str] = None) -> Ulimit:
    """'nofile:1024[:2048]', dict(name, soft, hard), or Compose's value under the ulimit's `name`:
    a number (soft and hard) or {soft, hard}. Soft may not exceed hard, unless hard is -1 (unlimited)."""
    if name is not None and not isinstance(item, dict):
        soft = hard = item
    elif isinstance(item, dict):
        check_keys(item, option, ("soft", "hard") if name is not None else ("name", "soft", "hard"))
        name = item.get("name", name)
        if "soft" not in item or "hard" not in item:
            raise OptionError(option, "needs both soft and hard (or a single number)")
        soft, hard = item["soft"], item["hard"]
    else:
        parts = str(item).split(":")
        if len(parts) not in (2, 3):
            raise OptionError(option, "%r is not 'name:soft[:hard]'" % (item,))
        name, soft, hard = parts[0], parts[1], parts[-1]
    if not name:
        raise OptionError(option, "a ulimit needs a name")
    soft = parse_int(soft, option + (".soft" if isinstance(item, dict) else ""), minimum=-1)
    hard = parse_int(hard, option + (".hard" if isinstance(item, dict) else ""), minimum=-1)
    if soft > hard and hard != -1:
        raise OptionError(option, "soft limit %d is above the hard limit %d" % (soft, hard))
    return Ulimit(str(name), soft, hard)


_DEVICE_PERMISSIONS = re.compile(r"^[rwm]{1,3}$")


def parse_device(item: Any, option: str = "devices") -> Device:
    """'/dev/host[:/dev/container][:rwm]' (as `docker run --device`), or Compose's long syntax
    {source, target, permissions}."""
    if isinstance(item, dict):
        check_keys(item, option, ("source", "target", "permissions"))
        host = as_str(item.get("source") or "", option + ".source")
        inside = as_str(item.get("target") or "", option + ".target")
        perms = as_str(item.get("permissions") or "rwm", option + ".permissions")
        if not host.startswith("/"):
            raise OptionError(option + ".source", "%r is not an absolute device path" % host)
        if not inside.startswith("/"):
            raise OptionError(option + ".target", "%r is not an absolute path" % inside)
    else:
        parts = str(item).split(":")
        if not parts[0].startswith("/") or len(parts) > 3:
            raise OptionError(option, "%r is not '/dev/host[:/dev/container[:permissions]]'" % (item,))
        inside = parts[1] if len(parts) > 1 and parts[1].startswith("/") else parts[0]
        perms = parts[-1] if len(parts) > 1 and not parts[-1].startswith("/") else "rwm"
        if len(parts) == 3 and not parts[1].startswith("/"):
            raise OptionError(option, "%r: the container path %r is not absolute" % (item, parts[1]))
        host = parts[0]
    if not _DEVICE_PERMISSIONS.match(perms) or len(set(perms)) != len(perms):
        raise OptionError(option, "permissions %r in %r must be made of r, w, m" % (perms, item))
    return Device(host, inside, perms)


def parse_network(item: Any, option: str = "networks") -> NetworkAttachment:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict) or not item.get("name"):
        raise OptionError(option, "each network needs a name")
    for key in ("ipv4_address", "ipv6_address"):
        if item.get(key):
            try:
                ipaddress.ip_address(item[key])
            except ValueError:
                raise OptionError("%s.%s" % (option, key), "%r is not an IP address" % item[key])
    links = []
    for link in item.get("links") or ():
        name, _sep, alias = str(link).partition(":")
        links.append("%s:%s" % (name, alias or name))
    mac = item.get("mac_address") or None
    if mac is not None and not _MAC_ADDRESS.match(str(mac)):
        raise OptionError(option + ".mac_address", "%r is not a MAC address such as 92:d0:c6:0a:29:33" % (mac,))
    priority = item.get("gw_priority")
    return NetworkAttachment(
        name=str(item["name"]), aliases=tuple(sorted(set(str(a) for a in item.get("aliases") or ()))),
        ipv4_address=item.get("ipv4_address") or None, ipv6_address=item.get("ipv6_address") or None,
        links=tuple(sorted(links)),
        driver_opts=tuple(sorted((string_dict(item["driver_opts"], option + ".driver_opts") or {}).items()))
        if item.get("driver_opts") else (),
        mac_address=str(mac).lower() if mac is not None else None,
        gw_priority=parse_int(priority, option + ".gw_priority") if priority is not None else None,
    )


_MAC_ADDRESS = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")


def parse_env_file(text: str, option: str = "env_file",
                   lookup: Optional[Callable[[str], Optional[str]]] = None) -> dict[str, str]:
    """The `docker run --env-file` format (Compose's `format: raw`): KEY=VALUE lines taken as they
    are (no quotes, no interpolation, trailing spaces kept); leading spaces, blank lines and `#`
    lines skipped; a bare KEY takes its value from `lookup` and is left out when it has none."""
    env: dict[str, str] = {}
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not key or re.search(r"\s", key):  # the line may hold a secret: not quoted
            raise OptionError(option, "line %d is not KEY=VALUE (a name without spaces before the first '=')" % number)
        if sep:
            env[key] = value
        elif lookup is not None and lookup(key) is not None:
            env[key] = lookup(key)  # type: ignore[assignment]
    return env


def string_dict(value: Optional[dict], option: str) -> Optional[dict[str, str]]:
    """Values stringified; booleans rejected, because YAML's yes/True/true would not survive."""
    if value is None:
        return None
    result = {}
    for key, item in value.items():  # values may be secrets: messages name the key and the type only
        if isinstance(item, bool):
            raise OptionError("%s.%s" % (option, key), "quote the boolean so its exact text is kept")
        if item is None:
            item = ""
        if isinstance(item, (dict, list)):
            raise OptionError("%s.%s" % (option, key), "expected a string, got %s" % type(item).__name__)
        result[str(key)] = str(item)
    return result


def string_tuple(value: Optional[Iterable[Any]]) -> Optional[tuple[str, ...]]:
    return None if value is None else tuple(str(v) for v in value)


def parse_command(value: Any, option: str) -> Optional[tuple[str, ...]]:
    """A string split as a shell would (no expansion), or a list of words (numbers and booleans
    written as YAML users wrote them)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise OptionError(option, "cannot split %r into words: %s" % (value, exc))
    if isinstance(value, (list, tuple)):
        return tuple(as_scalar_str(word, "%s[%d]" % (option, index)) for index, word in enumerate(value))
    raise OptionError(option, "must be a string or a list, not %s" % type_name(value))


def parse_items(values: Optional[list], option: str, parse: Any) -> list:
    result = []
    for index, value in enumerate(values or ()):
        result.append(parse(value, "%s[%d]" % (option, index)))
    return result
