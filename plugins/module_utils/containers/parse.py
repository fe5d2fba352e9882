# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The short syntaxes of container settings, one item at a time. Every error is an `OptionError`
naming the option (and item).

The `parse_*` helpers take one item in the string syntaxes shared by the Docker CLI,
community.docker's docker_container and Compose, so the compose engine can reuse them; the
`parse_int`/`parse_size`/`string_dict`/... helpers read one value. The option registry
(options*.py) maps the `container` module's options to a spec with them.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from typing import Any, Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.values import (
    MOUNT_TYPES, Device, Healthcheck, Mount, NetworkAttachment, PortBinding, Ulimit,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.units import parse_duration_ns, parse_size_bytes


# ---------------------------------------------------------------- ports

_PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


def _port_range(text: str, option: str, what: str) -> list[int]:
    match = _PORT_RANGE.match(text.strip())
    if not match:
        raise OptionError(option, "%s %r is not a port or a port range" % (what, text))
    first = int(match.group(1))
    last = int(match.group(2) or first)
    for port in (first, last):
        if not 1 <= port <= 65535:
            raise OptionError(option, "%s %d is out of range (1-65535)" % (what, port))
    if last < first:
        raise OptionError(option, "%s range %r ends before it starts" % (what, text))
    return list(range(first, last + 1))


def _split_host_ip(text: str, option: str) -> tuple[str, str]:
    """'[::1]:80:8080' / '127.0.0.1:80:8080' / '80:8080' / '8080' → (host_ip, rest)."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or text[end + 1:end + 2] != ":":
            raise OptionError(option, "unterminated IPv6 address in %r" % text)
        return text[1:end], text[end + 2:]
    parts = text.split(":")
    if len(parts) == 3:
        return parts[0], parts[1] + ":" + parts[2]
    if len(parts) > 3:  # bare IPv6 host ip: everything before the last two fields
        return ":".join(parts[:-2]), parts[-2] + ":" + parts[-1]
    return "", text


def parse_port(text: Any, option: str = "published_ports") -> list[PortBinding]:
    """'[ip:][host[-range]:]container[-range][/proto]' → bindings (ranges expanded pairwise)."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not text.strip():
        raise OptionError(option, "expected a port string like '127.0.0.1:8080:80/tcp', got %r" % (text,))
    body, _sep, protocol = text.strip().partition("/")
    protocol = (protocol or "tcp").lower()
    if protocol not in ("tcp", "udp", "sctp"):
        raise OptionError(option, "unknown protocol %r in %r (tcp, udp or sctp)" % (protocol, text))
    host_ip, rest = _split_host_ip(body, option)
    if host_ip:
        try:
            ipaddress.ip_address(host_ip)
        except ValueError:
            raise OptionError(option, "%r is not an IP address (in %r)" % (host_ip, text))
    host_part, _sep, container_part = rest.rpartition(":")
    container_ports = _port_range(container_part, option, "container port")
    if not host_part:
        return [PortBinding(port, protocol, host_ip, "") for port in container_ports]
    host_ports = _port_range(host_part, option, "host port")
    if len(container_ports) == 1 and len(host_ports) > 1:
        # One container port, a host range: the engine picks a free host port from the range.
        return [PortBinding(container_ports[0], protocol, host_ip, host_part.strip())]
    if len(host_ports) != len(container_ports):
        raise OptionError(option, "host and container port ranges differ in length in %r" % text)
    return [PortBinding(c, protocol, host_ip, str(h)) for h, c in zip(host_ports, container_ports)]


def parse_exposed_port(text: Any, option: str = "exposed_ports") -> list[str]:
    text = str(text).strip()
    body, _sep, protocol = text.partition("/")
    protocol = (protocol or "tcp").lower()
    if protocol not in ("tcp", "udp", "sctp"):
        raise OptionError(option, "unknown protocol %r in %r" % (protocol, text))
    return ["%d/%s" % (port, protocol) for port in _port_range(body, option, "port")]


# ---------------------------------------------------------------- mounts

_PROPAGATIONS = ("rprivate", "private", "rshared", "shared", "rslave", "slave")
_SELINUX_LABELS = ("z", "Z")
# Accepted for compatibility and dropped: the engine on Linux accepts and ignores them.
_CONSISTENCY_MODES = ("consistent", "cached", "delegated")
_VOLUME_MODES = ("ro", "rw", "nocopy") + _PROPAGATIONS + _SELINUX_LABELS + _CONSISTENCY_MODES


def _is_host_path(source: str) -> bool:
    return source.startswith(("/", ".", "~"))


def _volume_modes(field_text: str, kind: str, text: str, option: str) -> dict[str, Any]:
    """The comma separated mode field of 'source:/target:mode' → Mount keyword arguments, refusing
    what the engine would refuse at create (`ro,rw`, two propagations, `nocopy` on a bind,
    propagation on a volume), so the error names the option before any write."""
    modes = field_text.split(",") if field_text else []
    for mode in modes:
        if mode not in _VOLUME_MODES:
            raise OptionError(option, "unknown mode %r in %r (known: %s)" % (mode, text, ", ".join(_VOLUME_MODES)))
    if len(set(modes)) != len(modes):
        raise OptionError(option, "a mode is given twice in %r" % text)
    groups = (("ro", "rw"), _PROPAGATIONS, _SELINUX_LABELS, _CONSISTENCY_MODES)
    for group in groups:
        chosen = [m for m in modes if m in group]
        if len(chosen) > 1:
            raise OptionError(option, "%s exclude each other in %r" % (" and ".join(chosen), text))
    propagation = next((m for m in modes if m in _PROPAGATIONS), None)
    if kind == "volume" and propagation:
        raise OptionError(option, "%r: propagation applies to bind mounts only" % text)
    if kind == "bind" and "nocopy" in modes:
        raise OptionError(option, "%r: nocopy applies to volumes only" % text)
    return dict(read_only="ro" in modes, propagation=propagation, no_copy="nocopy" in modes,
                selinux_label=next((m for m in modes if m in _SELINUX_LABELS), None))


def parse_volume(text: Any, option: str = "volumes") -> Mount:
    """'/target' (anonymous volume), 'name:/target[:mode]' or '/host:/target[:mode]'; mode is
    comma separated: ro|rw, nocopy (volume), propagation (bind), z|Z (SELinux relabel)."""
    if not isinstance(text, str) or not text.strip():
        raise OptionError(option, "expected 'source:/target[:mode]' or '/target', got %r" % (text,))
    parts = text.strip().split(":")
    if len(parts) == 1:
        if not parts[0].startswith("/"):
            raise OptionError(option, "%r has no target path (expected 'source:/target[:mode]' or '/target')" % text)
        target, source, mode_field = parts[0], "", ""
    elif len(parts) == 2:
        if parts[1].startswith("/"):
            source, target, mode_field = parts[0], parts[1], ""
        else:
            raise OptionError(option, "%r has no target path (expected 'source:/target[:mode]')" % text)
    elif len(parts) == 3:
        source, target, mode_field = parts
    else:
        raise OptionError(option, "%r has too many ':' fields (expected 'source:/target[:mode]', modes"
                                  " separated by commas as in 'ro,Z')" % text)
    if not target.startswith("/"):
        raise OptionError(option, "target %r in %r must be an absolute path" % (target, text))
    kind = "bind" if _is_host_path(source) else "volume"
    if source and kind == "bind" and source.startswith("~"):
        raise OptionError(option, "use an absolute host path instead of %r" % source)
    if kind == "bind" and not source.startswith("/"):
        raise OptionError(option, "use an absolute host path instead of %r" % source)
    return Mount(target=_clean_path(target), type=kind, source=_clean_path(source) if kind == "bind" else source,
                 **_volume_modes(mode_field, kind, text, option))


def _clean_path(path: str) -> str:
    return path.rstrip("/") or "/" if path else path


def parse_mount(item: Any, option: str = "mounts") -> Mount:
    """A dict with docker_container's mount keys: target, source, type, read_only, propagation,
    no_copy, volume_driver, volume_options, tmpfs_size, tmpfs_mode."""
    if not isinstance(item, dict):
        raise OptionError(option, "expected a dictionary with at least 'target'")
    target = item.get("target")
    if not target or not str(target).startswith("/"):
        raise OptionError(option + ".target", "an absolute path is required, got %r" % (target,))
    kind = item.get("type") or "volume"
    if kind not in MOUNT_TYPES:
        raise OptionError(option + ".type", "%r is not one of %s" % (kind, ", ".join(MOUNT_TYPES)))
    source = item.get("source") or ""
    if kind == "bind" and not str(source).startswith("/"):
        raise OptionError(option + ".source", "a bind mount needs an absolute host path, got %r" % (source,))
    if kind == "tmpfs" and source:
        raise OptionError(option + ".source", "a tmpfs mount has no source")
    propagation = item.get("propagation")
    if propagation is not None and propagation not in _PROPAGATIONS:
        raise OptionError(option + ".propagation", "%r is not one of %s" % (propagation, ", ".join(_PROPAGATIONS)))
    tmpfs_size = item.get("tmpfs_size")
    tmpfs_mode = item.get("tmpfs_mode")
    try:
        size = parse_size_bytes(tmpfs_size) if tmpfs_size not in (None, "") else None
    except ValueError as exc:
        raise OptionError(option + ".tmpfs_size", str(exc))
    mode = None
    if tmpfs_mode not in (None, ""):
        try:
            mode = int(str(tmpfs_mode), 8)
        except ValueError:
            raise OptionError(option + ".tmpfs_mode", "%r is not an octal mode like 1777" % (tmpfs_mode,))
    options = item.get("volume_options") or {}
    return Mount(
        target=_clean_path(str(target)), type=kind,
        source=_clean_path(str(source)) if kind == "bind" else str(source),
        # as `docker run --mount`: a bind's host path must exist (the `volumes` syntax creates it)
        source_must_exist=kind == "bind",
        read_only=bool(item.get("read_only")), propagation=propagation,
        no_copy=bool(item.get("no_copy")), volume_driver=item.get("volume_driver") or None,
        volume_options=tuple(sorted((str(k), str(v)) for k, v in options.items())),
        tmpfs_size=size, tmpfs_mode=mode,
    )


def parse_tmpfs(text: Any, option: str = "tmpfs") -> Mount:
    """'/path[:size=64m,mode=1777,ro]'."""
    text = str(text).strip()
    target, _sep, opts = text.partition(":")
    if not target.startswith("/"):
        raise OptionError(option, "%r must start with an absolute path" % text)
    size = mode = None
    read_only = False
    for opt in filter(None, opts.split(",")):
        key, _sep, value = opt.partition("=")
        try:
            if key == "size":
                size = parse_size_bytes(value)
            elif key == "mode":
                mode = int(value, 8)
            elif key == "ro":
                read_only = True
            elif key != "rw":
                raise ValueError("unknown tmpfs option %r" % key)
        except ValueError as exc:
            raise OptionError(option, "%s (in %r)" % (exc, text))
    return Mount(target=_clean_path(target), type="tmpfs", read_only=read_only, tmpfs_size=size, tmpfs_mode=mode)


# ---------------------------------------------------------------- other items

def parse_healthcheck(item: Any, option: str = "healthcheck") -> Healthcheck:
    """dict(test, interval, timeout, retries, start_period); test as string (shell form), list
    (exec form, 'CMD' added unless it starts with CMD/CMD-SHELL/NONE) or ['NONE'] to disable."""
    if not isinstance(item, dict):
        raise OptionError(option, "expected a dictionary")
    test_in = item.get("test")
    if test_in is None or test_in == "" or test_in == []:
        test: tuple[str, ...] = ()
    elif isinstance(test_in, str):
        test = ("NONE",) if test_in.strip() == "NONE" else ("CMD-SHELL", test_in)
    elif isinstance(test_in, (list, tuple)):
        test = tuple(str(part) for part in test_in)
        if test[0] not in ("CMD", "CMD-SHELL", "NONE"):
            test = ("CMD",) + test
    else:
        raise OptionError(option + ".test", "expected a string or a list, got %r" % (test_in,))
    durations = {}
    for key in ("interval", "timeout", "start_period"):
        value = item.get(key)
        if value in (None, ""):
            durations[key] = None
            continue
        try:
            durations[key] = parse_duration_ns(value)
        except ValueError as exc:
            raise OptionError("%s.%s" % (option, key), str(exc))
        if durations[key] < 0:
            raise OptionError("%s.%s" % (option, key), "must not be negative")
    retries = item.get("retries")
    if retries is not None:
        retries = parse_int(retries, option + ".retries", minimum=0)
    if test == ("NONE",):
        return Healthcheck(test=test)
    return Healthcheck(test=test, interval_ns=durations["interval"], timeout_ns=durations["timeout"],
                       retries=retries, start_period_ns=durations["start_period"])


def parse_ulimit(item: Any, option: str = "ulimits") -> Ulimit:
    """'nofile:1024[:2048]' or dict(name, soft, hard)."""
    if isinstance(item, dict):
        name, soft, hard = item.get("name"), item.get("soft"), item.get("hard", item.get("soft"))
    else:
        parts = str(item).split(":")
        if len(parts) not in (2, 3):
            raise OptionError(option, "%r is not 'name:soft[:hard]'" % (item,))
        name, soft, hard = parts[0], parts[1], parts[-1]
    if not name:
        raise OptionError(option, "a ulimit needs a name")
    return Ulimit(str(name), parse_int(soft, option, minimum=-1), parse_int(hard, option, minimum=-1))


def parse_device(item: Any, option: str = "devices") -> Device:
    """'/dev/host[:/dev/container[:rwm]]'."""
    parts = str(item).split(":")
    if not parts[0].startswith("/") or len(parts) > 3:
        raise OptionError(option, "%r is not '/dev/host[:/dev/container[:permissions]]'" % (item,))
    inside = parts[1] if len(parts) > 1 and parts[1].startswith("/") else parts[0]
    perms = parts[-1] if len(parts) > 1 and not parts[-1].startswith("/") else "rwm"
    if not perms or set(perms) - set("rwm"):
        raise OptionError(option, "permissions %r in %r must be made of r, w, m" % (perms, item))
    return Device(parts[0], inside, perms)


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
    return NetworkAttachment(
        name=str(item["name"]), aliases=tuple(sorted(set(str(a) for a in item.get("aliases") or ()))),
        ipv4_address=item.get("ipv4_address") or None, ipv6_address=item.get("ipv6_address") or None,
        links=tuple(sorted(links)),
    )


def parse_env_file(text: str, option: str = "env_file") -> dict[str, str]:
    """KEY=VALUE lines; blank lines and '#' comments skipped; a bare KEY is skipped (not set)."""
    env = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not key.strip() or " " in key.strip():  # the line may hold a secret: not quoted
            raise OptionError(option, "line %d is not KEY=VALUE (a name without spaces before the first '=')" % number)
        if sep:
            env[key.strip()] = value
    return env


def parse_int(value: Any, option: str, minimum: Optional[int] = None) -> int:
    if isinstance(value, bool):
        raise OptionError(option, "expected an integer, got %r" % (value,))
    try:
        number = int(str(value).strip())
    except ValueError:
        raise OptionError(option, "expected an integer, got %r" % (value,))
    if minimum is not None and number < minimum:
        raise OptionError(option, "must be %d or more, got %d" % (minimum, number))
    return number


def parse_size(value: Any, option: str, allow_unlimited: bool = False) -> Optional[int]:
    if value is None or value == "":
        return None
    if allow_unlimited and str(value).strip() in ("-1", "unlimited"):
        return -1
    try:
        return parse_size_bytes(value)
    except ValueError as exc:
        raise OptionError(option, str(exc))


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
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise OptionError(option, str(exc))
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    raise OptionError(option, "expected a string or a list, got %r" % (value,))


def parse_items(values: Optional[list], option: str, parse: Any) -> list:
    result = []
    for index, value in enumerate(values or ()):
        result.append(parse(value, "%s[%d]" % (option, index)))
    return result
