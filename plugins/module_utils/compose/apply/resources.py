# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action handlers for networks, volumes and images: each takes the run's ApplyContext and one
Action, and raises on failure (the executor's table maps each action kind to one of these)."""

from __future__ import annotations

import time
from typing import Any

from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import POLL_SECONDS, ApplyContext, explain
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import build_context_path, build_labels
from ansible_collections.goship.containers.plugins.module_utils.containers import engine
from ansible_collections.goship.containers.plugins.module_utils.networks.apply import create_kwargs
from ansible_collections.goship.containers.plugins.module_utils.networks.plan import NetworkConfig
from ansible_collections.goship.containers.plugins.module_utils.networks.spec import IpamPool

# Docker 20.10 can refuse to remove a network ("has active endpoints") for a moment after its last
# container was removed (moby/moby#42119, also seen with `docker compose down`): retry this long.
NETWORK_REMOVE_GRACE = 10.0


def _network_model(context: ApplyContext, name: str) -> Any:
    for net in context.project.networks.values():
        if net.name == name:
            return net
    return None


def network_config(context: ApplyContext, name: str) -> NetworkConfig:
    """A project network (or the implicit default one) as the network module's NetworkConfig, so
    that both create networks through networks/apply.create_kwargs."""
    net = _network_model(context, name)
    settings = next((n.settings for n in context.desired.networks if n.name == name), "")
    if net is None:
        return NetworkConfig(name=name, driver="bridge", driver_options={}, ipam_config=[], internal=False,
                             attachable=False, enable_ipv6=False,
                             labels=L.network_labels(context.project.name, "default", {}, settings))
    ipam = net.ipam or {}
    pools = [IpamPool(subnet=pool.get("subnet"), gateway=pool.get("gateway"), iprange=pool.get("ip_range"),
                      aux_addresses=tuple(sorted((pool.get("aux_addresses") or {}).items())) or None)
             for pool in ipam.get("config") or []]
    return NetworkConfig(
        name=name, driver=net.driver or "bridge", driver_options=dict(net.driver_opts), ipam_config=pools,
        internal=bool(net.internal), attachable=bool(net.attachable), enable_ipv6=bool(net.enable_ipv6),
        labels=L.network_labels(context.project.name, net.key, net.labels, settings),
        ipam_driver=ipam.get("driver") or "default", ipam_options=dict(ipam.get("options") or {}),
    )


def create_network(context: ApplyContext, action: Action) -> None:
    context.client.create_network(**create_kwargs(network_config(context, action.target)))


def recreate_network(context: ApplyContext, action: Action) -> None:
    """Detach the project's containers (stopped first: they are recreated on the new network by
    the steps after this one), remove the network, create it with the new definition. Containers
    attached that the plan does not know (added by hand) fail the step before any write."""
    endpoints = context.client.inspect_network(action.target).get("Containers") or {}
    unknown = sorted((e.get("Name") or cid[:12]) for cid, e in endpoints.items() if cid not in action.attached)
    if unknown:
        raise ExecutionError("network %s must be recreated (%s) but containers outside the project are"
                             " attached: %s; disconnect them first" % (action.target, action.reason, ", ".join(unknown)))
    for container_id in action.attached:
        engine.stop_container(context.client, container_id, context.options.stop_timeout)
        context.client.disconnect_container_from_network(container_id, action.target, force=True)
    _remove_network(context, action.target)  # its containers are detached already
    create_network(context, action)


def remove_network(context: ApplyContext, action: Action) -> None:
    """Remove (by name, or by ID for a duplicate); already gone is fine, a moment of stale endpoints
    is waited out (NETWORK_REMOVE_GRACE). `action.attached`: containers to stop and detach first
    (they are recreated on the network that stays)."""
    for container_id in action.attached:
        engine.stop_container(context.client, container_id, context.options.stop_timeout)
        context.client.disconnect_container_from_network(container_id, action.target, force=True)
    _remove_network(context, action.target)


def _remove_network(context: ApplyContext, name: str) -> None:
    deadline = time.monotonic() + NETWORK_REMOVE_GRACE
    while True:
        try:
            context.client.remove_network(name)
            return
        except Exception as exc:
            if engine.is_not_found(exc):
                return
            if "active endpoints" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise ExecutionError(_endpoints_left(context, name, exc)) from exc
        time.sleep(POLL_SECONDS * 2)


def _endpoints_left(context: ApplyContext, name: str, exc: BaseException) -> str:
    """Why a network still has endpoints: the containers attached, or a stale endpoint."""
    try:
        attached = context.client.inspect_network(name).get("Containers") or {}
    except Exception:  # noqa: BLE001 - the original error says enough
        attached = None
    if attached:
        names = sorted(e.get("Name") or cid[:12] for cid, e in attached.items())
        return "remove network %s: containers outside this run are attached: %s; disconnect them first" % (name, ", ".join(names))
    if attached == {}:
        return ("remove network %s: the engine still reports an endpoint on it although no container is attached"
                " (a known Docker fault, moby/moby#42119); 'docker network disconnect -f %s <name of the container"
                " it belonged to>' or a restart of the Docker daemon clears it" % (name, name))
    return "remove network %s: %s" % (name, explain(exc))


def create_volume(context: ApplyContext, action: Action) -> None:
    vol = next((v for v in context.project.volumes.values() if v.name == action.target), None)
    context.client.create_volume(
        action.target, driver=(vol.driver if vol is not None else None) or "local",
        driver_opts=dict(vol.driver_opts) if vol is not None and vol.driver_opts else None,
        labels=L.volume_labels(context.project.name, vol.key if vol is not None else action.target,
                               vol.labels if vol is not None else {}),
    )


def remove_volume(context: ApplyContext, action: Action) -> None:
    try:
        context.client.remove_volume(action.target)
    except Exception as exc:
        if not engine.is_not_found(exc):
            raise


def build(context: ApplyContext, action: Action) -> bool:
    # Imported here for speed, not to break a cycle: only runs that build load the builder.
    from ansible_collections.goship.containers.plugins.module_utils.images.build import BuildFailure, BuildRequest, ensure_built
    service = context.project.services[action.service or ""]
    spec = service.build
    request = BuildRequest(
        name=action.target, path=build_context_path(context.project, service),
        dockerfile=spec.dockerfile if spec else None, args=dict(spec.args) if spec else {},
        target=spec.target if spec else None, labels=build_labels(context.project, service),
        network=spec.network if spec else None, rebuild="auto",
        pull=spec.pull if spec else False, cache_from=list(spec.cache_from) if spec else [],
        nocache=spec.no_cache if spec else False, extra_tags=list(spec.tags) if spec else [],
    )  # the other build keys are refused before any write (plan/engine_support.py)
    try:
        result = ensure_built(context.client, request, check_mode=False)
    except BuildFailure as exc:
        raise ExecutionError("build of service %s failed at %s: %s\n%s" % (
            action.service, exc.step or "start", exc.message, "\n".join(exc.output[-10:])))
    if result.image_id:
        context.remember_image(action.target, result.image_id)
    return result.changed  # False: the build kept the image ID (its layers did not change)


def pull(context: ApplyContext, action: Action) -> None:
    from ansible_collections.goship.containers.plugins.module_utils.images.store import pull_image  # for speed, as build
    pull_image(context.client, action.target)


def remove_image(context: ApplyContext, action: Action) -> None:
    from ansible_collections.goship.containers.plugins.module_utils.images.store import remove_image as remove  # for speed
    remove(context.client, action.target, force=False)
