# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""User input → `ContainerSpec`. Every error is an `OptionError` naming the option (and item).

The `parse_*` helpers take one item in the short string syntaxes shared by the Docker CLI,
community.docker's docker_container and Compose, so the compose engine can reuse them.
`spec_from_params` maps the `container` module's options (docker_container names) to a spec.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from typing import Any, Iterable, Optional

from ..units import parse_duration_ns, parse_size_bytes
from .spec import (
    MOUNT_TYPES, RESTART_POLICIES, ContainerSpec, Device, Healthcheck, Mount, NetworkAttachment,
    PortBinding, Ulimit,
)


class OptionError(ValueError):
    """Invalid user input; the message starts with the option's name (`published_ports[0]: ...`)."""

    def __init__(self, option: str, problem: str) -> None:
        self.option = option
        super().__init__("%s: %s" % (option, problem))


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

_VOLUME_MODES = {"ro", "rw", "z", "Z", "nocopy", "rprivate", "private", "rshared", "shared", "rslave", "slave",
                 "consistent", "cached", "delegated"}
_PROPAGATIONS = ("rprivate", "private", "rshared", "shared", "rslave", "slave")


def _is_host_path(source: str) -> bool:
    return source.startswith(("/", ".", "~"))


def parse_volume(text: Any, option: str = "volumes") -> Mount:
    """'/target' (anonymous volume), 'name:/target[:mode]' or '/host:/target[:mode]'."""
    if not isinstance(text, str) or not text.strip():
        raise OptionError(option, "expected 'source:/target[:mode]' or '/target', got %r" % (text,))
    parts = text.strip().split(":")
    if len(parts) == 1:
        if not parts[0].startswith("/"):
            raise OptionError(option, "%r has no target path (expected 'source:/target[:mode]' or '/target')" % text)
        target, source, modes = parts[0], "", []
    elif len(parts) == 2:
        if parts[1].startswith("/"):
            source, target, modes = parts[0], parts[1], []
        else:
            raise OptionError(option, "%r has no target path (expected 'source:/target[:mode]')" % text)
    elif len(parts) == 3:
        source, target, modes = parts[0], parts[1], parts[2].split(",")
    else:
        raise OptionError(option, "%r has too many ':' fields (expected 'source:/target[:mode]')" % text)
    if not target.startswith("/"):
        raise OptionError(option, "target %r in %r must be an absolute path" % (target, text))
    for mode in modes:
        if mode not in _VOLUME_MODES:
            raise OptionError(option, "unknown mode %r in %r" % (mode, text))
    kind = "bind" if _is_host_path(source) else "volume"
    if source and kind == "bind" and source.startswith("~"):
        raise OptionError(option, "use an absolute host path instead of %r" % source)
    propagation = next((m for m in modes if m in _PROPAGATIONS), None)
    selinux = next((m for m in modes if m in ("z", "Z")), None)
    if kind == "volume" and (propagation or selinux):
        raise OptionError(option, "%r: propagation and SELinux modes apply to bind mounts only" % text)
    return Mount(target=_clean_path(target), type=kind, source=_clean_path(source) if kind == "bind" else source,
                 read_only="ro" in modes, propagation=propagation, selinux_label=selinux,
                 no_copy="nocopy" in modes)


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
        retries = _int(retries, option + ".retries", minimum=0)
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
    return Ulimit(str(name), _int(soft, option, minimum=-1), _int(hard, option, minimum=-1))


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
        if not key.strip() or " " in key.strip():
            raise OptionError(option, "line %d: %r is not KEY=VALUE" % (number, line))
        if sep:
            env[key.strip()] = value
    return env


def _int(value: Any, option: str, minimum: Optional[int] = None) -> int:
    if isinstance(value, bool):
        raise OptionError(option, "expected an integer, got %r" % (value,))
    try:
        number = int(str(value).strip())
    except ValueError:
        raise OptionError(option, "expected an integer, got %r" % (value,))
    if minimum is not None and number < minimum:
        raise OptionError(option, "must be %d or more, got %d" % (minimum, number))
    return number


def _size(value: Any, option: str, allow_unlimited: bool = False) -> Optional[int]:
    if value is None or value == "":
        return None
    if allow_unlimited and str(value).strip() in ("-1", "unlimited"):
        return -1
    try:
        return parse_size_bytes(value)
    except ValueError as exc:
        raise OptionError(option, str(exc))


def _str_dict(value: Optional[dict], option: str) -> Optional[dict[str, str]]:
    """Values stringified; booleans rejected, because YAML's yes/True/true would not survive."""
    if value is None:
        return None
    result = {}
    for key, item in value.items():
        if isinstance(item, bool):
            raise OptionError("%s.%s" % (option, key), "quote the boolean %r so its exact text is kept" % item)
        if item is None:
            item = ""
        if isinstance(item, (dict, list)):
            raise OptionError("%s.%s" % (option, key), "expected a string, got %r" % (item,))
        result[str(key)] = str(item)
    return result


def _str_tuple(value: Optional[Iterable[Any]]) -> Optional[tuple[str, ...]]:
    return None if value is None else tuple(str(v) for v in value)


def _command(value: Any, option: str) -> Optional[tuple[str, ...]]:
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


def _items(values: Optional[list], option: str, parse: Any) -> list:
    result = []
    for index, value in enumerate(values or ()):
        result.append(parse(value, "%s[%d]" % (option, index)))
    return result


# ---------------------------------------------------------------- module options → spec

def _ports(values: Optional[list]) -> tuple[Optional[tuple[PortBinding, ...]], Optional[bool]]:
    if values is None:
        return None, None
    bindings: list[PortBinding] = []
    publish_all = None
    for index, value in enumerate(values):
        if str(value).strip() == "all":
            publish_all = True
            continue
        bindings.extend(parse_port(value, "published_ports[%d]" % index))
    seen = set()
    for binding in bindings:
        key = (binding.host_ip, binding.host_port, binding.protocol)
        if binding.host_port and key in seen:
            raise OptionError("published_ports", "host port %s/%s is published twice" % (binding.host_port, binding.protocol))
        seen.add(key)
    return tuple(sorted(set(bindings), key=_binding_order)), publish_all


def _binding_order(binding: PortBinding) -> tuple:
    return (binding.container_port, binding.protocol, binding.host_ip, binding.host_port)


def _mounts(params: dict[str, Any]) -> Optional[tuple[Mount, ...]]:
    if params.get("volumes") is None and params.get("mounts") is None and params.get("tmpfs") is None:
        return None
    mounts = (_items(params.get("volumes"), "volumes", parse_volume)
              + _items(params.get("mounts"), "mounts", parse_mount)
              + _items(params.get("tmpfs"), "tmpfs", parse_tmpfs))
    targets: dict[str, int] = {}
    for mount in mounts:
        if mount.target in targets:
            raise OptionError("volumes", "two mounts have the target %s" % mount.target)
        targets[mount.target] = 1
    return tuple(sorted(mounts, key=lambda m: m.target))


def _restart(params: dict[str, Any]) -> tuple[Optional[str], Optional[int]]:
    policy = params.get("restart_policy")
    if policy is not None and policy not in RESTART_POLICIES:
        raise OptionError("restart_policy", "%r is not one of %s" % (policy, ", ".join(RESTART_POLICIES)))
    retries = params.get("restart_retries")
    if retries is not None:
        retries = _int(retries, "restart_retries", minimum=0)
        if policy not in (None, "on-failure"):
            raise OptionError("restart_retries", "applies only with restart_policy on-failure")
    return policy, retries


def _networks(params: dict[str, Any]) -> Optional[tuple[NetworkAttachment, ...]]:
    values = params.get("networks")
    if values is None:
        return None
    networks = _items(values, "networks", parse_network)
    names = [n.name for n in networks]
    if len(set(names)) != len(names):
        raise OptionError("networks", "a network is listed twice")
    mode = params.get("network_mode")
    if networks and mode and (mode in ("host", "none") or mode.startswith("container:")):
        raise OptionError("networks", "cannot join networks with network_mode %s" % mode)
    if networks and mode and mode != networks[0].name:
        # network_mode names the primary network: keep it first so it is joined at create.
        primary = [n for n in networks if n.name == mode]
        networks = primary + [n for n in networks if n.name != mode]
    return tuple(networks)


def _cpus(value: Any) -> Optional[int]:
    if value is None:
        return None
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise OptionError("cpus", "expected a number of CPUs like 0.5, got %r" % (value,))
    if cpus <= 0:
        raise OptionError("cpus", "must be more than 0, got %r" % (value,))
    return int(round(cpus * 1e9))


def spec_from_params(params: dict[str, Any], env_file_text: Optional[str] = None) -> ContainerSpec:
    """The `container` module's options (community.docker docker_container names) → spec.
    `env_file_text` is the content of `env_file` (read by the caller); `env` wins over it."""
    if not params.get("name"):
        raise OptionError("name", "is required")
    if not params.get("image"):
        raise OptionError("image", "is required to create the container")
    env = None
    if env_file_text is not None:
        env = parse_env_file(env_file_text)
    if params.get("env") is not None:
        env = dict(env or {}, **_str_dict(params["env"], "env"))  # type: ignore[arg-type]
    ports, publish_all = _ports(params.get("published_ports"))
    exposed = None
    if params.get("exposed_ports") is not None:
        exposed = tuple(sorted({p for i, v in enumerate(params["exposed_ports"])
                                for p in parse_exposed_port(v, "exposed_ports[%d]" % i)}))
    policy, retries = _restart(params)
    healthcheck = parse_healthcheck(params["healthcheck"]) if params.get("healthcheck") is not None else None
    memory_swap = _size(params.get("memory_swap"), "memory_swap", allow_unlimited=True)
    memory = _size(params.get("memory"), "memory")
    if memory_swap not in (None, -1) and memory is not None and memory_swap < memory:  # type: ignore[operator]
        raise OptionError("memory_swap", "must be at least memory (it is memory plus swap)")
    if params.get("pids_limit") is not None:
        _int(params["pids_limit"], "pids_limit", minimum=-1)
    if params.get("stop_timeout") is not None:
        _int(params["stop_timeout"], "stop_timeout", minimum=0)
    etc_hosts = _str_dict(params.get("etc_hosts"), "etc_hosts")
    for host, address in (etc_hosts or {}).items():
        try:
            ipaddress.ip_address(address)
        except ValueError:
            if address != "host-gateway":
                raise OptionError("etc_hosts.%s" % host, "%r is not an IP address" % address)
    log_options = _str_dict(params.get("log_options"), "log_options")
    from .parse_resources import resource_fields  # imports this module's OptionError
    resources = resource_fields(params)
    return ContainerSpec(
        name=params["name"],
        image=params["image"],
        command=_command(params.get("command"), "command"),
        entrypoint=_command(params.get("entrypoint"), "entrypoint"),
        env=env,
        labels=_str_dict(params.get("labels"), "labels"),
        published_ports=ports,
        publish_all_ports=publish_all,
        exposed_ports=exposed,
        mounts=_mounts(params),
        networks=_networks(params),
        network_mode=params.get("network_mode") or None,
        restart_policy=policy,
        restart_retries=retries,
        healthcheck=healthcheck,
        memory=memory,
        memory_reservation=_size(params.get("memory_reservation"), "memory_reservation"),
        memory_swap=memory_swap,
        nano_cpus=_cpus(params.get("cpus")),
        cpu_shares=None if params.get("cpu_shares") is None else _int(params["cpu_shares"], "cpu_shares", 0),
        pids_limit=None if params.get("pids_limit") is None else int(params["pids_limit"]),
        log_driver=params.get("log_driver") or None,
        log_options=log_options,
        user=params.get("user"),
        working_dir=params.get("working_dir"),
        hostname=params.get("hostname"),
        domainname=params.get("domainname"),
        etc_hosts=etc_hosts,
        dns_servers=_str_tuple(params.get("dns_servers")),
        dns_search=_str_tuple(params.get("dns_search_domains")),
        dns_opts=_str_tuple(params.get("dns_opts")),
        cap_add=_caps(params.get("capabilities")),
        cap_drop=_caps(params.get("cap_drop")),
        privileged=params.get("privileged"),
        devices=None if params.get("devices") is None else tuple(_items(params["devices"], "devices", parse_device)),
        ulimits=None if params.get("ulimits") is None else tuple(
            sorted(_items(params["ulimits"], "ulimits", parse_ulimit), key=lambda u: u.name)),
        sysctls=_str_dict(params.get("sysctls"), "sysctls"),
        read_only=params.get("read_only"),
        init=params.get("init"),
        security_opts=_str_tuple(params.get("security_opts")),
        shm_size=_size(params.get("shm_size"), "shm_size"),
        stop_timeout=None if params.get("stop_timeout") is None else int(params["stop_timeout"]),
        stop_signal=params.get("stop_signal") or None,
        auto_remove=params.get("auto_remove"),
        tty=params.get("tty"),
        stdin_open=params.get("interactive"),
        **resources,
    )


def _caps(values: Optional[list]) -> Optional[tuple[str, ...]]:
    """Capabilities as the engine reports them: upper case with the CAP_ prefix."""
    if values is None:
        return None
    caps = set()
    for value in values:
        name = str(value).strip().upper()
        caps.add(name if name == "ALL" or name.startswith("CAP_") else "CAP_" + name)
    return tuple(sorted(caps))
