# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack module's Engine API side: observe (3 calls for a no-op), apply a plan, wait for rollouts.

Waiting: after an update that rolls tasks, the service's UpdateStatus moves to `completed` (success),
`rollback_completed` (the new tasks failed and Swarm restored the previous spec: a failure we
report), or `paused` / `rollback_paused` (stuck: a failure). A created service, or an update that
does not roll tasks, is ready when every task Swarm wants running is running (and, with a
healthcheck, healthy: Swarm reports a task running only once its container is healthy).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.swarm.service_spec import NAMESPACE_LABEL
from ansible_collections.goship.containers.plugins.module_utils.swarm.stack_plan import (
    StackAction, normalise_observed_spec,
)

POLL_SECONDS = 0.5
ROLL_START_GRACE_SECONDS = 5
NETWORK_REMOVE_SECONDS = 30  # tasks of removed services detach from their networks asynchronously


class StackFailure(Exception):
    """A service did not converge (rolled back, paused, tasks failing, timeout)."""


def stack_filter(stack: str) -> dict[str, list[str]]:
    return {"label": ["%s=%s" % (NAMESPACE_LABEL, stack)]}


def require_manager(client: Any, docker_host: str) -> dict[str, Any]:
    """The engine's /info; raises StackFailure unless it is a Swarm manager."""
    info = client.info()
    swarm = info.get("Swarm") or {}
    if not swarm.get("ControlAvailable"):
        state = swarm.get("LocalNodeState") or "unknown"
        role = "a worker" if state == "active" else "not in a swarm (%s)" % state
        raise StackFailure(
            "docker_host: the engine at %s is not a Swarm manager (it is %s); make it one with"
            " goship.containers.swarm or point docker_host at a manager" % (docker_host, role))
    return info


def observe(client: Any, stack: str, wanted_networks: list[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(stack's networks + wanted ones by name, stack's services by name with normalised specs, id→name)."""
    networks = client.networks()
    names = {n["Id"]: n["Name"] for n in networks}
    observed_networks = {
        n["Name"]: n for n in networks
        if (n.get("Labels") or {}).get(NAMESPACE_LABEL) == stack or n["Name"] in wanted_networks
    }
    services = {}
    for service in client.services(filters=stack_filter(stack)):
        service = dict(service)
        service["Spec"] = normalise_observed_spec(service["Spec"], names)
        services[service["Spec"]["Name"]] = service
    return observed_networks, services, names


def network_id_map(client: Any) -> dict[str, str]:
    return {n["Name"]: n["Id"] for n in client.networks()}


def _with_network_ids(spec: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """The spec as sent: network attachments by ID (names work too, but IDs are what the engine keeps)."""
    task = dict(spec["TaskTemplate"])
    if task.get("Networks"):
        task["Networks"] = [dict(a, Target=ids.get(a["Target"], a["Target"])) for a in task["Networks"]]
    return dict(spec, TaskTemplate=task)


def create_network(client: Any, request: dict[str, Any]) -> None:
    ipam = request.get("IPAM")
    client.create_network(
        request["Name"], driver=request.get("Driver"), options=request.get("Options"),
        ipam=ipam, internal=bool(request.get("Internal")), attachable=bool(request.get("Attachable")),
        labels=request.get("Labels"), scope="swarm", check_duplicate=True)


def create_service(client: Any, spec: dict[str, Any], ids: dict[str, str]) -> str:
    spec = _with_network_ids(spec, ids)
    result = client.create_service(
        spec["TaskTemplate"], name=spec["Name"], labels=spec["Labels"], mode=spec["Mode"],
        update_config=spec["UpdateConfig"], rollback_config=spec["RollbackConfig"],
        endpoint_spec=spec.get("EndpointSpec"))
    return result["ID"]


def update_service(client: Any, action: StackAction, ids: dict[str, str]) -> None:
    spec = _with_network_ids(action.spec or {}, ids)
    client.update_service(
        action.object_id, action.version, task_template=spec["TaskTemplate"], name=spec["Name"],
        labels=spec["Labels"], mode=spec["Mode"], update_config=spec["UpdateConfig"],
        rollback_config=spec["RollbackConfig"], endpoint_spec=spec.get("EndpointSpec"))


def remove_network(client: Any, network_id: str, name: str, deadline: Optional[float] = None) -> None:
    """Remove a network, retrying while tasks of just-removed services still hold endpoints on it."""
    deadline = deadline or time.monotonic() + NETWORK_REMOVE_SECONDS
    while True:
        try:
            client.remove_network(network_id)
            break
        except Exception as exc:  # docker.errors.APIError: 'has active endpoints' while tasks shut down
            if "not found" in str(exc):
                break  # a removal already under way (Swarm deallocates networks asynchronously)
            if "active endpoints" not in str(exc) or time.monotonic() > deadline:
                raise StackFailure("removing network %s failed: %s" % (name, exc))
            time.sleep(POLL_SECONDS)
    # The manager lists the network until it is deallocated: wait, so the next run sees it gone.
    while any(n["Id"] == network_id for n in client.networks(filters={"id": network_id})):
        if time.monotonic() > deadline:
            raise StackFailure("network %s was removed but is still listed after %d s" % (name, NETWORK_REMOVE_SECONDS))
        time.sleep(POLL_SECONDS)


class Rollout:
    """One service being waited for: what 'done' means for it, and how it ended."""

    def __init__(self, name: str, service_id: str, rolling: bool, previous_update: Optional[dict[str, Any]],
                 image: str = "") -> None:
        self.name = name
        self.image = image
        self.service_id = service_id
        self.rolling = rolling
        self.previous_started = (previous_update or {}).get("StartedAt")
        self.result: Optional[str] = None  # converged | failure text
        self.since = time.monotonic()

    def check(self, client: Any) -> Optional[str]:
        """None while in progress; 'converged' or a failure sentence once finished."""
        service = client.inspect_service(self.service_id)
        if self.rolling:
            status = service.get("UpdateStatus") or {}
            if not status or status.get("StartedAt") == self.previous_started:
                # Not picked up yet; or Swarm found the tasks unchanged (only labels differed) and will
                # not roll them at all: after a grace period, readiness of the tasks decides.
                if time.monotonic() - self.since < ROLL_START_GRACE_SECONDS:
                    return None
                return self._tasks_ready(client, service)
            state = status.get("State")
            if state == "completed":
                return self._tasks_ready(client, service)
            if state == "rollback_completed":
                return ("the update to image %s failed (%s) and Swarm rolled it back; the service runs its"
                        " previous spec (image %s)" % (self.image, self.last_task_error(client), _image(service)))
            if state in ("paused", "rollback_paused"):
                return "update %s: %s" % (state.replace("_", " "), status.get("Message") or "")
            return None
        return self._tasks_ready(client, service)

    def _tasks_ready(self, client: Any, service: dict[str, Any]) -> Optional[str]:
        tasks = client.tasks(filters={"service": self.service_id, "desired-state": "running"})
        mode = service["Spec"].get("Mode") or {}
        wanted = (mode.get("Replicated") or {}).get("Replicas")
        running = [t for t in tasks if t["Status"]["State"] == "running"]
        if wanted is not None and len(running) >= wanted and len(running) == len(tasks):
            return "converged"
        if wanted is None and tasks and len(running) == len(tasks):
            return "converged"
        return None

    def last_task_error(self, client: Any) -> str:
        """Why the newest task of the wanted image is not running, in Swarm's words."""
        tasks = client.tasks(filters={"service": self.service_id})
        tasks.sort(key=lambda t: t.get("CreatedAt") or "", reverse=True)
        for task in tasks:
            status = task.get("Status") or {}
            image = ((task.get("Spec") or {}).get("ContainerSpec") or {}).get("Image", "")
            if self.image and not image.startswith(self.image):
                continue
            if status.get("State") == "running" and task.get("DesiredState") == "running":
                continue
            if status.get("Err"):
                return "task %s: %s" % (status.get("State"), status["Err"])
            if status.get("State") in ("complete", "shutdown") and task.get("DesiredState") != "running":
                return "a new task was stopped in state %s: it did not become healthy or running in time" % (
                    status.get("State"))
            return "a new task is %s: %s" % (status.get("State"), status.get("Message") or "")
        return "no task of the new spec was found"


def _image(service: dict[str, Any]) -> str:
    return _spec_image(service.get("Spec"))


def _spec_image(spec: Optional[dict[str, Any]]) -> str:
    return ((spec or {}).get("TaskTemplate") or {}).get("ContainerSpec", {}).get("Image", "?")


def wait_for(client: Any, rollouts: list[Rollout], timeout: float,
             sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """Poll all rollouts together until each finished or `timeout` seconds passed; failure sentences."""
    deadline = time.monotonic() + timeout
    pending = list(rollouts)
    while pending:
        for rollout in list(pending):
            result = rollout.check(client)
            if result is not None:
                rollout.result = result
                pending.remove(rollout)
        if not pending:
            break
        if time.monotonic() > deadline:
            for rollout in pending:
                rollout.result = "not converged after %d s (%s)" % (timeout, rollout.last_task_error(client))
            break
        sleep(POLL_SECONDS)
    return ["service %s: %s" % (r.name, r.result) for r in rollouts if r.result != "converged"]


def service_summary(client: Any, stack: str, services: Optional[list[dict[str, Any]]] = None) -> dict[str, Any]:
    """What the module returns per service: id, image, mode/replicas, update state.

    `services`: the stack's services when already in hand (a run that changed nothing)."""
    out = {}
    if services is None:
        services = client.services(filters=stack_filter(stack))
    for service in services:
        spec = service["Spec"]
        out[spec["Name"]] = {
            "id": service["ID"],
            "image": spec["TaskTemplate"]["ContainerSpec"]["Image"],
            "mode": "global" if "Global" in spec.get("Mode", {}) else "replicated",
            "replicas": (spec.get("Mode", {}).get("Replicated") or {}).get("Replicas"),
            "update_state": (service.get("UpdateStatus") or {}).get("State"),
            "version": service["Version"]["Index"],
        }
    return out


def apply_plan(client: Any, outcome: Any, plan: Any, observed_networks: dict[str, Any],
               observed_services: dict[str, Any], wait: bool, timeout: float) -> list[str]:
    """Run the plan's actions through `outcome.apply` (skipped in check mode); failure sentences."""
    ids = {name: network["Id"] for name, network in observed_networks.items()}
    rollouts: list[Rollout] = []
    if plan.actions and not outcome.check_mode:
        ids.update(network_id_map(client))
    for action in plan.actions:
        sentence = action.sentence()
        if action.kind == "create-network":
            def create(action: StackAction = action) -> None:
                create_network(client, action.spec or {})
                ids.update(network_id_map(client))
            outcome.apply(sentence, create)
        elif action.kind == "create-service":
            new_id = outcome.apply(sentence, lambda action=action: create_service(client, action.spec or {}, ids))
            if new_id:
                rollouts.append(Rollout(action.name, new_id, False, None, _spec_image(action.spec)))
        elif action.kind == "replace-service":
            def replace(action: StackAction = action) -> str:
                client.remove_service(action.object_id)
                return create_service(client, action.spec or {}, ids)
            new_id = outcome.apply(sentence, replace)
            if new_id:
                rollouts.append(Rollout(action.name, new_id, False, None, _spec_image(action.spec)))
        elif action.kind == "update-service":
            previous = observed_services[action.name].get("UpdateStatus")
            outcome.apply(sentence, lambda action=action: update_service(client, action, ids))
            rollouts.append(Rollout(action.name, action.object_id or "", action.rolling, previous,
                                    _spec_image(action.spec)))
        elif action.kind == "remove-service":
            outcome.apply(sentence, lambda action=action: client.remove_service(action.object_id))
        elif action.kind == "remove-network":
            outcome.apply(sentence, lambda action=action: remove_network(client, action.object_id or "", action.name))
        else:
            raise StackFailure("unknown plan action %s" % action.kind)
    if not wait or outcome.check_mode or not rollouts:
        return []
    started = time.monotonic()
    try:
        return wait_for(client, rollouts, timeout)
    finally:
        outcome.result["waited"] = round(time.monotonic() - started, 1)
