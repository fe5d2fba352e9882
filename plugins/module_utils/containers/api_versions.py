# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Container options the Engine API gained after 1.24, the oldest version the docker SDK speaks:
each registry entry (or healthcheck key) with a `min_api` (options.py).

A user who pins `api_version` (or talks to an old daemon) and asks for one of these gets a failure
naming the option and both versions, instead of an engine that silently ignores the field.
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import ContainerSpec


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(version).split(".") if part.isdigit())


def _is_set(value: Any) -> bool:
    return value is not None and value != ()


def _minimum_api() -> tuple[tuple[str, str, Callable[[ContainerSpec], bool]], ...]:
    """(option as the user writes it, first API version that has it, "is it used in this spec?"),
    oldest version first (then by spec field, so the order does not depend on the table's)."""
    found = []
    for option in OPTIONS:
        if option.min_api:
            found.append((option.min_api, option.field, option.api_label or option.name,
                          lambda spec, field=option.field: _is_set(getattr(spec, field))))
        for sub in option.suboptions:
            if sub.min_api and sub.in_use is not None:  # a key of mounts[] or networks[] items
                found.append((sub.min_api, "%s.%s" % (option.field, sub.name), "%s[].%s" % (option.name, sub.name),
                              sub.in_use))
            elif sub.min_api:
                found.append((sub.min_api, "%s.%s" % (option.field, sub.field), "%s.%s" % (option.name, sub.name),
                              lambda spec, field=option.field, key=sub.field:
                              getattr(spec, field) is not None and getattr(getattr(spec, field), key) is not None))
    return tuple((label, minimum, used) for minimum, _field, label, used
                 in sorted(found, key=lambda item: (_as_tuple(item[0]), item[1])))


_MINIMUM_API = _minimum_api()


def options_needing_newer_api(spec: ContainerSpec, api_version: str) -> list[tuple[str, str]]:
    """(option, minimum API version) for each option of `spec` that `api_version` lacks."""
    have = _as_tuple(api_version)
    return [(option, minimum) for option, minimum, used in _MINIMUM_API
            if used(spec) and have < _as_tuple(minimum)]


def options_ignored_by_api(spec: ContainerSpec, api_version: str) -> list[tuple[str, str]]:
    """(option, API version) for each option of `spec` that engines of `api_version` accept and
    ignore (the field was removed from the API in that version): the module warns, and compares
    the container with what the engine kept."""
    have = _as_tuple(api_version)
    return [(option.name, option.ignored_from_api) for option in OPTIONS
            if option.ignored_from_api and option.field and _is_set(getattr(spec, option.field))
            and have >= _as_tuple(option.ignored_from_api)]
