# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan as a value: frozen actions, grouped into steps, steps into layers.

An `Action` is one engine change with its reason; its `kind` says exactly what the applier does
(one kind per behaviour: `unpause` is not a `start` with a special reason). A `Step` is the
actions on one service, network, volume or image, run in order; `after` names the steps that must
be done before it starts (its own dependencies, not a whole layer). `Plan.layers` groups the
steps by dependency depth, for reading and reporting; nothing in a plan changes once built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

# Every kind of action, and what the applier does for it (compose/apply/executor.py's table).
BUILD = "build"  # build the service's image from its context
PULL = "pull"  # pull the image
CREATE_NETWORK = "create_network"
RECREATE_NETWORK = "recreate_network"  # detach its containers, remove it, create it anew
CREATE_VOLUME = "create_volume"
CREATE = "create"  # create (and start, unless action.start is False) a container
START = "start"  # start a created or exited container
UNPAUSE = "unpause"  # resume a paused container
RECREATE = "recreate"  # replace a container (action.strategy: stop-first | start-first)
RESTART = "restart"
STOP = "stop"
REMOVE = "remove"  # stop and remove a container
REMOVE_NETWORK = "remove_network"
REMOVE_VOLUME = "remove_volume"
REMOVE_IMAGE = "remove_image"
KINDS = (BUILD, PULL, CREATE_NETWORK, RECREATE_NETWORK, CREATE_VOLUME, CREATE, START, UNPAUSE, RECREATE,
         RESTART, STOP, REMOVE, REMOVE_NETWORK, REMOVE_VOLUME, REMOVE_IMAGE)
# Kinds after which the container runs: a step with one of these waits for its dependencies first.
STARTING_KINDS = (CREATE, START, UNPAUSE, RECREATE, RESTART)


@dataclass(frozen=True)
class Action:
    kind: str  # one of KINDS
    target: str  # container, network, volume or image name
    reason: str
    service: Optional[str] = None
    number: Optional[int] = None
    container_id: Optional[str] = None
    strategy: Optional[str] = None  # recreate: stop-first | start-first
    attached: tuple[str, ...] = ()  # recreate_network: IDs of the containers to detach first
    batch: Optional[int] = None  # recreate: the update batch (1, 2, ...), run together
    start: bool = True  # create / recreate: start the new container (False for state=stopped)
    # recreate: (target, volume) of the old container's volume mounts, for the replacement to
    # take over its anonymous volumes (anonymous_volumes.inherit)
    old_volumes: tuple[tuple[str, str], ...] = ()
    # recreate only because the image is rebuilt: skipped when the build leaves the service's image
    # at this ID (the container's), since a build whose layers did not change keeps the image ID
    unless_image: Optional[str] = None

    def describe(self) -> str:
        verb = self.kind.replace("_", " ")
        if self.kind == RECREATE and self.strategy:
            verb = "recreate (%s)" % self.strategy
        return "%s %s: %s" % (verb, self.target, self.reason)


@dataclass(frozen=True)
class Step:
    """Actions on one service (or one network/volume/image), run in order."""
    name: str
    actions: tuple[Action, ...] = ()
    wait_for: tuple[tuple[str, str], ...] = ()  # (dependency, condition) to meet before starting
    batch_delay: float = 0.0  # seconds between two update batches of recreate actions
    after: tuple[str, ...] = ()  # names of the steps that must be done before this one starts

    @property
    def waits(self) -> list[tuple[str, str]]:
        """The (dependency, condition) pairs, in order."""
        return list(self.wait_for)

    @property
    def starts_containers(self) -> bool:
        return any(a.kind in STARTING_KINDS and a.start for a in self.actions)


@dataclass(frozen=True)
class Plan:
    layers: tuple[tuple[Step, ...], ...] = ()
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # before/after per service
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)  # before/after per recreated network
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)  # before/after per recreated volume
    warnings: tuple[str, ...] = ()

    @property
    def steps(self) -> list[Step]:
        return [step for layer in self.layers for step in layer]

    @property
    def actions(self) -> list[Action]:
        return [a for step in self.steps for a in step.actions]

    @property
    def changed(self) -> bool:
        return bool(self.actions)

    def describe(self) -> list[str]:
        return [a.describe() for a in self.actions]
