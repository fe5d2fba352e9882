# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The merged Compose dict → the typed model, validating as it goes.

Hand-written rather than driven by the JSON schema: this runs inside the module on every task and
must stay fast (a 50-service project loads in a few milliseconds). Every error names the path of
the bad value (`services.web.ports[1]: ...`). Unit tests hold it against the official schema.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose import loader
from ansible_collections.goship.containers.plugins.module_utils.compose.model import (
    BindOptions, BuildConfig, ComposeError, Deploy, DependsOn, FileReference, Healthcheck, Logging, Mount,
    Network, PortConfig, Project, Resources, ResourceSpec, RestartPolicy, SecretOrConfig, Service,
    ServiceNetwork, TmpfsOptions, Ulimit, UpdateConfig, Volume, VolumeOptions,
)
from ansible_collections.goship.containers.plugins.module_utils.units import parse_duration_ns, parse_size_bytes

_PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SERVICE_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")
_TOP_LEVEL = {"version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models"}


# ---------------------------------------------------------------- scalar checks

def _fail(path: str, message: str) -> Any:
    raise ComposeError(path, message)


def _kind(value: Any) -> str:
    return loader._type_name(value)


def as_str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        _fail(path, "must be a string, not %s" % _kind(value))
    return value


def as_scalar_str(value: Any, path: str) -> str:
    """Strings, numbers and booleans as Compose prints them in string contexts."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    return as_str(value, path)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "True", "TRUE", "1", "t", "T"):
        return True
    if isinstance(value, str) and value in ("false", "False", "FALSE", "0", "f", "F"):
        return False
    return _fail(path, "must be a boolean (true or false), not %r" % (value,))


def as_int(value: Any, path: str, minimum: Optional[int] = None) -> int:
    if isinstance(value, bool):
        _fail(path, "must be an integer, not a boolean")
    if isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value.strip()):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        _fail(path, "must be an integer, not %r" % (value,))
    if minimum is not None and value < minimum:
        _fail(path, "must be %d or more, not %d" % (minimum, value))
    return value


def as_float(value: Any, path: str) -> float:
    if isinstance(value, bool):
        _fail(path, "must be a number, not a boolean")
    try:
        return float(value)
    except (TypeError, ValueError):
        return _fail(path, "must be a number, not %r" % (value,))


def as_duration(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        _fail(path, "must be a duration like 30s or 1m30s, not %s" % _kind(value))
    try:
        return parse_duration_ns(value)
    except ValueError as exc:
        return _fail(path, str(exc))


def as_size(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        _fail(path, "must be a byte size like 512m or 1g, not %s" % _kind(value))
    try:
        return parse_size_bytes(value)
    except ValueError as exc:
        return _fail(path, str(exc))


def as_enum(value: Any, path: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        _fail(path, "must be one of %s, not %r" % (", ".join(allowed), value))
    return value


def as_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        _fail(path, "must be a list, not %s" % _kind(value))
    return value


def as_mapping(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(path, "must be a mapping, not %s" % _kind(value))
    return value


def as_str_list(value: Any, path: str, scalars: bool = False, one: bool = False) -> list[str]:
    """A list of strings (`one`: a single string is accepted too)."""
    if one and isinstance(value, str):
        return [value]
    convert = as_scalar_str if scalars else as_str
    return [convert(item, "%s[%d]" % (path, i)) for i, item in enumerate(as_list(value, path))]


def as_str_dict(value: Any, path: str, keep_none: bool = False) -> dict[str, Any]:
    """A mapping (or `KEY=VALUE` list) of scalars as strings; None stays None when `keep_none`."""
    value = loader.list_to_dict(value)
    if isinstance(value, list):
        _fail(path, "must be a mapping or a list of KEY=VALUE strings")
    result: dict[str, Any] = {}
    for key, item in as_mapping(value, path).items():
        where = "%s.%s" % (path, key)
        if item is None:
            result[key] = None if keep_none else ""
        elif isinstance(item, (dict, list)):
            _fail(where, "must be a string, number or boolean, not %s" % _kind(item))
        else:
            result[key] = as_scalar_str(item, where)
    return result


def check_keys(value: dict[str, Any], path: str, allowed: Any) -> None:
    for key in value:
        if key not in allowed and not (isinstance(key, str) and key.startswith("x-")):
            _fail("%s.%s" % (path, key) if path else str(key), "unknown key %r (allowed: %s)"
                  % (key, ", ".join(sorted(allowed))))


def mapping_with(value: Any, path: str, allowed: Any) -> dict[str, Any]:
    mapping = as_mapping(value, path)
    check_keys(mapping, path, allowed)
    return mapping


# ---------------------------------------------------------------- service parts

def parse_command(value: Any, path: str) -> Optional[list[str]]:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as exc:
            return _fail(path, "cannot split %r into words: %s" % (value, exc))
    return as_str_list(value, path, scalars=True)


_PORT = re.compile(r"^(?:(?P<ip>\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:]*):)??"
                   r"(?:(?P<published>\d*(?:-\d+)?):)?(?P<target>\d+(?:-\d+)?)(?:/(?P<protocol>[a-z]+))?$")


def _port_range(text: str, path: str) -> list[int]:
    start, _, end = text.partition("-")
    first = int(start)
    last = int(end) if end else first
    if not 0 <= first <= 65535 or not 0 <= last <= 65535 or last < first:
        _fail(path, "invalid port or port range %r" % text)
    return list(range(first, last + 1))


def parse_ports(value: Any, path: str) -> list[PortConfig]:
    result: list[PortConfig] = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        if isinstance(item, dict):
            result.append(_long_port(item, where))
            continue
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            _fail(where, "must be a port spec string like \"8000:80\", a number or a mapping, not %s" % _kind(item))
        result.extend(_short_ports(str(item), where))
    return result


def _short_ports(spec: str, path: str) -> list[PortConfig]:
    match = _PORT.match(spec.strip())
    if not match:
        _fail(path, "invalid port spec %r (expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])" % spec)
    ip = (match.group("ip") or "").strip("[]") or None
    protocol = match.group("protocol") or "tcp"
    if protocol not in ("tcp", "udp", "sctp"):
        _fail(path, "invalid protocol %r in %r (tcp, udp or sctp)" % (protocol, spec))
    targets = _port_range(match.group("target"), path)
    published_text = match.group("published") or ""
    if not published_text:
        return [PortConfig(target=t, host_ip=ip, protocol=protocol) for t in targets]
    published = _port_range(published_text, path)
    if len(targets) == 1:
        return [PortConfig(target=targets[0], published=published_text, host_ip=ip, protocol=protocol)]
    if len(published) != len(targets):
        _fail(path, "port ranges %r and %r differ in length" % (published_text, match.group("target")))
    return [PortConfig(target=t, published=str(p), host_ip=ip, protocol=protocol) for t, p in zip(targets, published)]


def _long_port(item: dict[str, Any], path: str) -> PortConfig:
    check_keys(item, path, ("target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"))
    if "target" not in item:
        _fail(path + ".target", "is required")
    target = as_int(item["target"], path + ".target", 0)
    if target > 65535:
        _fail(path + ".target", "must be a port number (0-65535), not %d" % target)
    published = item.get("published")
    if published is not None:
        if isinstance(published, bool) or not isinstance(published, (str, int)):
            _fail(path + ".published", "must be a port or a port range, not %s" % _kind(published))
        published = str(published)
        if not re.fullmatch(r"\d+(-\d+)?", published):
            _fail(path + ".published", "must be a port or a port range, not %r" % published)
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
            _fail(where, "refers to undefined volume %r (declare it under the top-level volumes)" % mount.source)
        result.append(mount)
    return result


def _short_volume(spec: str, path: str) -> Mount:
    parts = loader.split_volume_spec(spec)
    if len(parts) == 1:
        if not parts[0]:
            _fail(path, "empty volume spec")
        return Mount(type="volume", target=clean_path(parts[0]), volume=VolumeOptions())
    if len(parts) > 3 or not parts[0] or not parts[1]:
        _fail(path, "invalid volume spec %r (expected [SOURCE:]TARGET[:MODE])" % spec)
    source, target = parts[0], parts[1]
    if not target.startswith("/") and not re.match(r"^[a-zA-Z]:[\\/]", target):
        _fail(path, "invalid volume spec %r: the container path %r must be absolute" % (spec, target))
    is_bind = source.startswith("/") or loader._is_local_path(source)
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
            _fail(path, "invalid mode %r in volume spec %r" % (option, spec))
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
        _fail(path + ".target", "is required")
    mount = Mount(type=kind, target=clean_path(as_str(item["target"], path + ".target")))
    if item.get("source") is not None:
        mount.source = as_str(item["source"], path + ".source")
    if kind == "bind" and not mount.source:
        _fail(path + ".source", "is required for a bind mount")
    if kind == "tmpfs" and mount.source:
        _fail(path + ".source", "is not allowed for a tmpfs mount")
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
            _fail(path + ".test", "a list must start with CMD, CMD-SHELL or NONE, not %r"
                  % (check.test[0] if check.test else "nothing"))
        if check.test[0] != "NONE" and len(check.test) < 2:
            _fail(path + ".test", "%s needs a command after it" % check.test[0])
    for name in ("interval", "timeout", "start_period", "start_interval"):
        if item.get(name) is not None:
            setattr(check, name, as_duration(item[name], "%s.%s" % (path, name)))
    if item.get("retries") is not None:
        check.retries = as_int(item["retries"], path + ".retries", 0)
    if "disable" in item:
        check.disable = as_bool(item["disable"], path + ".disable")
        if check.disable and check.test and check.test != ["NONE"]:
            _fail(path, "test and disable: true cannot be combined")
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
            _fail(where, "refers to undefined network %r (declare it under the top-level networks)" % name)
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


def parse_file_refs(value: Any, path: str, declared: dict[str, Any], kind: str) -> list[FileReference]:
    result = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        if isinstance(item, str):
            ref = FileReference(source=item)
        else:
            item = mapping_with(item, where, ("source", "target", "uid", "gid", "mode"))
            if not item.get("source"):
                _fail(where + ".source", "is required")
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
            _fail(where, "refers to undefined %s %r (declare it under the top-level %ss)" % (kind, ref.source, kind))
        if kind == "secret" and ref.target is None:
            ref.target = "/run/secrets/" + ref.source
        result.append(ref)
    return result


def parse_build(value: Any, path: str, environ: dict[str, str]) -> BuildConfig:
    if isinstance(value, str):
        value = {"context": value}
    item = mapping_with(value, path, (
        "context", "dockerfile", "dockerfile_inline", "args", "target", "labels", "cache_from", "cache_to",
        "network", "shm_size", "extra_hosts", "additional_contexts", "platforms", "tags", "no_cache", "pull",
        "privileged", "isolation", "secrets", "ssh", "ulimits", "entitlements", "provenance", "sbom"))
    context = item.get("context")
    build = BuildConfig(context=as_str(context, path + ".context") if context is not None else ".")
    if item.get("dockerfile") is not None and item.get("dockerfile_inline") is not None:
        _fail(path, "dockerfile and dockerfile_inline cannot be combined")
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
                _fail("%s[%d]" % (path, index), "must be HOST:IP or HOST=IP, not %r" % text)
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
            _fail(path + ".cpus", "must not be negative")
    if item.get("memory") is not None:
        spec.memory = as_size(item["memory"], path + ".memory")
    if item.get("pids") is not None:
        spec.pids = as_int(item["pids"], path + ".pids")
    if item.get("devices") is not None:
        spec.devices = [as_mapping(d, "%s.devices[%d]" % (path, i)) for i, d in enumerate(as_list(item["devices"],
                                                                                                    path + ".devices"))]
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
                _fail(where, "needs both soft and hard (or a single number)")
            soft, hard = as_int(item["soft"], where + ".soft"), as_int(item["hard"], where + ".hard")
            if soft > hard and hard != -1:
                _fail(where, "soft limit %d is above the hard limit %d" % (soft, hard))
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


def _restart(value: Any, path: str) -> str:
    text = as_str(value, path)
    if text in ("no", "always", "unless-stopped", "on-failure") or re.fullmatch(r"on-failure:\d+", text):
        return text
    return _fail(path, "must be no, always, on-failure[:N] or unless-stopped, not %r" % text)


def _pull_policy(value: Any, path: str) -> str:
    text = as_str(value, path)
    if text in ("always", "never", "missing", "build", "if_not_present", "daily", "weekly") or \
            re.fullmatch(r"every_\w+", text):
        return text
    return _fail(path, "must be always, never, missing, build, daily, weekly or every_<duration>, not %r" % text)


def _devices(value: Any, path: str) -> list[dict[str, Any]]:
    result = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        if isinstance(item, str):
            parts = item.split(":")
            if len(parts) > 3 or not parts[0]:
                _fail(where, "invalid device %r (expected HOST[:CONTAINER[:PERMISSIONS]])" % item)
            result.append({"source": parts[0], "target": parts[1] if len(parts) > 1 else parts[0],
                           "permissions": parts[2] if len(parts) > 2 else "rwm"})
        else:
            result.append(dict(mapping_with(item, where, ("source", "target", "permissions"))))
    return result


# Simple service keys: key → converter(value, path). Typed fields of Service unless in _EXTRA_KEYS.
_str = as_str
_SIMPLE: dict[str, Callable[[Any, str], Any]] = {
    "image": _str, "user": _str, "working_dir": _str, "hostname": _str, "domainname": _str, "container_name": _str,
    "stop_signal": _str, "platform": _str, "network_mode": _str, "restart": _restart, "pull_policy": _pull_policy,
    "read_only": as_bool, "init": as_bool, "privileged": as_bool, "tty": as_bool, "stdin_open": as_bool,
    "stop_grace_period": as_duration, "shm_size": as_size, "mem_limit": as_size, "mem_reservation": as_size,
    "memswap_limit": as_size, "cpus": as_float, "pids_limit": as_int,
    "scale": lambda v, p: as_int(v, p, 0),
    "cap_add": as_str_list, "cap_drop": as_str_list, "security_opt": as_str_list,
    "profiles": as_str_list, "expose": lambda v, p: as_str_list(v, p, scalars=True),
    "tmpfs": lambda v, p: as_str_list(v, p, one=True), "dns": lambda v, p: as_str_list(v, p, one=True),
    "dns_search": lambda v, p: as_str_list(v, p, one=True), "dns_opt": as_str_list,
    "labels": as_str_dict, "sysctls": as_str_dict,
    "extra_hosts": parse_extra_hosts, "ulimits": parse_ulimits, "logging": parse_logging,
    "healthcheck": parse_healthcheck, "deploy": parse_deploy, "depends_on": parse_depends_on,
    "ports": parse_ports, "command": parse_command, "entrypoint": parse_command,
}
# Accepted and kept (validated for type) in Service.extra, printed as Compose prints them.
_EXTRA_KEYS: dict[str, Callable[[Any, str], Any]] = {
    "ipc": _str, "pid": _str, "uts": _str, "userns_mode": _str, "cgroup": _str, "cgroup_parent": _str,
    "runtime": _str, "isolation": _str, "mac_address": _str, "cpuset": _str,
    "cpu_shares": as_int, "cpu_quota": as_int, "cpu_period": as_int, "cpu_rt_period": as_int,
    "cpu_rt_runtime": as_int, "cpu_count": as_int, "cpu_percent": as_int,
    "mem_swappiness": as_int, "oom_score_adj": as_int, "oom_kill_disable": as_bool,
    "links": as_str_list, "external_links": as_str_list, "volumes_from": as_str_list,
    "device_cgroup_rules": as_str_list, "group_add": lambda v, p: as_str_list(v, p, scalars=True),
    "storage_opt": as_mapping, "annotations": as_str_dict, "devices": _devices, "blkio_config": as_mapping,
    "credential_spec": as_mapping, "gpus": lambda v, p: v, "attach": as_bool, "develop": as_mapping,
    "post_start": as_list, "pre_stop": as_list, "use_api_socket": as_bool, "models": lambda v, p: v,
    "provider": as_mapping, "label_file": lambda v, p: as_str_list(v, p, one=True), "pull_refresh_after": _str,
}
_OTHER = {"build", "environment", "env_file", "volumes", "networks", "secrets", "configs", "extends"}
SERVICE_KEYS = frozenset(_SIMPLE) | frozenset(_EXTRA_KEYS) | _OTHER


def _environment(service: dict[str, Any], path: str, environ: dict[str, str]) -> dict[str, Optional[str]]:
    """env_file entries in order, then `environment`; a bare KEY takes its value from the environment."""
    result: dict[str, Optional[str]] = {}
    env_files = service.get("env_file")
    if env_files is not None:
        for index, entry in enumerate(as_list(env_files, path + ".env_file")):
            where = "%s.env_file[%d]" % (path, index)
            entry = mapping_with(entry, where, ("path", "required", "format"))
            file = as_str(entry.get("path"), where + ".path")
            required = as_bool(entry.get("required", True), where + ".required")
            if entry.get("format") not in (None, "raw"):
                _fail(where + ".format", "must be raw (or absent), not %r" % (entry["format"],))
            if not os.path.exists(file):
                if required:
                    _fail(where, "env file %s not found" % file)
                continue
            if entry.get("format") == "raw":
                result.update(_raw_env_file(file, where))
            else:
                result.update(loader.parse_env_file(file, environ.get, where))
    explicit = as_str_dict(service.get("environment") or {}, path + ".environment", keep_none=True)
    result.update(explicit)
    for key, value in result.items():
        if value is None and key in environ:
            result[key] = environ[key]
    return result


def _raw_env_file(file: str, path: str) -> dict[str, Optional[str]]:
    result: dict[str, Optional[str]] = {}
    with open(file, encoding="utf-8") as handle:
        for line in handle.read().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                key, sep, value = line.partition("=")
                result[key.strip()] = value if sep else None
    return result


def build_service(name: str, raw: Any, top: dict[str, Any], environ: dict[str, str]) -> Service:
    path = "services.%s" % name
    if not _SERVICE_NAME.match(name):
        _fail(path, "invalid service name %r (letters, digits, '.', '_' and '-' only)" % name)
    if raw is None:
        raw = {}
    raw = mapping_with(raw, path, SERVICE_KEYS)
    service = Service(name=name)
    for key, value in raw.items():
        where = "%s.%s" % (path, key)
        if key in _SIMPLE:
            if value is not None:
                setattr(service, key, _SIMPLE[key](value, where))
        elif key in _EXTRA_KEYS:
            if value is not None:
                service.extra[key] = _EXTRA_KEYS[key](value, where)
    if raw.get("build") is not None:
        service.build = parse_build(raw["build"], path + ".build", environ)
    service.environment = _environment(raw, path, environ)
    if raw.get("volumes") is not None:
        service.volumes = parse_volumes(raw["volumes"], path + ".volumes", top["volumes"])
    if raw.get("networks") is not None:
        service.networks = parse_service_networks(raw["networks"], path + ".networks", top["networks"])
    for kind in ("secrets", "configs"):
        if raw.get(kind) is not None:
            setattr(service, kind, parse_file_refs(raw[kind], "%s.%s" % (path, kind), top[kind], kind[:-1]))
    if service.image is None and service.build is None:
        _fail(path, "has neither an image nor a build context specified")
    if service.network_mode and raw.get("networks"):
        _fail(path + ".network_mode", "cannot be combined with networks")
    if not service.network_mode and not service.networks:
        service.networks = {"default": None}
    mode = service.network_mode or ""
    if mode.startswith("service:"):
        other = mode[len("service:"):]
        service.depends_on.setdefault(other, DependsOn(restart=True))
    _check_limits(service, path)
    return service


def _check_limits(service: Service, path: str) -> None:
    deploy = service.deploy
    limits = deploy.resources.limits if deploy else None
    if limits is not None and limits.memory is not None and service.mem_limit is not None \
            and limits.memory != service.mem_limit:
        _fail(path, "can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'")
    if deploy is not None and deploy.replicas is not None and service.scale is not None \
            and deploy.replicas != service.scale:
        _fail(path, "can't set distinct values on 'scale' and 'deploy.replicas'")
    if limits is not None and limits.cpus is not None and service.cpus is not None and limits.cpus != service.cpus:
        _fail(path, "can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'")


# ---------------------------------------------------------------- top level

def _external(item: dict[str, Any], path: str) -> tuple[bool, Optional[str]]:
    """`external: true` or the legacy `external: {name: x}`."""
    value = item.get("external")
    if isinstance(value, dict):
        check_keys(value, path + ".external", ("name",))
        return True, as_str(value["name"], path + ".external.name") if "name" in value else None
    return (as_bool(value, path + ".external") if value is not None else False), None


def build_network(key: str, raw: Any, project: str) -> Network:
    path = "networks.%s" % key
    item = mapping_with(raw or {}, path, ("name", "driver", "driver_opts", "ipam", "external", "internal",
                                          "attachable", "enable_ipv4", "enable_ipv6", "labels"))
    external, legacy_name = _external(item, path)
    name = as_str(item["name"], path + ".name") if item.get("name") is not None else legacy_name
    network = Network(key=key, name=name or (key if external else "%s_%s" % (project, key)), external=external)
    if external:
        check_keys(item, path, ("name", "external"))
    if item.get("driver") is not None:
        network.driver = as_str(item["driver"], path + ".driver")
    network.driver_opts = as_str_dict(item.get("driver_opts") or {}, path + ".driver_opts")
    network.labels = as_str_dict(item.get("labels") or {}, path + ".labels")
    for flag in ("internal", "attachable"):
        if flag in item:
            setattr(network, flag, as_bool(item[flag], "%s.%s" % (path, flag)))
    for flag in ("enable_ipv4", "enable_ipv6"):
        if item.get(flag) is not None:
            setattr(network, flag, as_bool(item[flag], "%s.%s" % (path, flag)))
    if item.get("ipam") is not None:
        ipam = mapping_with(item["ipam"], path + ".ipam", ("driver", "config", "options"))
        for index, pool in enumerate(as_list(ipam.get("config") or [], path + ".ipam.config")):
            mapping_with(pool, "%s.ipam.config[%d]" % (path, index), ("subnet", "ip_range", "gateway", "aux_addresses"))
        network.ipam = {k: v for k, v in ipam.items() if v is not None and not str(k).startswith("x-")}
    return network


def build_volume(key: str, raw: Any, project: str) -> Volume:
    path = "volumes.%s" % key
    item = mapping_with(raw or {}, path, ("name", "driver", "driver_opts", "external", "labels"))
    external, legacy_name = _external(item, path)
    if external:
        check_keys(item, path, ("name", "external"))
    name = as_str(item["name"], path + ".name") if item.get("name") is not None else legacy_name
    volume = Volume(key=key, name=name or (key if external else "%s_%s" % (project, key)), external=external)
    if item.get("driver") is not None:
        volume.driver = as_str(item["driver"], path + ".driver")
    volume.driver_opts = as_str_dict(item.get("driver_opts") or {}, path + ".driver_opts")
    volume.labels = as_str_dict(item.get("labels") or {}, path + ".labels")
    return volume


def build_secret(section: str, key: str, raw: Any, project: str, environ: dict[str, str]) -> SecretOrConfig:
    path = "%s.%s" % (section, key)
    allowed = ["name", "file", "environment", "external", "labels", "template_driver"]
    allowed += ["driver", "driver_opts"] if section == "secrets" else ["content"]
    item = mapping_with(raw if raw is not None else {}, path, allowed)
    external, legacy_name = _external(item, path)
    sources = [k for k in ("file", "environment", "content") if item.get(k) is not None] + (["external"] if external else [])
    if len(sources) != 1:
        _fail(path, "needs exactly one of %s, got %s" % (
            "file, environment, content or external" if section == "configs" else "file, environment or external",
            ", ".join(sources) or "none"))
    name = as_str(item["name"], path + ".name") if item.get("name") is not None else legacy_name
    secret = SecretOrConfig(key=key, name=name or (key if external else "%s_%s" % (project, key)), external=external)
    for source in ("file", "environment", "content", "template_driver", "driver"):
        if item.get(source) is not None:
            setattr(secret, source, as_str(item[source], "%s.%s" % (path, source)))
    if secret.environment is not None:
        secret.value = environ.get(secret.environment)
    secret.labels = as_str_dict(item.get("labels") or {}, path + ".labels")
    secret.driver_opts = as_str_dict(item.get("driver_opts") or {}, path + ".driver_opts")
    return secret


def project_name_from(context: loader.LoadContext, config: dict[str, Any]) -> str:
    """Compose's precedence: explicit > COMPOSE_PROJECT_NAME > top-level name > directory basename."""
    if context.name:
        name, path = context.name, "project_name"
    else:
        if config.get("name") is not None:
            name, path = as_scalar_str(config["name"], "name"), "name"
        else:
            name, path = os.path.basename(context.working_dir.rstrip("/")), "project_src"
        name = re.sub(r"[^a-z0-9_-]", "", name.lower()).lstrip("_-")
    if not _PROJECT_NAME.match(name):
        _fail(path, "invalid project name %r: use only lowercase letters, digits, '-' and '_', starting with a "
              "letter or digit" % name)
    return name


def build_project(
    project_dir: Optional[str] = None,
    files: Optional[list[str]] = None,
    definition: Optional[dict[str, Any]] = None,
    project_name: Optional[str] = None,
    env_files: Optional[list[str]] = None,
    profiles: Optional[list[str]] = None,
    environ: Optional[dict[str, str]] = None,
) -> Project:
    """See model.load_project."""
    config, context = loader.load_config_dict(project_dir, files, definition, project_name, env_files,
                                              profiles, environ)
    return project_from_config(config, context)


def project_from_config(config: dict[str, Any], context: loader.LoadContext) -> Project:
    check_keys(config, "", _TOP_LEVEL)
    name = project_name_from(context, config)
    env = context.environ
    top: dict[str, dict[str, Any]] = {}
    for section in ("networks", "volumes", "secrets", "configs"):
        value = config.get(section)
        top[section] = as_mapping(value, section) if value is not None else {}
    raw_services = config.get("services")
    raw_services = as_mapping(raw_services, "services") if raw_services is not None else {}
    if "version" in config and config["version"] is not None:
        as_scalar_str(config["version"], "version")

    services = {key: build_service(key, value, top, env) for key, value in raw_services.items()}
    active = set(context.profiles)
    enabled = {k: s for k, s in services.items() if not s.profiles or "*" in active or active & set(s.profiles)}
    disabled = {k: s for k, s in services.items() if k not in enabled}
    for service in enabled.values():
        for dep_name, dep in list(service.depends_on.items()):
            if dep_name not in enabled:
                if not dep.required and dep_name in disabled:
                    continue  # kept, as Compose prints it; planners skip dependencies not in services
                reason = "is not enabled by the active profiles" if dep_name in disabled else "is not defined"
                _fail("services.%s.depends_on.%s" % (service.name, dep_name),
                      "service %r depends on service %r, which %s" % (service.name, dep_name, reason))
    _check_cycles(enabled)

    project = Project(name=name, working_dir=context.working_dir, config_files=list(context.config_files),
                      services=enabled, disabled_services=disabled, environment=dict(env))
    used_networks = {n for s in enabled.values() for n in s.networks}
    for key in sorted(set(top["networks"]) | used_networks):
        network = build_network(key, top["networks"].get(key), name)
        if key in used_networks:
            project.networks[key] = network
    used_volumes = {m.source for s in enabled.values() for m in s.volumes if m.type == "volume" and m.source}
    for key, raw in top["volumes"].items():
        volume = build_volume(key, raw, name)
        if key in used_volumes:
            project.volumes[key] = volume
    for section in ("secrets", "configs"):
        used = {r.source for s in enabled.values() for r in getattr(s, section)}
        for key, raw in top[section].items():
            item = build_secret(section, key, raw, name, env)
            if key in used:
                getattr(project, section)[key] = item
    project.services = dict(sorted(enabled.items()))
    project.extensions = {k: v for k, v in config.items() if isinstance(k, str) and k.startswith("x-")}
    return project


def _check_cycles(services: dict[str, Service]) -> None:
    state: dict[str, int] = {}

    def visit(name: str, chain: list[str]) -> None:
        state[name] = 1
        for dep in services[name].depends_on:
            if dep not in services:
                continue
            if state.get(dep) == 1:
                cycle = chain[chain.index(dep):] + [dep] if dep in chain else [name, dep]
                _fail("services.%s.depends_on" % name, "dependency cycle: %s" % " -> ".join(cycle))
            if state.get(dep) != 2:
                visit(dep, chain + [dep])
        state[name] = 2

    for key in sorted(services):
        if state.get(key) != 2:
            visit(key, [key])
