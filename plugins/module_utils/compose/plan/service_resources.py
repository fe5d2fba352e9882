# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A service's CPU, block I/O, OOM, namespace and legacy-link keys → ContainerSpec fields.

The loader keeps these keys in `Service.extra` (validated for type, printed as `docker compose
config` prints them); this module is where they reach the container. A key the engine cannot be
given here fails planning with its path instead of being dropped in silence: a project must not
deploy without a limit it asks for.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import Project, Service
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import DeviceRate
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.units import parse_size_bytes

# Keys `docker compose up -d` itself does not act on: accepted and ignored.
IGNORED_KEYS = ("attach", "develop")
# Keys with no equivalent here, and why. (post_start/pre_stop run through apply/hooks.py; models,
# provider services and image mounts are refused by engine_support.py when a deploy needs them.)
UNSUPPORTED_KEYS = {
    "gpus": "GPU device requests are not supported",
    "credential_spec": "a Windows-only setting",
    "cpu_count": "a Windows-only setting",
    "cpu_percent": "a Windows-only setting",
    "use_api_socket": "not supported",
    "label_file": "not supported: put the labels under `labels`",
    "annotations": "not supported (needs Docker Engine API 1.43)",
    "pull_refresh_after": "not supported: use pull_policy always or missing",
}


def check_supported(service: Service) -> None:
    for key, why in UNSUPPORTED_KEYS.items():
        if key in service.extra:
            raise PlanError("services.%s.%s" % (service.name, key), why)
    isolation = service.extra.get("isolation")
    if isolation not in (None, "default"):
        raise PlanError("services.%s.isolation" % service.name, "%r is Windows-only; Linux engines take only 'default'" % isolation)


def _rates(service: Service, key: str, unit: str) -> Optional[tuple[DeviceRate, ...]]:
    items = (service.extra.get("blkio_config") or {}).get(key)
    if items is None:
        return None
    rates = []
    for index, item in enumerate(items if isinstance(items, list) else [items]):
        path = "services.%s.blkio_config.%s[%d]" % (service.name, key, index)
        if not isinstance(item, dict) or not item.get("path") or item.get(unit) is None:
            raise PlanError(path, "expected a mapping with path and %s" % unit)
        try:
            value = parse_size_bytes(item[unit]) if key.endswith("_bps") else int(item[unit])
        except (TypeError, ValueError):
            raise PlanError(path + "." + unit, "%r is not a valid %s" % (item[unit], unit))
        rates.append(DeviceRate(str(item["path"]), value))
    return tuple(sorted(rates, key=lambda r: r.path)) or None


def _first_container(project: Project, name: str) -> str:
    target = project.services.get(name)
    if target is not None and target.container_name:
        return target.container_name
    return L.container_name(project.name, name, 1)


def _volumes_from(project: Project, service: Service) -> Optional[tuple[str, ...]]:
    """`service[:mode]` names the service's first container; `container:name[:mode]` a container."""
    out = []
    for index, entry in enumerate(service.extra.get("volumes_from") or ()):
        if entry.startswith("container:"):
            out.append(entry[len("container:"):])
            continue
        name, sep, mode = entry.partition(":")
        if name not in project.services:
            raise PlanError("services.%s.volumes_from[%d]" % (service.name, index), "no service %r in the project" % name)
        out.append(_first_container(project, name) + sep + mode)
    return tuple(out) or None


def resolved_volumes_from(service: Service, first_ids: dict[str, str]) -> Optional[tuple[str, ...]]:
    """volumes_from at create time: `<service>[:mode]` -> `<ID of its first container>[:mode]`
    (the container the config-hash label names, apply/containers.py), `container:name[:mode]` ->
    `name[:mode]`."""
    out = []
    for entry in service.extra.get("volumes_from") or ():
        if entry.startswith("container:"):
            out.append(entry[len("container:"):])
            continue
        name, sep, mode = entry.partition(":")
        out.append(first_ids.get(name, name) + sep + mode)
    return tuple(out) or None


def links(project: Project, service: Service) -> tuple[str, ...]:
    """Endpoint links ("container:alias") for `links` (services) and `external_links` (containers)."""
    out = []
    for index, entry in enumerate(service.extra.get("links") or ()):
        name, _sep, alias = entry.partition(":")
        if name not in project.services:
            raise PlanError("services.%s.links[%d]" % (service.name, index), "no service %r in the project" % name)
        out.append("%s:%s" % (_first_container(project, name), alias or name))
    for entry in service.extra.get("external_links") or ():
        name, _sep, alias = entry.partition(":")
        out.append("%s:%s" % (name, alias or name))
    return tuple(out)


def resource_settings(project: Project, service: Service) -> dict[str, Any]:
    """ContainerSpec keyword arguments for the service's keys kept in `extra`."""
    check_supported(service)
    extra = service.extra
    blkio = extra.get("blkio_config") or {}
    swappiness = extra.get("mem_swappiness")
    storage = extra.get("storage_opt")
    rules = extra.get("device_cgroup_rules")
    return dict(
        cpu_shares=extra.get("cpu_shares"),
        cpu_period=extra.get("cpu_period"),
        cpu_quota=extra.get("cpu_quota"),
        cpu_rt_period=extra.get("cpu_rt_period"),
        cpu_rt_runtime=extra.get("cpu_rt_runtime"),
        cpuset_cpus=extra.get("cpuset"),
        blkio_weight=blkio.get("weight"),
        blkio_weight_devices=_rates(service, "weight_device", "weight"),
        device_read_bps=_rates(service, "device_read_bps", "rate"),
        device_write_bps=_rates(service, "device_write_bps", "rate"),
        device_read_iops=_rates(service, "device_read_iops", "rate"),
        device_write_iops=_rates(service, "device_write_iops", "rate"),
        oom_score_adj=extra.get("oom_score_adj"),
        oom_kill_disable=extra.get("oom_kill_disable"),
        memory_swappiness=None if swappiness is None else int(swappiness),
        cgroup_parent=extra.get("cgroup_parent"),
        cgroupns_mode=extra.get("cgroup"),
        runtime=extra.get("runtime"),
        userns_mode=extra.get("userns_mode"),
        uts_mode=extra.get("uts"),
        mac_address=extra.get("mac_address"),
        device_cgroup_rules=tuple(rules) if rules else None,
        storage_opts={str(k): str(v) for k, v in storage.items()} if storage else None,
        volumes_from=_volumes_from(project, service),
    )
