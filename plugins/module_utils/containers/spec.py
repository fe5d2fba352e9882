# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`ContainerSpec`: what a container should be, typed and normalised, independent of Ansible.

Both the `container` module (from its options, params.py) and the compose engine (from a Compose
service) build a `ContainerSpec`; `to_create_request()` turns it into the body of POST
/containers/create. Its fields are those the option registry declares (options.py), in registry
order: `name` and `image` (required), then one per registry entry with a `field`, then `extra`.

Normal forms (so that two specs that mean the same thing compare equal):
- durations are integer nanoseconds, sizes integer bytes, CPUs integer nano-CPUs;
- ports: one `PortBinding` per (container port, protocol, host ip, host port); ranges are expanded
  by the parsers; `host_port` is a string ("" = engine picks, "8000" or a host range "8000-8010");
- `exposed_ports` are "PORT/PROTO" strings;
- `command` / `entrypoint` are tuples of strings (exec form);
- `None` in any field means "not specified": the engine or the image decides, and the `container`
  module does not compare it.
The value types (PortBinding, Mount, ...) live in values.py and are re-exported here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.mounts import bind_mode  # noqa: F401
from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS, SPEC_FIELDS
from ansible_collections.goship.containers.plugins.module_utils.containers.values import (  # noqa: F401 (re-exported)
    MOUNT_TYPES, RESTART_POLICIES, SPECIAL_NETWORK_MODES, Device, DeviceRate, Healthcheck, Mount, NetworkAttachment,
    PortBinding, Ulimit,
)

__all__ = [
    "ContainerSpec", "Device", "DeviceRate", "Healthcheck", "MOUNT_TYPES", "Mount", "NetworkAttachment", "PortBinding",
    "RESTART_POLICIES", "SPECIAL_NETWORK_MODES", "Ulimit", "bind_mode", "create_query", "spec_digest",
    "to_create_request",
]


def _first_network(self: Any) -> Optional[NetworkAttachment]:
    return self.networks[0] if self.networks else None


def _effective_network_mode(self: Any) -> Optional[str]:
    """HostConfig.NetworkMode: explicit mode, else the first network, else engine default."""
    if self.network_mode:
        return self.network_mode
    first = self.first_network
    return first.name if first else None


# pylint: disable=invalid-field-call  # make_dataclass's field list, built from the registry
ContainerSpec = dataclasses.make_dataclass(
    "ContainerSpec",
    [("name", str), ("image", str)]
    + [(name, Any, dataclasses.field(default=None)) for name in SPEC_FIELDS if name not in ("name", "image")]
    # raw HostConfig keys, an escape hatch (applied after every registry entry)
    + [("extra", dict, dataclasses.field(default_factory=dict))],
    frozen=True,
    namespace={
        "__doc__": "The desired container. Only `name` and `image` are required; `None` means unspecified. "
                   "Fields: " + ", ".join(SPEC_FIELDS) + ", extra.",
        "__module__": __name__,
        "first_network": property(_first_network),
        "effective_network_mode": property(_effective_network_mode),
    },
)
# pylint: enable=invalid-field-call


def to_create_request(spec: Any) -> dict[str, Any]:
    """Body of POST /containers/create?name=<spec.name> (container config + HostConfig +
    NetworkingConfig for the first network; later networks are joined by `connect_networks`):
    each registry entry writes its part."""
    config: dict[str, Any] = {}
    host: dict[str, Any] = {}
    for option in OPTIONS:
        option.write(spec, config, host)
    host.update(spec.extra)
    config["HostConfig"] = host
    return config


def create_query(spec: Any) -> dict[str, str]:
    """The query parameters of POST /containers/create that the registry's entries set besides the
    name (the platform), as keyword arguments of the SDK's create_container_from_config."""
    query = {}
    for option in OPTIONS:
        value = getattr(spec, option.field) if option.query and option.field else None
        if value is not None:
            query[option.query] = option.codec.to_api(value)
    return query


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def spec_digest(spec: Any) -> str:
    """sha256 of the normalised spec: equal for equal specs, for a cheap 'nothing changed' label."""
    text = json.dumps(_canonical(dataclasses.asdict(spec)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
