# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The typed, normalised Compose project: what `docker compose config` shows, as dataclasses.

Every value is already resolved when it lands here: interpolated, merged, relative paths made
absolute, short syntax turned into long syntax, durations in nanoseconds, sizes in bytes. Planner,
executor and `compose_info` read these objects and never the raw YAML.

`Project.to_config()` serialises the project in the shape `docker compose config --format json`
prints (the oracle tests compare the two): the values `com.docker.compose.config-hash` hashes
(plan/compose_hash.py); `Service.canonical()` is the form the settings fingerprint hashes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.parse import PortMapping
from ansible_collections.goship.containers.plugins.module_utils.containers.parse_mounts import MountSpec
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

# Field metadata understood by `to_config()`:
#   key:   the Compose key when it differs from the attribute name
#   fmt:   "duration" (ns int printed as a Go duration string) or "bytes" (int printed as a string)
#   keep:  True: print the value even when None / empty / False (Compose has no omitempty);
#          "set": print it unless None (an optional value the user set, even to false or empty)
_DURATION = {"fmt": "duration"}
_SET = {"keep": "set"}
_BYTES = {"fmt": "bytes"}
_KEEP = {"keep": True}


class ComposeError(OptionError):
    """Invalid Compose input. `path` names where, like ``services.web.ports[1]``."""


def go_duration(ns: int) -> str:
    """Nanoseconds printed like Go's time.Duration.String(), as `docker compose config` does."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _fraction(ns, size) + unit
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = _fraction(rest, 1_000_000_000) + "s"
    if hours:
        return "%s%dh%dm%s" % (sign, hours, minutes, text)
    if minutes:
        return "%s%dm%s" % (sign, minutes, text)
    return sign + text


def _fraction(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = len(str(unit)) - 1
    return ("%d.%0*d" % (whole, digits, frac)).rstrip("0")


def port_config(port: PortMapping) -> dict[str, Any]:
    """One entry of a service's `ports`, as `docker compose config` prints it."""
    out: dict[str, Any] = {"mode": port.mode}
    if port.name:
        out["name"] = port.name
    if port.host_ip:
        out["host_ip"] = port.host_ip
    out["target"] = port.target
    if port.published:
        out["published"] = port.published
    out["protocol"] = port.protocol
    if port.app_protocol:
        out["app_protocol"] = port.app_protocol
    return out


def _present(items: Any) -> dict[str, Any]:
    return {key: value for key, value in items if value}


def mount_config(mount: MountSpec) -> dict[str, Any]:
    """One entry of a service's `volumes`, as `docker compose config` prints it (long syntax)."""
    out: dict[str, Any] = {"type": mount.type}
    if mount.source:
        out["source"] = mount.source
    out["target"] = mount.target
    if mount.read_only:
        out["read_only"] = True
    if mount.consistency:
        out["consistency"] = mount.consistency
    if mount.bind is not None:
        bind = mount.bind
        out["bind"] = _present((("propagation", bind.propagation), ("create_host_path", bind.create_host_path),
                                ("selinux", bind.selinux), ("recursive", bind.recursive)))
    if mount.volume is not None:
        volume = mount.volume
        out["volume"] = _present((("nocopy", volume.nocopy), ("subpath", volume.subpath), ("labels", dict(volume.labels))))
    if mount.tmpfs is not None:
        size = None if mount.tmpfs.size is None else str(mount.tmpfs.size)
        out["tmpfs"] = {k: v for k, v in (("size", size), ("mode", mount.tmpfs.mode)) if v is not None}
    if mount.image:
        out["image"] = {"subpath": mount.image_subpath} if mount.image_subpath is not None else {}
    return out


def _serialise(value: Any, meta: Any = None) -> Any:
    fmt = meta.get("fmt") if meta else None
    if isinstance(value, PortMapping):
        return port_config(value)
    if isinstance(value, MountSpec):
        return mount_config(value)
    if value is not None and fmt == "duration":
        return go_duration(value)
    if value is not None and fmt == "bytes":
        return str(value)
    if value is not None and fmt == "octal":
        return "0%o" % value
    if dataclasses.is_dataclass(value):
        return value.to_config()
    if isinstance(value, dict):
        return {k: _serialise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialise(v) for v in value]
    return value


def _dataclass_config(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.metadata.get("internal"):
            continue
        value = getattr(obj, f.name)
        keep = f.metadata.get("keep")
        if value is None and keep is not True:
            continue
        if (value is False or value == {} or value == []) and not keep and not dataclasses.is_dataclass(value):
            continue
        out[f.metadata.get("key", f.name)] = _serialise(value, f.metadata)
    extra = getattr(obj, "extra", None)
    if isinstance(extra, dict):
        out.update(extra)
    return out


def _escape_dollars(value: Any) -> Any:
    """Compose prints `$` as `$$` so that its output can be loaded again unchanged."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: _escape_dollars(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape_dollars(v) for v in value]
    return value


class _Config:
    """Mixin: `to_config()` gives the `docker compose config --format json` shape."""

    def to_config(self) -> dict[str, Any]:
        return _dataclass_config(self)


# ---------------------------------------------------------------- service parts

@dataclass
class BuildConfig(_Config):
    context: str
    dockerfile: Optional[str] = None
    dockerfile_inline: Optional[str] = None
    args: dict[str, str] = field(default_factory=dict)
    target: Optional[str] = None
    labels: dict[str, str] = field(default_factory=dict)
    cache_from: list[str] = field(default_factory=list)
    cache_to: list[str] = field(default_factory=list)
    network: Optional[str] = None
    shm_size: Optional[int] = field(default=None, metadata=_BYTES)
    extra_hosts: list[str] = field(default_factory=list)
    additional_contexts: dict[str, str] = field(default_factory=dict)
    platforms: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    no_cache: bool = False
    pull: bool = False
    privileged: bool = False
    isolation: Optional[str] = None
    secrets: list["FileReference"] = field(default_factory=list)
    ssh: list[str] = field(default_factory=list)
    ulimits: dict[str, "Ulimit"] = field(default_factory=dict)
    entitlements: list[str] = field(default_factory=list)
    provenance: Optional[str] = None
    sbom: Optional[str] = None


@dataclass
class ServiceNetwork(_Config):
    aliases: list[str] = field(default_factory=list)
    ipv4_address: Optional[str] = None
    ipv6_address: Optional[str] = None
    link_local_ips: list[str] = field(default_factory=list)
    mac_address: Optional[str] = None
    priority: Optional[int] = None
    gw_priority: Optional[int] = None
    driver_opts: dict[str, str] = field(default_factory=dict)
    interface_name: Optional[str] = None


@dataclass
class DependsOn(_Config):
    condition: str = "service_started"  # service_started | service_healthy | service_completed_successfully
    restart: bool = False
    required: bool = field(default=True, metadata=_KEEP)


@dataclass
class Healthcheck(_Config):
    test: Optional[list[str]] = None  # ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]
    timeout: Optional[int] = field(default=None, metadata=_DURATION)
    interval: Optional[int] = field(default=None, metadata=_DURATION)
    retries: Optional[int] = None
    start_period: Optional[int] = field(default=None, metadata=_DURATION)
    start_interval: Optional[int] = field(default=None, metadata=_DURATION)
    disable: bool = False


@dataclass
class FileReference(_Config):
    """A service's reference to a top-level secret or config."""
    source: str
    target: Optional[str] = None  # as written (Compose prints it so); see mount_path()
    uid: Optional[str] = None
    gid: Optional[str] = None
    mode: Optional[int] = field(default=None, metadata={"fmt": "octal"})


@dataclass
class UpdateConfig(_Config):
    parallelism: Optional[int] = None
    delay: Optional[int] = field(default=None, metadata=_DURATION)
    failure_action: Optional[str] = None  # continue | rollback | pause
    monitor: Optional[int] = field(default=None, metadata=_DURATION)
    max_failure_ratio: Optional[float] = None
    order: Optional[str] = None  # start-first | stop-first


@dataclass
class ResourceSpec(_Config):
    cpus: Optional[float] = None
    memory: Optional[int] = field(default=None, metadata=_BYTES)
    pids: Optional[int] = None
    devices: list[dict[str, Any]] = field(default_factory=list)
    generic_resources: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Resources(_Config):
    limits: Optional[ResourceSpec] = None
    reservations: Optional[ResourceSpec] = None


@dataclass
class RestartPolicy(_Config):
    condition: Optional[str] = None
    delay: Optional[int] = field(default=None, metadata=_DURATION)
    max_attempts: Optional[int] = None
    window: Optional[int] = field(default=None, metadata=_DURATION)


@dataclass
class Deploy(_Config):
    mode: Optional[str] = None
    replicas: Optional[int] = None
    labels: dict[str, str] = field(default_factory=dict)
    update_config: Optional[UpdateConfig] = None
    rollback_config: Optional[UpdateConfig] = None
    resources: Resources = field(default_factory=Resources)
    restart_policy: Optional[RestartPolicy] = None
    placement: dict[str, Any] = field(default_factory=dict, metadata=_KEEP)
    endpoint_mode: Optional[str] = None


@dataclass
class Logging(_Config):
    driver: Optional[str] = None
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Ulimit(_Config):
    single: Optional[int] = None
    soft: Optional[int] = None
    hard: Optional[int] = None

    def to_config(self) -> Any:  # type: ignore[override]
        if self.single is not None:
            return self.single
        return {"soft": self.soft, "hard": self.hard}


# ---------------------------------------------------------------- service

@dataclass
class Service(_Config):
    name: str = field(metadata={"internal": True})
    image: Optional[str] = None
    build: Optional[BuildConfig] = None
    command: Optional[list[str]] = field(default=None, metadata=_KEEP)
    entrypoint: Optional[list[str]] = field(default=None, metadata=_KEEP)
    environment: dict[str, Optional[str]] = field(default_factory=dict)  # env_file merged; None: unset
    ports: list[PortMapping] = field(default_factory=list)  # containers/parse.py's values
    expose: list[str] = field(default_factory=list)
    volumes: list[MountSpec] = field(default_factory=list)
    tmpfs: list[str] = field(default_factory=list)
    networks: dict[str, Optional[ServiceNetwork]] = field(default_factory=dict)
    network_mode: Optional[str] = None
    depends_on: dict[str, DependsOn] = field(default_factory=dict)
    healthcheck: Optional[Healthcheck] = None
    deploy: Optional[Deploy] = None
    scale: Optional[int] = None
    labels: dict[str, str] = field(default_factory=dict)
    restart: Optional[str] = None
    user: Optional[str] = None
    working_dir: Optional[str] = None
    hostname: Optional[str] = None
    domainname: Optional[str] = None
    container_name: Optional[str] = None
    profiles: list[str] = field(default_factory=list)
    secrets: list[FileReference] = field(default_factory=list)
    configs: list[FileReference] = field(default_factory=list)
    read_only: bool = False
    cap_add: list[str] = field(default_factory=list)
    cap_drop: list[str] = field(default_factory=list)
    security_opt: list[str] = field(default_factory=list)
    init: Optional[bool] = None
    stop_grace_period: Optional[int] = field(default=None, metadata=_DURATION)
    stop_signal: Optional[str] = None
    logging: Optional[Logging] = None
    ulimits: dict[str, Ulimit] = field(default_factory=dict)
    sysctls: dict[str, str] = field(default_factory=dict)
    extra_hosts: list[str] = field(default_factory=list)  # "host=ip", sorted, as Compose prints
    dns: list[str] = field(default_factory=list)
    dns_search: list[str] = field(default_factory=list)
    dns_opt: list[str] = field(default_factory=list)
    shm_size: Optional[int] = field(default=None, metadata=_BYTES)
    mem_limit: Optional[int] = field(default=None, metadata=_BYTES)
    mem_reservation: Optional[int] = field(default=None, metadata=_BYTES)
    memswap_limit: Optional[int] = field(default=None, metadata=_BYTES)
    cpus: Optional[float] = None
    pids_limit: Optional[int] = None
    privileged: bool = False
    tty: bool = False
    stdin_open: bool = False
    pull_policy: Optional[str] = None
    platform: Optional[str] = None
    # Other keys Compose accepts (devices, ipc, pid, links, group_add, ...), validated and already in
    # the form `docker compose config` prints; the executor maps the ones it supports.
    extra: dict[str, Any] = field(default_factory=dict, metadata={"internal": True})

    @property
    def replicas(self) -> int:
        """How many containers: `scale`, else deploy.replicas, else 1."""
        if self.scale is not None:
            return self.scale
        if self.deploy is not None and self.deploy.replicas is not None:
            return self.deploy.replicas
        return 1

    @property
    def update_order(self) -> Optional[str]:
        if self.deploy and self.deploy.update_config:
            return self.deploy.update_config.order
        return None

    @property
    def update_failure_action(self) -> Optional[str]:
        if self.deploy and self.deploy.update_config:
            return self.deploy.update_config.failure_action
        return None

    def canonical(self, config: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """What defines the container (not how many, nor how the image is made, nor start order).
        `config`: this service's to_config(), when the caller has it already (it is not changed)."""
        config = dict(config) if config is not None else self.to_config()
        for key in ("build", "pull_policy", "scale", "depends_on", "profiles"):
            config.pop(key, None)
        deploy = config.get("deploy")
        if deploy:
            deploy = dict(deploy)
            deploy.pop("replicas", None)
            config["deploy"] = deploy
        return config


# ---------------------------------------------------------------- top level

@dataclass
class Network(_Config):
    key: str = field(metadata={"internal": True})
    name: str = ""  # the engine name: `<project>_<key>` unless `name:` or external
    driver: Optional[str] = None
    driver_opts: dict[str, str] = field(default_factory=dict)
    ipam: dict[str, Any] = field(default_factory=dict, metadata=_KEEP)
    external: bool = False
    internal: bool = False
    attachable: bool = False
    enable_ipv4: Optional[bool] = field(default=None, metadata=_SET)
    enable_ipv6: Optional[bool] = field(default=None, metadata=_SET)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Volume(_Config):
    key: str = field(metadata={"internal": True})
    name: str = ""
    driver: Optional[str] = None
    driver_opts: dict[str, str] = field(default_factory=dict)
    external: bool = False
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class SecretOrConfig(_Config):
    """A top-level secret or config; exactly one of file / environment / content / external."""
    key: str = field(metadata={"internal": True})
    name: str = ""
    file: Optional[str] = None  # absolute
    environment: Optional[str] = None  # the variable's name (its value: `value` below)
    content: Optional[str] = None
    external: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    driver: Optional[str] = None
    driver_opts: dict[str, str] = field(default_factory=dict)
    template_driver: Optional[str] = None
    # The resolved value of `environment` (never printed by `config`, needed to create the file).
    value: Optional[str] = field(default=None, metadata={"internal": True}, repr=False)


SECRETS_DIR = "/run/secrets"


def secret_mount_path(ref: FileReference) -> str:
    """Where Compose mounts a secret in the container: target if absolute, else /run/secrets/<..>."""
    target = ref.target or ref.source
    return target if target.startswith("/") else "%s/%s" % (SECRETS_DIR, target)


def config_mount_path(ref: FileReference) -> str:
    """Where Compose mounts a config: target if absolute, else /<target or source>."""
    target = ref.target or ref.source
    return target if target.startswith("/") else "/" + target


@dataclass
class Project(_Config):
    name: str
    working_dir: str = field(default="", metadata={"internal": True})
    config_files: list[str] = field(default_factory=list, metadata={"internal": True})
    services: dict[str, Service] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    volumes: dict[str, Volume] = field(default_factory=dict)
    secrets: dict[str, SecretOrConfig] = field(default_factory=dict)
    configs: dict[str, SecretOrConfig] = field(default_factory=dict)
    # Services defined but not enabled by the active profiles (not deployed, not orphans).
    disabled_services: dict[str, Service] = field(default_factory=dict, metadata={"internal": True})
    # Top-level x-* keys: ignored by us, printed by `config`.
    extensions: dict[str, Any] = field(default_factory=dict, metadata={"internal": True})
    # The environment used for interpolation (shell over .env), for callers that need it.
    environment: dict[str, str] = field(default_factory=dict, metadata={"internal": True}, repr=False)

    def to_config(self) -> dict[str, Any]:
        """The project as `docker compose config --format json` prints it."""
        out: dict[str, Any] = {"name": self.name}
        for kind in ("services", "networks", "volumes", "secrets", "configs"):
            items = getattr(self, kind)
            if items:
                out[kind] = {key: value.to_config() for key, value in items.items()}
        out.update(self.extensions)
        return _escape_dollars(out)

    def service_order(self) -> list[str]:
        """Service names so that every service comes after the services it depends on."""
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str) -> None:
            if state.get(name) == 2:
                return
            state[name] = 1
            for dep in sorted(self.services[name].depends_on):
                if dep in self.services and state.get(dep) != 1:
                    visit(dep)
            state[name] = 2
            order.append(name)

        for name in sorted(self.services):
            visit(name)
        return order

    def with_dependencies(self, names: list[str]) -> list[str]:
        """`names` plus every service they depend on (transitively), in dependency order."""
        wanted: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name in wanted or name not in self.services:
                continue
            wanted.add(name)
            stack.extend(self.services[name].depends_on)
        return [name for name in self.service_order() if name in wanted]
