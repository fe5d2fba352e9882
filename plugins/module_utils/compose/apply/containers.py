# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action handlers for a service's containers: each takes the run's ApplyContext and one Action.
Recreating a container (the update of a service, batch by batch, gated on health, with its
failure_action) is updates.py's; it creates the replacement and waits for it with the functions
here.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import hooks
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import POLL_SECONDS, ApplyContext
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action
from ansible_collections.goship.containers.plugins.module_utils.containers.anonymous_volumes import inherit
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import list_containers
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_references import first_container
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_resources import resolved_volumes_from
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import ServiceContainer, container_spec
from ansible_collections.goship.containers.plugins.module_utils.compose.model import Service
from ansible_collections.goship.containers.plugins.module_utils.containers import engine
from ansible_collections.goship.containers.plugins.module_utils.file_tar import files_tar

NO_HEALTHCHECK_GRACE = 1.0  # seconds a start-first replacement without healthcheck must keep running


def _spec(context: ApplyContext, action: Action, name: Optional[str] = None,
          first_ids: Optional[dict[str, str]] = None) -> ServiceContainer:
    service = context.project.services[action.service or ""]
    desired = context.desired.services[service.name]
    labels = L.container_labels(
        context.base_labels, service.name, action.number or 1, desired.resolved_hash(first_ids or {}),
        L.format_depends_on(service.depends_on), context.image_id(desired.image), desired.settings,
        desired.build_digest, desired.values, desired.content,
    )
    return container_spec(context.project, service, action.number or 1, labels, name=name)


def network_attachments(context: ApplyContext, action: Action) -> tuple[Any, ...]:
    """The container's networks as the service defines them, aliases included."""
    return _spec(context, action).spec.networks or ()


def _create(context: ApplyContext, action: Action, name: Optional[str] = None, aliases: bool = True) -> str:
    """Create the action's container. Without `aliases` it joins its networks under its own name
    only: no request reaches it through the service's name until updates.py adds them."""
    first_ids = _first_ids(context, action)
    made = _spec(context, action, name, first_ids)
    spec = made.spec
    if not aliases and spec.networks:
        spec = dataclasses.replace(spec, networks=tuple(dataclasses.replace(n, aliases=()) for n in spec.networks))
    if first_ids:
        spec = _resolved(spec, context.project.services[action.service or ""], first_ids)
    if action.kind == A.RECREATE and action.old_volumes:
        # The replacement takes over the old container's anonymous volumes (their data).
        image = context.desired.services[action.service or ""].image
        mounts, _inherited = inherit(spec.mounts, context.image_volumes(image), action.old_volumes)
        spec = dataclasses.replace(spec, mounts=mounts or None)
    container_id = engine.create_container(context.client, spec)
    if made.files:
        context.client.put_archive(container_id, "/", files_tar(made.files))
    return container_id


def _first_ids(context: ApplyContext, action: Action) -> dict[str, str]:
    """service -> the ID of its first container, for each service the action's service names
    (service_references.py): one containers list, only for a service with such references."""
    desired = context.desired.services[action.service or ""]
    if not desired.references:
        return {}
    listed = list_containers(context.client, context.project.name)
    first_ids = {}
    for key, entry, owner in desired.references:
        first = first_container(c for c in listed if c.service == owner)
        if first is None:
            raise ExecutionError("service %s: %s %s, but %s has no container" % (action.service, key, entry, owner))
        first_ids[owner] = first.id
    return first_ids


def _resolved(spec: Any, service: Service, first_ids: dict[str, str]) -> Any:
    """network_mode / ipc / pid service:<name> -> container:<ID>, volumes_from <service>[:mode] ->
    <ID>[:mode]: the containers the config-hash label names (as Compose; the mode is kept)."""
    def mode(value: Optional[str]) -> Optional[str]:
        if value and value.startswith("service:") and value[len("service:"):] in first_ids:
            return "container:" + first_ids[value[len("service:"):]]
        return value
    return dataclasses.replace(spec, network_mode=mode(spec.network_mode), ipc_mode=mode(spec.ipc_mode),
                               pid_mode=mode(spec.pid_mode),
                               volumes_from=resolved_volumes_from(service, first_ids) or spec.volumes_from)


def create_replacement(context: ApplyContext, action: Action, name: str, aliases: bool = True) -> str:
    return _create(context, action, name, aliases)


def final_name(context: ApplyContext, action: Action) -> str:
    service = context.project.services[action.service or ""]
    return service.container_name or L.container_name(context.project.name, service.name, action.number or 1)


def create(context: ApplyContext, action: Action) -> None:
    container_id = _create(context, action)
    if action.start:
        engine.start_container(context.client, container_id)
        hooks.post_start(context, action.service or "", container_id)


def start(context: ApplyContext, action: Action) -> None:
    engine.start_container(context.client, action.container_id or action.target)
    hooks.post_start(context, action.service or "", action.container_id or action.target)


def unpause(context: ApplyContext, action: Action) -> None:
    context.client.unpause(action.container_id or action.target)


def stop(context: ApplyContext, action: Action) -> None:
    hooks.pre_stop(context, action.service or "", action.container_id or action.target)
    engine.stop_container(context.client, action.container_id or action.target, context.options.stop_timeout)


def restart(context: ApplyContext, action: Action) -> None:
    timeout = context.options.stop_timeout if context.options.stop_timeout is not None else 10
    context.client.restart(action.container_id or action.target, timeout=timeout)


def remove(context: ApplyContext, action: Action) -> None:
    target = action.container_id or action.target
    hooks.pre_stop(context, action.service or "", target)
    try:
        engine.stop_container(context.client, target, context.options.stop_timeout)
    except Exception as exc:
        if engine.is_not_found(exc):
            return
    engine.remove_container(context.client, target, keep_volumes=not context.options.remove_volumes)


def wait_ready(context: ApplyContext, container_id: str, monitor: float = 0.0) -> None:
    """Healthy; or, without a healthcheck (image or service), still running after a grace time.
    Then, with `monitor` (update_config.monitor), still running and not unhealthy that long."""
    started = time.monotonic()
    deadline = started + context.options.wait_timeout
    while True:
        state = context.client.inspect_container(container_id)["State"]
        health = (state.get("Health") or {}).get("Status")
        if not state.get("Running"):
            raise ExecutionError("container exited with code %s%s" % (state.get("ExitCode"), health_log(state)))
        if health == "healthy" or (health is None and time.monotonic() - started >= NO_HEALTHCHECK_GRACE):
            break
        if health == "unhealthy":
            raise ExecutionError("unhealthy%s" % health_log(state))
        if time.monotonic() > deadline:
            raise ExecutionError("still %s after %ds%s" % (health or "starting", context.options.wait_timeout,
                                                           health_log(state)))
        time.sleep(POLL_SECONDS)
    watched_until = time.monotonic() + monitor
    while time.monotonic() < watched_until:
        time.sleep(POLL_SECONDS)
        state = context.client.inspect_container(container_id)["State"]
        if not state.get("Running"):
            raise ExecutionError("container exited with code %s within update_config.monitor (%gs)%s"
                                 % (state.get("ExitCode"), monitor, health_log(state)))
        if (state.get("Health") or {}).get("Status") == "unhealthy":
            raise ExecutionError("unhealthy within update_config.monitor (%gs)%s" % (monitor, health_log(state)))


def health_log(state: dict[str, Any]) -> str:
    """The last three health check results of an inspected container's State, for error messages."""
    entries = ((state.get("Health") or {}).get("Log") or [])[-3:]
    lines = ["exit %s: %s" % (e.get("ExitCode"), (e.get("Output") or "").strip()) for e in entries]
    return "; last health checks: %s" % " | ".join(lines) if lines else ""
