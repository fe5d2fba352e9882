# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine inspect data → the normal form of `ContainerSpec`, and the image defaults that the
engine merges into a container (so a desired spec can be completed the same way before comparing).

`observed_container(inspect)` reads what a container IS; `with_image_defaults(desired, image)`
says what the desired spec WILL BE once the engine has merged the image into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional

from .spec import ContainerSpec, Device, DeviceRate, Healthcheck, Mount, NetworkAttachment, PortBinding, Ulimit

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class ObservedContainer:
    """A container as inspected: its spec in normal form plus its runtime state."""

    id: str
    name: str
    image_id: str
    spec: ContainerSpec
    status: str  # created, running, paused, restarting, removing, exited, dead
    health: Optional[str] = None  # starting, healthy, unhealthy; None without a healthcheck
    health_log: tuple[str, ...] = ()
    network_ids: dict[str, str] = field(default_factory=dict)
    restart_count: int = 0  # restarts by the engine's restart policy since the last start
    exit_code: Optional[int] = None  # State.ExitCode: of the last run (0 also before any run)
    error: str = ""  # the engine's error for the last start, if any
    # (target, volume name) of every volume mounted: the anonymous ones a recreate hands on
    volume_mounts: tuple[tuple[str, str], ...] = ()

    @property
    def running(self) -> bool:
        return self.status in ("running", "restarting", "paused")


@dataclass(frozen=True)
class ImageDefaults:
    """The parts of an image's config the engine merges into a container created from it."""

    id: str
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    command: Optional[tuple[str, ...]] = None
    entrypoint: Optional[tuple[str, ...]] = None
    exposed_ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    healthcheck: Optional[Healthcheck] = None
    user: str = ""
    working_dir: str = ""
    stop_signal: str = ""


def env_dict(entries: Optional[list[str]]) -> dict[str, str]:
    env = {}
    for entry in entries or ():
        key, _sep, value = entry.partition("=")
        env[key] = value
    return env


def _tuple(value: Optional[list]) -> Optional[tuple[str, ...]]:
    return None if value is None else tuple(value)


def _nonzero(value: Any) -> Optional[int]:
    return value or None


def healthcheck_from_api(body: Optional[dict[str, Any]]) -> Optional[Healthcheck]:
    if not body:
        return None
    test = tuple(body.get("Test") or ())
    if test == ("NONE",):
        return Healthcheck(test=test)
    return Healthcheck(test=test, interval_ns=_nonzero(body.get("Interval")), timeout_ns=_nonzero(body.get("Timeout")),
                       retries=_nonzero(body.get("Retries")), start_period_ns=_nonzero(body.get("StartPeriod")))


def image_defaults(image: dict[str, Any]) -> ImageDefaults:
    config = image.get("Config") or {}
    return ImageDefaults(
        id=image["Id"],
        env=env_dict(config.get("Env")),
        labels=dict(config.get("Labels") or {}),
        command=_tuple(config.get("Cmd")),
        entrypoint=_tuple(config.get("Entrypoint")),
        exposed_ports=tuple(sorted(config.get("ExposedPorts") or {})),
        volumes=tuple(sorted(config.get("Volumes") or {})),
        healthcheck=healthcheck_from_api(config.get("Healthcheck")),
        user=config.get("User") or "",
        working_dir=config.get("WorkingDir") or "",
        stop_signal=config.get("StopSignal") or "",
    )


def _merge_healthcheck(desired: Healthcheck, image: Optional[Healthcheck]) -> Healthcheck:
    """The engine fills each unset healthcheck field from the image's healthcheck."""
    if desired.disabled or image is None or image.disabled:
        return desired
    return Healthcheck(
        test=desired.test or image.test,
        interval_ns=desired.interval_ns or image.interval_ns,
        timeout_ns=desired.timeout_ns or image.timeout_ns,
        retries=desired.retries or image.retries,
        start_period_ns=desired.start_period_ns or image.start_period_ns,
    )


def with_image_defaults(desired: ContainerSpec, image: ImageDefaults) -> ContainerSpec:
    """`desired` as the engine will make it from `image`: env, labels, exposed ports, healthcheck
    and anonymous volumes merged in. Unspecified (None) options stay None (not compared)."""
    changes: dict[str, Any] = {}
    if desired.env is not None:
        env = dict(image.env, **desired.env)
        # On Linux the engine adds a default PATH to a container whose image and config lack one.
        env.setdefault("PATH", DEFAULT_PATH)
        changes["env"] = env
    if desired.labels is not None:
        changes["labels"] = dict(image.labels, **desired.labels)
    if desired.exposed_ports is not None:
        ports = set(desired.exposed_ports) | set(image.exposed_ports)
        ports |= {binding.key for binding in desired.published_ports or ()}
        changes["exposed_ports"] = tuple(sorted(ports))
    if desired.healthcheck is not None:
        changes["healthcheck"] = _merge_healthcheck(desired.healthcheck, image.healthcheck)
    if desired.mounts is not None:
        targets = {mount.target for mount in desired.mounts}
        extra = [Mount(target=path.rstrip("/") or "/") for path in image.volumes if (path.rstrip("/") or "/") not in targets]
        changes["mounts"] = tuple(sorted(desired.mounts + tuple(extra), key=lambda m: m.target))
    if desired.entrypoint is not None and desired.command is None:
        # With an explicit entrypoint the engine does not take the image's CMD.
        changes["command"] = ()
    return replace(desired, **changes) if changes else desired


# ---------------------------------------------------------------- container inspect → spec

def _ports(host: dict[str, Any]) -> tuple[PortBinding, ...]:
    bindings = []
    for key, entries in (host.get("PortBindings") or {}).items():
        port, _sep, protocol = key.partition("/")
        for entry in entries or ():
            bindings.append(PortBinding(int(port), protocol or "tcp", entry.get("HostIp") or "",
                                        entry.get("HostPort") or ""))
    return tuple(sorted(set(bindings), key=lambda b: (b.container_port, b.protocol, b.host_ip, b.host_port)))


def _bind_mount(entry: str) -> Mount:
    parts = entry.split(":")
    source, target = parts[0], parts[1]
    modes = parts[2].split(",") if len(parts) > 2 else []
    kind = "bind" if source.startswith("/") else "volume"
    return Mount(
        target=target.rstrip("/") or "/", type=kind, source=source.rstrip("/") if kind == "bind" else source,
        read_only="ro" in modes,
        propagation=next((m for m in modes if m in ("rprivate", "private", "rshared", "shared", "rslave", "slave")), None),
        selinux_label=next((m for m in modes if m in ("z", "Z")), None), no_copy="nocopy" in modes,
    )


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
        tmpfs_size=tmpfs.get("SizeBytes") or None, tmpfs_mode=tmpfs.get("Mode") or None,
    )


def _tmpfs_mount(target: str, options: str) -> Mount:
    size = mode = None
    read_only = False
    for option in filter(None, (options or "").split(",")):
        key, _sep, value = option.partition("=")
        if key == "size" and value.isdigit():
            size = int(value)
        elif key == "size":
            from ..units import parse_size_bytes
            size = parse_size_bytes(value)
        elif key == "mode":
            mode = int(value, 8)
        elif key == "ro":
            read_only = True
    return Mount(target=target.rstrip("/") or "/", type="tmpfs", read_only=read_only, tmpfs_size=size, tmpfs_mode=mode)


def _mounts(config: dict[str, Any], host: dict[str, Any]) -> tuple[Mount, ...]:
    mounts = [_bind_mount(entry) for entry in host.get("Binds") or ()]
    mounts += [_api_mount(entry) for entry in host.get("Mounts") or ()]
    mounts += [_tmpfs_mount(target, options) for target, options in (host.get("Tmpfs") or {}).items()]
    targets = {mount.target for mount in mounts}
    for path in config.get("Volumes") or {}:
        target = path.rstrip("/") or "/"
        if target not in targets:
            mounts.append(Mount(target=target))
            targets.add(target)
    return tuple(sorted(mounts, key=lambda m: m.target))


def _networks(settings: dict[str, Any], container_id: str) -> tuple[NetworkAttachment, ...]:
    attachments = []
    for name, endpoint in (settings.get("Networks") or {}).items():
        ipam = endpoint.get("IPAMConfig") or {}
        # The engine adds the short container ID as an alias on user networks: not the user's.
        aliases = tuple(sorted(a for a in endpoint.get("Aliases") or () if not container_id.startswith(a)))
        attachments.append(NetworkAttachment(
            name=name, aliases=aliases, ipv4_address=ipam.get("IPv4Address") or None,
            ipv6_address=ipam.get("IPv6Address") or None, links=tuple(sorted(endpoint.get("Links") or ())),
        ))
    return tuple(attachments)


def _caps(values: Optional[list]) -> tuple[str, ...]:
    caps = set()
    for value in values or ():
        name = str(value).upper()
        caps.add(name if name == "ALL" or name.startswith("CAP_") else "CAP_" + name)
    return tuple(sorted(caps))


def _dict_from_pairs(entries: Optional[list[str]]) -> dict[str, str]:
    result = {}
    for entry in entries or ():
        key, _sep, value = entry.partition(":")
        result[key] = value
    return result


def _rates(entries: Optional[list], unit: str = "Rate") -> tuple[DeviceRate, ...]:
    return tuple(sorted((DeviceRate(e.get("Path", ""), e.get(unit) or 0) for e in entries or ()),
                        key=lambda rate: rate.path))


def _resources(host: dict[str, Any]) -> dict[str, Any]:
    """The spec's CPU, block I/O, OOM and namespace fields; engine defaults in their normal form."""
    swappiness = host.get("MemorySwappiness")
    return dict(
        cpu_period=host.get("CpuPeriod") or 0,
        cpu_quota=host.get("CpuQuota") or 0,
        cpu_rt_period=host.get("CpuRealtimePeriod") or 0,
        cpu_rt_runtime=host.get("CpuRealtimeRuntime") or 0,
        cpuset_cpus=host.get("CpusetCpus") or "",
        cpuset_mems=host.get("CpusetMems") or "",
        blkio_weight=host.get("BlkioWeight") or 0,
        blkio_weight_devices=_rates(host.get("BlkioWeightDevice"), "Weight"),
        device_read_bps=_rates(host.get("BlkioDeviceReadBps")),
        device_write_bps=_rates(host.get("BlkioDeviceWriteBps")),
        device_read_iops=_rates(host.get("BlkioDeviceReadIOps")),
        device_write_iops=_rates(host.get("BlkioDeviceWriteIOps")),
        oom_score_adj=host.get("OomScoreAdj") or 0,
        oom_kill_disable=bool(host.get("OomKillDisable")),
        memory_swappiness=None if swappiness in (None, -1) else swappiness,  # -1 / null: the host's value
        cgroup_parent=host.get("CgroupParent") or "",
        cgroupns_mode=host.get("CgroupnsMode") or "",
        runtime=host.get("Runtime") or "",
        userns_mode=host.get("UsernsMode") or "",
        uts_mode=host.get("UTSMode") or "",
        device_cgroup_rules=tuple(host.get("DeviceCgroupRules") or ()),
        storage_opts=dict(host.get("StorageOpt") or {}),
        volumes_from=tuple(host.get("VolumesFrom") or ()),
    )


def observed_container(inspect: dict[str, Any]) -> ObservedContainer:
    """GET /containers/{id}/json → ObservedContainer with every field of the spec filled in."""
    config = inspect.get("Config") or {}
    host = inspect.get("HostConfig") or {}
    state = inspect.get("State") or {}
    settings = inspect.get("NetworkSettings") or {}
    restart = host.get("RestartPolicy") or {}
    log = host.get("LogConfig") or {}
    container_id = inspect["Id"]
    spec = ContainerSpec(
        name=inspect.get("Name", "").lstrip("/"),
        image=config.get("Image") or "",
        command=tuple(config.get("Cmd") or ()),
        entrypoint=tuple(config.get("Entrypoint") or ()),
        env=env_dict(config.get("Env")),
        labels=dict(config.get("Labels") or {}),
        published_ports=_ports(host),
        publish_all_ports=bool(host.get("PublishAllPorts")),
        exposed_ports=tuple(sorted(config.get("ExposedPorts") or {})),
        mounts=_mounts(config, host),
        networks=_networks(settings, container_id),
        network_mode=host.get("NetworkMode") or "default",
        restart_policy=restart.get("Name") or "no",
        restart_retries=restart.get("MaximumRetryCount") or 0,
        healthcheck=healthcheck_from_api(config.get("Healthcheck")),
        memory=host.get("Memory") or 0,
        memory_reservation=host.get("MemoryReservation") or 0,
        memory_swap=host.get("MemorySwap") or 0,
        nano_cpus=host.get("NanoCpus") or 0,
        cpu_shares=host.get("CpuShares") or 0,
        pids_limit=host.get("PidsLimit") or 0,
        log_driver=log.get("Type") or "",
        log_options=dict(log.get("Config") or {}),
        user=config.get("User") or "",
        working_dir=config.get("WorkingDir") or "",
        hostname=config.get("Hostname") or "",
        domainname=config.get("Domainname") or "",
        etc_hosts=_dict_from_pairs(host.get("ExtraHosts")),
        dns_servers=tuple(host.get("Dns") or ()),
        dns_search=tuple(host.get("DnsSearch") or ()),
        dns_opts=tuple(host.get("DnsOptions") or ()),
        cap_add=_caps(host.get("CapAdd")),
        cap_drop=_caps(host.get("CapDrop")),
        privileged=bool(host.get("Privileged")),
        devices=tuple(Device(d.get("PathOnHost", ""), d.get("PathInContainer", ""), d.get("CgroupPermissions") or "rwm")
                      for d in host.get("Devices") or ()),
        ulimits=tuple(sorted((Ulimit(u["Name"], u.get("Soft", 0), u.get("Hard", 0)) for u in host.get("Ulimits") or ()),
                             key=lambda u: u.name)),
        sysctls=dict(host.get("Sysctls") or {}),
        read_only=bool(host.get("ReadonlyRootfs")),
        init=bool(host.get("Init")),
        security_opts=tuple(host.get("SecurityOpt") or ()),
        shm_size=host.get("ShmSize") or 0,
        stop_timeout=config.get("StopTimeout"),
        stop_signal=config.get("StopSignal") or "",
        auto_remove=bool(host.get("AutoRemove")),
        tty=bool(config.get("Tty")),
        stdin_open=bool(config.get("OpenStdin")),
        ipc_mode=host.get("IpcMode") or "",
        pid_mode=host.get("PidMode") or "",
        group_add=tuple(host.get("GroupAdd") or ()),
        mac_address=config.get("MacAddress") or None,
        **_resources(host),
    )
    health = state.get("Health") or {}
    log_lines = tuple(
        ("exit %s: %s" % (entry.get("ExitCode"), (entry.get("Output") or "").strip()))
        for entry in (health.get("Log") or ())[-5:]
    )
    return ObservedContainer(
        id=container_id, name=spec.name, image_id=inspect.get("Image") or "", spec=spec,
        status=state.get("Status") or "", health=health.get("Status") or None, health_log=log_lines,
        network_ids={name: ep.get("NetworkID") or "" for name, ep in (settings.get("Networks") or {}).items()},
        restart_count=inspect.get("RestartCount") or 0,
        exit_code=state.get("ExitCode"),
        error=state.get("Error") or "",
        volume_mounts=tuple(sorted((m.get("Destination") or "", m.get("Name") or "") for m in inspect.get("Mounts") or ()
                                   if m.get("Type") == "volume" and m.get("Name"))),
    )
