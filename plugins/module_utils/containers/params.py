# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `container` module's options (community.docker docker_container names) → `ContainerSpec`,
built from the short-syntax parsers in parse.py. Every error is an `OptionError` naming the option."""

from __future__ import annotations

import ipaddress
from typing import Any, Optional

from ..errors import OptionError
from .parse import (
    parse_command, parse_device, parse_env_file, parse_exposed_port, parse_healthcheck, parse_int, parse_items,
    parse_mount, parse_network, parse_port, parse_size, parse_tmpfs, parse_ulimit, parse_volume, string_dict,
    string_tuple,
)
from .parse_resources import resource_fields
from .spec import RESTART_POLICIES, ContainerSpec, Mount, NetworkAttachment, PortBinding


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
    mounts = (parse_items(params.get("volumes"), "volumes", parse_volume)
              + parse_items(params.get("mounts"), "mounts", parse_mount)
              + parse_items(params.get("tmpfs"), "tmpfs", parse_tmpfs))
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
        retries = parse_int(retries, "restart_retries", minimum=0)
        if policy not in (None, "on-failure"):
            raise OptionError("restart_retries", "applies only with restart_policy on-failure")
    return policy, retries


def _networks(params: dict[str, Any]) -> Optional[tuple[NetworkAttachment, ...]]:
    values = params.get("networks")
    if values is None:
        return None
    networks = parse_items(values, "networks", parse_network)
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
        env = dict(env or {}, **string_dict(params["env"], "env"))  # type: ignore[arg-type]
    if params.get("secret_env"):
        both = sorted(set(params.get("env") or {}) & set(params["secret_env"]))
        if both:
            raise OptionError("secret_env.%s" % both[0], "is also in env; give each variable once")
        env = dict(env or {}, **string_dict(params["secret_env"], "secret_env"))  # type: ignore[arg-type]
    ports, publish_all = _ports(params.get("published_ports"))
    exposed = None
    if params.get("exposed_ports") is not None:
        exposed = tuple(sorted({p for i, v in enumerate(params["exposed_ports"])
                                for p in parse_exposed_port(v, "exposed_ports[%d]" % i)}))
    policy, retries = _restart(params)
    healthcheck = parse_healthcheck(params["healthcheck"]) if params.get("healthcheck") is not None else None
    memory_swap = parse_size(params.get("memory_swap"), "memory_swap", allow_unlimited=True)
    memory = parse_size(params.get("memory"), "memory")
    if memory_swap not in (None, -1) and memory is not None and memory_swap < memory:  # type: ignore[operator]
        raise OptionError("memory_swap", "must be at least memory (it is memory plus swap)")
    if params.get("pids_limit") is not None:
        parse_int(params["pids_limit"], "pids_limit", minimum=-1)
    if params.get("stop_timeout") is not None:
        parse_int(params["stop_timeout"], "stop_timeout", minimum=0)
    etc_hosts = string_dict(params.get("etc_hosts"), "etc_hosts")
    for host, address in (etc_hosts or {}).items():
        try:
            ipaddress.ip_address(address)
        except ValueError:
            if address != "host-gateway":
                raise OptionError("etc_hosts.%s" % host, "%r is not an IP address" % address)
    log_options = string_dict(params.get("log_options"), "log_options")
    resources = resource_fields(params)
    return ContainerSpec(
        name=params["name"],
        image=params["image"],
        command=parse_command(params.get("command"), "command"),
        entrypoint=parse_command(params.get("entrypoint"), "entrypoint"),
        env=env,
        labels=string_dict(params.get("labels"), "labels"),
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
        memory_reservation=parse_size(params.get("memory_reservation"), "memory_reservation"),
        memory_swap=memory_swap,
        nano_cpus=_cpus(params.get("cpus")),
        cpu_shares=None if params.get("cpu_shares") is None else parse_int(params["cpu_shares"], "cpu_shares", 0),
        pids_limit=None if params.get("pids_limit") is None else int(params["pids_limit"]),
        log_driver=params.get("log_driver") or None,
        log_options=log_options,
        user=params.get("user"),
        working_dir=params.get("working_dir"),
        hostname=params.get("hostname"),
        domainname=params.get("domainname"),
        etc_hosts=etc_hosts,
        dns_servers=string_tuple(params.get("dns_servers")),
        dns_search=string_tuple(params.get("dns_search_domains")),
        dns_opts=string_tuple(params.get("dns_opts")),
        cap_add=_caps(params.get("capabilities")),
        cap_drop=_caps(params.get("cap_drop")),
        privileged=params.get("privileged"),
        devices=None if params.get("devices") is None else tuple(parse_items(params["devices"], "devices", parse_device)),
        ulimits=None if params.get("ulimits") is None else tuple(
            sorted(parse_items(params["ulimits"], "ulimits", parse_ulimit), key=lambda u: u.name)),
        sysctls=string_dict(params.get("sysctls"), "sysctls"),
        read_only=params.get("read_only"),
        init=params.get("init"),
        security_opts=string_tuple(params.get("security_opts")),
        shm_size=parse_size(params.get("shm_size"), "shm_size"),
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
