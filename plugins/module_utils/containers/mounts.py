# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a container's mounts map to the Engine API and back: the create request spreads them over
HostConfig.Binds, HostConfig.Mounts, Config.Volumes and HostConfig.Tmpfs; inspect data is read
back from the same keys into one sorted tuple of `Mount`. The `mounts` registry entry
(options_config.py) hooks these in."""

from __future__ import annotations

from typing import Any

from ansible_collections.goship.containers.plugins.module_utils.containers.parse_mounts import parse_tmpfs, parse_volume
from ansible_collections.goship.containers.plugins.module_utils.containers.values import Mount


# ---------------------------------------------------------------- spec → create request

def bind_mode(mount: Mount) -> str:
    """The mode field of a HostConfig.Binds entry: flags separated by commas (`ro,Z`,
    `rw,rshared`, `ro,nocopy`), the only form the engine accepts (`ro:Z` is an invalid spec)."""
    flags = ["ro" if mount.read_only else "rw"]
    if mount.propagation:
        flags.append(mount.propagation)
    if mount.no_copy:
        flags.append("nocopy")
    if mount.selinux_label:
        flags.append(mount.selinux_label)
    return ",".join(flags)


def _mount_api(mount: Mount) -> dict[str, Any]:
    body: dict[str, Any] = {"Type": mount.type, "Target": mount.target, "ReadOnly": mount.read_only}
    if mount.source:
        body["Source"] = mount.source
    if mount.consistency:
        body["Consistency"] = mount.consistency
    if mount.type == "volume":
        options: dict[str, Any] = {"NoCopy": mount.no_copy}
        if mount.volume_driver or mount.volume_options:
            options["DriverConfig"] = {"Name": mount.volume_driver or "local",
                                       "Options": dict(mount.volume_options)}
        if mount.volume_labels:
            options["Labels"] = dict(mount.volume_labels)
        if mount.subpath:
            options["Subpath"] = mount.subpath
        body["VolumeOptions"] = options
    if mount.type == "bind":
        # only what is set: an engine older than a field refuses none of them, it drops them, so
        # api_versions.py refuses them first (each key's min_api, options_item_keys.py)
        bind = {key: value for key, value in (
            ("Propagation", mount.propagation), ("NonRecursive", mount.non_recursive),
            ("CreateMountpoint", mount.create_mountpoint), ("ReadOnlyNonRecursive", mount.read_only_non_recursive),
            ("ReadOnlyForceRecursive", mount.read_only_force_recursive)) if value}
        if bind:
            body["BindOptions"] = bind
    return body


def _tmpfs_options(mount: Mount) -> str:
    options = []
    if mount.tmpfs_size is not None:
        options.append("size=%d" % mount.tmpfs_size)
    if mount.tmpfs_mode is not None:
        options.append("mode=%o" % mount.tmpfs_mode)
    if mount.read_only:
        options.append("ro")
    options.extend(mount.tmpfs_options)
    return ",".join(options)


def mounts_request(mounts: tuple[Mount, ...], config: dict[str, Any], host: dict[str, Any]) -> None:
    """Binds and named volumes go to Binds (the engine creates a missing bind source, as `docker
    run -v` does); binds whose source must exist and volumes with driver options go to Mounts
    (as `docker run --mount`); anonymous volumes to Config.Volumes; tmpfs to HostConfig.Tmpfs."""
    binds, api_mounts, volumes, tmpfs = [], [], {}, {}
    for mount in mounts:
        if mount.type == "tmpfs":
            tmpfs[mount.target] = _tmpfs_options(mount)
        elif mount.needs_mount_api:
            api_mounts.append(_mount_api(mount))
        elif mount.type == "volume" and not mount.source:
            volumes[mount.target] = {}
        else:
            binds.append("%s:%s:%s" % (mount.source, mount.target, bind_mode(mount)))
    if binds:
        host["Binds"] = binds
    if api_mounts:
        host["Mounts"] = api_mounts
    if volumes:
        config["Volumes"] = volumes
    if tmpfs:
        host["Tmpfs"] = tmpfs


# ---------------------------------------------------------------- inspect → spec

def _api_mount(entry: dict[str, Any]) -> Mount:
    volume = entry.get("VolumeOptions") or {}
    driver = volume.get("DriverConfig") or {}
    tmpfs = entry.get("TmpfsOptions") or {}
    bind = entry.get("BindOptions") or {}
    kind = entry.get("Type") or "volume"
    return Mount(
        target=entry["Target"].rstrip("/") or "/", type=kind, source=entry.get("Source") or "",
        source_must_exist=kind == "bind",
        read_only=bool(entry.get("ReadOnly")), propagation=bind.get("Propagation") or None,
        no_copy=bool(volume.get("NoCopy")), volume_driver=driver.get("Name") or None,
        volume_options=tuple(sorted((driver.get("Options") or {}).items())),
        volume_labels=tuple(sorted((volume.get("Labels") or {}).items())),
        tmpfs_size=tmpfs.get("SizeBytes") or None, tmpfs_mode=tmpfs.get("Mode") or None,
        non_recursive=bind.get("NonRecursive") or None, create_mountpoint=bind.get("CreateMountpoint") or None,
        read_only_non_recursive=bind.get("ReadOnlyNonRecursive") or None,
        read_only_force_recursive=bind.get("ReadOnlyForceRecursive") or None,
        subpath=volume.get("Subpath") or None,
        consistency=entry.get("Consistency") if entry.get("Consistency") not in (None, "", "default") else None,
    )


def observed_mounts(inspect: dict[str, Any]) -> tuple[Mount, ...]:
    """Every mount of an inspected container, anonymous volumes (Config.Volumes) included."""
    config = inspect.get("Config") or {}
    host = inspect.get("HostConfig") or {}
    # HostConfig.Binds holds the short syntax the engine was given (`src:/dst[:modes]`): the
    # parser family's reader of that syntax reads it back
    mounts = [parse_volume(entry, "HostConfig.Binds") for entry in host.get("Binds") or ()]
    mounts += [_api_mount(entry) for entry in host.get("Mounts") or ()]
    # HostConfig.Tmpfs holds `--tmpfs` options as the engine took them: read with the same parser
    mounts += [parse_tmpfs("%s:%s" % (target, options or ""), "HostConfig.Tmpfs", engine_accepted=True)
               for target, options in (host.get("Tmpfs") or {}).items()]
    targets = {mount.target for mount in mounts}
    for path in config.get("Volumes") or {}:
        target = path.rstrip("/") or "/"
        if target not in targets:
            mounts.append(Mount(target=target))
            targets.add(target)
    return tuple(sorted(mounts, key=lambda m: m.target))
