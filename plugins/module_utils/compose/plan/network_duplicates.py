# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Networks that share a project network's name.

The engine lets two networks have one name (two runs that create a project's network at the
same moment each make one), and then refuses every use of the name ("network ... is ambiguous"):
creating a container on it, removing it. `observe.keep_network` picks the one to keep (the one
containers use, then the project's own, then the oldest); the planner removes the others, by ID,
before anything uses the name, for state present and absent alike. Pure, unit-tested.
"""

from __future__ import annotations

from typing import Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredNetwork, DesiredProject
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedProject
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError


def duplicate_removals(project: DesiredProject, observed: ObservedProject, net: DesiredNetwork,
                       forced: dict[str, str], selected: Optional[Iterable[str]] = None, move_containers: bool = True) -> list[Action]:
    """Remove the other networks named like `net` (observe.keep_network chose the one to keep).
    With `move_containers` (state present), containers attached to one are detached (stopped)
    first and recreated on the kept network (`forced`: container ID -> reason); `selected` are
    the services the run manages (None: all)."""
    duplicates = observed.duplicate_networks.get(net.name, ())
    if not duplicates:
        return []
    kept = observed.networks[net.name]
    using = len(observed.attached_to(kept.id))
    removals = []
    for duplicate in duplicates:
        attached = observed.attached_to(duplicate.id) if move_containers else []
        if attached:
            managed = set(selected) if selected is not None else set(project.services)
            outside = sorted(c.name for c in attached if c.oneoff or c.service not in managed)
            if outside:
                raise PlanError("networks.%s" % net.key, "network %s exists twice (%s and %s) and containers this run does"
                                " not manage are attached to %s: %s; run for all services or remove them"
                                % (net.name, kept.id[:12], duplicate.id[:12], duplicate.id[:12], ", ".join(outside)))
            for container in attached:
                forced[container.id] = "network %s: moved off its duplicate %s" % (net.key, duplicate.id[:12])
        removals.append(Action(
            A.REMOVE_NETWORK, duplicate.id,
            "duplicate of network %s: %d networks have that name (two runs created it at once, or by hand) and the"
            " engine refuses an ambiguous name; %s is kept (%s)%s" % (
                net.name, len(duplicates) + 1, kept.id[:12],
                "%d container(s) use it" % using if using else "no container uses any of them",
                "; %d attached container(s) move to it" % len(attached) if attached else ""),
            attached=tuple(sorted(c.id for c in attached))))
    return removals
