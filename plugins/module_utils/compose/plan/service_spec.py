# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Compose service (model.Service) → the `ContainerSpec` of its n-th container.

The mapping of ports, mounts, healthchecks... to the Engine API lives in containers/spec.py; here
we only translate Compose's vocabulary into that spec and add Compose's labels, network aliases
and names. `desired_project()` turns the model into the planner's view (hashes, replicas,
dependencies, update order) without any engine call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import Project, Service, config_mount_path, secret_mount_path
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_resources import links, resource_settings
from ansible_collections.goship.containers.plugins.module_utils.containers import parse, parse_mounts
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import (
    ContainerSpec, Device, Healthcheck, Mount, NetworkAttachment, PortBinding, Ulimit,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.file_tar import FileEntry  # a secret or config with inline content, copied in before the start


@dataclass
class ServiceContainer:
    spec: ContainerSpec
    files: list[FileEntry] = field(default_factory=list)


def default_image(project: Project, service: Service) -> str:
    """The image a service runs: `image:`, else `<project>-<service>` for a built one (as Compose)."""
    return service.image or "%s-%s" % (project.name, service.name)


def _network_attachments(project: Project, service: Service, container_name: str) -> tuple[NetworkAttachment, ...]:
    networks = dict(service.networks)
    if not networks and not service.network_mode:
        networks = {"default": None}
    items = []
    for key, settings in networks.items():
        net = project.networks.get(key)
        name = net.name if net is not None else "%s_%s" % (project.name, key)
        aliases = [service.name, container_name] + list((settings.aliases if settings else []) or [])
        priority = (settings.priority or settings.gw_priority or 0) if settings else 0
        items.append((-priority, key, NetworkAttachment(
            name=name, aliases=tuple(dict.fromkeys(aliases)),
            ipv4_address=settings.ipv4_address if settings else None,
            ipv6_address=settings.ipv6_address if settings else None,
        )))
    attachments = [item[2] for item in sorted(items, key=lambda i: (i[0], i[1]))]
    service_links = links(project, service)
    if attachments and service_links:  # legacy links live on the primary network's endpoint
        attachments[0] = replace(attachments[0], links=service_links)
    return tuple(attachments)


def _mounts(project: Project, service: Service) -> tuple[Mount, ...]:
    """The service's volumes (a named volume's key resolved to its engine name) and tmpfs entries,
    mapped by the same containers/parse.py code as the container module's."""
    mounts = []
    for index, item in enumerate(service.volumes):
        if item.type == "image":
            continue  # loaded and planned; run.plan refuses the deploy before any write (engine_support.py)
        if item.type not in ("bind", "volume", "tmpfs"):
            raise PlanError("services.%s.volumes[%d]" % (service.name, index),
                            "mount type %r is not supported by this engine" % item.type)
        if item.type == "bind" and parse_mounts.is_windows_path(item.source or ""):
            raise PlanError("services.%s.volumes[%d]" % (service.name, index),
                            "%s is a Windows host path; a Linux engine cannot bind it" % item.source)
        mount = item.to_mount()
        if item.type == "volume" and item.source in project.volumes:
            mount = replace(mount, source=project.volumes[item.source].name)
        mounts.append(mount)
    for index, entry in enumerate(service.tmpfs):
        mounts.append(parse_mounts.parse_tmpfs(entry, "services.%s.tmpfs[%d]" % (service.name, index)))
    return tuple(mounts)


def _secret_files(project: Project, service: Service) -> tuple[list[Mount], list[FileEntry]]:
    mounts: list[Mount] = []
    files: list[FileEntry] = []
    for kind, refs, top, where in (("secrets", service.secrets, project.secrets, secret_mount_path),
                                   ("configs", service.configs, project.configs, config_mount_path)):
        for index, ref in enumerate(refs):
            item = top.get(ref.source)
            path = "services.%s.%s[%d]" % (service.name, kind, index)
            if item is None:
                raise PlanError(path, "%s %r is not defined at the top level" % (kind[:-1], ref.source))
            target = where(ref)
            if item.file:
                mounts.append(Mount(target=target, type="bind", source=item.file, read_only=True))
            elif item.content is not None or item.environment:
                files.append(FileEntry(target, _inline_content(item).encode("utf-8"),
                                       ref.mode if ref.mode is not None else 0o444, int(ref.uid or 0), int(ref.gid or 0)))
            else:
                raise PlanError(path, "external %s are not supported without Swarm" % kind)
    return mounts, files


def _inline_content(item: Any) -> str:
    """The text a secret or config from `environment:` or `content:` puts in the container's file."""
    return item.content if item.content is not None else (item.value or "")


def content_fingerprint(project: Project, service: Service) -> str:
    """`secrets.NAME=hash,configs.NAME=hash` over the secrets and configs the service gets copied
    in (from `environment:` or `content:`): their text is in no setting the config-hash covers, so
    without this a rotated value would leave the old one in the container (as the CLI does). File
    sources are bind mounts: the container reads the file itself. A digest, never the value; it
    tells nothing the container's own file does not show to whoever may inspect the container."""
    contents = {}
    for kind, refs, top in (("secrets", service.secrets, project.secrets), ("configs", service.configs, project.configs)):
        for ref in refs:
            item = top.get(ref.source)
            if item is not None and not item.file and (item.content is not None or item.environment):
                contents["%s.%s" % (kind, ref.source)] = _inline_content(item)
    return L.settings_fingerprint(contents)


def healthcheck_spec(service: Service) -> Optional[Healthcheck]:
    check = service.healthcheck
    if check is None:
        return None
    return parse.HealthcheckSpec(
        test=tuple(check.test) if check.test is not None else None, interval_ns=check.interval,
        timeout_ns=check.timeout, retries=check.retries, start_period_ns=check.start_period,
        start_interval_ns=check.start_interval, disable=check.disable,
    ).healthcheck


def restart_policy(service: Service) -> tuple[Optional[str], Optional[int]]:
    if service.restart:
        name, _sep, retries = service.restart.partition(":")
        return name, int(retries) if retries else None
    policy = service.deploy.restart_policy if service.deploy else None
    if policy and policy.condition:
        name = {"any": "always", "none": "no"}.get(policy.condition, policy.condition)
        return name, policy.max_attempts if name == "on-failure" else None
    return None, None


def _limits(service: Service) -> dict[str, Any]:
    limits = service.deploy.resources.limits if service.deploy and service.deploy.resources else None
    reservations = service.deploy.resources.reservations if service.deploy and service.deploy.resources else None
    cpus = service.cpus if service.cpus is not None else (limits.cpus if limits else None)
    return dict(
        memory=service.mem_limit if service.mem_limit is not None else (limits.memory if limits else None),
        memory_reservation=service.mem_reservation if service.mem_reservation is not None
        else (reservations.memory if reservations else None),
        memory_swap=service.memswap_limit,
        nano_cpus=int(round(float(cpus) * 1e9)) if cpus is not None else None,
        pids_limit=service.pids_limit if service.pids_limit is not None else (limits.pids if limits else None),
    )


def _exposed(service: Service) -> Optional[tuple[str, ...]]:
    out = []
    for index, item in enumerate(service.expose):
        out.extend(parse.parse_exposed_port(item, "services.%s.expose[%d]" % (service.name, index)))
    return tuple(out) or None


def _ports(service: Service) -> Optional[tuple[PortBinding, ...]]:
    return tuple(port.binding for port in service.ports) or None


def _extra_hosts(service: Service) -> Optional[dict[str, str]]:
    hosts = {}
    for entry in service.extra_hosts:
        name, sep, address = entry.partition("=")
        if not sep:
            name, _sep, address = entry.partition(":")
        hosts[name] = address
    return hosts or None


def _devices(service: Service) -> Optional[tuple[Device, ...]]:
    """The loader keeps devices in the long form, read by containers/parse.py already."""
    devices = [Device(item["source"], item["target"], item["permissions"]) for item in service.extra.get("devices") or []]
    return tuple(devices) or None


def container_spec(project: Project, service: Service, number: int, labels: dict[str, str],
                   name: Optional[str] = None) -> ServiceContainer:
    """The spec of container `number` of `service`, named `name` (default: its final name)."""
    final_name = service.container_name or L.container_name(project.name, service.name, number)
    restart, retries = restart_policy(service)
    secret_mounts, files = _secret_files(project, service)
    mounts = _mounts(project, service) + tuple(secret_mounts)
    network_mode = service.network_mode
    if network_mode and network_mode.startswith("service:") and network_mode[len("service:"):] not in project.services:
        raise PlanError("services.%s.network_mode" % service.name,
                        "no service %r in the project to share the network namespace of" % network_mode[len("service:"):])
    env = {k: v for k, v in service.environment.items() if v is not None}
    merged_labels = dict(service.labels)
    merged_labels.update(labels)
    stop_timeout = None
    if service.stop_grace_period is not None:
        stop_timeout = int(service.stop_grace_period // 1_000_000_000)
    spec = ContainerSpec(
        name=name or final_name,
        image=default_image(project, service),
        command=tuple(service.command) if service.command is not None else None,
        entrypoint=tuple(service.entrypoint) if service.entrypoint is not None else None,
        env=env,
        labels=merged_labels,
        published_ports=_ports(service),
        exposed_ports=_exposed(service),
        mounts=mounts or None,
        networks=_network_attachments(project, service, final_name) if not network_mode else None,
        network_mode=network_mode or None,
        restart_policy=restart,
        restart_retries=retries,
        healthcheck=healthcheck_spec(service),
        log_driver=service.logging.driver if service.logging else None,
        log_options=dict(service.logging.options) if service.logging and service.logging.options else None,
        user=service.user, working_dir=service.working_dir,
        hostname=service.hostname, domainname=service.domainname,
        etc_hosts=_extra_hosts(service),
        dns_servers=tuple(service.dns) or None, dns_search=tuple(service.dns_search) or None,
        dns_opts=tuple(service.dns_opt) or None,
        cap_add=tuple(service.cap_add) or None, cap_drop=tuple(service.cap_drop) or None,
        privileged=service.privileged or None,
        devices=_devices(service),
        ulimits=tuple(Ulimit(n, u.single if u.single is not None else u.soft or 0,
                             u.single if u.single is not None else u.hard or 0)
                      for n, u in sorted(service.ulimits.items())) or None,
        sysctls=dict(service.sysctls) or None,
        read_only=service.read_only or None,
        init=service.init,
        security_opts=tuple(service.security_opt) or None,
        shm_size=service.shm_size,
        stop_timeout=stop_timeout,
        stop_signal=service.stop_signal,
        tty=service.tty or None, stdin_open=service.stdin_open or None,
        ipc_mode=service.extra.get("ipc"), pid_mode=service.extra.get("pid"),
        group_add=tuple(str(g) for g in service.extra.get("group_add") or ()) or None,
        **_limits(service),
        **resource_settings(project, service),
    )
    return ServiceContainer(spec, files)


def service_has_build(service: Service) -> bool:
    return service.build is not None


def build_context_path(project: Project, service: Service) -> str:
    context = service.build.context if service.build else "."
    return context if os.path.isabs(context) else os.path.join(project.working_dir or ".", context)


def build_labels(project: Project, service: Service) -> dict[str, str]:
    """The labels a service's image is built with: build.labels, plus the builder label `docker
    compose build` adds when the engine's classic builder runs the Dockerfile. With the same labels
    the classic builder's cache gives `docker compose` and this collection the same image ID for the
    same inputs, so neither recreates what the other built (raises ContextError like the digest)."""
    labels = dict(service.build.labels) if service.build else {}
    # Imported here for speed: only projects that build read their Dockerfiles.
    from ansible_collections.goship.containers.plugins.module_utils.images.context import BuildContext
    from ansible_collections.goship.containers.plugins.module_utils.images.dockerfile import buildkit_features
    context = BuildContext(build_context_path(project, service), service.build.dockerfile if service.build else None)
    if not buildkit_features(context.dockerfile_content.decode("utf-8", "replace")):
        labels[L.IMAGE_BUILDER] = "classic"
    return labels
