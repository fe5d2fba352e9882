# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service options with a syntax of their own (short and long forms) → model objects:
ports, volumes, healthcheck, depends_on, networks, secrets/configs, build, deploy, ulimits, ...
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import shlex
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.load import files
from ansible_collections.goship.containers.plugins.module_utils.compose.load.validate import (
    as_bool, as_duration, as_enum, as_float, as_int, as_list, as_mapping, as_scalar_str, as_size, as_str,
    as_str_dict, as_str_list, check_keys, fail, mapping_with, type_name,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.model import (
    BindOptions, BuildConfig, Deploy, DependsOn, FileReference, Healthcheck, Logging, Mount, PortConfig,
    ResourceSpec, RestartPolicy, ServiceNetwork, TmpfsOptions, Ulimit, UpdateConfig, VolumeOptions,
)


def parse_command(value: Any, path: str) -> Optional[list[str]]:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as exc:
            return fail(path, "cannot split %r into words: %s" % (value, exc))
    return as_str_list(value, path, scalars=True)


_PORT_NUMBERS = re.compile(r"^\d+(?:-\d+)?$")


def _split_port_spec(spec: str, path: str) -> tuple[Optional[str], str, str, str]:
    """`[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` → (ip, published, target, protocol).
    IPv6 host addresses may be bracketed (`[::1]:80:80`) or not (`::1:80:80`)."""
    body, _slash, protocol = spec.strip().partition("/")
    ip: Optional[str] = None
    if body.startswith("["):
        address, bracket, rest = body[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            fail(path, "invalid port spec %r: unclosed '[' around the host IP" % spec)
        ip, body = address, rest[1:]
        parts = body.split(":")
        if len(parts) == 1:
            parts.insert(0, "")
    else:
        parts = body.split(":")
        if len(parts) > 2:
            ip, parts = ":".join(parts[:-2]), parts[-2:]
    if len(parts) == 1:
        parts.insert(0, "")
    if len(parts) != 2:
        fail(path, "invalid port spec %r (expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])" % spec)
    published, target = parts
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            fail(path, "invalid host IP %r in port spec %r" % (ip, spec))
    if not _PORT_NUMBERS.match(target) or (published and not _PORT_NUMBERS.match(published)):
        fail(path, "invalid port spec %r (expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])" % spec)
    return ip or None, published, target, protocol or "tcp"


def _port_range(text: str, path: str) -> list[int]:
    start, end = (text.split("-", 1) + [""])[:2]
    first = int(start)
    last = int(end) if end else first
    if not 0 <= first <= 65535 or not 0 <= last <= 65535 or last < first:
        fail(path, "invalid port or port range %r" % text)
    return list(range(first, last + 1))


def parse_ports(value: Any, path: str) -> list[PortConfig]:
    result: list[PortConfig] = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        if isinstance(item, dict):
            result.append(_long_port(item, where))
            continue
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            fail(where, "must be a port spec string like \"8000:80\", a number or a mapping, not %s" % type_name(item))
        result.extend(_short_ports(str(item), where))
    return result


def _short_ports(spec: str, path: str) -> list[PortConfig]:
    ip, published_text, target_text, protocol = _split_port_spec(spec, path)
    if protocol not in ("tcp", "udp", "sctp"):
        fail(path, "invalid protocol %r in %r (tcp, udp or sctp)" % (protocol, spec))
    targets = _port_range(target_text, path)
    if not published_text:
        return [PortConfig(target=t, host_ip=ip, protocol=protocol) for t in targets]
    published = _port_range(published_text, path)
    if len(targets) == 1:
        return [PortConfig(target=targets[0], published=published_text, host_ip=ip, protocol=protocol)]
    if len(published) != len(targets):
        fail(path, "port ranges %r and %r differ in length" % (published_text, target_text))
    return [PortConfig(target=t, published=str(p), host_ip=ip, protocol=protocol) for t, p in zip(targets, published)]


def _long_port(item: dict[str, Any], path: str) -> PortConfig:
    check_keys(item, path, ("target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"))
    if "target" not in item:
        fail(path + ".target", "is required")
    target = as_int(item["target"], path + ".target", 0)
    if target > 65535:
        fail(path + ".target", "must be a port number (0-65535), not %d" % target)
    published = item.get("published")
    if published is not None:
        if isinstance(published, bool) or not isinstance(published, (str, int)):
            fail(path + ".published", "must be a port or a port range, not %s" % type_name(published))
        published = str(published)
        if not re.fullmatch(r"\d+(-\d+)?", published):
            fail(path + ".published", "must be a port or a port range, not %r" % published)
        _port_range(published, path + ".published")
    return PortConfig(
        target=target, published=published or None,
        host_ip=as_str(item["host_ip"], path + ".host_ip") if item.get("host_ip") else None,
        protocol=as_enum(item.get("protocol", "tcp"), path + ".protocol", ("tcp", "udp", "sctp")),
        mode=as_enum(item.get("mode", "ingress"), path + ".mode", ("ingress", "host")),
        name=as_str(item["name"], path + ".name") if item.get("name") is not None else None,
        app_protocol=as_str(item["app_protocol"], path + ".app_protocol") if item.get("app_protocol") else None,
    )


_PROPAGATION = ("shared", "slave", "private", "rshared", "rslave", "rprivate")
_CONSISTENCY = ("consistent", "cached", "delegated")


def parse_volumes(value: Any, path: str, volumes: dict[str, Any]) -> list[Mount]:
    result = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        mount = _short_volume(item, where) if isinstance(item, str) else _long_volume(item, where)
        if mount.type == "volume" and mount.source and mount.source not in volumes:
            fail(where, "refers to undefined volume %r (declare it under the top-level volumes)" % mount.source)
        result.append(mount)
    return result


def _short_volume(spec: str, path: str) -> Mount:
    parts = files.split_volume_spec(spec)
    if len(parts) == 1:
        if not parts[0]:
            fail(path, "empty volume spec")
        return Mount(type="volume", target=clean_path(parts[0]), volume=VolumeOptions())
    if len(parts) > 3 or not parts[0] or not parts[1]:
        fail(path, "invalid volume spec %r (expected [SOURCE:]TARGET[:MODE])" % spec)
    source, target = parts[0], parts[1]
    if not target.startswith("/") and not re.match(r"^[a-zA-Z]:[\\/]", target):
        fail(path, "invalid volume spec %r: the container path %r must be absolute" % (spec, target))
    is_bind = source.startswith("/") or files.is_local_path(source)
    mount = Mount(type="bind" if is_bind else "volume", source=source, target=clean_path(target))
    if is_bind:
        mount.bind = BindOptions(create_host_path=True)
    else:
        mount.volume = VolumeOptions()
    for option in (parts[2].split(",") if len(parts) == 3 else []):
        if option == "ro":
            mount.read_only = True
        elif option == "rw":
            mount.read_only = False
        elif option in ("z", "Z") and mount.bind is not None:
            mount.bind.selinux = option
        elif option in _PROPAGATION and mount.bind is not None:
            mount.bind.propagation = option
        elif option == "nocopy" and mount.volume is not None:
            mount.volume.nocopy = True
        elif option in _CONSISTENCY:
            pass  # accepted and, as Compose does for the short syntax, not kept
        else:
            fail(path, "invalid mode %r in volume spec %r" % (option, spec))
    return mount


def clean_path(path: str) -> str:
    """A container path as Compose prints it: cleaned, no trailing slash."""
    if not path.startswith("/"):
        return path
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/")


def _long_volume(item: Any, path: str) -> Mount:
    item = mapping_with(item, path, ("type", "source", "target", "read_only", "consistency", "bind", "volume",
                                     "tmpfs", "image"))
    kind = as_enum(item.get("type"), path + ".type", ("bind", "volume", "tmpfs", "npipe", "cluster", "image"))
    if not item.get("target"):
        fail(path + ".target", "is required")
    mount = Mount(type=kind, target=clean_path(as_str(item["target"], path + ".target")))
    if item.get("source") is not None:
        mount.source = as_str(item["source"], path + ".source")
    if kind == "bind" and not mount.source:
        fail(path + ".source", "is required for a bind mount")
    if kind == "tmpfs" and mount.source:
        fail(path + ".source", "is not allowed for a tmpfs mount")
    if "read_only" in item:
        mount.read_only = as_bool(item["read_only"], path + ".read_only")
    if item.get("consistency") is not None:
        mount.consistency = as_str(item["consistency"], path + ".consistency")
    if item.get("bind") is not None:
        bind = mapping_with(item["bind"], path + ".bind", ("propagation", "create_host_path", "selinux", "recursive"))
        mount.bind = BindOptions(
            propagation=as_enum(bind["propagation"], path + ".bind.propagation", _PROPAGATION)
            if "propagation" in bind else None,
            create_host_path=as_bool(bind.get("create_host_path", False), path + ".bind.create_host_path"),
            selinux=as_enum(bind["selinux"], path + ".bind.selinux", ("z", "Z")) if "selinux" in bind else None,
            recursive=as_str(bind["recursive"], path + ".bind.recursive") if "recursive" in bind else None,
        )
    if item.get("volume") is not None:
        vol = mapping_with(item["volume"], path + ".volume", ("nocopy", "subpath", "labels"))
        mount.volume = VolumeOptions(
            nocopy=as_bool(vol.get("nocopy", False), path + ".volume.nocopy"),
            subpath=as_str(vol["subpath"], path + ".volume.subpath") if "subpath" in vol else None,
            labels=as_str_dict(vol.get("labels") or {}, path + ".volume.labels"),
        )
    if item.get("tmpfs") is not None:
        tmpfs = mapping_with(item["tmpfs"], path + ".tmpfs", ("size", "mode"))
        mount.tmpfs = TmpfsOptions(
            size=as_size(tmpfs["size"], path + ".tmpfs.size") if "size" in tmpfs else None,
            mode=as_int(tmpfs["mode"], path + ".tmpfs.mode") if "mode" in tmpfs else None,
        )
    if item.get("image") is not None:
        mount.image = dict(mapping_with(item["image"], path + ".image", ("subpath",)))
    return mount


def parse_healthcheck(value: Any, path: str) -> Healthcheck:
    item = mapping_with(value, path, ("test", "interval", "timeout", "retries", "start_period", "start_interval",
                                      "disable"))
    check = Healthcheck()
    test = item.get("test")
    if isinstance(test, str):
        check.test = ["CMD-SHELL", test]
    elif test is not None:
        check.test = as_str_list(test, path + ".test")
        if not check.test or check.test[0] not in ("CMD", "CMD-SHELL", "NONE"):
            fail(path + ".test", "a list must start with CMD, CMD-SHELL or NONE, not %r"
                 % (check.test[0] if check.test else "nothing"))
        if check.test[0] != "NONE" and len(check.test) < 2:
            fail(path + ".test", "%s needs a command after it" % check.test[0])
    for name in ("interval", "timeout", "start_period", "start_interval"):
        if item.get(name) is not None:
            setattr(check, name, as_duration(item[name], "%s.%s" % (path, name)))
    if item.get("retries") is not None:
        check.retries = as_int(item["retries"], path + ".retries", 0)
    if "disable" in item:
        check.disable = as_bool(item["disable"], path + ".disable")
        if check.disable and check.test and check.test != ["NONE"]:
            fail(path, "test and disable: true cannot be combined")
    return check


def parse_depends_on(value: Any, path: str) -> dict[str, DependsOn]:
    result: dict[str, DependsOn] = {}
    if isinstance(value, list):
        value = {as_str(name, "%s[%d]" % (path, i)): None for i, name in enumerate(value)}
    for name, item in as_mapping(value, path).items():
        where = "%s.%s" % (path, name)
        dep = DependsOn()
        if item is not None:
            item = mapping_with(item, where, ("condition", "required", "restart"))
            dep.condition = as_enum(item.get("condition", "service_started"), where + ".condition",
                                    ("service_started", "service_healthy", "service_completed_successfully"))
            dep.required = as_bool(item.get("required", True), where + ".required")
            dep.restart = as_bool(item.get("restart", False), where + ".restart")
        result[name] = dep
    return result


def parse_service_networks(value: Any, path: str, networks: dict[str, Any]) -> dict[str, Optional[ServiceNetwork]]:
    if isinstance(value, list):
        value = {as_str(name, "%s[%d]" % (path, i)): None for i, name in enumerate(value)}
    result: dict[str, Optional[ServiceNetwork]] = {}
    for name, item in as_mapping(value, path).items():
        where = "%s.%s" % (path, name)
        if name not in networks and name != "default":
            fail(where, "refers to undefined network %r (declare it under the top-level networks)" % name)
        if item is None:
            result[name] = None
            continue
        item = mapping_with(item, where, ("aliases", "ipv4_address", "ipv6_address", "link_local_ips", "mac_address",
                                          "priority", "gw_priority", "driver_opts", "interface_name"))
        net = ServiceNetwork(
            aliases=as_str_list(item.get("aliases") or [], where + ".aliases"),
            link_local_ips=as_str_list(item.get("link_local_ips") or [], where + ".link_local_ips"),
            driver_opts=as_str_dict(item.get("driver_opts") or {}, where + ".driver_opts"),
        )
        for key in ("ipv4_address", "ipv6_address", "mac_address", "interface_name"):
            if item.get(key) is not None:
                setattr(net, key, as_str(item[key], "%s.%s" % (where, key)))
        for key in ("priority", "gw_priority"):
            if item.get(key) is not None:
                setattr(net, key, as_int(item[key], "%s.%s" % (where, key)))
        result[name] = net
    return result


def parse_file_refs(value: Any, path: str, declared: dict[str, Any], kind: str,
                    default_target: bool = True) -> list[FileReference]:
    result = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        if isinstance(item, str):
            ref = FileReference(source=item)
        else:
            item = mapping_with(item, where, ("source", "target", "uid", "gid", "mode"))
            if not item.get("source"):
                fail(where + ".source", "is required")
            ref = FileReference(source=as_str(item["source"], where + ".source"))
            if item.get("target") is not None:
                ref.target = as_str(item["target"], where + ".target")
            for key in ("uid", "gid"):
                if item.get(key) is not None:
                    setattr(ref, key, as_scalar_str(item[key], "%s.%s" % (where, key)))
            if item.get("mode") is not None:
                mode = item["mode"]
                if isinstance(mode, str) and re.fullmatch(r"0?[0-7]{1,4}", mode):
                    mode = int(mode, 8)
                ref.mode = as_int(mode, where + ".mode", 0)
        if ref.source not in declared:
            fail(where, "refers to undefined %s %r (declare it under the top-level %ss)" % (kind, ref.source, kind))
        if kind == "secret" and ref.target is None and default_target:
            ref.target = "/run/secrets/" + ref.source
        result.append(ref)
    return result


def parse_build(value: Any, path: str, environ: dict[str, str], working_dir: str, secrets: dict[str, Any]) -> BuildConfig:
    if isinstance(value, str):
        value = {"context": value}
    item = mapping_with(value, path, (
        "context", "dockerfile", "dockerfile_inline", "args", "target", "labels", "cache_from", "cache_to",
        "network", "shm_size", "extra_hosts", "additional_contexts", "platforms", "tags", "no_cache", "pull",
        "privileged", "isolation", "secrets", "ssh", "ulimits", "entitlements", "provenance", "sbom"))
    context = item.get("context")
    build = BuildConfig(context=as_str(context, path + ".context") if context is not None else working_dir)
    if item.get("dockerfile") is not None and item.get("dockerfile_inline") is not None:
        fail(path, "dockerfile and dockerfile_inline cannot be combined")
    if item.get("dockerfile_inline") is not None:
        build.dockerfile_inline = as_str(item["dockerfile_inline"], path + ".dockerfile_inline")
    else:
        build.dockerfile = as_str(item.get("dockerfile", "Dockerfile"), path + ".dockerfile")
    args = as_str_dict(item.get("args") or {}, path + ".args", keep_none=True)
    for key, arg in args.items():
        if arg is None and key in environ:
            build.args[key] = environ[key]
        elif arg is not None:
            build.args[key] = arg
    build.labels = as_str_dict(item.get("labels") or {}, path + ".labels")
    for key in ("target", "network", "isolation"):
        if item.get(key) is not None:
            setattr(build, key, as_str(item[key], "%s.%s" % (path, key)))
    for key in ("cache_from", "cache_to", "platforms", "tags"):
        setattr(build, key, as_str_list(item.get(key) or [], "%s.%s" % (path, key)))
    if item.get("ssh") is not None:
        build.ssh = as_str_list(item["ssh"], path + ".ssh", one=True)
    if item.get("shm_size") is not None:
        build.shm_size = as_size(item["shm_size"], path + ".shm_size")
    if item.get("extra_hosts") is not None:
        build.extra_hosts = parse_extra_hosts(item["extra_hosts"], path + ".extra_hosts")
    if item.get("additional_contexts") is not None:
        build.additional_contexts = as_str_dict(item["additional_contexts"], path + ".additional_contexts")
    for key in ("no_cache", "pull", "privileged"):
        if key in item:
            setattr(build, key, as_bool(item[key], "%s.%s" % (path, key)))
    if item.get("secrets") is not None:
        build.secrets = parse_file_refs(item["secrets"], path + ".secrets", secrets, "secret", default_target=False)
    return build


def parse_extra_hosts(value: Any, path: str) -> list[str]:
    entries: list[str] = []
    if isinstance(value, dict):
        for host, ips in value.items():
            for ip in (ips if isinstance(ips, list) else [ips]):
                entries.append("%s=%s" % (host, as_str(ip, "%s.%s" % (path, host))))
    else:
        for index, item in enumerate(as_list(value, path)):
            text = as_str(item, "%s[%d]" % (path, index))
            sep = "=" if "=" in text else ":"
            host, found, ip = text.partition(sep)
            if not found or not host or not ip:
                fail("%s[%d]" % (path, index), "must be HOST:IP or HOST=IP, not %r" % text)
            entries.append("%s=%s" % (host, ip))
    return sorted(set(entries))


def parse_deploy(value: Any, path: str) -> Deploy:
    item = mapping_with(value, path, ("mode", "replicas", "labels", "update_config", "rollback_config", "resources",
                                      "restart_policy", "placement", "endpoint_mode"))
    deploy = Deploy()
    if item.get("mode") is not None:
        deploy.mode = as_enum(item["mode"], path + ".mode", ("global", "replicated", "replicated-job", "global-job"))
    if item.get("replicas") is not None:
        deploy.replicas = as_int(item["replicas"], path + ".replicas", 0)
    deploy.labels = as_str_dict(item.get("labels") or {}, path + ".labels")
    for key in ("update_config", "rollback_config"):
        if item.get(key) is not None:
            setattr(deploy, key, _update_config(item[key], "%s.%s" % (path, key)))
    if item.get("resources") is not None:
        resources = mapping_with(item["resources"], path + ".resources", ("limits", "reservations"))
        for key in ("limits", "reservations"):
            if resources.get(key) is not None:
                setattr(deploy.resources, key, _resource_spec(resources[key], "%s.resources.%s" % (path, key)))
    if item.get("restart_policy") is not None:
        where = path + ".restart_policy"
        policy = mapping_with(item["restart_policy"], where, ("condition", "delay", "max_attempts", "window"))
        deploy.restart_policy = RestartPolicy(
            condition=as_enum(policy["condition"], where + ".condition", ("none", "on-failure", "any"))
            if "condition" in policy else None,
            delay=as_duration(policy["delay"], where + ".delay") if "delay" in policy else None,
            max_attempts=as_int(policy["max_attempts"], where + ".max_attempts", 0) if "max_attempts" in policy else None,
            window=as_duration(policy["window"], where + ".window") if "window" in policy else None,
        )
    if item.get("placement") is not None:
        deploy.placement = dict(mapping_with(item["placement"], path + ".placement",
                                             ("constraints", "preferences", "max_replicas_per_node")))
    if item.get("endpoint_mode") is not None:
        deploy.endpoint_mode = as_enum(item["endpoint_mode"], path + ".endpoint_mode", ("vip", "dnsrr"))
    return deploy


def _update_config(value: Any, path: str) -> UpdateConfig:
    item = mapping_with(value, path, ("parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"))
    config = UpdateConfig()
    if item.get("parallelism") is not None:
        config.parallelism = as_int(item["parallelism"], path + ".parallelism", 0)
    for key in ("delay", "monitor"):
        if item.get(key) is not None:
            setattr(config, key, as_duration(item[key], "%s.%s" % (path, key)))
    if item.get("failure_action") is not None:
        config.failure_action = as_enum(item["failure_action"], path + ".failure_action",
                                        ("continue", "rollback", "pause"))
    if item.get("max_failure_ratio") is not None:
        config.max_failure_ratio = as_float(item["max_failure_ratio"], path + ".max_failure_ratio")
    if item.get("order") is not None:
        config.order = as_enum(item["order"], path + ".order", ("start-first", "stop-first"))
    return config


def _resource_spec(value: Any, path: str) -> ResourceSpec:
    item = mapping_with(value, path, ("cpus", "memory", "pids", "devices", "generic_resources"))
    spec = ResourceSpec()
    if item.get("cpus") is not None:
        spec.cpus = as_float(item["cpus"], path + ".cpus")
        if spec.cpus < 0:
            fail(path + ".cpus", "must not be negative")
    if item.get("memory") is not None:
        spec.memory = as_size(item["memory"], path + ".memory")
    if item.get("pids") is not None:
        spec.pids = as_int(item["pids"], path + ".pids")
    if item.get("devices") is not None:
        found = as_list(item["devices"], path + ".devices")
        spec.devices = [as_mapping(d, "%s.devices[%d]" % (path, i)) for i, d in enumerate(found)]
    if item.get("generic_resources") is not None:
        spec.generic_resources = as_list(item["generic_resources"], path + ".generic_resources")
    return spec


def parse_ulimits(value: Any, path: str) -> dict[str, Ulimit]:
    result = {}
    for name, item in as_mapping(value, path).items():
        where = "%s.%s" % (path, name)
        if isinstance(item, dict):
            check_keys(item, where, ("soft", "hard"))
            if "soft" not in item or "hard" not in item:
                fail(where, "needs both soft and hard (or a single number)")
            soft, hard = as_int(item["soft"], where + ".soft"), as_int(item["hard"], where + ".hard")
            if soft > hard and hard != -1:
                fail(where, "soft limit %d is above the hard limit %d" % (soft, hard))
            result[name] = Ulimit(soft=soft, hard=hard)
        else:
            result[name] = Ulimit(single=as_int(item, where))
    return result


def parse_logging(value: Any, path: str) -> Logging:
    item = mapping_with(value, path, ("driver", "options"))
    return Logging(
        driver=as_str(item["driver"], path + ".driver") if item.get("driver") is not None else None,
        options=as_str_dict(item.get("options") or {}, path + ".options"),
    )


def restart_policy(value: Any, path: str) -> str:
    text = as_str(value, path)
    if text in ("no", "always", "unless-stopped", "on-failure") or re.fullmatch(r"on-failure:\d+", text):
        return text
    return fail(path, "must be no, always, on-failure[:N] or unless-stopped, not %r" % text)


def pull_policy(value: Any, path: str) -> str:
    text = as_str(value, path)
    if text == "if_not_present":
        return "missing"  # the old name, as Compose normalises it
    if text in ("always", "never", "missing", "build", "if_not_present", "daily", "weekly") or \
            re.fullmatch(r"every_\w+", text):
        return text
    return fail(path, "must be always, never, missing, build, daily, weekly or every_<duration>, not %r" % text)


def devices(value: Any, path: str) -> list[dict[str, Any]]:
    result = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        if isinstance(item, str):
            parts = item.split(":")
            if len(parts) > 3 or not parts[0]:
                fail(where, "invalid device %r (expected HOST[:CONTAINER[:PERMISSIONS]])" % item)
            result.append({"source": parts[0], "target": parts[1] if len(parts) > 1 else parts[0],
                           "permissions": parts[2] if len(parts) > 2 else "rwm"})
        else:
            result.append(dict(mapping_with(item, where, ("source", "target", "permissions"))))
    return result
