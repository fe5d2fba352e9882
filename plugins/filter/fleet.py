# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-host decisions of a rolling deploy (role goship.containers.fleet_rollout), read from the
probe: the container module's check-mode result (its actions, and the container that runs now).
"""
from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError


def _probe_parts(probe: t.Any) -> tuple[list[t.Any], dict[str, t.Any]]:
    if not isinstance(probe, dict) or "actions" not in probe:
        raise AnsibleFilterError("expected a goship.containers.container result (with actions), got %r" % (type(probe).__name__,))
    return list(probe.get("actions") or []), dict(probe.get("container") or {})


def fleet_current(probe: t.Any, image_id: str) -> bool:
    """The host is already at the wanted version: the deploy would change nothing, its container is
    healthy and runs exactly the controller's image ID (a tag that moved on the controller still
    matches the host's old tag, so the name alone cannot tell)."""
    actions, container = _probe_parts(probe)
    health = ((container.get("State") or {}).get("Health") or {}).get("Status")
    return not actions and health == "healthy" and container.get("Image") == image_id


def fleet_needs_image(probe: t.Any, image_id: str) -> bool:
    """The host may lack the image (or its tag): its container does not run the controller's image
    ID, or the deploy would change something. Shipping then checks and copies only what is missing."""
    actions, container = _probe_parts(probe)
    return bool(actions) or container.get("Image") != image_id


def hosts_wanting(hosts: t.Iterable[str], hostvars: t.Any, variable: str, images: t.Iterable[str]) -> list[str]:
    """The hosts whose ``variable`` names one of ``images`` (to name them in an error)."""
    wanted = set(images)
    return [host for host in hosts if hostvars[host].get(variable) in wanted]


def failure_reason(result: t.Any) -> str:
    """Why a task failed: the message of its first failed loop item (a failed loop only says that
    one or more items failed), else its own message."""
    if not isinstance(result, dict):
        return str(result)
    for item in result.get("results") or []:
        if isinstance(item, dict) and item.get("failed"):
            return str(item.get("msg") or "?")
    return str(result.get("msg") or "?")


class FilterModule:
    def filters(self):
        return {
            "fleet_current": fleet_current,
            "fleet_needs_image": fleet_needs_image,
            "hosts_wanting": hosts_wanting,
            "failure_reason": failure_reason,
        }
