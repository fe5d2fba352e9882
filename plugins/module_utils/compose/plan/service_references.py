# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A service that names another service's container: network_mode, ipc or pid `service:<name>`
and volumes_from `<name>[:mode]`.

`docker compose up` resolves each such reference to the ID of the named service's first container
(first by container name) as it stands once that service is converged, creates the container with
that ID, and hashes the service so resolved (compose_hash.resolve_references): the ID is part of
the config-hash label. So the planner (pure) checks a dependent against the hash resolved with the
owner's first container as it will be after this run, and when that container is replaced (or
created, or is another one) in this run, the dependent is recreated with it, as Compose does; the
applier resolves the references and the label again from the engine when it creates the container.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredService
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedProject,
)


def first_container(containers: Iterable[ObservedContainer]) -> Optional[ObservedContainer]:
    """The container a reference to its service names: the first by name, as Compose sorts them."""
    mine = [c for c in containers if not c.oneoff]
    return min(mine, key=lambda c: c.name) if mine else None


def first_after_run(containers: list[ObservedContainer], actions: list[Action]) -> Optional[ObservedContainer]:
    """The owner's first container once its `actions` are done, when it is one that exists now
    and keeps its ID; None when it will be a new container (recreated, created) or none at all."""
    changing = {a.container_id for a in actions if a.kind in (A.RECREATE, A.REMOVE)}
    removed = {a.container_id for a in actions if a.kind == A.REMOVE}
    staying = {c.name: c for c in containers if c.id not in removed and not c.oneoff}
    names = list(staying) + [a.target for a in actions if a.kind == A.CREATE]
    if not names:
        return None
    first = staying.get(min(names))
    return first if first is not None and first.id not in changing else None


def resolve_service(service: DesiredService, observed: ObservedProject, planned: dict[str, list[Action]],
                    forced: dict[str, str]) -> DesiredService:
    """`service` with the config-hash its containers should carry after this run, and `forced`
    (container ID -> reason) extended with its containers that must follow a replaced owner.
    `planned`: the actions of the services planned so far (owners come before their dependents)."""
    if not service.references:
        return service
    first_ids: dict[str, str] = {}
    reasons: dict[str, str] = {}
    mine = observed.service_containers(service.name)
    for key, entry, owner in service.references:
        containers = observed.service_containers(owner)
        now = first_container(containers)
        after = first_after_run(containers, planned.get(owner) or [])
        if after is not None:
            first_ids[owner] = after.id
        elif now is not None:
            first_ids[owner] = now.id  # what the labels record now: the forced reason says why it changes
        if after is None or now is None or after.id != now.id:
            reasons.setdefault(owner, "%s %s: its container is replaced" % (key, entry))
        elif key == "network_mode":
            for container in mine:
                if container.network_mode != "container:" + after.id:
                    forced.setdefault(container.id, "%s %s: joined to a container that is gone" % (key, entry))
    for container in mine:
        for reason in reasons.values():
            forced.setdefault(container.id, reason)
    return dataclasses.replace(service, config_hash=service.resolved_hash(first_ids))
