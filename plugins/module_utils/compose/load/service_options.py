# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service options with a syntax of their own (short and long forms) → model objects:
ports, volumes, healthcheck, depends_on, networks, secrets/configs, build, deploy, ulimits, ...
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.load.validate import as_str_dict, as_str_list
from ansible_collections.goship.containers.plugins.module_utils.compose.model import (
    BuildConfig, Deploy, DependsOn, FileReference, Healthcheck, Logging, ResourceSpec, RestartPolicy, ServiceNetwork,
    Ulimit, UpdateConfig,
)
from ansible_collections.goship.containers.plugins.module_utils.containers import parse
from ansible_collections.goship.containers.plugins.module_utils.containers import parse_mounts
from ansible_collections.goship.containers.plugins.module_utils.containers.parse import PortMapping
from ansible_collections.goship.containers.plugins.module_utils.containers.parse_mounts import MountSpec
from ansible_collections.goship.containers.plugins.module_utils.user_input import (
    as_bool, as_enum, as_float, as_list, as_mapping, as_scalar_str, as_str, fail, mapping_with,
    parse_duration, parse_int, parse_size, type_name,
)


def parse_command(value: Any, path: str) -> Optional[list[str]]:
    command = parse.parse_command(value, path)
    return None if command is None else list(command)


def parse_ports(value: Any, path: str) -> list[PortMapping]:
    result: list[PortMapping] = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        if isinstance(item, bool) or not isinstance(item, (str, int, dict)):
            fail(where, "must be a port spec string like \"8000:80\", a number or a mapping, not %s" % type_name(item))
        result.extend(parse.parse_port_mappings(item, where))
    return result


def parse_volumes(value: Any, path: str, volumes: dict[str, Any]) -> list[MountSpec]:
    result = []
    for index, item in enumerate(as_list(value, path)):
        where = "%s[%d]" % (path, index)
        if isinstance(item, str):
            mount = parse_mounts.parse_volume_spec(item, where, windows_sources=True).mount_spec
            if len(item) <= 2:
                # compose-go returns a spec this short (`/d`) as a bare target, without the empty
                # `volume:` options any other anonymous volume gets: it is not in the config-hash
                mount = dataclasses.replace(mount, volume=None)
        else:
            mount = parse_mounts.parse_mount_spec(mapping_with(item, where, MOUNT_KEYS), where, default_type=None,
                                                  windows_sources=True)
        if mount.type == "volume" and mount.source and mount.source not in volumes:
            fail(where, "refers to undefined volume %r (declare it under the top-level volumes)" % mount.source)
        result.append(mount)
    return result


MOUNT_KEYS = ("type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image")


def parse_healthcheck(value: Any, path: str) -> Healthcheck:
    check = parse.parse_healthcheck_spec(value, path, compose_forms=True)
    return Healthcheck(
        test=list(check.test) if check.test is not None else None, timeout=check.timeout_ns,
        interval=check.interval_ns, retries=check.retries, start_period=check.start_period_ns,
        start_interval=check.start_interval_ns, disable=check.disable,
    )


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
                setattr(net, key, parse_int(item[key], "%s.%s" % (where, key)))
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
                ref.mode = parse_int(mode, where + ".mode", 0)
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
        build.shm_size = parse_size(item["shm_size"], path + ".shm_size")
    if item.get("extra_hosts") is not None:
        build.extra_hosts = parse_extra_hosts(item["extra_hosts"], path + ".extra_hosts")
    if item.get("additional_contexts") is not None:
        build.additional_contexts = as_str_dict(item["additional_contexts"], path + ".additional_contexts")
    for key in ("no_cache", "pull", "privileged"):
        if key in item:
            setattr(build, key, as_bool(item[key], "%s.%s" % (path, key)))
    if item.get("secrets") is not None:
        build.secrets = parse_file_refs(item["secrets"], path + ".secrets", secrets, "secret", default_target=False)
    if item.get("ulimits") is not None:
        build.ulimits = parse_ulimits(item["ulimits"], path + ".ulimits")
    build.entitlements = as_str_list(item.get("entitlements") or [], path + ".entitlements")
    for key in ("provenance", "sbom"):  # a boolean or BuildKit attestation options, kept as written
        if item.get(key) is not None:
            setattr(build, key, as_scalar_str(item[key], "%s.%s" % (path, key)))
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
        deploy.replicas = parse_int(item["replicas"], path + ".replicas", 0)
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
            delay=parse_duration(policy["delay"], where + ".delay") if "delay" in policy else None,
            max_attempts=parse_int(policy["max_attempts"], where + ".max_attempts", 0) if "max_attempts" in policy else None,
            window=parse_duration(policy["window"], where + ".window") if "window" in policy else None,
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
        config.parallelism = parse_int(item["parallelism"], path + ".parallelism", 0)
    for key in ("delay", "monitor"):
        if item.get(key) is not None:
            setattr(config, key, parse_duration(item[key], "%s.%s" % (path, key)))
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
        spec.memory = parse_size(item["memory"], path + ".memory")
    if item.get("pids") is not None:
        spec.pids = parse_int(item["pids"], path + ".pids")
    if item.get("devices") is not None:
        found = as_list(item["devices"], path + ".devices")
        spec.devices = [as_mapping(d, "%s.devices[%d]" % (path, i)) for i, d in enumerate(found)]
    if item.get("generic_resources") is not None:
        spec.generic_resources = as_list(item["generic_resources"], path + ".generic_resources")
    return spec


def parse_ulimits(value: Any, path: str) -> dict[str, Ulimit]:
    result = {}
    for name, item in as_mapping(value, path).items():
        limit = parse.parse_ulimit(item, "%s.%s" % (path, name), name=name)
        single = not isinstance(item, dict)
        result[name] = Ulimit(single=limit.soft) if single else Ulimit(soft=limit.soft, hard=limit.hard)
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
    """Kept in Service.extra in the long form `docker compose config` prints."""
    result = []
    for index, item in enumerate(as_list(value, path)):
        device = parse.parse_device(item, "%s[%d]" % (path, index))
        result.append({"source": device.path_on_host, "target": device.path_in_container,
                       "permissions": device.permissions})
    return result
