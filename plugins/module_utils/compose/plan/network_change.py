# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Has a project network's definition changed since it was created?

Most network settings (driver, options, IPAM, internal, attachable, IPv6, labels) are fixed at
creation, so a change means recreating the network, as `docker compose up` does when the
config hash it recorded on the network differs. We record a fingerprint of the settings
(`labels.NETWORK_SETTINGS`, one short hash per setting) so the reason names what changed and
the decision needs no inspect call. A network without the label (created before it existed,
or by the Compose CLI) is compared on what the list call shows: driver, internal, attachable.
Pure, unit-tested without an engine.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Step
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedNetwork, ObservedProject


def network_canonical(net: Any, name: str) -> dict[str, Any]:
    """The settings that define a network (`net`: a model.Network, or None for the implicit
    default network), in one normal form: defaults filled in, so that spelling them out or
    leaving them out is no change."""
    return {
        "name": name,
        "driver": (net.driver if net is not None else None) or "bridge",
        "driver_opts": dict(sorted((net.driver_opts or {}).items())) if net is not None else {},
        "ipam": (net.ipam or {}) if net is not None else {},
        "internal": bool(net.internal) if net is not None else False,
        "attachable": bool(net.attachable) if net is not None else False,
        "enable_ipv6": bool(net.enable_ipv6) if net is not None else False,
        "labels": dict(sorted((net.labels or {}).items())) if net is not None else {},
    }


def network_settings(net: Any, name: str) -> str:
    return L.settings_fingerprint(network_canonical(net, name))


def network_change(settings: str, driver: Optional[str], internal: bool, attachable: bool,
                   actual: ObservedNetwork) -> Optional[str]:
    """Why the existing network `actual` no longer matches (None: it matches)."""
    recorded = actual.labels.get(L.NETWORK_SETTINGS)
    if recorded:
        changed = L.changed_settings(recorded, settings)
        return "changed: %s" % ", ".join(changed) if changed else None
    drift = []
    if (driver or "bridge") != (actual.driver or "bridge"):
        drift.append("driver %s -> %s" % (actual.driver, driver or "bridge"))
    if internal != actual.internal:
        drift.append("internal %s -> %s" % (actual.internal, internal))
    if attachable != actual.attachable:
        drift.append("attachable %s -> %s" % (actual.attachable, attachable))
    return "changed: %s" % ", ".join(drift) if drift else None


def network_changes(project: Any, observed: ObservedProject, prepare: list[Step]) -> dict[str, dict[str, Any]]:
    """The diff of each network the plan recreates (`project`: a desired.DesiredProject, which
    imports this module): its settings before and after, and why."""
    changes: dict[str, dict[str, Any]] = {}
    for net in project.networks:
        recreation = next((a for step in prepare for a in step.actions
                           if a.kind == A.RECREATE_NETWORK and a.target == net.name), None)
        if recreation is not None:
            actual = observed.networks[net.name]
            changes[net.key] = {
                "before": {"name": net.name, "settings": L.parse_settings(actual.labels.get(L.NETWORK_SETTINGS))},
                "after": {"name": net.name, "settings": L.parse_settings(net.settings), "reason": recreation.reason,
                          "containers_recreated": len(recreation.attached)},
            }
    return changes
