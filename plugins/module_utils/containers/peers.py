# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Namespaces shared with another container: `network_mode`, `ipc_mode` and `pid_mode` of the form
`container:NAME`.

The engine stores such a mode as `container:<full ID>`, whatever name the create request gave, so a
spec that names the container would differ from the container on every run. Before planning, the
`container` module resolves each name to the container's ID (one inspect per name, only for the
options that use the form); the create request then carries the ID, which is what the engine keeps
anyway. A name that matches no container is left as given: the engine's create names it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Optional

# ContainerSpec fields that may hold container:NAME
SHARED_NAMESPACE_FIELDS = ("network_mode", "ipc_mode", "pid_mode")
_PREFIX = "container:"


def _is_full_id(ref: str) -> bool:
    return len(ref) == 64 and all(c in "0123456789abcdef" for c in ref)


def container_refs(spec: Any) -> dict[str, str]:
    """{field: referenced container name} for every namespace mode naming a container by name (or
    a short ID)."""
    refs = {}
    for name in SHARED_NAMESPACE_FIELDS:
        value = getattr(spec, name, None)
        if isinstance(value, str) and value.startswith(_PREFIX) and not _is_full_id(value[len(_PREFIX):]):
            refs[name] = value[len(_PREFIX):]
    return refs


def with_container_ids(spec: Any, container_id: Callable[[str], Optional[str]]) -> Any:
    """`spec` with each `container:NAME` mode as `container:<ID>`; `container_id(name)` is the ID of
    the container called name (None when there is none: the mode is left as given)."""
    refs = container_refs(spec)
    if not refs:
        return spec
    ids: dict[str, Optional[str]] = {}
    changes = {}
    for field_name, ref in refs.items():
        if ref not in ids:
            ids[ref] = container_id(ref)
        if ids[ref]:
            changes[field_name] = _PREFIX + str(ids[ref])
    return replace(spec, **changes) if changes else spec
