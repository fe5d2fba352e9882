# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `com.docker.compose.config-hash` label exactly as `docker compose` (v2.40) computes it.

Compose hashes the service as its Go type marshals to JSON: the same values `docker compose config
--format json` prints for the service (env files merged into `environment`), minus what does not
define the container (`build`, `pull_policy`, `scale`, `deploy.replicas`, `depends_on`,
`profiles`), compact, and sha256 of that text. Two encoding rules of Go decide the bytes, and this
module reproduces them: struct fields come in their declaration order (a map's keys sorted), and
strings escape `<`, `>`, `&`, U+2028 and U+2029; float32 fields print their shortest float32 form.
With the same hash on our containers, `docker compose up` keeps what this collection deployed,
and this collection keeps what `docker compose up` deployed.

One input is engine state: before hashing, `up` rewrites the service's references to other
services (network_mode, ipc, pid `service:<name>`, volumes_from) to the ID of that service's first
container (resolve_references), so such a service's hash changes whenever that container is
replaced. `docker compose config --hash` does not rewrite them: its hash is not the label's.

The declaration orders below are compose-go v2.9's (the version Compose 2.40 is built with). A key
missing from them would still be hashed (after the known ones, sorted) but could not match Compose;
the unit tests walk every key the model can print through `unknown_keys`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
from decimal import Decimal
from typing import Any, Mapping, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import Service

# What Compose clears before hashing (pkg/compose/hash.go): how many containers, how the image is
# made or fetched, start order and profiles do not define a container.
NOT_HASHED = ("build", "pull_policy", "scale", "depends_on", "profiles")

F32 = "float32"


def _struct(*fields: Any) -> tuple:
    return ("struct", tuple((f, None) if isinstance(f, str) else f for f in fields))


def _list(item: Any) -> tuple:
    return ("list", item)


def _map(item: Any) -> tuple:
    return ("map", item)


_HOOK = _struct("command", "user", "privileged", "working_dir", "environment")
_DEVICE_REQUEST = _struct("capabilities", "driver", "count", "device_ids", "options")
_FILE_REFERENCE = _struct("source", "target", "uid", "gid", "mode")
_UPDATE = _struct("parallelism", "delay", "failure_action", "monitor", ("max_failure_ratio", F32), "order")
_RESOURCE = _struct(("cpus", F32), "memory", "pids", ("devices", _list(_DEVICE_REQUEST)),
                    ("generic_resources", _list(_struct(("discrete_resource_spec", _struct("kind", "value"))))))
_DEPLOY = _struct(
    "mode", "replicas", "labels", ("update_config", _UPDATE), ("rollback_config", _UPDATE),
    ("resources", _struct(("limits", _RESOURCE), ("reservations", _RESOURCE))),
    ("restart_policy", _struct("condition", "delay", "max_attempts", "window")),
    ("placement", _struct("constraints", ("preferences", _list(_struct("spread"))), "max_replicas_per_node")),
    "endpoint_mode",
)
_WEIGHT_DEVICE = _struct("Path", "Weight", "path", "weight")  # no json tags in Go: field names
_THROTTLE_DEVICE = _struct("Path", "Rate", "path", "rate")
_BLKIO = _struct("weight", ("weight_device", _list(_WEIGHT_DEVICE)), ("device_read_bps", _list(_THROTTLE_DEVICE)),
                 ("device_read_iops", _list(_THROTTLE_DEVICE)), ("device_write_bps", _list(_THROTTLE_DEVICE)),
                 ("device_write_iops", _list(_THROTTLE_DEVICE)))
_VOLUME = _struct(
    "type", "source", "target", "read_only", "consistency",
    ("bind", _struct("selinux", "propagation", "create_host_path", "recursive")),
    ("volume", _struct("labels", "nocopy", "subpath")),
    ("tmpfs", _struct("size", "mode")),
    ("image", _struct("subpath")),
)
_PORT = _struct("name", "mode", "host_ip", "target", "published", "protocol", "app_protocol")
_SERVICE_NETWORK = _struct("aliases", "driver_opts", "gw_priority", "interface_name", "ipv4_address",
                           "ipv6_address", "link_local_ips", "mac_address", "priority")
_WATCH = _struct("path", "action", "target", ("exec", _HOOK), "include", "ignore", "initial_sync")
_HEALTHCHECK = _struct("test", "timeout", "interval", "retries", "start_period", "start_interval", "disable")

SERVICE = _struct(
    "profiles", "annotations", "attach", "build",
    ("develop", _struct(("watch", _list(_WATCH)))),
    ("blkio_config", _BLKIO), "cap_add", "cap_drop", "cgroup_parent", "cgroup", "cpu_count",
    ("cpu_percent", F32), "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", ("cpus", F32), "cpuset",
    "cpu_shares", "command", ("configs", _list(_FILE_REFERENCE)), "container_name",
    ("credential_spec", _struct("config", "file", "registry")),
    ("depends_on", _map(_struct("condition", "restart", "required"))), ("deploy", _DEPLOY),
    "device_cgroup_rules", ("devices", _list(_struct("source", "target", "permissions"))), "dns", "dns_opt",
    "dns_search", "dockerfile", "domainname", "entrypoint", ("provider", _struct("type", "options")),
    "environment", ("env_file", _list(_struct("path", "required", "format"))), "expose",
    ("extends", _struct("file", "service")), "external_links", "extra_hosts", "group_add",
    ("gpus", _list(_DEVICE_REQUEST)), "hostname", ("healthcheck", _HEALTHCHECK), "image", "init", "ipc",
    "isolation", "labels", "label_file", "links", ("logging", _struct("driver", "options")), "log_driver",
    "log_opt", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness", "mac_address",
    ("models", _map(_struct("endpoint_var", "model_var"))), "net", "network_mode",
    ("networks", _map(_SERVICE_NETWORK)), "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform",
    ("ports", _list(_PORT)), "privileged", "pull_policy", "read_only", "restart", "runtime", "scale",
    ("secrets", _list(_FILE_REFERENCE)), "security_opt", "shm_size", "stdin_open", "stop_grace_period",
    "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", ("ulimits", _map(_struct("single", "soft", "hard"))),
    "use_api_socket", "user", "userns_mode", "uts", "volume_driver", ("volumes", _list(_VOLUME)),
    "volumes_from", "working_dir", ("post_start", _list(_HOOK)), ("pre_stop", _list(_HOOK)),
)

# Go's encoding/json escapes these on top of what JSON requires (HTML safety, JS line separators).
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_GO_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def go_string(text: str) -> str:
    return _GO_ESCAPE_RE.sub(lambda m: _GO_ESCAPES[m.group(0)], json.dumps(text, ensure_ascii=False))


def _float32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


def go_float(value: float, bits: int = 64) -> str:
    """A float as Go's encoding/json writes it: the shortest digits that read back as the same
    float32 / float64, in plain notation unless below 1e-6 or from 1e21 (then Go's exponent form)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError("unsupported float %r" % value)
    if bits == 32:
        value = _float32(value)
        digits = next(text for text in ("%.*g" % (precision, value) for precision in range(1, 10))
                      if _float32(float(text)) == value)
    else:
        digits = repr(value)
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        sign, coefficient, exp = Decimal(digits).normalize().as_tuple()
        text = "".join(str(d) for d in coefficient)
        power = exp + len(text) - 1
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        # strconv's 'e' form has two exponent digits at least; json then drops the 0 of "e-0N"
        exponent = ("-%d" % -power) if power < 0 else ("+%02d" % power)
        return "%s%se%s" % ("-" if sign else "", mantissa, exponent)
    text = format(Decimal(digits), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def go_json(value: Any, schema: Optional[tuple] = None) -> str:
    """`value` (a `docker compose config` shaped value) encoded as Go's json.Marshal encodes the
    compose-go type `schema` describes."""
    kind = schema[0] if isinstance(schema, tuple) else schema
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return go_float(float(value), 32) if kind == F32 else str(value)
    if isinstance(value, float):
        if kind == F32:
            return go_float(value, 32)
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else go_float(value)
    if isinstance(value, str):
        return go_string(value)
    if isinstance(value, (list, tuple)):
        item = schema[1] if kind == "list" else None
        return "[" + ",".join(go_json(v, item) for v in value) + "]"
    if isinstance(value, dict):
        if kind == "struct":
            fields = schema[1]
            known = [(key, child) for key, child in fields if key in value]
            names = {key for key, _child in fields}
            rest = [(key, None) for key in sorted(value) if key not in names]
            pairs = known + rest
        else:
            item = schema[1] if kind == "map" else None
            pairs = [(key, item) for key in sorted(value)]
        return "{" + ",".join("%s:%s" % (go_string(str(key)), go_json(value[key], child)) for key, child in pairs) + "}"
    raise TypeError("cannot encode %r" % (value,))


def unknown_keys(value: Any, schema: Optional[tuple] = SERVICE, path: str = "") -> list[str]:
    """Keys of struct-shaped values that the declaration orders above do not know (for the tests)."""
    kind = schema[0] if isinstance(schema, tuple) else None
    found: list[str] = []
    if isinstance(value, dict) and kind == "struct":
        fields = dict(schema[1])
        for key, child in value.items():
            if key not in fields:
                found.append(path + key)
            else:
                found.extend(unknown_keys(child, fields[key], path + key + "."))
    elif isinstance(value, dict) and kind == "map":
        for key, child in value.items():
            found.extend(unknown_keys(child, schema[1], path + str(key) + "."))
    elif isinstance(value, (list, tuple)) and kind == "list":
        for index, child in enumerate(value):
            found.extend(unknown_keys(child, schema[1], "%s%d." % (path, index)))
    return found


def hashed_config(service: Service, environment: Optional[dict[str, str]] = None,
                  config: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The service as Compose hashes it (see the module docstring). `environment`, the project's
    interpolation environment: DOCKER_DEFAULT_PLATFORM sets the platform of a built service, as
    `docker compose up` does before hashing. `config`: service.to_config() if the caller has it."""
    config = dict(config) if config is not None else service.to_config()
    for key in NOT_HASHED:
        config.pop(key, None)
    if isinstance(config.get("deploy"), dict):
        config["deploy"] = {k: v for k, v in config["deploy"].items() if k != "replicas"}
    default_platform = (environment or {}).get("DOCKER_DEFAULT_PLATFORM")
    if service.build is not None and default_platform and not service.platform:
        config["platform"] = default_platform
    return config


SERVICE_PREFIX = "service:"
CONTAINER_PREFIX = "container:"
NAMESPACE_KEYS = ("network_mode", "ipc", "pid")


def service_references(config: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """(key, entry as written, service) of each reference to another service's container that
    `docker compose up` resolves before hashing: network_mode, ipc and pid `service:<name>`, and the
    volumes_from entries not `container:`."""
    found = []
    for key in NAMESPACE_KEYS:
        mode = config.get(key)
        if isinstance(mode, str) and mode.startswith(SERVICE_PREFIX):
            found.append((key, mode, mode[len(SERVICE_PREFIX):]))
    for entry in config.get("volumes_from") or ():
        if not entry.startswith(CONTAINER_PREFIX):
            found.append(("volumes_from", entry, entry.split(":")[0]))
    return tuple(found)


def resolve_references(config: dict[str, Any], first_ids: Mapping[str, str]) -> dict[str, Any]:
    """The hashed service after Compose's own rewrite of its references (`up` hashes the service
    only once it is rewritten, and writes that hash in the label):
    - network_mode / ipc / pid `service:<name>` -> `container:<ID of name's first container>`;
    - volumes_from `<service>[:mode]` -> `<ID of its first container>`, and `container:<name>[:mode]`
      -> `<name>`: Compose keeps the part before the second colon, so the mode is not hashed.
    `first_ids`: service -> the ID of its first container (first by container name, as Compose
    sorts them). A service missing from it stays as written: a hash no container of Compose's carries."""
    resolved = dict(config)
    for key in NAMESPACE_KEYS:
        mode = config.get(key)
        if isinstance(mode, str) and mode.startswith(SERVICE_PREFIX) and mode[len(SERVICE_PREFIX):] in first_ids:
            resolved[key] = CONTAINER_PREFIX + first_ids[mode[len(SERVICE_PREFIX):]]
    if config.get("volumes_from"):
        entries = []
        for entry in config["volumes_from"]:
            parts = entry.split(":")
            if parts[0] == "container" and len(parts) > 1:
                entries.append(parts[1])
            else:
                entries.append(first_ids.get(parts[0], entry))
        resolved["volumes_from"] = entries
    return resolved


def hash_of(hashed: dict[str, Any]) -> str:
    """sha256 (hex) of a hashed_config value's Go JSON."""
    return hashlib.sha256(go_json(hashed, SERVICE).encode("utf-8")).hexdigest()


def compose_config_hash(service: Service, environment: Optional[dict[str, str]] = None,
                        config: Optional[dict[str, Any]] = None,
                        first_ids: Optional[Mapping[str, str]] = None) -> str:
    """The value `docker compose up` writes in the label: sha256 (hex) of the service's Go JSON,
    its references to other services' containers resolved with `first_ids` (resolve_references)."""
    return hash_of(resolve_references(hashed_config(service, environment, config), first_ids or {}))
