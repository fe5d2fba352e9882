# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Has a project volume's definition changed since it was created, and what recreating it takes.

A volume's driver, driver options and labels are fixed at creation: a change can only be applied
by removing the volume, which loses its data. `docker compose up` asks before it does so
("recreate, data will be lost?"); without a terminal the answer is no, and it goes on with the
volume as it is. `--yes` answers yes: the containers using the volume are stopped and removed,
the volume is removed and created anew, and the containers are created again.

This module does the same: by default a changed volume is kept, with its data, and the run warns
naming `volumes.<key>`; with `assume_yes` the recreation is planned as actions (the containers'
removal, the volume's removal and creation, the containers' creation), validated before the
first write. Only the project's own volumes are compared: one made by hand or by another project
is never recreated (a driver that differs fails, as before). Pure, except `check_foreign_users`
(one containers list, only when a recreation is planned).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action, Plan, Step
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredProject, DesiredVolume
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedProject, ObservedVolume,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.secrets import SecretRule

# Labels the engine objects carry for Compose and for this collection, not the user's.
_OWN_LABEL_PREFIXES = ("com.docker.compose.", "io.goship.")
REMOVED_FOR = "its container was removed to recreate volume %s"


def _user_labels(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in sorted(labels.items()) if not k.startswith(_OWN_LABEL_PREFIXES)}


def desired_definition(vol: DesiredVolume) -> dict[str, Any]:
    """What a volume is created with, defaults filled in (leaving out `driver: local` is no change)."""
    return {"driver": vol.driver or "local", "driver_opts": dict(sorted((vol.driver_opts or {}).items())),
            "labels": _user_labels(vol.labels or {})}


def actual_definition(actual: ObservedVolume) -> dict[str, Any]:
    return {"driver": actual.driver or "local", "driver_opts": dict(sorted((actual.options or {}).items())),
            "labels": _user_labels(actual.labels or {})}


def volume_change(vol: DesiredVolume, actual: ObservedVolume) -> list[str]:
    """The settings (driver, driver_opts, labels) in which the project's volume `actual` differs
    from `vol` (empty: it matches)."""
    if not vol.defined:
        return []
    want, have = desired_definition(vol), actual_definition(actual)
    return [key for key in ("driver", "driver_opts", "labels") if want[key] != have[key]]


def users(observed: ObservedProject, name: str) -> list[ObservedContainer]:
    return [c for c in observed.containers if name in c.volumes]


def kept_warning(vol: DesiredVolume, changed: list[str]) -> str:
    return ("volumes.%s: volume %s differs from the compose file (%s) and is kept as it is, with its data,"
            " as `docker compose up` without --yes does; set assume_yes: true to recreate it (its data is lost)"
            % (vol.key, vol.name, ", ".join(changed)))


def changed_volume(vol: DesiredVolume, changed: list[str], observed: ObservedProject, options: Any,
                   project: DesiredProject, layers: list[list[str]], warnings: list[str]) -> list[Step]:
    """A project volume that differs from the compose file: recreated with `options.assume_yes`
    (planner.PlanOptions), else kept with a warning."""
    if not options.assume_yes:
        warnings.append(kept_warning(vol, changed))
        return []
    depth = {name: index for index, layer in enumerate(layers) for name in layer}
    selected = set(options.selected if options.selected is not None else project.services)
    return [recreation_step(vol, changed, observed, selected, options.recreate, lambda service: -depth.get(service, 0))]


def recreation_step(vol: DesiredVolume, changed: list[str], observed: ObservedProject,
                    selected: set[str], recreate: str, removal_rank: Callable[[str], int]) -> Step:
    """assume_yes: the actions that recreate `vol` — remove the containers using it (dependents
    first), remove the volume, create it with the new definition. The caller plans the
    containers' creation. Refused, before any write, when it would touch containers this run does
    not manage or `recreate: never` forbids replacing them."""
    path = "volumes.%s" % vol.key
    reason = "changed: %s" % ", ".join(changed)
    using = users(observed, vol.name)
    outside = sorted(c.name for c in using if c.oneoff or c.service not in selected)
    if outside:
        raise PlanError(path, "volume %s must be recreated (%s) but containers this run does not manage use it: %s;"
                        " run for all services (without `services`) or remove them" % (vol.name, reason, ", ".join(outside)))
    if recreate == "never" and using:
        raise PlanError(path, "volume %s must be recreated (%s), which recreates the containers using it, but recreate"
                        " is 'never'" % (vol.name, reason))
    removals = tuple(
        Action(A.REMOVE, c.name, "it uses volume %s, which is recreated" % vol.key, service=c.service,
               number=c.number, container_id=c.id)
        for c in sorted(using, key=lambda c: (removal_rank(c.service), c.service, -c.number)))
    return Step("volume:" + vol.key, removals + (
        Action(A.REMOVE_VOLUME, vol.name, "%s; assume_yes: true, its data is lost" % reason),
        Action(A.CREATE_VOLUME, vol.name, "recreated with the compose file's definition"),
    ))


def is_recreation(step: Step) -> bool:
    kinds = [a.kind for a in step.actions]
    return step.name.startswith("volume:") and A.REMOVE_VOLUME in kinds and A.CREATE_VOLUME in kinds


def recreated_containers(steps: list[Step]) -> dict[str, str]:
    """Container ID -> volume key, for the containers a volume recreation removes."""
    return {a.container_id: step.name.split(":", 1)[1] for step in steps if is_recreation(step)
            for a in step.actions if a.kind == A.REMOVE and a.container_id}


def order_recreations(steps: list[Step]) -> list[Step]:
    """Volume recreations after the network steps (a network recreation stops and detaches the
    containers it names, which must still exist then) and one after the other, a container that
    uses two of them removed by the first only."""
    networks = tuple(s.name for s in steps if s.name.startswith("network:"))
    ordered: list[Step] = []
    earlier: list[str] = []
    removed: set[str] = set()
    for step in steps:
        if is_recreation(step):
            mine = tuple(a for a in step.actions if not (a.kind == A.REMOVE and a.container_id in removed))
            removed.update(a.container_id or "" for a in mine if a.kind == A.REMOVE)
            step = dataclasses.replace(step, actions=mine, after=step.after + networks + tuple(earlier))
            earlier.append(step.name)
        ordered.append(step)
    return ordered


def explain_creates(planned: dict[str, list[Action]], removed: dict[str, str],
                    observed: ObservedProject) -> None:
    """The containers created again after a volume recreation say so (not just "missing")."""
    by_service: dict[str, set[str]] = {}
    for container in observed.containers:
        if container.id in removed:
            by_service.setdefault(container.service, set()).add(removed[container.id])
    for service, keys in by_service.items():
        planned[service] = [dataclasses.replace(a, reason=REMOVED_FOR % ", ".join(sorted(keys)))
                            if a.kind == A.CREATE else a for a in planned.get(service, [])]


def volume_changes(project: DesiredProject, observed: ObservedProject, prepare: list[Step],
                   rule: Optional[SecretRule]) -> dict[str, dict[str, Any]]:
    """The diff of each volume the plan recreates: driver, driver_opts and labels before and after
    (secret values masked), and why."""
    rule = rule or SecretRule()
    changes: dict[str, dict[str, Any]] = {}
    for vol in project.volumes:
        step = next((s for s in prepare if s.name == "volume:" + vol.key and is_recreation(s)), None)
        if step is None:
            continue
        removal = next(a for a in step.actions if a.kind == A.REMOVE_VOLUME)
        before, after = actual_definition(observed.volumes[vol.name]), desired_definition(vol)
        for key in ("driver_opts", "labels"):
            before[key], after[key] = rule.mask_pair(_mask_options(before[key], rule), _mask_options(after[key], rule))
        removed = sum(1 for a in step.actions if a.kind == A.REMOVE)
        changes[vol.key] = {
            "before": dict(before, name=vol.name),
            "after": dict(after, name=vol.name, reason=removal.reason, containers_recreated=removed),
        }
    return changes


def _mask_options(options: dict[str, str], rule: SecretRule) -> dict[str, str]:
    """Mount options packed in one value (`o: addr=...,username=u,password=p`): each secret part masked."""
    masked = {}
    for key, value in options.items():
        if isinstance(value, str) and "=" in value:
            parts = []
            for part in value.split(","):
                name, sep, val = part.partition("=")
                parts.append("%s=%s" % (name, rule.mask_value(name, val)) if sep else part)
            value = ",".join(parts)
        masked[key] = value
    return masked


def check_foreign_users(client: Any, plan: Plan, desired: DesiredProject) -> None:
    """Before the first write: a volume to recreate that a container outside the plan's removals
    uses (one made by hand, or by another project) would make the removal fail halfway, so the
    run is refused naming the volume. One containers list, only when a recreation is planned."""
    recreated = {a.target for step in plan.steps if is_recreation(step) for a in step.actions if a.kind == A.REMOVE_VOLUME}
    if not recreated:
        return
    removed = {a.container_id for a in plan.actions if a.kind == A.REMOVE and a.container_id}
    for vol in desired.volumes:
        if vol.name not in recreated:
            continue
        found = client.containers(all=True, filters={"volume": [vol.name]}) or []
        foreign = sorted(((item.get("Names") or ["/" + item.get("Id", "")[:12]])[0]).lstrip("/")
                         for item in found if item.get("Id") not in removed)
        if foreign:
            raise PlanError("volumes.%s" % vol.key, "volume %s must be recreated but containers outside this run use"
                            " it: %s; remove them first" % (vol.name, ", ".join(foreign)))
