# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan → engine calls. Each step goes through `record(action, fn)` (Outcome.apply in modules),
which records it and, in check mode, does not call `fn`. A recreate replaces the container through
replace.py (the new container is created before the old one is touched) and starts it itself when
the plan starts it next, so that a start the engine refuses puts the old container back."""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.anonymous_volumes import anonymous_volume_names, inherit
from ansible_collections.goship.containers.plugins.module_utils.containers.engine import (
    connect_network, create_container, disconnect_network, note_engine_warnings, remove_container, start_container,
    stop_container,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import ObservedContainer, observed_container
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import Plan, Step
from ansible_collections.goship.containers.plugins.module_utils.containers.replace import ReplaceFailed, explain, remove_unused_volumes, replace_container
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import ContainerSpec

Record = Callable[[str, Optional[Callable[[], Any]]], Any]


class StepFailed(Exception):
    """A plan step failed. `action` names it; `changed` says whether the engine's state differs
    from before the run (an earlier step was applied, or part of this one was)."""

    def __init__(self, action: str, message: str, changed: bool) -> None:
        super().__init__("%s failed: %s" % (action, message))
        self.action = action
        self.changed = changed


def update_container(client: Any, container: str, body: dict[str, Any]) -> None:
    """POST /containers/{id}/update with the raw body (the SDK's helper lacks NanoCpus/PidsLimit)."""
    response = client._post_json(client._url("/containers/{0}/update", container), data=body)
    client._raise_for_status(response)
    try:
        answer = response.json()
    except ValueError:
        answer = None
    note_engine_warnings(client, answer)


class PartlyApplied(Exception):
    """An engine error after part of a step was applied (`changed` True) or before (False)."""

    def __init__(self, message: str, changed: bool) -> None:
        super().__init__(message)
        self.changed = changed


def _remove(client: Any, observed: ObservedContainer, timeout: Optional[int], keep_volumes: bool) -> None:
    """Stop and remove; without keep_volumes, its anonymous volumes go too, those a recreate
    handed on by name included (the engine's own `v=1` keeps those)."""
    if observed.running:
        stop_container(client, observed.id, timeout)
    try:
        remove_container(client, observed.id, keep_volumes=keep_volumes)
    except Exception as exc:
        raise PartlyApplied("%s%s" % (explain(exc), "; the container was stopped" if observed.running else ""),
                            changed=observed.running) from exc
    if not keep_volumes:
        try:
            remove_unused_volumes(client, anonymous_volume_names(observed.volume_mounts))
        except Exception as exc:
            raise PartlyApplied("the container was removed, removing its anonymous volumes failed: %s" % explain(exc),
                                changed=True) from exc


def _recreate(client: Any, spec: ContainerSpec, observed: ObservedContainer, timeout: Optional[int],
              keep_volumes: bool, image_volumes: tuple[str, ...], start: bool) -> str:
    """Replace the container (replace.py: create first, the old one stays until the new one
    exists). With keep_volumes, the new container takes over the old one's anonymous volumes (its
    `/target` entries and the image's VOLUMEs), as `docker compose up` does; without, it gets new
    empty ones and the old ones are removed with the old container."""
    def create(name: str) -> str:
        mounts = spec.mounts
        if keep_volumes:
            mounts, _targets = inherit(spec.mounts, image_volumes, observed.volume_mounts)
        return create_container(client, replace(spec, name=name, mounts=mounts or spec.mounts))

    return replace_container(client, observed.id, create, start=start, stop_timeout=timeout,
                             remove_old_volumes=not keep_volumes,
                             old_volume_names=anonymous_volume_names(observed.volume_mounts), name=spec.name)


def apply_plan(
    client: Any,
    plan: Plan,
    spec: Optional[ContainerSpec],
    observed: Optional[ObservedContainer],
    record: Record,
    stop_timeout: Optional[int] = None,
    keep_volumes: bool = True,
    image_volumes: tuple[str, ...] = (),
) -> Optional[str]:
    """Run the plan's steps in order. Returns the ID of the container afterwards (None: removed,
    or not created because of check mode). `image_volumes`: the image's VOLUME paths (a recreate
    hands on the old container's anonymous volumes there). Raises StepFailed."""
    container_id = observed.id if observed else None
    timeout = stop_timeout
    if timeout is None and observed is not None:
        timeout = observed.spec.stop_timeout
    applied = False  # a step has changed the engine's state
    started = False  # the recreate started the new container itself (so it could undo a refused start)
    for index, step in enumerate(plan.steps):
        then_start = index + 1 < len(plan.steps) and plan.steps[index + 1].kind == "start"
        if step.kind == "recreate" and (observed is None or spec is None):
            raise ValueError("recreate needs the observed container and the desired spec")
        if step.kind == "start" and started:
            fn: Optional[Callable[[], Any]] = None  # the recreate started it (and would have undone a refusal)
        elif step.kind == "remove":
            fn = partial(_remove, client, observed, timeout, keep_volumes)
        elif step.kind == "create":
            fn = partial(create_container, client, spec)
        elif step.kind == "recreate":
            fn = partial(_recreate, client, spec, observed, timeout, keep_volumes, image_volumes, then_start)
        else:
            fn = _container_call(client, step, container_id, timeout)
        try:
            result = record(step.action, fn)
        except (ReplaceFailed, PartlyApplied) as exc:
            raise StepFailed(step.action, str(exc), applied or exc.changed)
        except Exception as exc:  # noqa: BLE001 - one engine call (a failed create leaves nothing): nothing changed
            if not (step.kind == "start" and spec is not None and observed is not None
                    and container_id == observed.id and stale_task(exc, observed.id)):
                raise StepFailed(step.action, explain(exc), applied)
            # only a container with another ID can run: recreate it (its volumes handed on) and start that
            action = "recreate %s (the engine refused to start it: %s; a dockerd killed during an earlier start" \
                     " left its task running in containerd)" % (spec.name, explain(exc))
            try:
                result = record(action, partial(_recreate, client, spec, observed, timeout, keep_volumes,
                                                image_volumes, True))
            except ReplaceFailed as failed:
                raise StepFailed(action, str(failed), applied or failed.changed)
            container_id, applied = result, True
            continue
        if step.kind in ("create", "recreate"):
            container_id = result
            started = step.kind == "recreate" and then_start
        elif step.kind == "remove":
            container_id = None
        applied = True
    return container_id


def stale_task(exc: BaseException, container_id: str) -> bool:
    """A start refused because containerd still holds a running task of this container's ID. A
    dockerd killed (-9) during a start, after containerd started the task and before dockerd
    recorded it, leaves it behind: restarted, dockerd sees the container stopped, and each start
    finds containerd's container of that ID, cannot delete it while its task runs, and fails.
    Engine 20.10 answers "id already in use" (500; seen on a test engine of tests/reliability/
    honest.sh, which makes that state); "task <id>: already exists" is containerd's own word for
    it. Only that ID's task is stuck: a container of another ID runs. Other "already exists"
    answers to a start (an endpoint of that name already in a network) are not this."""
    text = explain(exc)
    return "id already in use" in text or ("task %s" % container_id in text and "already exists" in text)


def _container_call(client: Any, step: Step, container_id: Optional[str], timeout: Optional[int]) -> Callable[[], Any]:
    """The engine call of a step on the existing (or just made) container."""
    if step.kind == "update":
        return partial(update_container, client, container_id, step.update)
    if step.kind == "connect":
        return partial(connect_network, client, container_id, step.network)
    if step.kind == "disconnect":
        return partial(disconnect_network, client, container_id, step.network.name if step.network else "")
    if step.kind == "start":
        return partial(start_container, client, container_id)
    if step.kind == "stop":
        return partial(stop_container, client, container_id, timeout)
    if step.kind in ("pause", "unpause"):
        return partial(getattr(client, step.kind), container_id)
    if step.kind == "restart":
        return partial(client.restart, container_id, timeout=timeout if timeout is not None else 10)
    raise ValueError("unknown plan step %r" % step.kind)


class HealthTimeout(Exception):
    """Waiting for `healthy` failed: timed out, or gave up early because it cannot succeed.
    `observed` is the last inspect (its health_log holds the last checks), `waited` the seconds."""

    def __init__(self, message: str, observed: ObservedContainer, waited: float = 0.0) -> None:
        super().__init__(message)
        self.observed = observed
        self.waited = waited


def hopeless_health(observed: ObservedContainer, restarts_at_start: int) -> Optional[str]:
    """Why waiting longer for `healthy` cannot help, or None while it still can (`starting`).
    `unhealthy` is final for this wait: the engine only gets there after `retries` consecutive
    failures past the start period, so a user waiting for a deploy wants to know now, not after
    the timeout. A container that stopped or is being restarted by its restart policy is
    crash-looping, whatever its last health status says."""
    if observed.status == "restarting" or observed.restart_count > restarts_at_start:
        return "is restarting (restart policy; %d restarts while waiting, last exit code %s%s)" % (
            observed.restart_count - restarts_at_start, observed.exit_code,
            ", error: %s" % observed.error if observed.error else "")
    if observed.status != "running":
        return "is %s (exit code %s%s)" % (observed.status, observed.exit_code,
                                           ", error: %s" % observed.error if observed.error else "")
    if observed.health is None:
        return "has no healthcheck, so it can never become healthy"
    if observed.health == "unhealthy":
        return "is unhealthy"
    return None


def wait_healthy(client: Any, container: str, timeout: float, poll: float = 0.25) -> ObservedContainer:
    """Poll until the container's health is `healthy`; keep waiting while it is `starting`.
    Raises HealthTimeout at once when it turns unhealthy, stops or restart-loops (see
    `hopeless_health`), else when `timeout` seconds have passed."""
    started = time.monotonic()
    restarts_at_start: Optional[int] = None
    while True:
        observed = observed_container(client.inspect_container(container))
        waited = time.monotonic() - started
        if restarts_at_start is None:
            restarts_at_start = observed.restart_count
        if observed.health == "healthy" and observed.status == "running":
            return observed
        problem = hopeless_health(observed, restarts_at_start)
        if problem is not None:
            raise HealthTimeout("container %s %s after %.1fs of waiting to become healthy" % (observed.name, problem, waited),
                                observed, waited)
        if waited >= timeout:
            raise HealthTimeout("container %s is still %s after %ss" % (observed.name, observed.health, timeout),
                                observed, waited)
        time.sleep(poll)
