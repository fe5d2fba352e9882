# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Container options the Engine API gained after 1.24, the oldest version the docker SDK speaks.

A user who pins `api_version` (or talks to an old daemon) and asks for one of these gets a failure
naming the option and both versions, instead of an engine that silently ignores the field.
"""

from __future__ import annotations

from typing import Callable

from .spec import ContainerSpec

# (option as the user writes it, first API version that has it, "is it used in this spec?")
_MINIMUM_API: tuple[tuple[str, str, Callable[[ContainerSpec], bool]], ...] = (
    ("init", "1.25", lambda spec: spec.init is not None),
    ("cpus", "1.25", lambda spec: spec.nano_cpus is not None),
    ("stop_timeout", "1.25", lambda spec: spec.stop_timeout is not None),
    ("healthcheck.start_period", "1.29",
     lambda spec: spec.healthcheck is not None and spec.healthcheck.start_period_ns is not None),
    ("volumes/mounts", "1.30", lambda spec: bool(spec.mounts)),
    ("cgroupns_mode", "1.41", lambda spec: spec.cgroupns_mode is not None),
)


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(version).split(".") if part.isdigit())


def options_needing_newer_api(spec: ContainerSpec, api_version: str) -> list[tuple[str, str]]:
    """(option, minimum API version) for each option of `spec` that `api_version` lacks."""
    have = _as_tuple(api_version)
    return [(option, minimum) for option, minimum, used in _MINIMUM_API
            if used(spec) and have < _as_tuple(minimum)]
