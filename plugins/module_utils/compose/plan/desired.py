# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner's view of a project: what each service, network and volume should be, without any
engine call. Built from the model (`desired_project`) or, for `state: absent` by project name
only, from the labels the project's objects carry (`desired_from_labels`).

The config hash is Compose's own (compose_hash.py), so `docker compose up` and this collection
each keep what the other deployed; the settings fingerprint (labels.settings_fingerprint) is one
short hash per top-level key of the service's canonical form (the model's, minus what does not
define the container: replicas, build, pull policy, start order, profiles), so a recreate can name
what changed. All values here are frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import Project, Service
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.compose_hash import (
    hash_of, hashed_config, resolve_references, service_references,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.network_change import network_settings
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedProject
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.settings_values import recorded_values
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import (
    container_spec, content_fingerprint, default_image, healthcheck_spec, restart_policy,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.secrets import SecretRule

UPDATE_ORDERS = ("stop-first", "start-first")


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
    values: str = ""  # settings_values.recorded_values: the canonical form, secrets as tokens
    content: str = ""  # service_spec.content_fingerprint: the inline secrets' and configs' digests
    depends_on: dict[str, Dependency] = field(default_factory=dict)
    update_order: str = "stop-first"  # resolved: explicit, else the module default
    failure_action: str = "pause"
    # deploy.update_config, Swarm's semantics: recreate `parallelism` containers at a time (0: all
    # at once; default 1), waiting `delay` seconds between batches
    update_parallelism: int = 1
    update_delay: float = 0.0
    # update_config.monitor (seconds a replacement must stay running and not unhealthy once ready;
    # 0: no watch) and max_failure_ratio (the share of replacements that may fail before
    # failure_action applies; 0: none may)
    update_monitor: float = 0.0
    max_failure_ratio: float = 0.0
    container_name: Optional[str] = None
    has_healthcheck: bool = False
    restart_policy: str = "no"
    build_digest: Optional[str] = None  # set when the image is built from a context
    pull_policy: str = "missing"
    # (key, entry as written, service) of each reference to another service's first container
    # (network_mode / ipc / pid service:<name>, volumes_from): Compose hashes the service with them
    # resolved to that container's ID, so config_hash is only the label of a service without any.
    references: tuple[tuple[str, str, str], ...] = ()
    hashed: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # when references

    def resolved_hash(self, first_ids: dict[str, str]) -> str:
        """The config-hash label with the references resolved (service -> its first container's ID)."""
        if not self.references:
            return self.config_hash
        return hash_of(resolve_references(self.hashed, first_ids))

    @property
    def reference_owners(self) -> tuple[str, ...]:
        return tuple(sorted({owner for _key, _entry, owner in self.references}))


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
    driver_opts: dict[str, str] = field(default_factory=dict)
    # False when known only from its labels (state=absent by project name): nothing to compare
    defined: bool = True


@dataclass(frozen=True)
class DesiredProject:
    name: str
    services: dict[str, DesiredService] = field(default_factory=dict)
    networks: tuple[DesiredNetwork, ...] = ()
    volumes: tuple[DesiredVolume, ...] = ()
    # Services the file defines but that are not selected (profiles / `services`): never orphans.
    known_services: frozenset[str] = frozenset()


def fixed_host_ports(service: Service) -> list[str]:
    return ["%s:%s" % (p.published, p.target) for p in service.ports if p.published]


def resolve_update(service: Service, default_order: str) -> tuple[str, str]:
    """(order, failure_action) for the service; an explicit start-first that cannot work is an error."""
    explicit = service.update_order
    order = explicit or default_order
    blockers = []
    if service.container_name:
        blockers.append("container_name %s" % service.container_name)
    if fixed_host_ports(service):
        blockers.append("fixed host port %s" % ", ".join(fixed_host_ports(service)))
    if order == "start-first" and blockers:
        if explicit:
            raise PlanError("services.%s.deploy.update_config.order" % service.name,
                            "start-first runs the new container beside the old one, which a service with %s"
                            " cannot do; use stop-first or remove it" % " and ".join(blockers))
        order = "stop-first"
    failure = service.update_failure_action or ("rollback" if order == "start-first" else "pause")
    return order, failure


def _update_parallelism(service: Service) -> int:
    """deploy.update_config.parallelism as Swarm reads it: unset is 1, 0 is all at once."""
    update = service.deploy.update_config if service.deploy else None
    if update is None or update.parallelism is None:
        return 1
    return update.parallelism  # the loader refuses a negative one, naming the path


def _update_delay(service: Service) -> float:
    update = service.deploy.update_config if service.deploy else None
    return (update.delay or 0) / 1e9 if update is not None else 0.0


def _update_monitor(service: Service) -> float:
    update = service.deploy.update_config if service.deploy else None
    return (update.monitor or 0) / 1e9 if update is not None else 0.0


def _max_failure_ratio(service: Service) -> float:
    update = service.deploy.update_config if service.deploy else None
    ratio = update.max_failure_ratio if update is not None else None
    if ratio is not None and not 0 <= ratio <= 1:
        raise PlanError("services.%s.deploy.update_config.max_failure_ratio" % service.name,
                        "must be between 0 and 1, got %s" % ratio)
    return float(ratio or 0)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [])}
    return value


def service_canonical(service: Service, config: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The model's canonical form, with a `deploy` that held only replicas (or empty defaults)
    dropped: scaling must not read as a configuration change."""
    canonical = service.canonical(config)
    if "deploy" in canonical:
        deploy = _prune(canonical["deploy"])
        if deploy:
            canonical["deploy"] = deploy
        else:
            del canonical["deploy"]
    return canonical


def desired_project(project: Project, default_order: str = "stop-first",
                    build_digests: Optional[dict[str, str]] = None, secret_rule: Optional[SecretRule] = None,
                    secret_values: tuple[str, ...] = ()) -> DesiredProject:
    """The planner's view of the model (pure). `secret_rule` and `secret_values` (the project's
    secrets, secrets.project_secrets) decide what the values label masks."""
    build_digests = build_digests or {}
    services: dict[str, DesiredService] = {}
    for name, service in project.services.items():
        if service.container_name and service.replicas > 1:
            raise PlanError("services.%s.container_name" % name, "a fixed container name allows one container, not %d" % service.replicas)
        order, failure = resolve_update(service, default_order)
        container_spec(project, service, 1, {})  # every mapping error surfaces here, before any write
        restart = restart_policy(service)[0]
        config = service.to_config()  # serialised once: the hash, the fingerprint and the values read it
        canonical = service_canonical(service, config)
        health = healthcheck_spec(service)
        hashed = hashed_config(service, project.environment, config)
        references = service_references(hashed)
        services[name] = DesiredService(
            name=name, image=default_image(project, service), replicas=service.replicas,
            config_hash=hash_of(resolve_references(hashed, {})), settings=L.settings_fingerprint(canonical),
            values=recorded_values(canonical, secret_rule, secret_values), content=content_fingerprint(project, service),
            depends_on={dep: Dependency(spec.condition, spec.restart, spec.required) for dep, spec in service.depends_on.items()},
            update_order=order, failure_action=failure, container_name=service.container_name,
            update_parallelism=_update_parallelism(service), update_delay=_update_delay(service),
            update_monitor=_update_monitor(service), max_failure_ratio=_max_failure_ratio(service),
            has_healthcheck=health is not None and not health.disabled,
            restart_policy=restart or "no", build_digest=build_digests.get(name),
            pull_policy=service.pull_policy or "missing",
            references=references, hashed=hashed if references else {},
        )
    used_networks = set()
    for service in project.services.values():
        if not service.network_mode:
            used_networks.update(service.networks or {"default": None})
    networks = [DesiredNetwork(key, net.name, net.external, net.driver, net.internal, net.attachable,
                               dict(net.labels), network_settings(net, net.name))
                for key, net in sorted(project.networks.items()) if key in used_networks]
    if "default" in used_networks and "default" not in project.networks:
        name = "%s_default" % project.name
        networks.append(DesiredNetwork("default", name, settings=network_settings(None, name)))
    volumes = [DesiredVolume(key, vol.name, vol.external, vol.driver, dict(vol.labels), dict(vol.driver_opts))
               for key, vol in sorted(project.volumes.items())]
    return DesiredProject(name=project.name, services=services, networks=tuple(networks), volumes=tuple(volumes),
                          known_services=frozenset(project.disabled_services))


def desired_from_labels(name: str, observed: ObservedProject) -> DesiredProject:
    """For state=absent by project name only: the project as its objects' labels describe it."""
    services: dict[str, DesiredService] = {}
    for container in observed.containers:
        services.setdefault(container.service, DesiredService(container.service, image=container.image_ref))
    return DesiredProject(
        name=name, services=services,
        networks=tuple(DesiredNetwork(n.key or n.name, n.name) for n in observed.networks.values()),
        volumes=tuple(DesiredVolume(v.key or v.name, v.name, defined=False) for v in observed.volumes.values()),
    )
