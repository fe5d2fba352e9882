# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The merged Compose dict → the typed model: services, networks, volumes, secrets, configs and the
project name, validated as they are built (every error names the path of the bad value).
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.load import bounds, files
from ansible_collections.goship.containers.plugins.module_utils.compose.load.service_options import (
    devices, parse_build, parse_command, parse_deploy, parse_depends_on, parse_extra_hosts, parse_file_refs,
    parse_healthcheck, parse_logging, parse_ports, parse_service_networks, parse_ulimits, parse_volumes,
    pull_policy, restart_policy,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.load.service_features import (
    parse_develop, parse_hooks, parse_provider, parse_service_models,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.load.syntax import parse_env_file
from ansible_collections.goship.containers.plugins.module_utils.compose.load.validate import as_str_dict, as_str_list
from ansible_collections.goship.containers.plugins.module_utils.compose.model import (
    DependsOn, Network, Project, SecretOrConfig, Service, Volume,
)
from ansible_collections.goship.containers.plugins.module_utils.containers import parse, parse_mounts
from ansible_collections.goship.containers.plugins.module_utils.user_input import (
    as_bool, as_float, as_list, as_mapping, as_scalar_str, as_str, check_keys, fail, mapping_with, parse_duration,
    parse_int, parse_size,
)

_PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SERVICE_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")
_TOP_LEVEL = {"version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models"}


# Simple service keys: key → converter(value, path). Typed fields of Service unless in _EXTRA_KEYS.
_str = as_str
_SIMPLE: dict[str, Callable[[Any, str], Any]] = {
    "image": _str, "user": _str, "working_dir": _str, "hostname": _str, "domainname": _str, "container_name": _str,
    "stop_signal": _str, "platform": _str, "network_mode": _str, "restart": restart_policy, "pull_policy": pull_policy,
    "read_only": as_bool, "init": as_bool, "privileged": as_bool, "tty": as_bool, "stdin_open": as_bool,
    "stop_grace_period": parse_duration, "shm_size": parse_size, "mem_limit": parse_size, "mem_reservation": parse_size,
    "memswap_limit": parse_size, "cpus": as_float, "pids_limit": parse_int,
    "scale": lambda v, p: parse_int(v, p, 0),
    "cap_add": as_str_list, "cap_drop": as_str_list, "security_opt": as_str_list,
    "profiles": as_str_list, "expose": lambda v, p: _expose(as_str_list(v, p, scalars=True), p),
    "tmpfs": lambda v, p: _tmpfs(as_str_list(v, p, one=True), p), "dns": lambda v, p: as_str_list(v, p, one=True),
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
    "cpu_shares": parse_int, "cpu_quota": parse_int, "cpu_period": parse_int, "cpu_rt_period": parse_int,
    "cpu_rt_runtime": parse_int, "cpu_count": parse_int, "cpu_percent": parse_int,
    "mem_swappiness": lambda v, p: str(parse_int(v, p)), "oom_score_adj": parse_int, "oom_kill_disable": as_bool,
    "links": as_str_list, "external_links": as_str_list, "volumes_from": as_str_list,
    "device_cgroup_rules": as_str_list, "group_add": lambda v, p: as_str_list(v, p, scalars=True),
    "storage_opt": as_mapping, "annotations": as_str_dict, "devices": devices, "blkio_config": as_mapping,
    "credential_spec": as_mapping, "gpus": lambda v, p: v, "attach": as_bool, "develop": parse_develop,
    "post_start": parse_hooks, "pre_stop": parse_hooks, "use_api_socket": as_bool, "models": parse_service_models,
    "provider": parse_provider, "label_file": lambda v, p: as_str_list(v, p, one=True), "pull_refresh_after": _str,
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
                fail(where + ".format", "must be raw (or absent), not %r" % (entry["format"],))
            if not os.path.exists(file):
                if required:
                    fail(where, "env file %s not found" % file)
                continue
            if entry.get("format") == "raw":  # `docker run --env-file`'s format, read by the same parser
                result.update(parse.parse_env_file(bounds.read_text(file, where, "env file"), where, environ.get))
            else:
                result.update(parse_env_file(file, environ.get, where))
    explicit = as_str_dict(service.get("environment") or {}, path + ".environment", keep_none=True)
    result.update(explicit)
    for key, value in result.items():
        if value is None and key in environ:
            result[key] = environ[key]
    return result


def _each(parse_item: Callable[[Any, str], Any]) -> Callable[[list[str], str], list[str]]:
    """Strings kept as written (as `docker compose config` prints them), each checked by the
    containers/parse.py parser that the planner reads it with."""
    def check(items: list[str], path: str) -> list[str]:
        for index, item in enumerate(items):
            parse_item(item, "%s[%d]" % (path, index))
        return items
    return check


_expose = _each(parse.parse_exposed_port)
_tmpfs = _each(parse_mounts.parse_tmpfs)


def build_service(name: str, raw: Any, top: dict[str, Any], environ: dict[str, str], working_dir: str) -> Service:
    path = "services.%s" % name
    if not _SERVICE_NAME.match(name):
        fail(path, "invalid service name %r (letters, digits, '.', '_' and '-' only)" % name)
    if raw is None:  # `web:` with nothing under it: the CLI's schema refuses it too
        fail(path, "must be a mapping (an empty service definition), not null")
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
    for hook in ("post_start", "pre_stop"):  # a bare KEY in a hook's environment comes from the environment
        if raw.get(hook) is not None:
            service.extra[hook] = parse_hooks(raw[hook], "%s.%s" % (path, hook), environ)
    if raw.get("build") is not None:
        service.build = parse_build(raw["build"], path + ".build", environ, working_dir, top["secrets"])
    service.environment = _environment(raw, path, environ)
    if raw.get("volumes") is not None:
        service.volumes = parse_volumes(raw["volumes"], path + ".volumes", top["volumes"])
    if raw.get("networks") is not None:
        service.networks = parse_service_networks(raw["networks"], path + ".networks", top["networks"])
    for kind in ("secrets", "configs"):
        if raw.get(kind) is not None:
            setattr(service, kind, parse_file_refs(raw[kind], "%s.%s" % (path, kind), top[kind], kind[:-1]))
    if service.image == "":  # `image: ${TAG}` with TAG unset: as if absent, as the CLI reads it
        service.image = None
        if service.build is None and "provider" not in service.extra:
            fail(path + ".image", "is empty (after interpolation?) and the service has no build to make it")
    if service.image is None and service.build is None and "provider" not in service.extra:
        fail(path, "has neither an image nor a build context specified")
    _check_names(service, path)
    if service.network_mode and raw.get("networks"):
        fail(path + ".network_mode", "cannot be combined with networks")
    if not service.network_mode and not service.networks and "provider" not in service.extra:
        service.networks = {"default": None}  # a provider service has no container to attach
    _implicit_dependencies(service)
    _check_limits(service, path)
    return service


_CONTAINER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")  # the engine's rule for a container name


def _check_names(service: Service, path: str) -> None:
    """container_name as the engine takes it, one container only; platform among build.platforms."""
    name = service.container_name
    if name is not None:
        if not _CONTAINER_NAME.match(name):
            fail(path + ".container_name", "%r is not a valid container name (a letter or digit, then letters, "
                 "digits, '_', '.' or '-'; at least two characters)" % name)
        if service.replicas > 1:
            fail(path + ".container_name", "can't be set with %d replicas: a container name must be unique"
                 % service.replicas)
    build = service.build
    if service.platform and build is not None and build.platforms and service.platform not in build.platforms:
        fail(path + ".platform", "%r is not one of build.platforms (%s)" % (service.platform, ", ".join(build.platforms)))


def _implicit_dependencies(service: Service) -> None:
    """Services named by network_mode, ipc, pid, links and volumes_from are dependencies, as in
    Compose: restarted with the service they name, except volumes_from."""
    for key in ("network_mode", "ipc", "pid"):
        mode = (service.network_mode if key == "network_mode" else service.extra.get(key)) or ""
        if mode.startswith("service:"):
            service.depends_on.setdefault(mode[len("service:"):], DependsOn(restart=True))
    for link in service.extra.get("links", []):
        service.depends_on.setdefault(link.split(":")[0], DependsOn(restart=True))
    for source in service.extra.get("volumes_from", []):
        if not source.startswith("container:"):
            service.depends_on.setdefault(source.split(":")[0], DependsOn())


def _check_limits(service: Service, path: str) -> None:
    deploy = service.deploy
    limits = deploy.resources.limits if deploy else None
    if limits is not None and limits.memory is not None and service.mem_limit is not None \
            and limits.memory != service.mem_limit:
        fail(path, "can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'")
    if deploy is not None and deploy.replicas is not None and service.scale is not None \
            and deploy.replicas != service.scale:
        fail(path, "can't set distinct values on 'scale' and 'deploy.replicas'")
    if limits is not None and limits.cpus is not None and service.cpus is not None and limits.cpus != service.cpus:
        fail(path, "can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'")


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
        fail(path, "needs exactly one of %s, got %s" % (
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


def project_name_from(context: files.LoadContext, config: dict[str, Any]) -> str:
    """Compose's precedence: explicit > COMPOSE_PROJECT_NAME > top-level name > directory basename.
    The top-level name is checked even when it is not used, as the CLI's schema checks it."""
    if config.get("name") is not None:
        as_scalar_str(config["name"], "name")
    if context.name:
        name, path = context.name, "project_name"
    else:
        if config.get("name") is not None:
            name, path = as_scalar_str(config["name"], "name"), "name"
        else:
            name, path = os.path.basename(context.working_dir.rstrip("/")), "project_src"
        name = re.sub(r"[^a-z0-9_-]", "", name.lower()).lstrip("_-")
    if not _PROJECT_NAME.match(name):
        fail(path, "invalid project name %r: use only lowercase letters, digits, '-' and '_', starting with a "
             "letter or digit" % name)
    return name


def project_from_config(config: dict[str, Any], context: files.LoadContext) -> Project:
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

    services = {key: build_service(key, value, top, env, context.working_dir) for key, value in raw_services.items()}
    _check_unique_container_names(services)
    active = set(context.profiles)
    enabled = {k: s for k, s in services.items() if not s.profiles or "*" in active or active & set(s.profiles)}
    disabled = {k: s for k, s in services.items() if k not in enabled}
    for service in enabled.values():
        for dep_name, dep in list(service.depends_on.items()):
            if dep_name not in enabled:
                if not dep.required and dep_name in disabled:
                    continue  # kept, as Compose prints it; planners skip dependencies not in services
                reason = "is not enabled by the active profiles" if dep_name in disabled else "is not defined"
                fail("services.%s.depends_on.%s" % (service.name, dep_name),
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
        if section == "secrets":
            used |= {r.source for s in enabled.values() if s.build for r in s.build.secrets}
        for key, raw in top[section].items():
            item = build_secret(section, key, raw, name, env)
            if key in used:
                getattr(project, section)[key] = item
    project.services = dict(sorted(enabled.items()))
    project.extensions = {k: v for k, v in config.items() if isinstance(k, str) and k.startswith("x-")}
    return project


def _check_unique_container_names(services: dict[str, Service]) -> None:
    owners: dict[str, str] = {}
    for key in sorted(services):
        name = services[key].container_name
        if name is not None:
            if name in owners:
                fail("services.%s.container_name" % key, "container name %r is already used by service %r"
                     % (name, owners[name]))
            owners[name] = key


def _check_cycles(services: dict[str, Service]) -> None:
    state: dict[str, int] = {}

    def visit(name: str, chain: list[str]) -> None:
        state[name] = 1
        for dep in services[name].depends_on:
            if dep not in services:
                continue
            if state.get(dep) == 1:
                cycle = chain[chain.index(dep):] + [dep] if dep in chain else [name, dep]
                fail("services.%s.depends_on" % name, "dependency cycle: %s" % " -> ".join(cycle))
            if state.get(dep) != 2:
                visit(dep, chain + [dep])
        state[name] = 2

    for key in sorted(services):
        if state.get(key) != 2:
            visit(key, [key])
