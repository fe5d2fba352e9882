# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The typed pieces a `ContainerSpec` is made of: ports, mounts, network memberships, the
healthcheck, ulimits, devices and device rates, in their normal form.

A leaf module (it imports nothing of the collection): the short-syntax parsers (parse.py), the
option registry (options*.py) and the compose engine all build these values, and spec.py re-exports
them for callers that import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

RESTART_POLICIES = ("no", "always", "on-failure", "unless-stopped")
MOUNT_TYPES = ("bind", "volume", "tmpfs")
# Network modes that are not the name of a network the container joins as an endpoint.
SPECIAL_NETWORK_MODES = ("host", "none")


@dataclass(frozen=True)
class PortBinding:
    """One published port: container_port/protocol → host_ip:host_port."""

    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""
    host_port: str = ""

    @property
    def key(self) -> str:
        return "%d/%s" % (self.container_port, self.protocol)


@dataclass(frozen=True)
class Mount:
    """A bind mount, a named or anonymous volume, or a tmpfs at `target`."""

    target: str
    type: str = "volume"
    source: str = ""  # host path (bind), volume name (volume; "" = anonymous), unused for tmpfs
    read_only: bool = False
    propagation: Optional[str] = None  # bind only: rprivate, shared, ...
    selinux_label: Optional[str] = None  # bind or named volume: "z" or "Z" (HostConfig.Binds only)
    no_copy: bool = False  # volume only
    volume_driver: Optional[str] = None
    volume_options: tuple[tuple[str, str], ...] = ()
    volume_labels: tuple[tuple[str, str], ...] = ()  # labels of a volume the mount creates (mounts[].labels)
    tmpfs_size: Optional[int] = None  # bytes
    tmpfs_mode: Optional[int] = None  # e.g. 0o1777
    # tmpfs only: its other mount options as `docker run --tmpfs` takes them (noexec, uid=1000, ...),
    # sorted (mounts.TMPFS_FLAGS and TMPFS_DATA say which)
    tmpfs_options: tuple[str, ...] = ()
    # bind only, HostConfig.Mounts' BindOptions (container module's mounts[]; the minimum Engine API
    # version of each is declared with its key in options_item_keys.py)
    # (True or None, never False: a diff shows only the flags that are set)
    non_recursive: Optional[bool] = None  # NonRecursive: `bind` rather than `rbind`
    create_mountpoint: Optional[bool] = None  # CreateMountpoint: the engine creates a missing host path
    read_only_non_recursive: Optional[bool] = None  # ReadOnlyNonRecursive: read-only, submounts left writable
    read_only_force_recursive: Optional[bool] = None  # ReadOnlyForceRecursive: fail unless recursively read-only
    subpath: Optional[str] = None  # volume only: VolumeOptions.Subpath, a path inside the volume
    consistency: Optional[str] = None  # bind or volume: cached, consistent or delegated (Linux ignores it)
    # Bind only: True refuses a missing host path, as `docker run --mount` does (sent as
    # HostConfig.Mounts); False lets the engine create it, as `docker run -v` does (HostConfig.Binds).
    # How the mount is requested, not what it is: not compared (two syntaxes, one mount).
    source_must_exist: bool = field(default=False, compare=False)

    @property
    def needs_mount_api(self) -> bool:
        """True when the mount must go to HostConfig.Mounts: what Binds cannot say (volume driver
        options, an anonymous volume read-only or without copy) or a bind whose source must exist."""
        if self.consistency:  # HostConfig.Binds drops it; HostConfig.Mounts keeps it
            return True
        if self.type == "bind":
            return self.source_must_exist or self.non_recursive or self.create_mountpoint \
                or self.read_only_non_recursive or self.read_only_force_recursive
        anonymous_with_options = not self.source and (self.no_copy or self.read_only)  # Config.Volumes has no mode
        return self.type == "volume" and bool(self.volume_driver or self.volume_options or self.volume_labels
                                              or self.subpath or anonymous_with_options)


@dataclass(frozen=True)
class NetworkAttachment:
    """Membership of one network, with the endpoint settings the user controls."""

    name: str
    aliases: tuple[str, ...] = ()
    ipv4_address: Optional[str] = None
    ipv6_address: Optional[str] = None
    links: tuple[str, ...] = ()  # "container:alias"
    driver_opts: tuple[tuple[str, str], ...] = ()  # sorted; the endpoint's DriverOpts
    mac_address: Optional[str] = None  # lower case; API 1.44+ (options_item_keys.py)
    gw_priority: Optional[int] = None  # API 1.48+ (options_item_keys.py)

    def endpoint_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.aliases:
            config["Aliases"] = list(self.aliases)
        if self.links:
            config["Links"] = list(self.links)
        if self.driver_opts:
            config["DriverOpts"] = dict(self.driver_opts)
        if self.mac_address:
            config["MacAddress"] = self.mac_address
        if self.gw_priority is not None:
            config["GwPriority"] = self.gw_priority
        ipam = {}
        if self.ipv4_address:
            ipam["IPv4Address"] = self.ipv4_address
        if self.ipv6_address:
            ipam["IPv6Address"] = self.ipv6_address
        if ipam:
            config["IPAMConfig"] = ipam
        return config


@dataclass(frozen=True)
class Healthcheck:
    """test is the exec array the API takes: ("CMD", ...), ("CMD-SHELL", "...") or ("NONE",).
    How each field maps to the Engine API is declared by the `healthcheck` registry entry's
    suboptions (options_config.py)."""

    test: tuple[str, ...] = ()
    interval_ns: Optional[int] = None
    timeout_ns: Optional[int] = None
    retries: Optional[int] = None
    start_period_ns: Optional[int] = None
    start_interval_ns: Optional[int] = None  # API 1.44+: the callers check the version first

    @property
    def disabled(self) -> bool:
        return self.test == ("NONE",)


@dataclass(frozen=True)
class Ulimit:
    name: str
    soft: int
    hard: int


@dataclass(frozen=True)
class Device:
    path_on_host: str
    path_in_container: str
    permissions: str = "rwm"


@dataclass(frozen=True)
class DeviceRate:
    """A per-device I/O limit: bytes per second, or operations per second (the *_iops options)."""

    path: str
    rate: int


@dataclass(frozen=True)
class DeviceRequest:
    """A request for devices from a device driver (HostConfig.DeviceRequests), such as GPUs."""

    driver: str = ""
    count: int = 0  # -1: all
    device_ids: tuple[str, ...] = ()
    capabilities: tuple[tuple[str, ...], ...] = ()  # alternatives (OR) of capability sets (AND)
    options: tuple[tuple[str, str], ...] = ()
