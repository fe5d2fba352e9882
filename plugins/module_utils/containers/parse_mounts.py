# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Volumes (`source:/target[:modes]`), mounts (the long syntax, in the Engine's and Compose's
vocabulary and community.docker's flat one) and tmpfs (`/path[:size=..,mode=..]`): one parser
each, for the `container` module and Compose alike; part of containers/parse.py's family.
Every error is an OptionError naming the option or path.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.values import Mount
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.user_input import (
    as_bool, as_enum, as_mapping, as_scalar_str, as_str, mapping_with, parse_int, parse_size, type_name,
)


# ---------------------------------------------------------------- volumes (short syntax)

PROPAGATIONS = ("rprivate", "private", "rshared", "shared", "rslave", "slave")
SELINUX_LABELS = ("z", "Z")
# Accepted for compatibility and dropped: the engine on Linux accepts and ignores them.
CONSISTENCY_MODES = ("consistent", "cached", "delegated")
VOLUME_MODES = ("ro", "rw", "nocopy") + PROPAGATIONS + SELINUX_LABELS + CONSISTENCY_MODES
_WINDOWS_PATH = re.compile(r"^(?:[a-zA-Z]:[\\/]|\\\\)")  # C:\x, C:/x, \\server\share


def split_volume_spec(spec: str) -> list[str]:
    """Split `SOURCE:TARGET:MODE` on colons, keeping a Windows drive path (`C:\\x`, and `C:/x` when a
    target follows: `C:/x:/data`) whole. `v:/data` stays a volume named v, as the Docker CLI reads
    it on Linux."""
    parts: list[str] = []
    for piece in spec.split(":"):
        if parts and len(parts) == 1 and len(parts[-1]) == 1 and parts[-1].isalpha() and piece.startswith("\\"):
            parts[-1] += ":" + piece
        else:
            parts.append(piece)
    if len(parts) >= 3 and len(parts[0]) == 1 and parts[0].isalpha() and parts[1].startswith("/") \
            and parts[2].startswith("/"):
        parts[0:2] = [parts[0] + ":" + parts[1]]
    return parts


def is_windows_path(source: str) -> bool:
    """A Windows host path (`C:\\x`, `C:/x`, `\\\\server\\share`): Compose keeps it as written."""
    return bool(_WINDOWS_PATH.match(source))


def is_host_path(source: str) -> bool:
    """A bind source (a host path) rather than a volume name."""
    return source.startswith(("/", ".", "~")) or bool(_WINDOWS_PATH.match(source))


def clean_path(path: str) -> str:
    """An absolute path as the engine stores it (cleaned: no `//`, `..` or trailing slash)."""
    if not path.startswith("/"):
        return path.rstrip("/") or path
    return "/" + posixpath.normpath(path).lstrip("/")


@dataclass(frozen=True)
class VolumeSpec:
    """One short-syntax volume: `/target` (anonymous), `name:/target[:modes]` or `/host:/target[:modes]`."""

    target: str  # cleaned
    source: str = ""  # as written: a host path (bind), a volume name, or "" (anonymous)
    bind: bool = False
    read_only: bool = False
    propagation: Optional[str] = None  # bind only
    selinux: Optional[str] = None  # z or Z: a bind or a named volume
    nocopy: bool = False  # volume only

    @property
    def mount_spec(self) -> MountSpec:
        """The long syntax this stands for, as Compose writes it: a bind creates its missing host path."""
        if self.bind:
            return MountSpec("bind", self.target, self.source, self.read_only,
                             bind=BindSpec(propagation=self.propagation, create_host_path=True, selinux=self.selinux))
        return MountSpec("volume", self.target, self.source or None, self.read_only,
                         bind=BindSpec(selinux=self.selinux) if self.selinux else None,
                         volume=VolumeOptionsSpec(nocopy=self.nocopy))

    @property
    def mount(self) -> Mount:
        return self.mount_spec.to_mount()


def _volume_modes(field_text: str, bind: bool, text: str, option: str) -> dict[str, Any]:
    """The comma separated mode field of 'source:/target:mode', refusing what the engine would
    refuse at create (`ro,rw`, two propagations, `nocopy` on a bind, propagation on a volume), so
    the error names the option before any write."""
    modes = field_text.split(",") if field_text else []
    for mode in modes:
        if mode not in VOLUME_MODES:
            raise OptionError(option, "unknown mode %r in %r (known: %s)" % (mode, text, ", ".join(VOLUME_MODES)))
    if len(set(modes)) != len(modes):
        raise OptionError(option, "a mode is given twice in %r" % text)
    for group in (("ro", "rw"), PROPAGATIONS, SELINUX_LABELS, CONSISTENCY_MODES):
        chosen = [m for m in modes if m in group]
        if len(chosen) > 1:
            raise OptionError(option, "%s exclude each other in %r" % (" and ".join(chosen), text))
    propagation = next((m for m in modes if m in PROPAGATIONS), None)
    if not bind and propagation:
        raise OptionError(option, "%r: propagation applies to bind mounts only" % text)
    if bind and "nocopy" in modes:
        raise OptionError(option, "%r: nocopy applies to volumes only" % text)
    return dict(read_only="ro" in modes, propagation=propagation, nocopy="nocopy" in modes,
                selinux=next((m for m in modes if m in SELINUX_LABELS), None))


def parse_volume_spec(text: Any, option: str = "volumes", windows_sources: bool = False) -> VolumeSpec:
    """'/target' (anonymous volume), 'name:/target[:mode]' or '/host:/target[:mode]'; mode is comma
    separated: ro|rw, nocopy (volume), propagation (bind), z|Z (SELinux relabel), a consistency
    (accepted and dropped). The engine's rules: an absolute target and host path, no empty field.
    `windows_sources`: a Windows host path is a bind source too (Compose files; the engine decides)."""
    if not isinstance(text, str) or not text.strip():
        raise OptionError(option, "expected 'source:/target[:mode]' or '/target', got %r" % (text,))
    parts = split_volume_spec(text.strip())
    if len(parts) > 3:
        raise OptionError(option, "%r has too many ':' fields (expected 'source:/target[:mode]', modes"
                                  " separated by commas as in 'ro,Z')" % text)
    if len(parts) > 1 and not all(parts):
        raise OptionError(option, "%r has an empty field (expected 'source:/target[:mode]')" % text)
    if not parts[-1 if len(parts) == 1 else 1].startswith("/"):
        expected = "'source:/target[:mode]'" + (" or '/target'" if len(parts) == 1 else "")
        raise OptionError(option, "%r has no target path (expected %s)" % (text, expected))
    source, target = ("", parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    bind = bool(source) and is_host_path(source)
    if bind and not source.startswith("/") and not (windows_sources and is_windows_path(source)):
        raise OptionError(option, "use an absolute host path instead of %r" % source)
    modes = _volume_modes(parts[2] if len(parts) == 3 else "", bind, text, option)
    return VolumeSpec(target=clean_path(target), source=source, bind=bind, **modes)


def parse_volume(text: Any, option: str = "volumes") -> Mount:
    return parse_volume_spec(text, option).mount


# ---------------------------------------------------------------- mounts (long syntax)

MOUNT_KINDS = ("bind", "volume", "tmpfs", "npipe", "cluster", "image")


@dataclass(frozen=True)
class BindSpec:
    propagation: Optional[str] = None
    create_host_path: Optional[bool] = None
    selinux: Optional[str] = None
    recursive: Optional[str] = None


@dataclass(frozen=True)
class VolumeOptionsSpec:
    nocopy: bool = False
    subpath: Optional[str] = None
    labels: tuple[tuple[str, str], ...] = ()
    driver: Optional[str] = None
    driver_options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TmpfsSpec:
    size: Optional[int] = None  # bytes
    mode: Optional[int] = None


@dataclass(frozen=True)
class MountSpec:
    """One long-syntax mount: the Engine's (and Compose's) Mount shape."""

    type: str
    target: str  # cleaned
    source: Optional[str] = None  # as written (None: anonymous volume, tmpfs)
    read_only: bool = False
    consistency: Optional[str] = None
    bind: Optional[BindSpec] = None
    volume: Optional[VolumeOptionsSpec] = None
    tmpfs: Optional[TmpfsSpec] = None
    image_subpath: Optional[str] = None
    image: bool = False  # an `image:` mapping was given

    def to_mount(self, option: str = "mounts", bind_source_must_exist: bool = False) -> Mount:
        """The ContainerSpec mount; bind, volume and tmpfs are what a Linux engine mounts here.
        `bind_source_must_exist`: refuse a missing host path, as `docker run --mount` does (the
        short syntax and Compose's volumes let the engine create it)."""
        if self.type == "bind":
            return Mount(target=self.target, type="bind", source=clean_path(self.source or ""), read_only=self.read_only,
                         propagation=self.bind.propagation if self.bind else None,
                         selinux_label=self.bind.selinux if self.bind else None,
                         source_must_exist=bind_source_must_exist)
        if self.type == "volume":
            volume = self.volume or VolumeOptionsSpec()
            return Mount(target=self.target, type="volume", source=self.source or "", read_only=self.read_only,
                         selinux_label=self.bind.selinux if self.bind else None,
                         no_copy=volume.nocopy, volume_driver=volume.driver, volume_options=volume.driver_options,
                         volume_labels=volume.labels)
        if self.type == "tmpfs":
            return Mount(target=self.target, type="tmpfs", read_only=self.read_only,
                         tmpfs_size=self.tmpfs.size if self.tmpfs else None,
                         tmpfs_mode=self.tmpfs.mode if self.tmpfs else None)
        raise OptionError(option + ".type", "%r is not one of bind, volume, tmpfs" % self.type)


def _labels(value: Any, path: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), as_scalar_str(v, "%s.%s" % (path, k))) for k, v in as_mapping(value, path).items()))


# The tmpfs options the engine accepts in HostConfig.Tmpfs (what `docker run --tmpfs` passes on):
# the mount flags of its flag table, and the tmpfs data keys. `ro`/`rw`, `size` and `mode` are
# Mount fields of their own; the rest travel as `tmpfs_options` (mounts.py writes them back).
TMPFS_FLAGS = (
    "defaults", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync", "mand", "nomand",
    "atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime",
) + PROPAGATIONS + ("unbindable", "runbindable")
TMPFS_DATA = ("uid", "gid", "nr_inodes", "nr_blocks", "mpol")


def tmpfs_option(key: str, value: str) -> str:
    """One tmpfs option other than ro/rw/size/mode, in its normal form; ValueError when the engine
    would refuse it ('Invalid tmpfs option')."""
    if key in TMPFS_FLAGS and not value:
        return key
    if key in TMPFS_DATA and value:
        return "%s=%s" % (key, value)
    raise ValueError("unknown tmpfs option %r (ro, rw, size, mode, %s, or a mount flag such as noexec, nosuid, "
                     "nodev)" % (key + ("=" + value if value else ""), ", ".join(TMPFS_DATA)))


def _tmpfs_mode(value: Any, path: str) -> int:
    """docker_container's tmpfs_mode: an octal string like 1777."""
    try:
        return int(str(value), 8)
    except ValueError:
        raise OptionError(path, "%r is not an octal mode like 1777" % (value,))


def parse_mount_spec(item: Any, option: str = "mounts", default_type: Optional[str] = "volume",
                     windows_sources: bool = False) -> MountSpec:
    """A mapping in the Engine's and Compose's vocabulary (type, source, target, read_only,
    consistency, bind: {propagation, create_host_path, selinux, recursive}, volume: {nocopy,
    subpath, labels}, tmpfs: {size, mode}, image: {subpath}); community.docker's flat names are
    taken too (propagation, no_copy, volume_driver, volume_options, tmpfs_size, tmpfs_mode).
    Without `default_type`, `type` is required (as in Compose)."""
    if not isinstance(item, dict):
        raise OptionError(option, "expected a mapping with at least 'target', not %s" % type_name(item))
    kind = item.get("type") or default_type
    kind = as_enum(kind, option + ".type", MOUNT_KINDS)
    target = item.get("target")
    if not target:
        raise OptionError(option + ".target", "is required")
    target = as_str(target, option + ".target")
    if not target.startswith("/"):
        raise OptionError(option + ".target", "an absolute path is required, got %r" % (target,))
    source = as_str(item["source"], option + ".source") if item.get("source") is not None else None
    if kind == "bind" and not source:
        raise OptionError(option + ".source", "is required for a bind mount")
    if kind == "bind" and not source.startswith("/") and not (windows_sources and is_windows_path(source)):
        raise OptionError(option + ".source", "a bind mount needs an absolute host path, got %r" % (source,))
    if kind == "tmpfs" and source:
        raise OptionError(option + ".source", "is not allowed for a tmpfs mount")
    bind = _bind_options(item, option)
    volume = _volume_options(item, option)
    tmpfs = _tmpfs_options(item, option)
    image = None
    if item.get("image") is not None:
        image = mapping_with(item["image"], option + ".image", ("subpath",))
    return MountSpec(
        type=kind, target=clean_path(target), source=source,
        read_only=as_bool(item["read_only"], option + ".read_only") if item.get("read_only") is not None else False,
        consistency=as_str(item["consistency"], option + ".consistency") if item.get("consistency") is not None else None,
        bind=bind, volume=volume, tmpfs=tmpfs,
        image_subpath=as_str(image["subpath"], option + ".image.subpath") if image and "subpath" in image else None,
        image=image is not None,
    )


def _bind_options(item: dict[str, Any], option: str) -> Optional[BindSpec]:
    given = item.get("bind")
    flat = item.get("propagation")
    if given is None and flat is None:
        return None
    where = option + ".bind"
    bind = mapping_with(given if given is not None else {}, where, ("propagation", "create_host_path", "selinux", "recursive"))
    propagation = bind.get("propagation", flat)
    return BindSpec(
        propagation=as_enum(propagation, (where + ".propagation") if "propagation" in bind else option + ".propagation",
                            PROPAGATIONS) if propagation is not None else None,
        create_host_path=as_bool(bind["create_host_path"], where + ".create_host_path") if "create_host_path" in bind else None,
        selinux=as_enum(bind["selinux"], where + ".selinux", ("z", "Z")) if "selinux" in bind else None,
        recursive=as_str(bind["recursive"], where + ".recursive") if "recursive" in bind else None,
    )


def _volume_options(item: dict[str, Any], option: str) -> Optional[VolumeOptionsSpec]:
    given = item.get("volume")
    flat = {key: item.get(key) for key in ("no_copy", "volume_driver", "volume_options", "labels")}
    if given is None and not any(flat.values()):
        return None
    where = option + ".volume"
    volume = mapping_with(given if given is not None else {}, where, ("nocopy", "subpath", "labels"))
    nocopy = as_bool(volume["nocopy"], where + ".nocopy") if "nocopy" in volume else bool(flat["no_copy"])
    return VolumeOptionsSpec(
        nocopy=nocopy,
        subpath=as_str(volume["subpath"], where + ".subpath") if "subpath" in volume else None,
        labels=(_labels(volume["labels"] or {}, where + ".labels") if "labels" in volume  # community.docker: flat
                else _labels(flat["labels"] or {}, option + ".labels")),
        driver=as_str(flat["volume_driver"], option + ".volume_driver") if flat["volume_driver"] else None,
        driver_options=tuple(sorted((str(k), str(v)) for k, v in as_mapping(flat["volume_options"] or {},
                                                                            option + ".volume_options").items())),
    )


def _tmpfs_options(item: dict[str, Any], option: str) -> Optional[TmpfsSpec]:
    given = item.get("tmpfs")
    size, mode = item.get("tmpfs_size"), item.get("tmpfs_mode")
    if given is None and size in (None, "") and mode in (None, ""):
        return None
    if given is not None:
        where = option + ".tmpfs"
        tmpfs = mapping_with(given, where, ("size", "mode"))
        return TmpfsSpec(size=parse_size(tmpfs.get("size"), where + ".size"),
                         mode=parse_int(tmpfs["mode"], where + ".mode") if "mode" in tmpfs else None)
    return TmpfsSpec(size=parse_size(size, option + ".tmpfs_size") if size not in (None, "") else None,
                     mode=_tmpfs_mode(mode, option + ".tmpfs_mode") if mode not in (None, "") else None)


# community.docker's flat mounts[] keys that only the container module takes (Compose writes them
# inside bind: / volume: / tmpfs:, and its loader keeps what it did with them): key -> mount types.
BIND_FLAGS = ("non_recursive", "create_mountpoint", "read_only_non_recursive", "read_only_force_recursive")
_FLAT_KEY_TYPES = dict({key: ("bind",) for key in BIND_FLAGS}, subpath=("volume",), tmpfs_options=("tmpfs",))


def parse_mount(item: Any, option: str = "mounts") -> Mount:
    """The container module's `mounts`: a bind's host path must exist, as with `docker run --mount`.
    Its keys beyond Compose's vocabulary are checked here, whatever engine runs the task (the API
    version each needs is checked by api_versions.py before any write)."""
    mount = parse_mount_spec(item, option).to_mount(option, bind_source_must_exist=True)
    given = {key: item[key] for key in _FLAT_KEY_TYPES if item.get(key) not in (None, False, "", [])}
    for key in given:
        if mount.type not in _FLAT_KEY_TYPES[key]:
            raise OptionError("%s.%s" % (option, key), "applies to %s mounts only, and this one is a %s mount"
                              % (" and ".join(_FLAT_KEY_TYPES[key]), mount.type))
    flags = {key: as_bool(given[key], "%s.%s" % (option, key)) for key in BIND_FLAGS if key in given}
    for key in ("read_only_non_recursive", "read_only_force_recursive"):
        if flags.get(key) and not mount.read_only:
            raise OptionError("%s.%s" % (option, key), "needs read_only: true (it says how the mount is read-only)")
    if flags.get("read_only_non_recursive") and flags.get("read_only_force_recursive"):
        raise OptionError(option + ".read_only_force_recursive", "contradicts read_only_non_recursive; give one")
    extra: dict[str, Any] = {key: True for key, value in flags.items() if value}  # a flag set to false is not set
    consistency = item.get("consistency")
    if consistency not in (None, "", "default"):  # "default": the engine's own, as if not given
        if mount.type == "tmpfs":
            raise OptionError(option + ".consistency", "applies to bind and volume mounts only (a tmpfs mount is sent "
                                                       "in HostConfig.Tmpfs, which has no consistency)")
        extra["consistency"] = as_enum(consistency, option + ".consistency", CONSISTENCY_MODES)
    if "subpath" in given:
        extra["subpath"] = _subpath(given["subpath"], option + ".subpath")
    if "tmpfs_options" in given:
        extra["tmpfs_options"] = _flat_tmpfs_options(given["tmpfs_options"], option + ".tmpfs_options")
    return replace(mount, **extra) if extra else mount


def _subpath(value: Any, path: str) -> str:
    """A path inside the volume: relative, and not leaving it (as the engine requires)."""
    text = as_str(value, path)
    cleaned = posixpath.normpath(text)
    if text.startswith("/") or cleaned == ".." or cleaned.startswith("../"):
        raise OptionError(path, "%r must be a relative path inside the volume, without leading '..'" % text)
    return cleaned


def _flat_tmpfs_options(value: Any, path: str) -> tuple[str, ...]:
    """community.docker's tmpfs_options, a list of one-key mappings (`{noexec: null}`,
    `{uid: 1000}`), as the tmpfs options `docker run --tmpfs` takes; `size`, `mode` and `ro` have
    keys of their own (tmpfs_size, tmpfs_mode, read_only)."""
    if not isinstance(value, list):
        raise OptionError(path, "must be a list of one-key mappings such as {noexec: null}, not %s" % type_name(value))
    options = set()
    for index, entry in enumerate(value):
        where = "%s[%d]" % (path, index)
        if not isinstance(entry, dict) or len(entry) != 1:
            raise OptionError(where, "must be a mapping with one key, such as {noexec: null} or {uid: '1000'}")
        (key, setting), = entry.items()
        key = as_str(key, where)
        if key in ("size", "mode", "ro", "rw"):
            raise OptionError("%s.%s" % (where, key), "use the mount's %s key instead"
                              % {"size": "tmpfs_size", "mode": "tmpfs_mode"}.get(key, "read_only"))
        try:
            options.add(tmpfs_option(key, "" if setting is None else as_scalar_str(setting, "%s.%s" % (where, key))))
        except ValueError as exc:
            raise OptionError("%s.%s" % (where, key), str(exc))
    return tuple(sorted(options))


def parse_tmpfs(text: Any, option: str = "tmpfs", engine_accepted: bool = False) -> Mount:
    """'/path[:size=64m,mode=1777,ro,noexec,uid=1000,...]'. With `engine_accepted` (an entry of an
    inspected HostConfig.Tmpfs, which the engine took already), an option unknown here is kept as
    written rather than refused: a newer engine's own option must not make observation fail."""
    text = str(text).strip()
    target, _sep, opts = text.partition(":")
    if not target.startswith("/"):
        raise OptionError(option, "%r must start with an absolute path" % text)
    size = mode = None
    read_only = False
    others = set()
    for opt in filter(None, opts.split(",")):
        key, _sep, value = opt.partition("=")
        if key == "size":
            size = parse_size(value, option)
        elif key == "mode":
            mode = _tmpfs_mode(value, option)
        elif key == "ro":
            read_only = True
        elif key != "rw":
            try:  # noexec, nosuid, uid=1000, ...: what `docker run --tmpfs` takes (mounts.py)
                others.add(tmpfs_option(key, value))
            except ValueError as exc:
                if not engine_accepted:
                    raise OptionError(option, "%s (in %r)" % (exc, text))
                others.add(opt)
    return Mount(target=clean_path(target), type="tmpfs", read_only=read_only, tmpfs_size=size, tmpfs_mode=mode,
                 tmpfs_options=tuple(sorted(others)))
