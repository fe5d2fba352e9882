# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan → Engine API calls.

Layers run one after the other; the steps of a layer run in parallel threads (one per service,
network or image); the actions of a step in order. Before a step starts containers it waits for
its dependencies' conditions (started, healthy, completed successfully).

Recreating a container:
- stop-first: containers/replace.py, as the container module: create the replacement under a
  temporary name (so a bad config fails while the old container still runs), stop the old one and
  rename it aside, rename the new one and start it, remove the old one; a refused start puts the
  old container back.
- start-first: create and start the replacement beside the old one, wait until it is healthy (or
  running, without a healthcheck), then stop and remove the old one and rename the new one.
  With failure_action rollback, a replacement that does not become healthy is removed and the
  old container keeps running; the run fails naming the service and the last health log lines.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers import engine
from ansible_collections.goship.containers.plugins.module_utils.file_tar import files_tar
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.containers.anonymous_volumes import inherit
from ansible_collections.goship.containers.plugins.module_utils.compose.model import Project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedContainer, list_containers
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import Action, DesiredProject, ExecutionError, Plan, Step
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import build_context_path, container_spec
from ansible_collections.goship.containers.plugins.module_utils.containers.replace import replace_container, temporary_name

POLL_SECONDS = 0.25
MAX_THREADS = 8
NO_HEALTHCHECK_GRACE = 1.0  # seconds a start-first replacement without healthcheck must keep running
# Docker 20.10 can refuse to remove a network ("has active endpoints") for a moment after its last
# container was removed (moby/moby#42119, also seen with `docker compose down`): retry this long.
NETWORK_REMOVE_GRACE = 10.0


@dataclass
class ExecOptions:
    wait: bool = False
    wait_timeout: int = 120
    stop_timeout: Optional[int] = None
    remove_volumes: bool = False
    working_dir: str = ""
    config_files: tuple[str, ...] = ()
    environment_file: Optional[str] = None


def _explain(exc: BaseException) -> str:
    return str(getattr(exc, "explanation", None) or exc)


class Executor:
    def __init__(self, client: Any, project: Project, desired: DesiredProject, options: ExecOptions,
                 record: Callable[[str], None]) -> None:
        self.client = client
        self.project = project
        self.desired = desired
        self.options = options
        self.record = record
        self._image_ids: dict[str, str] = {}
        self._image_volumes: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self.base_labels = L.project_labels(project.name, options.working_dir, options.config_files,
                                            options.environment_file)

    # ------------------------------------------------------------ running the plan

    def run(self, plan: Plan) -> None:
        for layer in plan.layers:
            if len(layer) == 1:
                self._run_step(layer[0])
                continue
            with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(layer))) as pool:
                futures = [pool.submit(self._run_step, step) for step in layer]
                errors = []
                for future in futures:
                    try:
                        future.result()
                    except Exception as exc:  # collected so that every thread finishes first
                        errors.append(exc)
            if errors:
                raise errors[0]

    def _run_step(self, step: Step) -> None:
        if step.waits and step.starts_containers:
            for dependency, condition in step.waits:
                self.wait_for_dependency(step.name, dependency, condition)
        for index, group in enumerate(_batches(step.actions)):
            if index and group[0].batch is not None and group[0].batch > 1 and step.batch_delay > 0:
                time.sleep(step.batch_delay)  # update_config.delay between two update batches
            if len(group) == 1:
                self._run_action(group[0])
                continue
            with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(group))) as pool:
                futures = [pool.submit(self._run_action, action) for action in group]
                errors = []
                for future in futures:
                    try:
                        future.result()
                    except Exception as exc:  # the whole batch finishes before the step fails
                        errors.append(exc)
            if errors:
                raise errors[0]

    def _run_action(self, action: Action) -> None:
        try:
            getattr(self, "_do_" + action.kind)(action)
        except ExecutionError:
            raise
        except Exception as exc:
            raise ExecutionError("%s failed: %s" % (action.describe(), _explain(exc)))
        self.record(action.describe())

    # ------------------------------------------------------------ networks, volumes, images

    def _network_model(self, name: str) -> Any:
        for net in self.project.networks.values():
            if net.name == name:
                return net
        return None

    def _do_recreate_network(self, action: Action) -> None:
        """Detach the project's containers (stopped first: they are recreated on the new network
        in the next layers), remove the network, create it with the new definition. Containers
        attached that the plan does not know (added by hand) fail the step before any write."""
        endpoints = self.client.inspect_network(action.target).get("Containers") or {}
        unknown = sorted((e.get("Name") or cid[:12]) for cid, e in endpoints.items() if cid not in action.attached)
        if unknown:
            raise ExecutionError("network %s must be recreated (%s) but containers outside the project are"
                                 " attached: %s; disconnect them first" % (action.target, action.reason, ", ".join(unknown)))
        for container_id in action.attached:
            engine.stop_container(self.client, container_id, self.options.stop_timeout)
            self.client.disconnect_container_from_network(container_id, action.target, force=True)
        self._remove_network(action.target)
        self._do_create_network(action)

    def _do_create_network(self, action: Action) -> None:
        net = self._network_model(action.target)
        key = net.key if net is not None else "default"
        ipam = None
        if net is not None and net.ipam:
            ipam = {"Driver": net.ipam.get("driver") or "default",
                    "Config": [{k.capitalize() if k != "ip_range" else "IPRange": v for k, v in c.items()
                                if k in ("subnet", "gateway", "ip_range")} for c in net.ipam.get("config") or []],
                    "Options": net.ipam.get("options") or None}
        self.client.create_network(
            action.target, driver=(net.driver if net is not None else None) or "bridge",
            options=dict(net.driver_opts) if net is not None and net.driver_opts else None,
            ipam=ipam, internal=bool(net.internal) if net is not None else False,
            attachable=bool(net.attachable) if net is not None else False,
            enable_ipv6=bool(net.enable_ipv6) if net is not None and net.enable_ipv6 else False,
            labels=L.network_labels(self.project.name, key, net.labels if net is not None else {},
                                    self._network_settings(action.target)),
            check_duplicate=True,
        )

    def _network_settings(self, name: str) -> str:
        return next((n.settings for n in self.desired.networks if n.name == name), "")

    def _do_create_volume(self, action: Action) -> None:
        vol = next((v for v in self.project.volumes.values() if v.name == action.target), None)
        self.client.create_volume(
            action.target, driver=(vol.driver if vol is not None else None) or "local",
            driver_opts=dict(vol.driver_opts) if vol is not None and vol.driver_opts else None,
            labels=L.volume_labels(self.project.name, vol.key if vol is not None else action.target,
                                   vol.labels if vol is not None else {}),
        )

    def _do_build(self, action: Action) -> None:
        from ansible_collections.goship.containers.plugins.module_utils.images.build import BuildFailure, BuildRequest, ensure_built
        service = self.project.services[action.service or ""]
        build = service.build
        request = BuildRequest(
            name=action.target, path=build_context_path(self.project, service),
            dockerfile=build.dockerfile if build else None, args=dict(build.args) if build else {},
            target=build.target if build else None, labels=dict(build.labels) if build else {},
            network=build.network if build else None, rebuild="auto",
        )
        try:
            result = ensure_built(self.client, request, check_mode=False)
        except BuildFailure as exc:
            raise ExecutionError("build of service %s failed at %s: %s\n%s" % (
                action.service, exc.step or "start", exc.message, "\n".join(exc.output[-10:])))
        with self._lock:
            if result.image_id:
                self._image_ids[action.target] = result.image_id

    def _do_pull(self, action: Action) -> None:
        from ansible_collections.goship.containers.plugins.module_utils.images.store import pull_image
        pull_image(self.client, action.target)

    def _do_remove_network(self, action: Action) -> None:
        self._remove_network(action.target)

    def _remove_network(self, name: str) -> None:
        """Remove; already gone is fine, a moment of stale endpoints is waited out (NETWORK_REMOVE_GRACE)."""
        deadline = time.monotonic() + NETWORK_REMOVE_GRACE
        while True:
            try:
                self.client.remove_network(name)
                return
            except Exception as exc:
                if engine.is_not_found(exc):
                    return
                if "active endpoints" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise ExecutionError(self._endpoints_left(name, exc)) from exc
            time.sleep(POLL_SECONDS * 2)

    def _endpoints_left(self, name: str, exc: BaseException) -> str:
        """Why a network still has endpoints: the containers attached, or a stale endpoint."""
        try:
            attached = self.client.inspect_network(name).get("Containers") or {}
        except Exception:  # noqa: BLE001 - the original error says enough
            attached = None
        if attached:
            names = sorted(e.get("Name") or cid[:12] for cid, e in attached.items())
            return "remove network %s: containers outside this run are attached: %s; disconnect them first" % (name, ", ".join(names))
        if attached == {}:
            return ("remove network %s: the engine still reports an endpoint on it although no container is attached"
                    " (a known Docker fault, moby/moby#42119); 'docker network disconnect -f %s <name of the container"
                    " it belonged to>' or a restart of the Docker daemon clears it" % (name, name))
        return "remove network %s: %s" % (name, _explain(exc))

    def _do_remove_volume(self, action: Action) -> None:
        try:
            self.client.remove_volume(action.target)
        except Exception as exc:
            if not engine.is_not_found(exc):
                raise

    def _do_remove_image(self, action: Action) -> None:
        from ansible_collections.goship.containers.plugins.module_utils.images.store import remove_image
        remove_image(self.client, action.target, force=False)

    # ------------------------------------------------------------ containers

    def image_id(self, reference: str) -> str:
        with self._lock:
            known = self._image_ids.get(reference)
        if known:
            return known
        return self._inspect_image(reference)[0]

    def image_volumes(self, reference: str) -> list[str]:
        """The image's VOLUME declarations (one inspect per image and run)."""
        with self._lock:
            known = self._image_volumes.get(reference)
        if known is not None:
            return known
        return self._inspect_image(reference)[1]

    def _inspect_image(self, reference: str) -> tuple[str, list[str]]:
        found = self.client.inspect_image(reference)
        volumes = sorted(((found.get("Config") or {}).get("Volumes") or {}).keys())
        with self._lock:
            self._image_ids[reference] = found["Id"]
            self._image_volumes[reference] = volumes
        return found["Id"], volumes

    def _spec(self, action: Action, name: Optional[str] = None) -> Any:
        service = self.project.services[action.service or ""]
        desired = self.desired.services[service.name]
        labels = L.container_labels(
            self.base_labels, service.name, action.number or 1, desired.config_hash,
            L.format_depends_on(service.depends_on), self.image_id(desired.image), desired.settings,
            desired.build_digest,
        )
        return container_spec(self.project, service, action.number or 1, labels, name=name)

    def _create(self, action: Action, name: Optional[str] = None) -> str:
        made = self._spec(action, name)
        spec = made.spec
        if spec.network_mode and spec.network_mode.startswith("service:"):
            spec = dataclasses.replace(spec, network_mode=self._namespace_of(spec.network_mode[len("service:"):], action))
        if action.kind == "recreate" and action.old_volumes:
            # The replacement takes over the old container's anonymous volumes (their data).
            image = self.desired.services[action.service or ""].image
            mounts, _inherited = inherit(spec.mounts, self.image_volumes(image), action.old_volumes)
            spec = dataclasses.replace(spec, mounts=mounts or None)
        container_id = engine.create_container(self.client, spec)
        if made.files:
            self.client.put_archive(container_id, "/", files_tar(made.files))
        return container_id

    def _namespace_of(self, owner: str, action: Action) -> str:
        """network_mode service:<owner> -> container:<ID of the owner's first container> (as Compose)."""
        mine = sorted((c for c in list_containers(self.client, self.project.name) if c.service == owner and not c.oneoff),
                      key=lambda c: c.number)  # the planner checks joiners against the same one
        if not mine:
            raise ExecutionError("service %s: network_mode service:%s, but %s has no container"
                                 % (action.service, owner, owner))
        return "container:" + mine[0].id

    def _do_create(self, action: Action) -> None:
        container_id = self._create(action)
        if action.start:
            engine.start_container(self.client, container_id)

    def _do_start(self, action: Action) -> None:
        target = action.container_id or action.target
        if action.reason == "container is paused":
            self.client.unpause(target)
            return
        engine.start_container(self.client, target)

    def _do_stop(self, action: Action) -> None:
        engine.stop_container(self.client, action.container_id or action.target, self.options.stop_timeout)

    def _do_restart(self, action: Action) -> None:
        self.client.restart(action.container_id or action.target, timeout=self.options.stop_timeout
                            if self.options.stop_timeout is not None else 10)

    def _do_remove(self, action: Action) -> None:
        target = action.container_id or action.target
        try:
            engine.stop_container(self.client, target, self.options.stop_timeout)
        except Exception as exc:
            if engine.is_not_found(exc):
                return
        engine.remove_container(self.client, target, keep_volumes=not self.options.remove_volumes)

    def _do_recreate(self, action: Action) -> None:
        old = action.container_id or action.target
        if action.strategy == "start-first":
            new_id = self._create(action, name=temporary_name(action.container_id or "", action.target))
            self._start_first(action, old, new_id)
            return
        # stop-first: containers/replace.py, shared with the container module (the replacement
        # is created before the old container is stopped; a refused start puts the old one back)
        replace_container(self.client, old, lambda name: self._create(action, name=name), start=action.start,
                          stop_timeout=self.options.stop_timeout, name=self._final_name(action))

    def _final_name(self, action: Action) -> str:
        service = self.project.services[action.service or ""]
        return service.container_name or L.container_name(self.project.name, service.name, action.number or 1)

    def _start_first(self, action: Action, old: str, new_id: str) -> None:
        desired = self.desired.services[action.service or ""]
        try:
            engine.start_container(self.client, new_id)
            self._wait_ready(new_id)
        except Exception as exc:
            if desired.failure_action == "rollback":
                engine.remove_container(self.client, new_id, keep_volumes=False)
                raise ExecutionError("service %s: the new container did not become healthy, rolled back"
                                     " (the old container %s keeps running): %s" % (action.service, action.target, exc))
            raise
        engine.stop_container(self.client, old, self.options.stop_timeout)
        engine.remove_container(self.client, old, keep_volumes=True)
        self.client.rename(new_id, self._final_name(action))

    def _wait_ready(self, container_id: str) -> None:
        """Healthy; or, without a healthcheck (image or service), still running after a grace time."""
        started = time.monotonic()
        deadline = started + self.options.wait_timeout
        while True:
            state = self.client.inspect_container(container_id)["State"]
            health = (state.get("Health") or {}).get("Status")
            if not state.get("Running"):
                raise ExecutionError("container exited with code %s%s" % (state.get("ExitCode"), _health_log(state)))
            if health == "healthy" or (health is None and time.monotonic() - started >= NO_HEALTHCHECK_GRACE):
                return
            if health == "unhealthy":
                raise ExecutionError("unhealthy%s" % _health_log(state))
            if time.monotonic() > deadline:
                raise ExecutionError("still %s after %ds%s" % (health or "starting", self.options.wait_timeout, _health_log(state)))
            time.sleep(POLL_SECONDS)

    # ------------------------------------------------------------ waiting

    def _poll(self, check: Callable[[list[ObservedContainer]], Optional[str]], what: str,
              known: Optional[list[ObservedContainer]] = None) -> None:
        """Poll the project's containers (one list call each time) until `check` returns None;
        `known` is a fresh list to try first."""
        deadline = time.monotonic() + self.options.wait_timeout
        while True:
            containers = known if known is not None else list_containers(self.client, self.project.name)
            known = None
            problem = check(containers)
            if problem is None:
                return
            if problem.startswith("!") or time.monotonic() > deadline:
                raise ExecutionError("%s: %s" % (what, problem.lstrip("!")))
            time.sleep(POLL_SECONDS)

    def wait_for_dependency(self, service: str, dependency: str, condition: str) -> None:
        def check(containers: list[ObservedContainer]) -> Optional[str]:
            mine = [c for c in containers if c.service == dependency and not c.oneoff]
            if not mine:
                return "no container of %s yet" % dependency
            for c in mine:
                if condition == "service_healthy":
                    if c.running and c.health is None:
                        return "!%s has no healthcheck, so it can never be healthy" % c.name
                    if c.health == "unhealthy" or (c.state == "exited"):
                        return "!%s is %s%s" % (c.name, c.health or c.state, self._last_log(c))
                    if c.health != "healthy":
                        return "%s is %s" % (c.name, c.health or c.state)
                elif condition == "service_completed_successfully":
                    if c.state == "exited" and c.exit_code not in (0, None):
                        return "!%s exited with code %s" % (c.name, c.exit_code)
                    if c.state != "exited":
                        return "%s has not completed (%s)" % (c.name, c.state)
                elif c.state not in ("running", "exited"):
                    return "%s is %s" % (c.name, c.state)
            return None

        self._poll(check, "service %s waits for %s (%s)" % (service, dependency, condition))

    def wait_for_services(self, services: list[str], known: Optional[list[ObservedContainer]] = None) -> None:
        """wait: every container of `services` running (healthy when it has a healthcheck), or
        completed successfully when it is a one-shot."""
        wanted = {name: self.desired.services[name] for name in services}

        def check(containers: list[ObservedContainer]) -> Optional[str]:
            for name, desired in sorted(wanted.items()):
                mine = [c for c in containers if c.service == name and not c.oneoff]
                if len(mine) < desired.replicas:
                    return "service %s has %d of %d containers" % (name, len(mine), desired.replicas)
                for c in mine:
                    if c.state == "exited":
                        if c.exit_code == 0 and desired.restart_policy in ("no", ""):
                            continue
                        return "!service %s: %s exited with code %s" % (name, c.name, c.exit_code)
                    if c.state != "running":
                        return "service %s: %s is %s" % (name, c.name, c.state)
                    if c.health is not None and c.health != "healthy":
                        last = self._last_log(c) if c.health == "unhealthy" else ""
                        return "service %s: %s is %s%s" % (name, c.name, c.health or "starting", last)
            return None

        self._poll(check, "wait (timeout %ds)" % self.options.wait_timeout, known)

    def _last_log(self, container: ObservedContainer) -> str:
        try:
            return _health_log(self.client.inspect_container(container.id)["State"])
        except Exception:
            return ""


def _batches(actions: list[Action]) -> list[list[Action]]:
    """The step's actions in run order: consecutive recreates of one update batch together, every
    other action alone."""
    groups: list[list[Action]] = []
    for action in actions:
        if action.batch is not None and groups and groups[-1][-1].batch == action.batch:
            groups[-1].append(action)
        else:
            groups.append([action])
    return groups


def _health_log(state: dict[str, Any]) -> str:
    entries = ((state.get("Health") or {}).get("Log") or [])[-3:]
    lines = ["exit %s: %s" % (e.get("ExitCode"), (e.get("Output") or "").strip()) for e in entries]
    return "; last health checks: %s" % " | ".join(lines) if lines else ""
