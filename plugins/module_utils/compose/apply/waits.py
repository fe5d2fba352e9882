# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting on the project's containers: a dependency's condition before a step starts its
containers, and `wait: true` at the end. One containers list call per poll, whatever the number of
services. A condition that can no longer be met raises GiveUp and fails at once instead of
running into the timeout."""

from __future__ import annotations

import time
from typing import Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.apply.containers import health_log
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import POLL_SECONDS, ApplyContext
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError, GiveUp
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedContainer, list_containers

# A check returns None when its condition is met, else what it still waits for; it raises GiveUp
# when the condition cannot be met any more.
Check = Callable[[list[ObservedContainer]], Optional[str]]


def _poll(context: ApplyContext, check: Check, what: str,
          known: Optional[list[ObservedContainer]] = None) -> list[ObservedContainer]:
    """Poll the project's containers until `check` returns None; `known` is a fresh list to try first.
    Returns the list that met the condition."""
    deadline = time.monotonic() + context.options.wait_timeout
    while True:
        containers = known if known is not None else list_containers(context.client, context.project.name)
        known = None
        try:
            problem = check(containers)
        except GiveUp as exc:
            raise ExecutionError("%s: %s" % (what, exc))
        if problem is None:
            return containers
        if time.monotonic() > deadline:
            raise ExecutionError("%s: %s" % (what, problem))
        time.sleep(POLL_SECONDS)


def _last_log(context: ApplyContext, container: ObservedContainer) -> str:
    try:
        return health_log(context.client.inspect_container(container.id)["State"])
    except Exception:
        return ""


def wait_for_dependency(context: ApplyContext, service: str, dependency: str, condition: str) -> None:
    def check(containers: list[ObservedContainer]) -> Optional[str]:
        mine = [c for c in containers if c.service == dependency and not c.oneoff]
        if not mine:
            return "no container of %s yet" % dependency
        for c in mine:
            if condition == "service_healthy":
                if c.running and c.health is None:
                    raise GiveUp("%s has no healthcheck, so it can never be healthy" % c.name)
                if c.health == "unhealthy" or (c.state == "exited"):
                    raise GiveUp("%s is %s%s" % (c.name, c.health or c.state, _last_log(context, c)))
                if c.health != "healthy":
                    return "%s is %s" % (c.name, c.health or c.state)
            elif condition == "service_completed_successfully":
                if c.state == "exited" and c.exit_code not in (0, None):
                    raise GiveUp("%s exited with code %s" % (c.name, c.exit_code))
                if c.state != "exited":
                    return "%s has not completed (%s)" % (c.name, c.state)
            elif c.state not in ("running", "exited"):
                return "%s is %s" % (c.name, c.state)
        return None

    _poll(context, check, "service %s waits for %s (%s)" % (service, dependency, condition))


def wait_for_services(context: ApplyContext, services: list[str],
                      known: Optional[list[ObservedContainer]] = None) -> list[ObservedContainer]:
    """wait: every container of `services` running (healthy when it has a healthcheck), or
    completed successfully when it is a one-shot. Returns the project's containers as last listed
    (the run's result reports them: no list of its own)."""
    wanted = {name: context.desired.services[name] for name in services}

    def check(containers: list[ObservedContainer]) -> Optional[str]:
        for name, desired in sorted(wanted.items()):
            mine = [c for c in containers if c.service == name and not c.oneoff]
            if len(mine) < desired.replicas:
                return "service %s has %d of %d containers" % (name, len(mine), desired.replicas)
            for c in mine:
                if c.state == "exited":
                    if c.exit_code == 0 and desired.restart_policy in ("no", ""):
                        continue
                    raise GiveUp("service %s: %s exited with code %s" % (name, c.name, c.exit_code))
                if c.state != "running":
                    return "service %s: %s is %s" % (name, c.name, c.state)
                if c.health is not None and c.health != "healthy":
                    last = _last_log(context, c) if c.health == "unhealthy" else ""
                    return "service %s: %s is %s%s" % (name, c.name, c.health or "starting", last)
        return None

    return _poll(context, check, "wait (timeout %ds)" % context.options.wait_timeout, known)
