# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The update of a service: its recreates, batch by batch, with Swarm's update_config meaning.

Each replacement must become ready before the next batch starts: healthy when it has a
healthcheck (the service's or the image's), else still running after a grace second (start-first;
a stop-first replacement without a healthcheck is not waited for, as `docker compose up`); with
update_config.monitor, it must then stay so that long. A replacement joins the service's
network aliases only once it is ready, so no request reaches it before (it is created with its
own name only, then reconnected with the aliases: its address changes once, before any client
knows it) - wherever another container answers meanwhile: start-first, or stop-first with several
replicas. A lone stop-first replica joins at once (nobody else could answer).

- stop-first: containers/replace.py creates the replacement under a temporary name while the old
  container runs, stops the old one and sets it aside (renamed, stopped, kept), starts the new one.
- start-first: the replacement is created and started beside the old container; once ready it
  joins the aliases, the old container leaves them (reconnected under its own name only, so no new
  request reaches it while it stops), stops and is set aside. A replacement that does not become
  ready is removed at once: it never served a request, and the old container runs on.

The old containers stay set aside until the service's update is over, so that a failure can put
them back. When a replacement fails (more of them than max_failure_ratio allows), failure_action:
- pause: the update stops; the failed batch's previous containers are put back (same IDs,
  volumes, names), those updated before keep the new configuration, the others the previous
  one; the run fails naming the container and its last health checks;
- rollback: every container of the service replaced in this run is put back (start-first: the old
  one is started with its aliases before the new one goes); the run fails saying so;
- continue: the failed replacement stays (joined to the aliases, as Swarm leaves the task) and
  the update goes on; the action list says which one failed.
When the update is over, the containers set aside are removed (their named and anonymous volumes
stay: the replacements mount them).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import containers, hooks
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ApplyContext, explain
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError, UpdateFailed
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action, Step
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredService
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import healthcheck_spec
from ansible_collections.goship.containers.plugins.module_utils.containers import engine
from ansible_collections.goship.containers.plugins.module_utils.containers.replace import (
    put_back, replace_container, set_aside_name, temporary_name,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.values import NetworkAttachment


@dataclass
class Replacement:
    """One container of the update: the old one (set aside) and its replacement."""
    action: Action
    order: str  # stop-first | start-first
    old_id: str
    old_name: str
    was_running: bool
    new_id: str = ""  # "" once a failed start-first replacement was removed
    ready: bool = False
    problem: str = ""
    kept: bool = False  # failure_action continue: a failed replacement that stays
    # start-first: the old container's endpoints before it left the aliases, to put back
    endpoints: tuple[NetworkAttachment, ...] = ()
    undone: bool = False


@dataclass
class ServiceUpdate:
    context: ApplyContext
    service: DesiredService
    total: int  # replacements planned for the service
    replacements: list[Replacement] = field(default_factory=list)
    closed: bool = False
    batches_done: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def for_step(cls, context: ApplyContext, step: Step) -> Optional["ServiceUpdate"]:
        """The update of the step's service, when the step starts replacements (registered in the
        context for the recreate handler)."""
        recreates = [a for a in step.actions if a.kind == A.RECREATE and a.start]
        if not recreates or recreates[0].service not in context.desired.services:
            return None
        update = cls(context, context.desired.services[recreates[0].service or ""], len(recreates))
        context.updates[update.service.name] = update
        return update

    def add(self, replacement: Replacement) -> None:
        with self._lock:
            self.replacements.append(replacement)

    # ------------------------------------------------------------ one batch, and the end

    def run_batch(self, group: list[Action], run: Callable[[], None]) -> None:
        """Run one batch (`run` runs its recreates together), then apply failure_action to the
        replacements of this batch that did not become ready."""
        try:
            run()
        except UpdateFailed:
            pass  # every failure of the batch is in self.replacements; decided below
        except BaseException:
            self.abort()
            raise
        batch = {id(a) for a in group}
        failed = [r for r in self.replacements if id(r.action) in batch and not r.ready]
        self.batches_done += 1
        if not failed:
            return
        policy = self.service.failure_action
        all_failed = [r for r in self.replacements if not r.ready]
        tolerated = len(all_failed) <= self.service.max_failure_ratio * self.total
        if policy == "continue" or tolerated:
            why = "failure_action: continue" if policy == "continue" else \
                "max_failure_ratio %g tolerates %d of %d" % (self.service.max_failure_ratio, len(all_failed), self.total)
            for replacement in failed:
                self._keep(replacement, why)
            return
        problems = "; ".join("%s: %s" % (r.action.target, r.problem) for r in failed)
        what = "the new container did not become healthy" if len(failed) == 1 else \
            "%d new containers did not become healthy" % len(failed)
        if policy == "rollback":
            words = self._roll_back()
            raise ExecutionError("service %s: %s, rolled back (failure_action: rollback) at batch %d: %s. %s"
                                 % (self.service.name, what, self.batches_done, problems, words))
        words = self._put_back_failed()
        self.finish()
        updated = sorted(r.action.target for r in self.replacements if r.ready)
        raise ExecutionError("service %s: %s, update paused (failure_action: pause) at batch %d: %s. %s; %s"
                             % (self.service.name, what, self.batches_done, problems, words,
                                "updated before the pause: %s" % ", ".join(updated) if updated
                                else "no container of the service was updated"))

    def abort(self) -> None:
        """The update stops on an error that is not a replacement's readiness (the engine refused
        something): rollback puts everything back; otherwise the failed ones go back and what was
        done stays."""
        if self.closed:
            return
        if self.service.failure_action == "rollback":
            self._roll_back()
            return
        self._put_back_failed()
        self.finish()

    def finish(self) -> None:
        """The update is over: remove the old containers set aside (their volumes stay)."""
        if self.closed:
            return
        self.closed = True
        problems = []
        for replacement in self.replacements:
            if replacement.undone or not replacement.new_id or not (replacement.ready or replacement.kept):
                continue
            try:
                engine.remove_container(self.context.client, replacement.old_id, keep_volumes=True)
            except Exception as exc:  # noqa: BLE001 - every leftover is named below
                problems.append("%s (%s): %s" % (set_aside_name(replacement.old_id, replacement.old_name),
                                                 replacement.old_id[:12], explain(exc)))
        if problems:
            raise ExecutionError("service %s was updated, but removing the replaced containers failed: %s; remove them"
                                 " with 'docker rm'" % (self.service.name, "; ".join(problems)))

    # ------------------------------------------------------------ failure handling

    def _keep(self, replacement: Replacement, why: str) -> None:
        """continue: a stop-first replacement stays and joins the aliases; a start-first one was
        removed already (its old container runs on)."""
        if replacement.new_id:
            join_aliases(self.context, replacement.action, replacement.new_id)
            replacement.kept = True
            self.context.record("keep %s although it is not ready (%s): %s" % (replacement.action.target, why, replacement.problem))
        else:
            self.context.record("%s keeps the previous container (%s): its replacement was not ready: %s"
                                % (replacement.action.target, why, replacement.problem))

    def _put_back_failed(self) -> str:
        said = []
        for replacement in self.replacements:
            if not replacement.ready and not replacement.kept and not replacement.undone:
                said.append(self._undo(replacement))
        return "; ".join(s for s in said if s) or "The previous containers keep running"

    def _roll_back(self) -> str:
        self.closed = True
        said = [self._undo(r) for r in reversed(self.replacements) if not r.undone]
        return "; ".join(s for s in said if s) or "Nothing had been replaced"

    def _undo(self, replacement: Replacement) -> str:
        """Put the old container back in place of its replacement; returns what was done, in words."""
        replacement.undone = True
        client = self.context.client
        if not replacement.new_id:  # a start-first replacement that never took over: nothing to undo
            return "%s kept running" % replacement.old_name
        if replacement.order == "start-first":
            try:  # the old one serves again (with its aliases) before the new one goes
                for attachment in replacement.endpoints:
                    engine.disconnect_network(client, replacement.old_id, attachment.name)
                    engine.connect_network(client, replacement.old_id, attachment)
                if replacement.was_running:
                    engine.start_container(client, replacement.old_id)
                engine.stop_container(client, replacement.new_id, self.context.options.stop_timeout)
                engine.remove_container(client, replacement.new_id, keep_volumes=False)
                client.rename(replacement.old_id, replacement.old_name)
                words = "%s (%s) is back" % (replacement.old_name, replacement.old_id[:12])
            except Exception as exc:  # noqa: BLE001 - said, the run fails anyway
                words = "putting back %s (%s) failed: %s" % (replacement.old_name, replacement.old_id[:12], explain(exc))
        else:
            words = put_back(client, replacement.new_id, replacement.old_id, replacement.old_name, replacement.was_running)
        self.context.record("roll back %s: %s" % (replacement.action.target, words))
        return words


# ---------------------------------------------------------------- the recreate handler

def recreate(context: ApplyContext, action: Action) -> Optional[bool]:
    """HANDLERS[recreate]: replace one container (the update's batch runs several together)."""
    desired = context.desired.services[action.service or ""]
    if action.unless_image and context.image_id(desired.image) == action.unless_image:
        return False  # recreated only for a rebuild, and the build kept the container's image ID
    update = context.updates.get(action.service or "") if action.start else None
    if action.strategy == "start-first":
        _start_first(context, action, update)
    else:
        _stop_first(context, action, update)
    return None


def has_healthcheck(context: ApplyContext, service_name: str) -> bool:
    """The service's healthcheck decides; without one, the image's (a HEALTHCHECK instruction)."""
    health = healthcheck_spec(context.project.services[service_name])
    if health is not None:
        return not health.disabled
    return context.image_has_healthcheck(context.desired.services[service_name].image)


def _stop_first(context: ApplyContext, action: Action, update: Optional[ServiceUpdate]) -> None:
    old = context.client.inspect_container(action.container_id or action.target)
    old_id, old_name, was_running = old["Id"], (old.get("Name") or "").lstrip("/"), _running(old)
    gated = update is not None and has_healthcheck(context, action.service or "")
    # The service's name reaches the replacement once it is healthy only where other replicas answer
    # meanwhile: a lone replica has nobody to hand the name to (the CLI joins at once too), and the
    # disconnect and reconnect would cost its start time.
    hold_aliases = gated and context.desired.services[action.service or ""].replicas > 1
    create = functools.partial(_create_then_pre_stop, context, action, old_id, aliases=not hold_aliases)
    new_id = replace_container(context.client, old_id, create, start=action.start,
                               stop_timeout=context.options.stop_timeout, name=containers.final_name(context, action),
                               keep_old=update is not None)
    if update is None:
        if action.start:
            hooks.post_start(context, action.service or "", new_id)
        return
    replacement = Replacement(action, "stop-first", old_id, old_name, was_running, new_id=new_id)
    update.add(replacement)
    try:
        hooks.post_start(context, action.service or "", new_id)
        if gated:
            containers.wait_ready(context, new_id, update.service.update_monitor)
    except ExecutionError as exc:
        replacement.problem = str(exc)
        raise UpdateFailed("service %s: %s: %s" % (action.service, action.target, exc))
    if hold_aliases:
        join_aliases(context, action, new_id)
    replacement.ready = True


def _create_then_pre_stop(context: ApplyContext, action: Action, old_id: str, name: str, aliases: bool = True) -> str:
    """The replacement first (a refused create leaves the old container as it was), then the old
    container's pre_stop hooks, just before replace_container stops it."""
    new_id = containers.create_replacement(context, action, name, aliases)
    hooks.pre_stop(context, action.service or "", old_id)
    return new_id


def _start_first(context: ApplyContext, action: Action, update: Optional[ServiceUpdate]) -> None:
    client = context.client
    # the planner chooses start-first for running containers only, and knows their ID and name
    old_id, old_name = action.container_id or action.target, action.target
    replacement = Replacement(action, "start-first", old_id, old_name, was_running=True)
    new_id = containers.create_replacement(context, action, temporary_name(old_id, action.target), aliases=False)
    try:
        engine.start_container(client, new_id)
        hooks.post_start(context, action.service or "", new_id)
        containers.wait_ready(context, new_id, update.service.update_monitor if update else 0.0)
    except Exception as exc:
        replacement.problem = explain(exc)
        engine.remove_container(client, new_id, keep_volumes=False)  # it never served a request
        if update is not None:
            update.add(replacement)
        raise UpdateFailed("service %s: the new container for %s did not become ready, so it was removed and %s keeps"
                           " running: %s" % (action.service, action.target, old_name, replacement.problem))
    join_aliases(context, action, new_id)
    replacement.endpoints = leave_aliases(context, client.inspect_container(old_id))
    hooks.pre_stop(context, action.service or "", old_id)
    engine.stop_container(client, old_id, context.options.stop_timeout)
    if update is None:
        engine.remove_container(client, old_id, keep_volumes=True)
    else:
        client.rename(old_id, set_aside_name(old_id, old_name))
    client.rename(new_id, containers.final_name(context, action))
    replacement.new_id, replacement.ready = new_id, True
    if update is not None:
        update.add(replacement)


def _running(inspect: dict[str, Any]) -> bool:
    return (inspect.get("State") or {}).get("Status") in ("running", "restarting", "paused")


# ---------------------------------------------------------------- network aliases

def join_aliases(context: ApplyContext, action: Action, container_id: str) -> None:
    """Reconnect a replacement created without aliases to each of its networks, with them."""
    for attachment in containers.network_attachments(context, action):
        if attachment.aliases:
            engine.disconnect_network(context.client, container_id, attachment.name)
            engine.connect_network(context.client, container_id, attachment)


def leave_aliases(context: ApplyContext, inspect: dict[str, Any]) -> tuple[NetworkAttachment, ...]:
    """Reconnect a running container to each network where it has aliases under its own name only
    (no new request reaches it through the service's name); returns its endpoints as they were."""
    short_id = inspect["Id"][:12]
    saved = []
    for name, endpoint in sorted(((inspect.get("NetworkSettings") or {}).get("Networks") or {}).items()):
        aliases = tuple(a for a in endpoint.get("Aliases") or () if a != short_id)
        if not aliases:
            continue
        ipam = endpoint.get("IPAMConfig") or {}
        was = NetworkAttachment(name=name, aliases=aliases, ipv4_address=ipam.get("IPv4Address") or None,
                                ipv6_address=ipam.get("IPv6Address") or None, links=tuple(endpoint.get("Links") or ()))
        saved.append(was)
        engine.disconnect_network(context.client, inspect["Id"], name)
        engine.connect_network(context.client, inspect["Id"], NetworkAttachment(
            name=name, ipv4_address=was.ipv4_address, ipv6_address=was.ipv6_address, links=was.links))
    return tuple(saved)
