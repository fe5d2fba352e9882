# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Observed project + desired project → a frozen Plan of actions, each with its reason.

Pure: no engine calls, so every decision is unit-tested without Docker. Each step (the actions on
one service, network, volume or image, run in order) names the steps it comes `after`: images,
networks and volumes before the containers that use them; a service after the services it
depends on (for stop and removal, after those that depend on it); orphans, anonymous volumes and
the teardown of networks, volumes and images after everything else. `Plan.layers` groups the
steps by depth for reading; the applier starts each step as soon as its own `after` are done.

Per container: keep, start, unpause, recreate (naming what changed), scale up with the next
numbers, scale down highest numbers first, remove orphans only when asked. Named volumes are
removed only with remove_volumes, or recreated (volume_change.py) only with assume_yes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.build_policy import build_reason
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action, Plan, Step
from ansible_collections.goship.containers.plugins.module_utils.containers.anonymous_volumes import anonymous_volume_names
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import (
    DesiredNetwork, DesiredProject, DesiredService,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.network_change import network_change, network_changes
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.network_duplicates import duplicate_removals
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedImage, ObservedProject,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_references import resolve_service
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.settings_values import parse_values, shown_pair
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import volume_change as V
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.secrets import SecretRule

STATES = ("present", "stopped", "restarted", "absent")


@dataclass(frozen=True)
class PlanOptions:
    state: str = "present"
    recreate: str = "auto"  # auto | always | never
    build: str = "auto"  # auto | always | never | policy
    pull: str = "missing"  # missing | always | never | policy
    remove_orphans: bool = False
    remove_volumes: bool = False
    remove_images: Optional[str] = None  # all | local
    selected: Optional[tuple[str, ...]] = None  # services to act on (dependencies included)
    secret_rule: Optional[SecretRule] = None  # what the diff masks (settings_values.shown_pair)
    assume_yes: bool = False  # recreate a project volume whose definition changed (its data is lost)


# ---------------------------------------------------------------- dependency order

def dependency_layers(services: dict[str, DesiredService]) -> list[list[str]]:
    """Service names grouped by depth: a service comes in a later layer than all it depends on."""
    depth: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(name: str, trail: list[str]) -> int:
        if name in depth:
            return depth[name]
        if name in visiting:
            raise PlanError("services.%s.depends_on" % name, "dependency cycle: %s" % " -> ".join(trail + [name]))
        visiting.add(name)
        deps = [d for d in services[name].depends_on if d in services]
        depth[name] = 1 + max((visit(d, trail + [name]) for d in deps), default=-1)
        visiting.discard(name)
        return depth[name]

    for name in sorted(services):
        visit(name, [])
    layers: list[list[str]] = [[] for _layer in range(max(depth.values(), default=-1) + 1)]
    for name in sorted(services):
        layers[depth[name]].append(name)
    return layers


def _closure(start: str, edges: dict[str, list[str]]) -> set[str]:
    """Every name reachable from `start` along `edges` (start itself excluded)."""
    seen: set[str] = set()
    stack = list(edges.get(start, ()))
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(edges.get(name, ()))
    return seen


def _service_order_edges(services: dict[str, DesiredService], reverse: bool) -> dict[str, list[str]]:
    """name -> the services that must be handled before it: its dependencies (start order) or, with
    `reverse`, the services depending on it (stop and removal order)."""
    edges: dict[str, list[str]] = {name: [] for name in services}
    for name, service in services.items():
        for dep in service.depends_on:
            if dep in services:
                if reverse:
                    edges[dep].append(name)
                else:
                    edges[name].append(dep)
    return edges


def select_services(project: DesiredProject, names: Optional[list[str]], with_dependencies: bool) -> list[str]:
    """The services to act on: `names` (all when None) plus, unless told otherwise, their
    required dependencies; optional dependencies missing from the project are skipped."""
    for name in names or []:
        if name not in project.services:
            raise PlanError("services", "no service %r in the project (services: %s)"
                            % (name, ", ".join(sorted(project.services)) or "none"))
    wanted = list(project.services) if names is None else list(names)
    chosen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in chosen:
            continue
        chosen.add(name)
        for dep, spec in project.services[name].depends_on.items():
            if dep not in project.services:
                if spec.required:
                    raise PlanError("services.%s.depends_on.%s" % (name, dep),
                                    "the service depends on %r, which is not enabled in the project" % dep)
                continue
            if with_dependencies or names is None:
                wanted.append(dep)
    return sorted(chosen)


# ---------------------------------------------------------------- per-container decisions

REBUILT = "image rebuilt from changed build inputs"
HASH_CHANGED = "configuration changed (config-hash)"  # no settings label to name what changed


def recreate_reasons(service: DesiredService, container: ObservedContainer, rebuilt: bool) -> list[str]:
    """Why an existing container no longer matches its service (empty: it matches)."""
    reasons: list[str] = []
    if container.config_hash != service.config_hash:
        changed = L.changed_settings(container.settings, service.settings) if container.settings else []
        reasons.append("changed: %s" % ", ".join(changed) if changed else HASH_CHANGED)
    if container.content and container.content != service.content:
        # only when the container records them: one the CLI made is not recreated for want of a label
        reasons.append("content changed: %s" % ", ".join(L.changed_settings(container.content, service.content)))
    if rebuilt:
        reasons.append(REBUILT)
    elif container.image_ref != service.image and container.config_hash == service.config_hash:
        reasons.append("image %s now points to a different image" % service.image)
    return reasons


def one_shot_services(project: DesiredProject) -> set[str]:
    """Services another one waits on with service_completed_successfully: jobs, not daemons."""
    return {dep for s in project.services.values() for dep, spec in s.depends_on.items()
            if spec.condition == "service_completed_successfully"}


def _is_completed(service: DesiredService, container: ObservedContainer, one_shots: set[str]) -> bool:
    """A job's container that ran to completion: not started again by state=present."""
    return (service.name in one_shots and container.state == "exited" and container.exit_code == 0
            and service.restart_policy in ("no", ""))


def _state_text(container: ObservedContainer) -> str:
    if container.exit_code is not None:
        return "%s (exit code %d)" % (container.state, container.exit_code)
    return container.state


def _next_numbers(existing: list[ObservedContainer], count: int) -> list[int]:
    start = max((c.number for c in existing), default=0) + 1
    return list(range(start, start + count))


def _container_target(project: str, service: DesiredService, number: int) -> str:
    return service.container_name or L.container_name(project, service.name, number)


def _image_steps(project: DesiredProject, observed: ObservedProject, images: dict[str, ObservedImage],
                 options: PlanOptions, selected: list[str]) -> tuple[list[Step], set[str]]:
    """Build/pull steps, and the services whose containers need recreating for a new image."""
    steps: list[Step] = []
    rebuilt: set[str] = set()
    pulled: set[str] = set()
    for name in selected:
        service = project.services[name]
        containers = observed.service_containers(name)
        proven = any(c.image_ref == service.image for c in containers)
        if service.build_digest is not None:
            fresh = any(c.build_digest == service.build_digest and c.image_ref == service.image for c in containers)
            image = images.get(service.image)
            if not fresh and image is not None and image.build_digest == service.build_digest:
                fresh = True
            reason = build_reason(service, options.build, fresh, image is None and not proven)
            if reason:
                steps.append(Step("build:" + name, (Action(A.BUILD, service.image, reason, service=name),)))
                rebuilt.add(name)
            elif image is None and not proven:
                raise PlanError("services.%s.build" % name, "image %s does not exist and build is 'never'" % service.image)
            continue
        # `pull: always` images were pulled before observing (run.pull_always): a moved tag shows
        # in the containers list like any other, and an unchanged one is no change. Check mode
        # cannot pull, so it assumes the local image current, as docker_container does.
        policy = service.pull_policy if service.pull_policy in ("always", "never", "missing") else options.pull
        if not proven and service.image not in images:
            if policy == "never" or options.pull == "never":
                key = "pull_policy" if service.pull_policy == "never" else "image"
                raise PlanError("services.%s.%s" % (name, key), "image %s is not present and pull is 'never'" % service.image)
            if service.image not in pulled:
                steps.append(Step("pull:" + name, (Action(A.PULL, service.image, "image not present", service=name),)))
        pulled.add(service.image)
    return steps, rebuilt


def _network_recreation(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                        net: DesiredNetwork, reason: str, forced: dict[str, str]) -> Action:
    """A changed network is recreated (as `docker compose up` does); the containers attached to it
    are detached first and recreated on the new network (`forced`: container ID -> reason)."""
    attached = [c for c in observed.containers if net.name in c.networks]
    selected = set(options.selected) if options.selected is not None else set(project.services)
    outside = sorted(c.name for c in attached if c.oneoff or c.service not in selected)
    path = "networks.%s" % net.key
    if outside:
        raise PlanError(path, "network %s must be recreated (%s) but containers this run does not manage are"
                        " attached: %s; run for all services (without `services`) or remove them"
                        % (net.name, reason, ", ".join(outside)))
    if options.recreate == "never" and attached:
        raise PlanError(path, "network %s must be recreated (%s), which recreates its containers, but recreate"
                        " is 'never'" % (net.name, reason))
    for container in attached:
        forced[container.id] = "network %s recreated" % net.key
    return Action(A.RECREATE_NETWORK, net.name, reason, attached=tuple(sorted(c.id for c in attached)))


def _resource_steps(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                    forced: dict[str, str], warnings: list[str]) -> list[Step]:
    steps: list[Step] = []
    for net in project.networks:
        actual = observed.networks.get(net.name)
        exists = actual is not None or net.name in observed.networks_in_use
        if net.external:
            if not exists:
                raise PlanError("networks.%s" % net.key, "external network %s does not exist" % net.name)
            if observed.duplicate_networks.get(net.name):
                ids = [actual.id[:12]] + [d.id[:12] for d in observed.duplicate_networks[net.name]] if actual else []
                raise PlanError("networks.%s" % net.key, "external network %s exists %d times (%s): the engine refuses"
                                " an ambiguous name; remove the extra ones ('docker network rm <id>')"
                                % (net.name, len(ids), ", ".join(ids)))
            continue
        repairs = duplicate_removals(project, observed, net, forced, options.selected)
        if not exists:
            steps.append(Step("network:" + net.key, (Action(A.CREATE_NETWORK, net.name, "missing"),)))
        elif actual is not None and actual.project == project.name:
            reason = network_change(net.settings, net.driver, net.internal, net.attachable, actual)
            if reason:
                action = _network_recreation(project, observed, options, net, reason, forced)
                steps.append(Step("network:" + net.key, tuple(repairs) + (action,)))
                continue
        if repairs:
            steps.append(Step("network:" + net.key, tuple(repairs)))
    for vol in project.volumes:
        actual_vol = observed.volumes.get(vol.name)
        exists = actual_vol is not None or vol.name in observed.volumes_in_use
        if vol.external:
            if not exists:
                raise PlanError("volumes.%s" % vol.key, "external volume %s does not exist" % vol.name)
            continue
        changed = V.volume_change(vol, actual_vol) if actual_vol is not None and actual_vol.project == project.name else []
        if not exists:
            steps.append(Step("volume:" + vol.key, (Action(A.CREATE_VOLUME, vol.name, "missing"),)))
        elif changed:
            steps.extend(V.changed_volume(vol, changed, observed, options, project, dependency_layers(project.services), warnings))
        elif actual_vol is not None and vol.driver and actual_vol.driver and vol.driver != actual_vol.driver:
            raise PlanError("volumes.%s" % vol.key, "volume %s exists with driver %s, not %s"
                            % (vol.name, actual_vol.driver, vol.driver))
    return steps


def _service_actions(project: DesiredProject, observed: ObservedProject, service: DesiredService,
                     options: PlanOptions, rebuilt: bool, forced: dict[str, str]) -> list[Action]:
    actions: list[Action] = []
    containers = observed.service_containers(service.name)
    keep, extra = containers[:service.replicas], containers[service.replicas:]
    start = options.state != "stopped"
    for container in sorted(extra, key=lambda c: -c.number):
        actions.append(Action(A.REMOVE, container.name, "scale down to %d" % service.replicas,
                              service=service.name, number=container.number, container_id=container.id))
    for container in keep:
        reasons = recreate_reasons(service, container, rebuilt)
        if options.recreate == "always":
            reasons = ["recreate: always"]
        elif options.recreate == "never":
            reasons = []
        if container.name != _container_target(project.name, service, container.number) and options.recreate != "never":
            reasons = reasons or ["container name changed"]
        if container.id in forced:
            # the forced reason says more than a bare hash change (a reference's ID changes the hash too)
            reasons = [r for r in reasons if r != HASH_CHANGED] + [forced[container.id]]
        if reasons:
            strategy = service.update_order if container.running and start else "stop-first"
            if container.id in forced:
                strategy = "stop-first"  # its network (or namespace) is going away: no overlap to keep
            only_rebuilt = reasons == [REBUILT] and container.image_id
            actions.append(Action(A.RECREATE, container.name, "; ".join(reasons), service=service.name,
                                  number=container.number, container_id=container.id,
                                  strategy=strategy, start=start, old_volumes=container.volume_mounts,
                                  unless_image=container.image_id if only_rebuilt else None))
        elif options.state == "stopped":
            if container.running or container.state == "paused":
                actions.append(Action(A.STOP, container.name, "state: stopped", service=service.name,
                                      number=container.number, container_id=container.id))
        elif container.state == "paused":
            actions.append(Action(A.UNPAUSE, container.name, "container is paused", service=service.name,
                                  number=container.number, container_id=container.id))
        elif not container.running and not _is_completed(service, container, one_shot_services(project)):
            actions.append(Action(A.START, container.name, "container is %s" % _state_text(container),
                                  service=service.name, number=container.number, container_id=container.id))
    for number in _next_numbers(containers, max(0, service.replicas - len(containers))):
        reason = "scale up to %d" % service.replicas if containers else "missing"
        actions.append(Action(A.CREATE, _container_target(project.name, service, number), reason,
                              service=service.name, number=number, start=start))
    return actions


def _in_batches(actions: list[Action], service: DesiredService) -> tuple[Action, ...]:
    """Recreates go in batches of update_config.parallelism (in container-number order), with
    update_config.delay between batches; the applier runs a batch's recreates together."""
    recreates = [a for a in actions if a.kind == A.RECREATE]
    size = service.update_parallelism if service.update_parallelism > 0 else max(1, len(recreates))
    batches = {id(action): index // size + 1 for index, action in enumerate(recreates)}
    return tuple(dataclasses.replace(a, batch=batches[id(a)]) if id(a) in batches else a for a in actions)


NOT_RECORDED = "(not recorded: the container was made without the io.goship.compose.values label)"


def _service_summary(service: Optional[DesiredService], containers: list[ObservedContainer],
                     actions: Iterable[Action], state: str = "present",
                     images: Optional[dict[str, ObservedImage]] = None, rebuilt: bool = False,
                     rule: Optional[SecretRule] = None) -> dict[str, Any]:
    """The diff of one service: replicas, image (reference and ID) and the settings that change,
    with their values before (the values label of a container that differs) and after (secrets
    masked, settings_values.shown_pair)."""
    actions = list(actions)
    before: dict[str, Any] = {"replicas": len(containers)}
    if containers:
        before["image"] = containers[0].image_ref
        before["image_id"] = containers[0].image_id
        before["running"] = sum(1 for c in containers if c.running)
    after: dict[str, Any] = {"replicas": service.replicas if service else 0}
    if service is not None and state != "stopped":
        after["running"] = service.replicas
    if service is not None:
        after["image"] = service.image
        after["image_id"] = "(built first)" if rebuilt else _image_id_after(service, containers, images or {})
        stale = [c for c in containers if c.settings and c.config_hash != service.config_hash]
        changed = sorted({name for c in stale for name in L.changed_settings(c.settings, service.settings)})
        if changed:
            after["changed_settings"] = changed
            recorded = [values for values in (parse_values(c.labels.get(L.VALUES)) for c in stale) if values is not None]
            old, new = shown_pair(recorded[0] if recorded else {}, parse_values(service.values) or {}, changed, rule)
            before["settings"] = old if recorded else {name: NOT_RECORDED for name in changed}
            after["settings"] = new
        # rotated secrets and configs by name only: their values are never shown
        rotated = sorted({name for c in containers if c.content and c.content != service.content
                          for name in L.changed_settings(c.content, service.content)})
        if rotated:
            after["changed_content"] = rotated
    if actions:
        after["actions"] = [a.describe() for a in actions]
    elif service is not None and containers and not after.get("changed_settings") and not after.get("changed_content"):
        after = dict(before)  # nothing to do: the diff shows no change
    return {"before": before, "after": after}


def _image_id_after(service: DesiredService, containers: list[ObservedContainer],
                    images: dict[str, ObservedImage]) -> str:
    """The image ID the service will run: the local image's, the running one's when a no-op run did
    not look the image up, or what must happen first."""
    if service.image in images:
        return images[service.image].id
    proven = [c.image_id for c in containers if c.image_ref == service.image]
    if proven:
        return proven[0]
    return "(%s first)" % ("built" if service.build_digest else "pulled")


def _propagate_restarts(project: DesiredProject, observed: ObservedProject, planned: dict[str, list[Action]]) -> None:
    """depends_on.restart: a kept, running dependent restarts when its dependency is replaced."""
    for layer in dependency_layers({n: project.services[n] for n in planned}):
        for name in layer:
            service = project.services[name]
            mine = planned[name]
            touched = [d for d, spec in service.depends_on.items() if spec.restart and d in planned
                       and any(a.kind in (A.RECREATE, A.RESTART, A.START, A.UNPAUSE) for a in planned[d])]
            if not touched:
                continue
            acted = {a.container_id for a in mine if a.container_id}
            for container in observed.service_containers(name)[:service.replicas]:
                if container.running and container.id not in acted:
                    mine.append(Action(A.RESTART, container.name, "dependency %s was replaced" % ", ".join(sorted(touched)),
                                       service=name, number=container.number, container_id=container.id))


# ---------------------------------------------------------------- the plan

def plan_project(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                 images: Optional[dict[str, ObservedImage]] = None) -> Plan:
    """The plan that takes `observed` to `project` under `options`."""
    if options.state not in STATES:
        raise PlanError("state", "must be one of %s" % ", ".join(STATES))
    images = images or {}
    selected = sorted(options.selected) if options.selected is not None else sorted(project.services)
    services = {name: project.services[name] for name in selected}
    layers = dependency_layers(services)
    if options.state == "absent":
        return _plan_absent(project, observed, options, services, layers, images)

    forced: dict[str, str] = {}  # container ID -> why it must be recreated whatever its config
    warnings: list[str] = []
    prepare: list[Step] = V.order_recreations(_resource_steps(project, observed, options, forced, warnings))
    removed = V.recreated_containers(prepare)  # by a volume recreation: created again below
    remaining = dataclasses.replace(observed, containers=[c for c in observed.containers if c.id not in removed])
    image_steps, rebuilt = _image_steps(project, observed, images, options, selected)
    if image_steps:  # images first, as `docker compose up`: a pull or build that fails leaves nothing created
        pulled_and_built = tuple(step.name for step in image_steps)
        prepare = [dataclasses.replace(step, after=step.after + pulled_and_built) for step in prepare]
    prepare.extend(image_steps)
    planned: dict[str, list[Action]] = {}
    for layer in layers:  # services named by network_mode / volumes_from ... before those naming them
        for name in layer:
            services[name] = resolve_service(services[name], remaining, planned, forced)
            planned[name] = _service_actions(project, remaining, services[name], options, name in rebuilt, forced)
    V.explain_creates(planned, removed, observed)
    if options.state != "stopped":
        _propagate_restarts(project, remaining, planned)
    if options.state == "restarted":
        for name, mine in planned.items():
            acted = {a.container_id for a in mine if a.container_id}
            for container in remaining.service_containers(name)[:services[name].replicas]:
                if container.id not in acted:
                    mine.append(Action(A.RESTART, container.name, "state: restarted", service=name,
                                       number=container.number, container_id=container.id))

    stopping = options.state == "stopped"
    order = _service_order_edges(services, reverse=stopping)
    resources = tuple(s.name for s in prepare if s.actions[0].kind not in (A.BUILD, A.PULL))
    steps: dict[str, Step] = {}
    summaries: dict[str, dict[str, Any]] = {}
    for name, service in services.items():
        image = tuple(s.name for s in image_steps if s.actions[0].target == service.image)
        steps[name] = Step(
            name, _in_batches(planned[name], service),
            wait_for=tuple((dep, spec.condition) for dep, spec in sorted(service.depends_on.items()) if dep in services),
            batch_delay=service.update_delay,
            after=resources + image + tuple(sorted(_closure(name, order))),
        )
        summaries[name] = _service_summary(service, observed.service_containers(name), steps[name].actions,
                                           options.state, images, name in rebuilt, options.secret_rule)

    plan_layers: list[tuple[Step, ...]] = [tuple(prepare)] if prepare else []
    for layer in (reversed(layers) if stopping else layers):
        plan_layers.append(tuple(steps[name] for name in layer))
    _plan_orphans(project, observed, options, plan_layers, summaries, warnings)
    return Plan(layers=tuple(plan_layers), services=summaries, networks=network_changes(project, observed, prepare),
                volumes=V.volume_changes(project, observed, prepare, options.secret_rule), warnings=tuple(warnings))


def _after_everything(layers: list[tuple[Step, ...]], steps: list[Step]) -> tuple[Step, ...]:
    """`steps` as a layer that starts once every step planned so far is done."""
    before = tuple(step.name for layer in layers for step in layer)
    return tuple(dataclasses.replace(step, after=before) for step in steps)


def _orphans(project: DesiredProject, observed: ObservedProject) -> list[ObservedContainer]:
    known = set(project.services) | project.known_services
    return [c for c in observed.containers if c.service not in known and not c.oneoff]


def _plan_orphans(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                  layers: list[tuple[Step, ...]], summaries: dict[str, dict[str, Any]], warnings: list[str]) -> None:
    orphans = _orphans(project, observed)
    if not orphans:
        return
    if not options.remove_orphans:
        warnings.append("orphan containers kept (set remove_orphans to remove them): %s"
                        % ", ".join(sorted(c.name for c in orphans)))
        return
    removals: dict[str, list[Action]] = {}
    for container in sorted(orphans, key=lambda c: (c.service, -c.number)):
        removals.setdefault(container.service, []).append(Action(
            A.REMOVE, container.name, "orphan: service %s is not in the project" % container.service,
            service=container.service, number=container.number, container_id=container.id))
    for service, removed in removals.items():
        summaries.setdefault(service, {"before": {"replicas": len(removed)}, "after": {"replicas": 0}})
    layers.append(_after_everything(layers, [Step("orphan:" + service, tuple(removed))
                                             for service, removed in removals.items()]))


def _anonymous_volume_steps(observed: ObservedProject, removed: set[str]) -> list[Step]:
    """remove_volumes: the anonymous volumes of the removed containers go too (as `down -v`).
    The engine's own `v=1` misses those a recreate handed on by name, so they are removed by
    name, after their containers; one still mounted by a container that stays is kept."""
    kept_in_use = {name for c in observed.containers if c.id not in removed for name in c.volumes}
    owners: dict[str, str] = {}
    for container in observed.containers:
        if container.id in removed:
            for name in anonymous_volume_names(container.volume_mounts):
                owners.setdefault(name, container.name)
    return [Step("volume:" + name, (Action(A.REMOVE_VOLUME, name, "anonymous volume of %s; remove_volumes: true" % owner),))
            for name, owner in sorted(owners.items()) if name not in kept_in_use]


def _plan_absent(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                 services: dict[str, DesiredService], layers: list[list[str]],
                 images: dict[str, ObservedImage]) -> Plan:
    removals: dict[str, tuple[Action, ...]] = {}
    summaries: dict[str, dict[str, Any]] = {}
    for name in services:
        containers = observed.service_containers(name)
        removals[name] = tuple(Action(A.REMOVE, c.name, "state: absent", service=name, number=c.number,
                                      container_id=c.id) for c in sorted(containers, key=lambda c: -c.number))
        summaries[name] = _service_summary(None, containers, removals[name])
    present = {name for name, removed in removals.items() if removed}  # a step only where there is work
    dependents = _service_order_edges(services, reverse=True)
    plan_layers: list[tuple[Step, ...]] = []
    for layer in reversed(layers):
        steps = tuple(Step(name, removals[name], after=tuple(sorted(_closure(name, dependents) & present)))
                      for name in layer if name in present)
        if steps:
            plan_layers.append(steps)
    warnings: list[str] = []
    _plan_orphans(project, observed, options, plan_layers, summaries, warnings)
    if options.remove_volumes:
        removed = {a.container_id or "" for layer in plan_layers for step in layer for a in step.actions
                   if a.kind == A.REMOVE}
        anonymous = _anonymous_volume_steps(observed, removed)
        if anonymous:
            plan_layers.append(_after_everything(plan_layers, anonymous))
    if options.selected is None or set(options.selected) == set(project.services):  # a subset leaves shared ones
        teardown = _teardown_steps(project, observed, options, images)
        if teardown:
            plan_layers.append(_after_everything(plan_layers, teardown))
    return Plan(layers=tuple(plan_layers), services=summaries, warnings=tuple(warnings))


def _teardown_steps(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                    images: dict[str, ObservedImage]) -> list[Step]:
    """state=absent for the whole project: its networks, and its volumes and images when asked."""
    teardown: list[Step] = []
    for net in project.networks:
        if not net.external and (net.name in observed.networks or net.name in observed.networks_in_use):
            repairs = duplicate_removals(project, observed, net, {}, move_containers=False)
            teardown.append(Step("network:" + net.key, tuple(repairs) + (Action(A.REMOVE_NETWORK, net.name, "state: absent"),)))
    if options.remove_volumes:
        for vol in project.volumes:
            if not vol.external and (vol.name in observed.volumes or vol.name in observed.volumes_in_use):
                teardown.append(Step("volume:" + vol.key, (Action(A.REMOVE_VOLUME, vol.name, "remove_volumes: true"),)))
    if options.remove_images:
        seen = set()
        for name in sorted(project.services):
            service = project.services[name]
            local = service.build_digest is not None
            wanted = options.remove_images == "all" or local
            if wanted and service.image in images and service.image not in seen:
                seen.add(service.image)
                reason = "remove_images: %s" % options.remove_images
                teardown.append(Step("image:" + service.image, (Action(A.REMOVE_IMAGE, service.image, reason),)))
    return teardown
