# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Observed project + desired project → an ordered Plan of actions, each with its reason.

Pure: no engine calls, so every decision is unit-tested without Docker. The plan is a list of
layers run one after the other; the steps of a layer are independent (the executor runs them in
parallel) and the actions of a step run in order. The first layer builds/pulls images and creates
networks and volumes; then one layer per depth of the `depends_on` graph (dependencies first; for
stop and removal, dependents first); then the teardown of networks, volumes and images.

Per container: keep, start, recreate (naming what changed), scale up with the next numbers,
scale down highest numbers first, remove orphans only when asked. Named volumes are removed only
with remove_volumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.containers.anonymous_volumes import anonymous_volume_names
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.network_change import network_change
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedContainer, ObservedProject

STATES = ("present", "stopped", "restarted", "absent")
STARTING_KINDS = ("create", "start", "recreate", "restart")


class ExecutionError(Exception):
    """An action of the plan failed; the message names the service or object and the engine's reason.
    Raised by the executor; declared here so that a run that changes nothing never imports it."""


@dataclass(frozen=True)
class Dependency:
    condition: str = "service_started"
    restart: bool = False
    required: bool = True


@dataclass(frozen=True)
class DesiredService:
    name: str
    image: str
    replicas: int = 1
    config_hash: str = ""
    settings: str = ""  # labels.settings_fingerprint of the canonical form
    depends_on: dict[str, Dependency] = field(default_factory=dict)
    update_order: str = "stop-first"  # resolved: explicit, else the module default
    failure_action: str = "pause"
    # deploy.update_config, Swarm's semantics: recreate `parallelism` containers at a time (0: all
    # at once; default 1), waiting `delay` seconds between batches
    update_parallelism: int = 1
    update_delay: float = 0.0
    container_name: Optional[str] = None
    has_healthcheck: bool = False
    restart_policy: str = "no"
    build_digest: Optional[str] = None  # set when the image is built from a context
    pull_policy: str = "missing"
    namespace_owner: Optional[str] = None  # network_mode service:<owner>: joins its first container


@dataclass(frozen=True)
class DesiredNetwork:
    key: str
    name: str
    external: bool = False
    driver: Optional[str] = None
    internal: bool = False
    attachable: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    settings: str = ""  # network_change.network_settings: recorded on the network at creation


@dataclass(frozen=True)
class DesiredVolume:
    key: str
    name: str
    external: bool = False
    driver: Optional[str] = None
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class DesiredProject:
    name: str
    services: dict[str, DesiredService] = field(default_factory=dict)
    networks: list[DesiredNetwork] = field(default_factory=list)
    volumes: list[DesiredVolume] = field(default_factory=list)
    # Services the file defines but that are not selected (profiles / `services`): never orphans.
    known_services: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ObservedImage:
    id: str
    build_digest: Optional[str] = None  # the digest label of a content-addressed build


@dataclass(frozen=True)
class PlanOptions:
    state: str = "present"
    recreate: str = "auto"  # auto | always | never
    build: str = "auto"  # auto | always | never
    pull: str = "missing"  # missing | always | never
    remove_orphans: bool = False
    remove_volumes: bool = False
    remove_images: Optional[str] = None  # all | local
    selected: Optional[tuple[str, ...]] = None  # services to act on (dependencies included)


@dataclass
class Action:
    kind: str  # build pull create_network recreate_network create_volume create start recreate restart
    #            stop remove remove_network remove_volume remove_image
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

    def describe(self) -> str:
        verb = self.kind.replace("_", " ")
        if self.kind == "recreate" and self.strategy:
            verb = "recreate (%s)" % self.strategy
        return "%s %s: %s" % (verb, self.target, self.reason)


@dataclass
class Step:
    """Actions on one service (or one network/volume/image), run in order."""
    name: str
    actions: list[Action] = field(default_factory=list)
    waits: list[tuple[str, str]] = field(default_factory=list)  # (dependency, condition) before starting
    batch_delay: float = 0.0  # seconds between two update batches of recreate actions

    @property
    def starts_containers(self) -> bool:
        return any(a.kind in STARTING_KINDS and a.start for a in self.actions)


@dataclass
class Plan:
    layers: list[list[Step]] = field(default_factory=list)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # before/after per service
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)  # before/after per recreated network
    warnings: list[str] = field(default_factory=list)

    @property
    def actions(self) -> list[Action]:
        return [a for layer in self.layers for step in layer for a in step.actions]

    @property
    def changed(self) -> bool:
        return bool(self.actions)

    def describe(self) -> list[str]:
        return [a.describe() for a in self.actions]


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

def recreate_reasons(service: DesiredService, container: ObservedContainer, rebuilt: bool) -> list[str]:
    """Why an existing container no longer matches its service (empty: it matches)."""
    reasons: list[str] = []
    if container.config_hash != service.config_hash:
        changed = L.changed_settings(container.settings, service.settings) if container.settings else []
        reasons.append("changed: %s" % ", ".join(changed) if changed else "configuration changed (config-hash)")
    if rebuilt:
        reasons.append("image rebuilt from changed build inputs")
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
            if options.build == "always" or (options.build == "auto" and not fresh):
                reason = "build: always" if options.build == "always" else (
                    "no image yet" if image is None and not proven else "build inputs changed (digest %s)" % service.build_digest[:12])
                steps.append(Step("build:" + name, [Action("build", service.image, reason, service=name)]))
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
                steps.append(Step("pull:" + name, [Action("pull", service.image, "image not present", service=name)]))
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
    return Action("recreate_network", net.name, reason, attached=tuple(sorted(c.id for c in attached)))


def _resource_steps(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                    forced: dict[str, str]) -> list[Step]:
    steps: list[Step] = []
    for net in project.networks:
        actual = observed.networks.get(net.name)
        exists = actual is not None or net.name in observed.networks_in_use
        if net.external:
            if not exists:
                raise PlanError("networks.%s" % net.key, "external network %s does not exist" % net.name)
            continue
        if not exists:
            steps.append(Step("network:" + net.key, [Action("create_network", net.name, "missing")]))
        elif actual is not None and actual.project == project.name:
            reason = network_change(net.settings, net.driver, net.internal, net.attachable, actual)
            if reason:
                action = _network_recreation(project, observed, options, net, reason, forced)
                steps.append(Step("network:" + net.key, [action]))
    for vol in project.volumes:
        actual_vol = observed.volumes.get(vol.name)
        exists = actual_vol is not None or vol.name in observed.volumes_in_use
        if vol.external:
            if not exists:
                raise PlanError("volumes.%s" % vol.key, "external volume %s does not exist" % vol.name)
            continue
        if not exists:
            steps.append(Step("volume:" + vol.key, [Action("create_volume", vol.name, "missing")]))
        elif actual_vol is not None and vol.driver and actual_vol.driver and vol.driver != actual_vol.driver:
            raise PlanError("volumes.%s" % vol.key, "volume %s exists with driver %s, not %s"
                            % (vol.name, actual_vol.driver, vol.driver))
    return steps


def _service_step(project: DesiredProject, observed: ObservedProject, service: DesiredService,
                  options: PlanOptions, rebuilt: bool, forced: dict[str, str]) -> Step:
    step = Step(service.name)
    containers = observed.service_containers(service.name)
    keep, extra = containers[:service.replicas], containers[service.replicas:]
    start = options.state != "stopped"
    for container in sorted(extra, key=lambda c: -c.number):
        step.actions.append(Action("remove", container.name, "scale down to %d" % service.replicas,
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
            reasons = reasons + [forced[container.id]]
        if reasons:
            strategy = service.update_order if container.running and start else "stop-first"
            if container.id in forced:
                strategy = "stop-first"  # its network (or namespace) is going away: no overlap to keep
            step.actions.append(Action("recreate", container.name, "; ".join(reasons), service=service.name,
                                       number=container.number, container_id=container.id,
                                       strategy=strategy, start=start, old_volumes=container.volume_mounts))
        elif options.state == "stopped":
            if container.running or container.state == "paused":
                step.actions.append(Action("stop", container.name, "state: stopped", service=service.name,
                                           number=container.number, container_id=container.id))
        elif not container.running and not _is_completed(service, container, one_shot_services(project)):
            step.actions.append(Action("start", container.name, "container is %s" % _state_text(container),
                                       service=service.name, number=container.number, container_id=container.id))
    _assign_batches(step, service)
    for number in _next_numbers(containers, max(0, service.replicas - len(containers))):
        reason = "scale up to %d" % service.replicas if containers else "missing"
        step.actions.append(Action("create", _container_target(project.name, service, number), reason,
                                   service=service.name, number=number, start=start))
    return step


def _rejoin_namespace(service: DesiredService, observed: ObservedProject, steps: dict[str, Step],
                      forced: dict[str, str]) -> None:
    """network_mode service:<owner> joins the network namespace of the owner's first container
    (resolved to container:<id> at create). A joiner must be recreated (not restarted: the ID it
    names is gone) when that container is replaced in this run, or was replaced before."""
    owner = service.namespace_owner
    if owner is None:
        return
    owner_containers = observed.service_containers(owner)
    first = owner_containers[0] if owner_containers else None
    owner_step = steps.get(owner)
    replaced = first is None or (owner_step is not None and any(
        a.container_id == first.id and a.kind in ("recreate", "remove") for a in owner_step.actions))
    for container in observed.service_containers(service.name):
        if replaced:
            forced.setdefault(container.id, "network_mode service:%s: its container is replaced" % owner)
        elif container.network_mode != "container:" + first.id:
            forced.setdefault(container.id, "network_mode service:%s: joined to a container that is gone" % owner)


def _assign_batches(step: Step, service: DesiredService) -> None:
    """Recreates go in batches of update_config.parallelism (in container-number order), with
    update_config.delay between batches; the executor runs a batch's recreates together."""
    recreates = [a for a in step.actions if a.kind == "recreate"]
    size = service.update_parallelism if service.update_parallelism > 0 else max(1, len(recreates))
    for index, action in enumerate(recreates):
        action.batch = index // size + 1
    step.batch_delay = service.update_delay


def _service_summary(service: Optional[DesiredService], containers: list[ObservedContainer],
                     step: Optional[Step], state: str = "present",
                     images: Optional[dict[str, ObservedImage]] = None) -> dict[str, Any]:
    """The diff of one service: replicas, image (reference and ID) and the settings that change,
    with their values before and after."""
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
        after["image_id"] = _image_id_after(service, containers, images or {})
        stale = [c for c in containers if c.settings and c.config_hash != service.config_hash]
        changed = sorted({name for c in stale for name in L.changed_settings(c.settings, service.settings)})
        if changed:
            after["changed_settings"] = changed
            old, new = L.parse_settings(stale[0].settings), L.parse_settings(service.settings)
            before["settings"] = {name: old.get(name) for name in changed}
            after["settings"] = {name: new.get(name) for name in changed}
    if step is not None and step.actions:
        after["actions"] = [a.describe() for a in step.actions]
    elif service is not None and containers and not after.get("changed_settings"):
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


def _propagate_restarts(project: DesiredProject, observed: ObservedProject, steps: dict[str, Step]) -> None:
    """depends_on.restart: a kept, running dependent restarts when its dependency is replaced."""
    for layer in dependency_layers({n: project.services[n] for n in steps}):
        for name in layer:
            service = project.services[name]
            step = steps[name]
            touched = [d for d, spec in service.depends_on.items() if spec.restart and d in steps
                       and any(a.kind in ("recreate", "restart", "start") for a in steps[d].actions)]
            if not touched:
                continue
            acted = {a.container_id for a in step.actions if a.container_id}
            for container in observed.service_containers(name)[:service.replicas]:
                if container.running and container.id not in acted:
                    step.actions.append(Action("restart", container.name, "dependency %s was replaced" % ", ".join(sorted(touched)),
                                               service=name, number=container.number, container_id=container.id))


def plan_project(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                 images: Optional[dict[str, ObservedImage]] = None) -> Plan:
    """The ordered plan that takes `observed` to `project` under `options`."""
    if options.state not in STATES:
        raise PlanError("state", "must be one of %s" % ", ".join(STATES))
    images = images or {}
    selected = sorted(options.selected) if options.selected is not None else sorted(project.services)
    services = {name: project.services[name] for name in selected}
    layers = dependency_layers(services)
    plan = Plan()
    if options.state == "absent":
        return _plan_absent(project, observed, options, layers, plan, images)

    forced: dict[str, str] = {}  # container ID -> why it must be recreated whatever its config
    prepare: list[Step] = _resource_steps(project, observed, options, forced)
    image_steps, rebuilt = _image_steps(project, observed, images, options, selected)
    prepare.extend(image_steps)
    steps: dict[str, Step] = {}
    for layer in dependency_layers(services):  # owners of a shared namespace before their joiners
        for name in layer:
            _rejoin_namespace(services[name], observed, steps, forced)
            steps[name] = _service_step(project, observed, services[name], options, name in rebuilt, forced)
    if options.state != "stopped":
        _propagate_restarts(project, observed, steps)
    if options.state == "restarted":
        for name, step in steps.items():
            acted = {a.container_id for a in step.actions if a.container_id}
            for container in observed.service_containers(name)[:services[name].replicas]:
                if container.id not in acted:
                    step.actions.append(Action("restart", container.name, "state: restarted", service=name,
                                               number=container.number, container_id=container.id))
    for name, step in steps.items():
        step.waits = [(dep, spec.condition) for dep, spec in sorted(services[name].depends_on.items()) if dep in services]
        plan.services[name] = _service_summary(services[name], observed.service_containers(name), step,
                                               options.state, images)

    for net in project.networks:
        recreation = next((a for step in prepare for a in step.actions
                           if a.kind == "recreate_network" and a.target == net.name), None)
        if recreation is not None:
            actual = observed.networks[net.name]
            plan.networks[net.key] = {
                "before": {"name": net.name, "settings": L.parse_settings(actual.labels.get(L.NETWORK_SETTINGS))},
                "after": {"name": net.name, "settings": L.parse_settings(net.settings), "reason": recreation.reason,
                          "containers_recreated": len(recreation.attached)},
            }
    if prepare:
        plan.layers.append(prepare)
    ordered = layers if options.state != "stopped" else list(reversed(layers))
    for layer in ordered:
        plan.layers.append([steps[name] for name in layer])
    _plan_orphans(project, observed, options, plan)
    return plan


def _orphans(project: DesiredProject, observed: ObservedProject) -> list[ObservedContainer]:
    known = set(project.services) | project.known_services
    return [c for c in observed.containers if c.service not in known and not c.oneoff]


def _plan_orphans(project: DesiredProject, observed: ObservedProject, options: PlanOptions, plan: Plan) -> None:
    orphans = _orphans(project, observed)
    if not orphans:
        return
    if not options.remove_orphans:
        plan.warnings.append("orphan containers kept (set remove_orphans to remove them): %s"
                             % ", ".join(sorted(c.name for c in orphans)))
        return
    steps = {}
    for container in sorted(orphans, key=lambda c: (c.service, -c.number)):
        step = steps.setdefault(container.service, Step("orphan:" + container.service))
        step.actions.append(Action("remove", container.name, "orphan: service %s is not in the project" % container.service,
                                   service=container.service, number=container.number, container_id=container.id))
        plan.services.setdefault(container.service, {"before": {"replicas": 0}, "after": {"replicas": 0}})
        plan.services[container.service]["before"]["replicas"] += 1
    plan.layers.append(list(steps.values()))


def _plan_anonymous_volumes(observed: ObservedProject, plan: Plan) -> None:
    """remove_volumes: the anonymous volumes of the removed containers go too (as `down -v`).
    The engine's own `v=1` misses those a recreate handed on by name, so they are removed by
    name, after their containers; one still mounted by a container that stays is kept."""
    removed = {a.container_id for a in plan.actions if a.kind == "remove"}
    kept_in_use = {name for c in observed.containers if c.id not in removed for name in c.volumes}
    owners: dict[str, str] = {}
    for container in observed.containers:
        if container.id in removed:
            for name in anonymous_volume_names(container.volume_mounts):
                owners.setdefault(name, container.name)
    steps = [Step("volume:" + name, [Action("remove_volume", name, "anonymous volume of %s; remove_volumes: true" % owner)])
             for name, owner in sorted(owners.items()) if name not in kept_in_use]
    if steps:
        plan.layers.append(steps)


def _plan_absent(project: DesiredProject, observed: ObservedProject, options: PlanOptions,
                 layers: list[list[str]], plan: Plan, images: dict[str, ObservedImage]) -> Plan:
    for layer in reversed(layers):
        steps = []
        for name in layer:
            containers = observed.service_containers(name)
            step = Step(name, [Action("remove", c.name, "state: absent", service=name, number=c.number,
                                      container_id=c.id) for c in sorted(containers, key=lambda c: -c.number)])
            plan.services[name] = _service_summary(None, containers, step)
            if step.actions:
                steps.append(step)
        if steps:
            plan.layers.append(steps)
    _plan_orphans(project, observed, options, plan)
    if options.remove_volumes:
        _plan_anonymous_volumes(observed, plan)
    if options.selected is not None and set(options.selected) != set(project.services):
        return plan  # a subset goes away; shared networks and volumes stay
    teardown: list[Step] = []
    for net in project.networks:
        if not net.external and (net.name in observed.networks or net.name in observed.networks_in_use):
            teardown.append(Step("network:" + net.key, [Action("remove_network", net.name, "state: absent")]))
    if options.remove_volumes:
        for vol in project.volumes:
            if not vol.external and (vol.name in observed.volumes or vol.name in observed.volumes_in_use):
                teardown.append(Step("volume:" + vol.key, [Action("remove_volume", vol.name, "remove_volumes: true")]))
    if options.remove_images:
        seen = set()
        for name in sorted(project.services):
            service = project.services[name]
            local = service.build_digest is not None
            wanted = options.remove_images == "all" or local
            if wanted and service.image in images and service.image not in seen:
                seen.add(service.image)
                reason = "remove_images: %s" % options.remove_images
                teardown.append(Step("image:" + service.image, [Action("remove_image", service.image, reason)]))
    if teardown:
        plan.layers.append(teardown)
    return plan
