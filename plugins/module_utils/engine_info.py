# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `host_info` module's core: filter options → Engine API filters, engine answers → summaries.

Read-only: one `GET /version`, one `GET /info`, and one list call per object kind asked for, the
label (and other) filters applied by the engine, not here.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

OBJECT_KINDS = ("containers", "images", "networks", "volumes")

HOST_INFO_OPTIONS: dict[str, dict[str, Any]] = dict(
    containers=dict(type="bool", default=False),
    containers_all=dict(type="bool", default=False),
    containers_filters=dict(type="dict"),
    images=dict(type="bool", default=False),
    images_filters=dict(type="dict"),
    networks=dict(type="bool", default=False),
    networks_filters=dict(type="dict"),
    volumes=dict(type="bool", default=False),
    volumes_filters=dict(type="dict"),
    disk_usage=dict(type="bool", default=False),
    verbose_output=dict(type="bool", default=False),
)

# The lists of GET /system/df (docker system df -v), by kind; their entries carry labels
DISK_USAGE_LISTS = ("Images", "Containers", "Volumes", "BuildCache")

# The fields of each list entry kept when verbose_output is false.
SUMMARY_FIELDS = {
    "containers": ("Id", "Names", "Image", "State", "Status", "Created", "Labels"),
    "images": ("Id", "RepoTags", "Created", "Size", "Labels"),
    "networks": ("Id", "Name", "Driver", "Scope", "Labels"),
    "volumes": ("Name", "Driver", "Labels"),
}


def _filter_word(option: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise OptionError(option, "expected a string, number or boolean, got %s" % type(value).__name__)


def normalise_filters(option: str, filters: Optional[dict[str, Any]]) -> dict[str, list[str]]:
    """User filters as the Engine API takes them: every value a list of strings.

    Accepted, per filter name: a string (`label: app=shop`), a list of strings (`label: [a=1, b]`),
    a boolean (`dangling: true`), or for `label` a mapping (`label: {app: shop}`) meaning app=shop.
    """
    result: dict[str, list[str]] = {}
    for name, value in (filters or {}).items():
        path = "%s.%s" % (option, name)
        if value is None:
            raise OptionError(path, "a filter needs a value")
        if isinstance(value, dict):
            if name != "label":
                raise OptionError(path, "only the label filter takes a mapping (key: value)")
            words = ["%s=%s" % (key, _filter_word("%s.%s" % (path, key), item)) if item is not None else str(key)
                     for key, item in value.items()]
        elif isinstance(value, list):
            words = [_filter_word("%s[%d]" % (path, i), item) for i, item in enumerate(value)]
        else:
            words = [_filter_word(path, value)]
        if not words:
            raise OptionError(path, "an empty list matches nothing; leave the filter out instead")
        result[str(name)] = words
    return result


def engine_summary(version: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    """The facts most playbooks branch on, with stable snake_case names."""
    return dict(
        version=version.get("Version"),
        api_version=version.get("ApiVersion"),
        min_api_version=version.get("MinAPIVersion"),
        os=version.get("Os"),
        arch=version.get("Arch"),
        kernel_version=version.get("KernelVersion"),
        operating_system=info.get("OperatingSystem"),
        storage_driver=info.get("Driver"),
        cgroup_driver=info.get("CgroupDriver"),
        cgroup_version=info.get("CgroupVersion"),
        logging_driver=info.get("LoggingDriver"),
        docker_root_dir=info.get("DockerRootDir"),
        name=info.get("Name"),
        ncpu=info.get("NCPU"),
        mem_total=info.get("MemTotal"),
        swarm_active=((info.get("Swarm") or {}).get("LocalNodeState") == "active"),
    )


def summarise(kind: str, entries: list[dict[str, Any]], verbose: bool) -> list[dict[str, Any]]:
    """List entries as returned, or (not verbose) only the fields in SUMMARY_FIELDS[kind]."""
    if verbose:
        return entries
    summary = []
    for entry in entries:
        item = {key: entry.get(key) for key in SUMMARY_FIELDS[kind]}
        if kind == "containers":
            item["Names"] = [name.lstrip("/") for name in item.get("Names") or []]
        summary.append(item)
    return summary


def disk_usage(df: dict[str, Any], verbose: bool) -> dict[str, Any]:
    """GET /system/df as community.docker's docker_host_info returns it: the size of all image
    layers (`LayersSize`), or (verbose) the whole answer, with the per-kind lists."""
    if not verbose:
        return {"LayersSize": df.get("LayersSize")}
    usage = dict(df)
    for kind in DISK_USAGE_LISTS:
        usage[kind] = list(df.get(kind) or [])
    return usage
