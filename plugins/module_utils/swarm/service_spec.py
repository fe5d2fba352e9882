# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A typed Compose project (compose/model.py) → the Swarm objects `docker stack deploy` would create.

Names and labels follow `docker stack deploy`, so `docker stack ls/ps/services/rm` see our stacks:
services and networks are named `<stack>_<key>`, and carry `com.docker.stack.namespace=<stack>`
(services also `com.docker.stack.image`). One label of our own, `io.goship.stack.spec-hash`, is the
sha256 of the rest of the desired ServiceSpec: it detects removals (a healthcheck or label dropped
from the file) that a comparison of the desired keys alone cannot see.

Rolling updates default to start-first with rollback on failure (docker's default is stop-first and
pause); a service's `deploy.update_config` / `deploy.rollback_config` overrides each field.

Everything here is pure: no Docker calls, unit-tested without an engine.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError, Project, Service, UpdateConfig
from ansible_collections.goship.containers.plugins.module_utils.containers.parse_mounts import MountSpec, parse_tmpfs
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

NAMESPACE_LABEL = "com.docker.stack.namespace"
IMAGE_LABEL = "com.docker.stack.image"
SPEC_HASH_LABEL = "io.goship.stack.spec-hash"
TASK_HASH_LABEL = "io.goship.stack.task-hash"

SECOND = 1_000_000_000
DEFAULT_UPDATE_CONFIG: dict[str, Any] = {
    "Parallelism": 1, "Order": "start-first", "FailureAction": "rollback", "Monitor": 5 * SECOND,
}
DEFAULT_ROLLBACK_CONFIG: dict[str, Any] = {
    "Parallelism": 1, "Order": "start-first", "FailureAction": "pause", "Monitor": 5 * SECOND,
}

# Service keys `docker stack deploy` ignores (it warns); we warn the same way.
IGNORED_KEYS = ("build", "container_name", "depends_on", "restart", "links", "external_links",
                "pull_policy", "profiles", "scale", "expose", "shm_size", "mem_limit", "mem_reservation",
                "memswap_limit", "cpus", "pids_limit", "domainname", "platform", "stdin_open")
# Keys that change what runs and that Swarm services cannot express (or this module does not yet).
UNSUPPORTED_KEYS = ("network_mode", "privileged", "secrets", "configs", "security_opt", "devices",
                    "ipc", "pid", "cgroup_parent", "userns_mode", "group_add", "volumes_from")
RESTART_CONDITIONS = {"none": "none", "no": "none", "on-failure": "on-failure", "any": "any",
                      "always": "any", "unless-stopped": "any"}


def stack_name_of(stack: str, key: str) -> str:
    return "%s_%s" % (stack, key)


def spec_hash(spec: dict[str, Any]) -> str:
    """sha256 of a spec without its own hash labels (sorted keys: stable across runs)."""
    body = copy.deepcopy(spec)
    for label in (SPEC_HASH_LABEL, TASK_HASH_LABEL):
        body.get("Labels", {}).pop(label, None)
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_hash(spec: dict[str, Any]) -> str:
    """sha256 of what the tasks run (TaskTemplate, EndpointSpec): when it changes, Swarm rolls the tasks."""
    return spec_hash({"TaskTemplate": spec.get("TaskTemplate"), "EndpointSpec": spec.get("EndpointSpec")})


def _drop_empty(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v not in (None, {}, [], "")}


def _update_config(given: Optional[UpdateConfig], defaults: dict[str, Any]) -> dict[str, Any]:
    out = dict(defaults)
    if given is not None:
        for attr, key in (("parallelism", "Parallelism"), ("delay", "Delay"), ("failure_action", "FailureAction"),
                          ("monitor", "Monitor"), ("max_failure_ratio", "MaxFailureRatio"), ("order", "Order")):
            value = getattr(given, attr)
            if value is not None:
                out[key] = value
    return out


class StackServiceBuilder:
    """Builds ServiceSpecs for one project deployed as stack `stack`; collects warnings."""

    def __init__(self, project: Project, stack: str) -> None:
        self.project = project
        self.stack = stack
        self.warnings: list[str] = []

    # ------------------------------------------------------------ top level objects

    def networks(self) -> dict[str, dict[str, Any]]:
        """Engine network name → create request, for the networks the services use (not external)."""
        used = {key for service in self.project.services.values() for key in service.networks}
        out: dict[str, dict[str, Any]] = {}
        for key in sorted(used):
            network = self.project.networks.get(key)
            if network is None:
                raise ComposeError("networks.%s" % key, "used by a service but not defined")
            if network.external:
                continue
            driver = network.driver or "overlay"
            labels = dict(network.labels)
            labels[NAMESPACE_LABEL] = self.stack
            out[network.name] = _drop_empty({
                "Name": network.name, "Driver": driver, "Options": dict(network.driver_opts),
                "IPAM": _ipam(network.ipam), "Internal": network.internal or None,
                "Attachable": network.attachable or None, "Labels": labels,
            })
        return out

    def external_networks(self) -> list[str]:
        used = {key for service in self.project.services.values() for key in service.networks}
        return sorted(self.project.networks[k].name for k in used
                      if k in self.project.networks and self.project.networks[k].external)

    def services(self) -> dict[str, dict[str, Any]]:
        """Engine service name → ServiceSpec, in the project's service order."""
        return {stack_name_of(self.stack, key): self.service_spec(self.project.services[key])
                for key in self.project.service_order()}

    # ------------------------------------------------------------ one service

    def service_spec(self, service: Service) -> dict[str, Any]:
        path = "services.%s" % service.name
        self._check_keys(service, path)
        if not service.image:
            raise ComposeError(path + ".image", "a Swarm service needs an image (build is not done by stack deploy)")
        deploy = service.deploy
        labels = dict(deploy.labels) if deploy else {}
        labels[NAMESPACE_LABEL] = self.stack
        labels[IMAGE_LABEL] = service.image
        task = _drop_empty({
            "ContainerSpec": self._container_spec(service, path),
            "Resources": _resources(deploy),
            "RestartPolicy": _restart_policy(deploy, path),
            "Placement": _placement(deploy, path),
            "Networks": self._task_networks(service),
            "LogDriver": _log_driver(service),
        })
        spec: dict[str, Any] = {
            "Name": stack_name_of(self.stack, service.name),
            "Labels": labels,
            "TaskTemplate": task,
            "Mode": _mode(service, path),
            "UpdateConfig": _update_config(deploy.update_config if deploy else None, DEFAULT_UPDATE_CONFIG),
            "RollbackConfig": _update_config(deploy.rollback_config if deploy else None, DEFAULT_ROLLBACK_CONFIG),
            "EndpointSpec": _endpoint_spec(service, path),
        }
        spec["Labels"][TASK_HASH_LABEL] = task_hash(spec)
        spec["Labels"][SPEC_HASH_LABEL] = spec_hash(spec)
        return spec

    def _check_keys(self, service: Service, path: str) -> None:
        for key in UNSUPPORTED_KEYS:
            value = getattr(service, key, None) if hasattr(service, key) else service.extra.get(key)
            if value:
                raise ComposeError("%s.%s" % (path, key), "not supported for Swarm services by the stack module")
        ignored = [key for key in IGNORED_KEYS
                   if (getattr(service, key, None) if hasattr(service, key) else service.extra.get(key))]
        if ignored:
            self.warnings.append("%s: ignoring options Swarm services do not have (as docker stack deploy"
                                 " does): %s" % (path, ", ".join(ignored)))

    def _container_spec(self, service: Service, path: str) -> dict[str, Any]:
        labels = dict(service.labels)
        labels[NAMESPACE_LABEL] = self.stack
        env = ["%s=%s" % (k, v) for k, v in sorted(service.environment.items()) if v is not None]
        return _drop_empty({
            "Image": service.image,
            "Labels": labels,
            "Command": list(service.entrypoint) if service.entrypoint is not None else None,
            "Args": list(service.command) if service.command is not None else None,
            "Hostname": service.hostname,
            "Env": env,
            "Dir": service.working_dir,
            "User": service.user,
            "Mounts": [self._mount(m, "%s.volumes[%d]" % (path, i)) for i, m in enumerate(service.volumes)]
            + [_tmpfs_mount(t, "%s.tmpfs[%d]" % (path, i)) for i, t in enumerate(service.tmpfs)],
            "TTY": service.tty or None,
            "ReadOnly": service.read_only or None,
            "Init": service.init,
            "StopSignal": service.stop_signal,
            "StopGracePeriod": service.stop_grace_period,
            "Healthcheck": _healthcheck(service),
            "Hosts": [_host_entry(h) for h in service.extra_hosts],
            "DNSConfig": _drop_empty({"Nameservers": list(service.dns), "Search": list(service.dns_search),
                                      "Options": list(service.dns_opt)}),
            "Sysctls": dict(service.sysctls),
            "CapabilityAdd": list(service.cap_add),
            "CapabilityDrop": list(service.cap_drop),
            "Ulimits": [_ulimit(name, u) for name, u in sorted(service.ulimits.items())],
        })

    def _mount(self, mount: MountSpec, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {"Type": mount.type, "Target": mount.target}
        if mount.read_only:
            out["ReadOnly"] = True
        if mount.type == "volume":
            volume = self.project.volumes.get(mount.source) if mount.source else None
            if mount.source and volume is None:
                raise ComposeError(path, "volume %s is not defined in the top-level volumes" % mount.source)
            options: dict[str, Any] = {}
            if volume is not None:
                out["Source"] = volume.name
                if not volume.external:
                    labels = dict(volume.labels)
                    labels[NAMESPACE_LABEL] = self.stack
                    options["Labels"] = labels
                    if volume.driver or volume.driver_opts:
                        options["DriverConfig"] = _drop_empty({"Name": volume.driver,
                                                               "Options": dict(volume.driver_opts)})
            if mount.volume is not None and mount.volume.nocopy:
                options["NoCopy"] = True
            if options:
                out["VolumeOptions"] = options
        elif mount.type == "bind":
            out["Source"] = mount.source
            if mount.bind is not None and mount.bind.propagation:
                out["BindOptions"] = {"Propagation": mount.bind.propagation}
        elif mount.type == "tmpfs":
            if mount.tmpfs is not None:
                options = _drop_empty({"SizeBytes": mount.tmpfs.size, "Mode": mount.tmpfs.mode})
                if options:
                    out["TmpfsOptions"] = options
        else:
            raise ComposeError(path, "mount type %s is not supported for Swarm services" % mount.type)
        return out

    def _task_networks(self, service: Service) -> list[dict[str, Any]]:
        out = []
        for key in sorted(service.networks):
            attachment = service.networks[key]
            aliases = [service.name] + [a for a in (attachment.aliases if attachment else []) if a != service.name]
            out.append({"Target": self.project.networks[key].name, "Aliases": aliases})
        return out


# ---------------------------------------------------------------- small converters

def _ipam(ipam: dict[str, Any]) -> Optional[dict[str, Any]]:
    if not ipam:
        return None
    return _drop_empty({
        "Driver": ipam.get("driver"),
        "Config": [_drop_empty({"Subnet": c.get("subnet"), "IPRange": c.get("ip_range"),
                                "Gateway": c.get("gateway")}) for c in ipam.get("config") or []],
        "Options": ipam.get("options") or None,
    })


def _healthcheck(service: Service) -> Optional[dict[str, Any]]:
    check = service.healthcheck
    if check is None:
        return None
    if check.disable:
        return {"Test": ["NONE"]}
    return _drop_empty({"Test": list(check.test) if check.test else None, "Interval": check.interval,
                        "Timeout": check.timeout, "Retries": check.retries, "StartPeriod": check.start_period})


def _host_entry(entry: str) -> str:
    """Compose's `host=ip` (or `host:ip`) → the `ip host` line Swarm's ContainerSpec.Hosts takes."""
    host, sep, address = entry.partition("=")
    if not sep:
        host, _sep, address = entry.partition(":")
    return "%s %s" % (address, host)


def _ulimit(name: str, limit: Any) -> dict[str, Any]:
    soft = limit.single if limit.single is not None else limit.soft
    hard = limit.single if limit.single is not None else limit.hard
    return {"Name": name, "Soft": soft, "Hard": hard}


def _tmpfs_mount(entry: str, path: str) -> dict[str, Any]:
    """`/path[:size=..,mode=..,ro]`, read by the parser the container module uses."""
    try:
        mount = parse_tmpfs(entry, path)
    except OptionError as exc:
        raise ComposeError(exc.path, exc.problem) from None
    out: dict[str, Any] = {"Type": "tmpfs", "Target": mount.target}
    if mount.read_only:
        out["ReadOnly"] = True
    options = _drop_empty({"SizeBytes": mount.tmpfs_size, "Mode": mount.tmpfs_mode})
    if options:
        out["TmpfsOptions"] = options
    return out


def _resources(deploy: Any) -> Optional[dict[str, Any]]:
    if deploy is None:
        return None

    def one(spec: Any, with_pids: bool) -> Optional[dict[str, Any]]:
        if spec is None:
            return None
        return _drop_empty({
            "NanoCPUs": int(round(spec.cpus * SECOND)) if spec.cpus else None,
            "MemoryBytes": spec.memory,
            "Pids": spec.pids if with_pids else None,
        })
    return _drop_empty({"Limits": one(deploy.resources.limits, True),
                        "Reservations": one(deploy.resources.reservations, False)})


def _restart_policy(deploy: Any, path: str) -> Optional[dict[str, Any]]:
    policy = deploy.restart_policy if deploy else None
    if policy is None:
        return None
    condition = None
    if policy.condition is not None:
        condition = RESTART_CONDITIONS.get(policy.condition)
        if condition is None:
            raise ComposeError(path + ".deploy.restart_policy.condition",
                               "expected none, on-failure or any, got %r" % policy.condition)
    return _drop_empty({"Condition": condition, "Delay": policy.delay, "MaxAttempts": policy.max_attempts,
                        "Window": policy.window})


def _placement(deploy: Any, path: str) -> Optional[dict[str, Any]]:
    placement = deploy.placement if deploy else None
    if not placement:
        return None
    preferences = []
    for index, pref in enumerate(placement.get("preferences") or []):
        if not isinstance(pref, dict) or "spread" not in pref:
            raise ComposeError("%s.deploy.placement.preferences[%d]" % (path, index), "expected {spread: <label>}")
        preferences.append({"Spread": {"SpreadDescriptor": pref["spread"]}})
    return _drop_empty({"Constraints": list(placement.get("constraints") or []), "Preferences": preferences,
                        "MaxReplicas": placement.get("max_replicas_per_node")})


def _log_driver(service: Service) -> Optional[dict[str, Any]]:
    if service.logging is None or not service.logging.driver:
        return None
    return _drop_empty({"Name": service.logging.driver, "Options": dict(service.logging.options)})


def _mode(service: Service, path: str) -> dict[str, Any]:
    mode = (service.deploy.mode if service.deploy else None) or "replicated"
    if mode == "global":
        if service.deploy is not None and service.deploy.replicas is not None:
            raise ComposeError(path + ".deploy.replicas", "a global service has no replica count")
        return {"Global": {}}
    if mode != "replicated":
        raise ComposeError(path + ".deploy.mode", "expected replicated or global, got %r" % mode)
    replicas = service.deploy.replicas if service.deploy and service.deploy.replicas is not None else 1
    return {"Replicated": {"Replicas": replicas}}


def _endpoint_spec(service: Service, path: str) -> dict[str, Any]:
    mode = (service.deploy.endpoint_mode if service.deploy else None) or "vip"
    ports = []
    for index, port in enumerate(service.ports):
        where = "%s.ports[%d]" % (path, index)
        entry: dict[str, Any] = {"Protocol": port.protocol, "TargetPort": port.target,
                                 "PublishMode": port.mode or "ingress"}
        if port.name:
            entry["Name"] = port.name
        if port.published:
            if not str(port.published).isdigit():
                raise ComposeError(where, "Swarm publishes one port per entry, not the range %s" % port.published)
            entry["PublishedPort"] = int(port.published)
        if port.host_ip:
            raise ComposeError(where, "Swarm services cannot publish on a host IP (%s)" % port.host_ip)
        ports.append(entry)
    if mode == "dnsrr" and any(p["PublishMode"] == "ingress" for p in ports):
        raise ComposeError(path + ".ports", "endpoint_mode dnsrr needs ports published in mode host")
    return _drop_empty({"Mode": mode, "Ports": ports})
