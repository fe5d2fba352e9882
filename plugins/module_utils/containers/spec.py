# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`ContainerSpec`: what a container should be, typed and normalised, independent of Ansible.

Both the `container` module (from its options) and the compose engine (from a Compose service)
build a `ContainerSpec`; `to_create_request()` turns it into the body of POST /containers/create.

Normal forms (so that two specs that mean the same thing compare equal):
- durations are integer nanoseconds, sizes integer bytes, CPUs integer nano-CPUs;
- ports: one `PortBinding` per (container port, protocol, host ip, host port); ranges are expanded
  by the parsers; `host_port` is a string ("" = engine picks, "8000" or a host range "8000-8010");
- `exposed_ports` are "PORT/PROTO" strings;
- `command` / `entrypoint` are tuples of strings (exec form);
- `None` in any field means "not specified": the engine or the image decides, and the `container`
  module does not compare it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
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
    tmpfs_size: Optional[int] = None  # bytes
    tmpfs_mode: Optional[int] = None  # e.g. 0o1777
    # Bind only: True refuses a missing host path, as `docker run --mount` does (sent as
    # HostConfig.Mounts); False lets the engine create it, as `docker run -v` does (HostConfig.Binds).
    # How the mount is requested, not what it is: not compared (two syntaxes, one mount).
    source_must_exist: bool = field(default=False, compare=False)

    @property
    def needs_mount_api(self) -> bool:
        """True when the mount must go to HostConfig.Mounts: what Binds cannot say (volume driver
        options, an anonymous volume read-only or without copy) or a bind whose source must exist."""
        if self.type == "bind":
            return self.source_must_exist
        anonymous_with_options = not self.source and (self.no_copy or self.read_only)  # Config.Volumes has no mode
        return self.type == "volume" and bool(self.volume_driver or self.volume_options or anonymous_with_options)


@dataclass(frozen=True)
class NetworkAttachment:
    """Membership of one network, with the endpoint settings the user controls."""

    name: str
    aliases: tuple[str, ...] = ()
    ipv4_address: Optional[str] = None
    ipv6_address: Optional[str] = None
    links: tuple[str, ...] = ()  # "container:alias"

    def endpoint_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.aliases:
            config["Aliases"] = list(self.aliases)
        if self.links:
            config["Links"] = list(self.links)
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
    """test is the exec array the API takes: ("CMD", ...), ("CMD-SHELL", "...") or ("NONE",)."""

    test: tuple[str, ...] = ()
    interval_ns: Optional[int] = None
    timeout_ns: Optional[int] = None
    retries: Optional[int] = None
    start_period_ns: Optional[int] = None
    start_interval_ns: Optional[int] = None  # API 1.44+: the callers check the version first

    @property
    def disabled(self) -> bool:
        return self.test == ("NONE",)

    def api(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.test:
            body["Test"] = list(self.test)
        for key, value in (("Interval", self.interval_ns), ("Timeout", self.timeout_ns),
                           ("Retries", self.retries), ("StartPeriod", self.start_period_ns),
                           ("StartInterval", self.start_interval_ns)):
            if value is not None:
                body[key] = value
        return body


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
class ContainerSpec:
    """The desired container. Only `name` and `image` are required; `None` means unspecified."""

    name: str
    image: str
    command: Optional[tuple[str, ...]] = None
    entrypoint: Optional[tuple[str, ...]] = None
    env: Optional[dict[str, str]] = None
    labels: Optional[dict[str, str]] = None
    published_ports: Optional[tuple[PortBinding, ...]] = None
    publish_all_ports: Optional[bool] = None
    exposed_ports: Optional[tuple[str, ...]] = None
    mounts: Optional[tuple[Mount, ...]] = None
    networks: Optional[tuple[NetworkAttachment, ...]] = None
    network_mode: Optional[str] = None
    restart_policy: Optional[str] = None
    restart_retries: Optional[int] = None
    healthcheck: Optional[Healthcheck] = None
    memory: Optional[int] = None
    memory_reservation: Optional[int] = None
    memory_swap: Optional[int] = None
    nano_cpus: Optional[int] = None
    cpu_shares: Optional[int] = None
    pids_limit: Optional[int] = None
    log_driver: Optional[str] = None
    log_options: Optional[dict[str, str]] = None
    user: Optional[str] = None
    working_dir: Optional[str] = None
    hostname: Optional[str] = None
    domainname: Optional[str] = None
    etc_hosts: Optional[dict[str, str]] = None
    dns_servers: Optional[tuple[str, ...]] = None
    dns_search: Optional[tuple[str, ...]] = None
    dns_opts: Optional[tuple[str, ...]] = None
    cap_add: Optional[tuple[str, ...]] = None
    cap_drop: Optional[tuple[str, ...]] = None
    privileged: Optional[bool] = None
    devices: Optional[tuple[Device, ...]] = None
    ulimits: Optional[tuple[Ulimit, ...]] = None
    sysctls: Optional[dict[str, str]] = None
    read_only: Optional[bool] = None
    init: Optional[bool] = None
    security_opts: Optional[tuple[str, ...]] = None
    shm_size: Optional[int] = None
    stop_timeout: Optional[int] = None  # seconds
    stop_signal: Optional[str] = None
    auto_remove: Optional[bool] = None
    tty: Optional[bool] = None
    stdin_open: Optional[bool] = None
    ipc_mode: Optional[str] = None
    pid_mode: Optional[str] = None
    group_add: Optional[tuple[str, ...]] = None
    mac_address: Optional[str] = None
    # CPU and block I/O limits the engine can change in place (POST /containers/{id}/update)
    cpu_period: Optional[int] = None  # microseconds
    cpu_quota: Optional[int] = None  # microseconds per period
    cpu_rt_period: Optional[int] = None  # microseconds
    cpu_rt_runtime: Optional[int] = None  # microseconds
    cpuset_cpus: Optional[str] = None
    cpuset_mems: Optional[str] = None
    blkio_weight: Optional[int] = None
    # Set at create time only
    blkio_weight_devices: Optional[tuple[DeviceRate, ...]] = None  # rate = weight
    device_read_bps: Optional[tuple[DeviceRate, ...]] = None
    device_write_bps: Optional[tuple[DeviceRate, ...]] = None
    device_read_iops: Optional[tuple[DeviceRate, ...]] = None
    device_write_iops: Optional[tuple[DeviceRate, ...]] = None
    oom_score_adj: Optional[int] = None
    oom_kill_disable: Optional[bool] = None
    memory_swappiness: Optional[int] = None
    cgroup_parent: Optional[str] = None
    cgroupns_mode: Optional[str] = None
    runtime: Optional[str] = None
    userns_mode: Optional[str] = None
    uts_mode: Optional[str] = None
    device_cgroup_rules: Optional[tuple[str, ...]] = None
    storage_opts: Optional[dict[str, str]] = None
    volumes_from: Optional[tuple[str, ...]] = None
    extra: dict[str, Any] = field(default_factory=dict)  # raw HostConfig keys, an escape hatch

    @property
    def first_network(self) -> Optional[NetworkAttachment]:
        return self.networks[0] if self.networks else None

    @property
    def effective_network_mode(self) -> Optional[str]:
        """HostConfig.NetworkMode: explicit mode, else the first network, else engine default."""
        if self.network_mode:
            return self.network_mode
        first = self.first_network
        return first.name if first else None


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
    if mount.type == "volume":
        options: dict[str, Any] = {"NoCopy": mount.no_copy}
        if mount.volume_driver or mount.volume_options:
            options["DriverConfig"] = {"Name": mount.volume_driver or "local",
                                       "Options": dict(mount.volume_options)}
        body["VolumeOptions"] = options
    if mount.type == "bind" and mount.propagation:
        body["BindOptions"] = {"Propagation": mount.propagation}
    return body


def _tmpfs_options(mount: Mount) -> str:
    options = []
    if mount.tmpfs_size is not None:
        options.append("size=%d" % mount.tmpfs_size)
    if mount.tmpfs_mode is not None:
        options.append("mode=%o" % mount.tmpfs_mode)
    if mount.read_only:
        options.append("ro")
    return ",".join(options)


def _mounts_request(mounts: tuple[Mount, ...], config: dict[str, Any], host: dict[str, Any]) -> None:
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


def _ports_request(spec: ContainerSpec, config: dict[str, Any], host: dict[str, Any]) -> None:
    exposed: dict[str, dict] = {}
    for port in spec.exposed_ports or ():
        exposed[port] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for binding in spec.published_ports or ():
        exposed[binding.key] = {}
        bindings.setdefault(binding.key, []).append({"HostIp": binding.host_ip, "HostPort": binding.host_port})
    if exposed:
        config["ExposedPorts"] = exposed
    if bindings:
        host["PortBindings"] = bindings
    if spec.publish_all_ports is not None:
        host["PublishAllPorts"] = spec.publish_all_ports


def _set(target: dict[str, Any], key: str, value: Any, convert: Any = None) -> None:
    if value is not None:
        target[key] = convert(value) if convert else value


def _device_rates(rates: tuple[DeviceRate, ...], unit: str = "Rate") -> list[dict[str, Any]]:
    return [{"Path": item.path, unit: item.rate} for item in rates]


def _resources_request(spec: ContainerSpec, host: dict[str, Any]) -> None:
    """CPU, block I/O, OOM and namespace settings (HostConfig keys)."""
    _set(host, "CpuPeriod", spec.cpu_period)
    _set(host, "CpuQuota", spec.cpu_quota)
    _set(host, "CpuRealtimePeriod", spec.cpu_rt_period)
    _set(host, "CpuRealtimeRuntime", spec.cpu_rt_runtime)
    _set(host, "CpusetCpus", spec.cpuset_cpus)
    _set(host, "CpusetMems", spec.cpuset_mems)
    _set(host, "BlkioWeight", spec.blkio_weight)
    _set(host, "BlkioWeightDevice", spec.blkio_weight_devices, lambda rates: _device_rates(rates, "Weight"))
    _set(host, "BlkioDeviceReadBps", spec.device_read_bps, _device_rates)
    _set(host, "BlkioDeviceWriteBps", spec.device_write_bps, _device_rates)
    _set(host, "BlkioDeviceReadIOps", spec.device_read_iops, _device_rates)
    _set(host, "BlkioDeviceWriteIOps", spec.device_write_iops, _device_rates)
    _set(host, "OomScoreAdj", spec.oom_score_adj)
    _set(host, "OomKillDisable", spec.oom_kill_disable)
    _set(host, "MemorySwappiness", spec.memory_swappiness)
    _set(host, "CgroupParent", spec.cgroup_parent)
    _set(host, "CgroupnsMode", spec.cgroupns_mode)
    _set(host, "Runtime", spec.runtime)
    _set(host, "UsernsMode", spec.userns_mode)
    _set(host, "UTSMode", spec.uts_mode)
    _set(host, "DeviceCgroupRules", spec.device_cgroup_rules, list)
    _set(host, "StorageOpt", spec.storage_opts, dict)
    _set(host, "VolumesFrom", spec.volumes_from, list)


def to_create_request(spec: ContainerSpec) -> dict[str, Any]:
    """Body of POST /containers/create?name=<spec.name> (container config + HostConfig +
    NetworkingConfig for the first network; later networks are joined by `connect_networks`)."""
    config: dict[str, Any] = {"Image": spec.image}
    host: dict[str, Any] = {}
    _set(config, "Cmd", spec.command, list)
    _set(config, "Entrypoint", spec.entrypoint, list)
    _set(config, "Env", spec.env, lambda env: ["%s=%s" % item for item in sorted(env.items())])
    _set(config, "Labels", spec.labels, dict)
    _set(config, "User", spec.user)
    _set(config, "WorkingDir", spec.working_dir)
    _set(config, "Hostname", spec.hostname)
    _set(config, "Domainname", spec.domainname)
    _set(config, "StopTimeout", spec.stop_timeout)
    _set(config, "StopSignal", spec.stop_signal)
    _set(config, "Tty", spec.tty)
    _set(config, "OpenStdin", spec.stdin_open)
    _set(config, "MacAddress", spec.mac_address)
    if spec.healthcheck is not None:
        config["Healthcheck"] = spec.healthcheck.api()
    _ports_request(spec, config, host)
    if spec.mounts:
        _mounts_request(spec.mounts, config, host)

    if spec.restart_policy is not None:
        policy: dict[str, Any] = {"Name": "" if spec.restart_policy == "no" else spec.restart_policy}
        if spec.restart_policy == "on-failure" and spec.restart_retries is not None:
            policy["MaximumRetryCount"] = spec.restart_retries
        host["RestartPolicy"] = policy
    _set(host, "Memory", spec.memory)
    _set(host, "MemoryReservation", spec.memory_reservation)
    _set(host, "MemorySwap", spec.memory_swap)
    _set(host, "NanoCpus", spec.nano_cpus)
    _set(host, "CpuShares", spec.cpu_shares)
    _set(host, "PidsLimit", spec.pids_limit)
    if spec.log_driver is not None or spec.log_options is not None:
        host["LogConfig"] = {"Type": spec.log_driver or "", "Config": dict(spec.log_options or {})}
    _set(host, "ExtraHosts", spec.etc_hosts, lambda hosts: ["%s:%s" % item for item in sorted(hosts.items())])
    _set(host, "Dns", spec.dns_servers, list)
    _set(host, "DnsSearch", spec.dns_search, list)
    _set(host, "DnsOptions", spec.dns_opts, list)
    _set(host, "CapAdd", spec.cap_add, list)
    _set(host, "CapDrop", spec.cap_drop, list)
    _set(host, "Privileged", spec.privileged)
    _set(host, "Devices", spec.devices, lambda devices: [
        {"PathOnHost": d.path_on_host, "PathInContainer": d.path_in_container, "CgroupPermissions": d.permissions}
        for d in devices])
    _set(host, "Ulimits", spec.ulimits, lambda limits: [
        {"Name": u.name, "Soft": u.soft, "Hard": u.hard} for u in limits])
    _set(host, "Sysctls", spec.sysctls, dict)
    _set(host, "ReadonlyRootfs", spec.read_only)
    _set(host, "Init", spec.init)
    _set(host, "SecurityOpt", spec.security_opts, list)
    _set(host, "ShmSize", spec.shm_size)
    _set(host, "AutoRemove", spec.auto_remove)
    _set(host, "IpcMode", spec.ipc_mode)
    _set(host, "PidMode", spec.pid_mode)
    _set(host, "GroupAdd", spec.group_add, list)
    _resources_request(spec, host)
    host.update(spec.extra)

    mode = spec.effective_network_mode
    if mode:
        host["NetworkMode"] = mode
    first = spec.first_network
    if first is not None and mode not in SPECIAL_NETWORK_MODES and not (mode or "").startswith("container:"):
        endpoint = first.endpoint_config()
        if first.name in ("bridge", "default") and first.links:
            # Legacy links on the default bridge live in HostConfig, not in the endpoint.
            host["Links"] = list(endpoint.pop("Links"))
        config["NetworkingConfig"] = {"EndpointsConfig": {first.name: endpoint}}
    config["HostConfig"] = host
    return config


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def spec_digest(spec: ContainerSpec) -> str:
    """sha256 of the normalised spec: equal for equal specs, for a cheap 'nothing changed' label."""
    text = json.dumps(_canonical(asdict(spec)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
