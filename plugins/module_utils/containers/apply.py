# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan → engine calls. Each step goes through `record(action, fn)` (Outcome.apply in modules),
which records it and, in check mode, does not call `fn`."""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from .engine import connect_network, create_container, disconnect_network, remove_container, start_container, stop_container
from .observed import ObservedContainer, observed_container
from .plan import Plan
from .spec import ContainerSpec

Record = Callable[[str, Optional[Callable[[], Any]]], Any]


def update_container(client: Any, container: str, body: dict[str, Any]) -> None:
    """POST /containers/{id}/update with the raw body (the SDK's helper lacks NanoCpus/PidsLimit)."""
    response = client._post_json(client._url("/containers/{0}/update", container), data=body)
    client._raise_for_status(response)


def apply_plan(
    client: Any,
    plan: Plan,
    spec: Optional[ContainerSpec],
    observed: Optional[ObservedContainer],
    record: Record,
    stop_timeout: Optional[int] = None,
    keep_volumes: bool = True,
) -> Optional[str]:
    """Run the plan's steps in order. Returns the ID of the container afterwards (None: removed,
    or not created because of check mode)."""
    container_id = observed.id if observed else None
    timeout = stop_timeout
    if timeout is None and observed is not None:
        timeout = observed.spec.stop_timeout
    for step in plan.steps:
        if step.kind == "remove":
            def remove() -> None:
                if observed is not None and observed.running:
                    stop_container(client, observed.id, timeout)
                remove_container(client, observed.id, keep_volumes=keep_volumes)  # type: ignore[union-attr]
            record(step.action, remove)
            container_id = None
        elif step.kind == "create":
            container_id = record(step.action, lambda: create_container(client, spec))  # type: ignore[arg-type]
        elif step.kind == "recreate":
            def recreate() -> str:
                if observed is None or spec is None:
                    raise ValueError("recreate needs the observed container and the desired spec")
                if observed.running:
                    stop_container(client, observed.id, timeout)
                remove_container(client, observed.id, keep_volumes=keep_volumes)
                return create_container(client, spec)
            container_id = record(step.action, recreate)
        elif step.kind == "update":
            record(step.action, lambda: update_container(client, container_id, step.update))
        elif step.kind == "connect":
            record(step.action, lambda: connect_network(client, container_id, step.network))
        elif step.kind == "disconnect":
            record(step.action, lambda: disconnect_network(client, container_id, step.network.name))
        elif step.kind == "start":
            record(step.action, lambda: start_container(client, container_id))
        elif step.kind == "stop":
            record(step.action, lambda: stop_container(client, container_id, timeout))
        elif step.kind == "restart":
            record(step.action, lambda: client.restart(container_id, timeout=timeout if timeout is not None else 10))
        else:
            raise ValueError("unknown plan step %r" % step.kind)
    return container_id


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
