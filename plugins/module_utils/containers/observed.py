# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine inspect data → the normal form of `ContainerSpec`, and the image defaults that the
engine merges into a container (so a desired spec can be completed the same way before comparing).

`observed_container(inspect)` reads what a container IS; `with_image_defaults(desired, image)`
says what the desired spec WILL BE once the engine has merged the image into it. Which inspect
field holds which option, and how an image default merges in, each registry entry says
(options.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.options_config import (
    env_dict, healthcheck_from_api,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.platforms import Platform, image_platform
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import ContainerSpec, Healthcheck

_OBSERVED = tuple(option for option in OPTIONS if option.field)
_MERGED = tuple(option for option in OPTIONS if option.image_merge is not None)


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
    platform: Optional[Platform] = None  # os/arch/variant


def _tuple(value: Optional[list]) -> Optional[tuple[str, ...]]:
    return None if value is None else tuple(value)


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
        platform=image_platform(image),
    )


def with_image_defaults(desired: ContainerSpec, image: ImageDefaults) -> ContainerSpec:
    """`desired` as the engine will make it from `image`: each registry entry with an image merge
    (env, labels, exposed ports, healthcheck, anonymous volumes, the command under an explicit
    entrypoint) completes its field. Unspecified (None) options stay None (not compared)."""
    changes = {option.field: option.image_merge(desired, image) for option in _MERGED}
    return replace(desired, **changes) if changes else desired


def observed_container(inspect: dict[str, Any], image: Optional[dict[str, Any]] = None) -> ObservedContainer:
    """GET /containers/{id}/json → ObservedContainer with every field of the spec filled in.
    `image`: GET /images/{id}/json of an image the caller has; when it is the container's own
    image, the entries that read the image (the platform) read it there."""
    state = inspect.get("State") or {}
    settings = inspect.get("NetworkSettings") or {}
    container_id = inspect["Id"]
    spec = ContainerSpec(**{option.field: option.observed(inspect, image) for option in _OBSERVED})
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
