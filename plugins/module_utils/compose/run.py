# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One `compose` module run, free of Ansible: load → observe → plan → (apply) → report.

Kept apart from the module file so the module stays a thin wiring of options and so the
benchmark and tests can drive the same code.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.model import Project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Plan
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.api_versions import settings_needing_newer_api
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.engine_support import deploy_refusals, refusal_message
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredProject, desired_from_labels, desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedImage, ObservedProject, list_containers, observe_project,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project, select_services
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.volume_change import check_foreign_users
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import build_context_path, build_labels, service_has_build
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.secrets import SecretRule, project_secrets


@dataclass
class ComposeRequest:
    project_src: Optional[str] = None
    files: Optional[list[str]] = None
    definition: Optional[dict[str, Any]] = None
    project_name: Optional[str] = None
    env_files: Optional[list[str]] = None
    profiles: Optional[list[str]] = None
    services: Optional[list[str]] = None
    dependencies: bool = True
    state: str = "present"
    recreate: str = "auto"
    build: str = "auto"
    pull: str = "missing"
    remove_orphans: bool = False
    remove_volumes: bool = False
    assume_yes: bool = False
    remove_images: Optional[str] = None
    scale: dict[str, int] = field(default_factory=dict)
    wait: bool = False
    wait_timeout: int = 120
    stop_timeout: Optional[int] = None
    update_order: str = "stop-first"
    lock_timeout: int = 300


@dataclass
class ComposeResult:
    project: str
    plan: Plan
    observed: ObservedProject
    selected: list[str]
    services: dict[str, Any] = field(default_factory=dict)


def load(request: ComposeRequest) -> Optional[Project]:
    """The model, or None for `state: absent` with only a project name (the labels tell the rest)."""
    if not (request.project_src or request.files or request.definition is not None):
        if request.state == "absent" and request.project_name:
            return None
        raise PlanError("project_src", "one of project_src, files or definition is required"
                        " (only project_name is enough for state=absent)")
    project_dir = request.project_src
    if project_dir is None and request.files:
        project_dir = os.path.dirname(os.path.abspath(request.files[0]))
    project = load_project(project_dir=project_dir, files=request.files, definition=request.definition,
                           project_name=request.project_name, env_files=request.env_files,
                           profiles=request.profiles)
    scaled = dict(project.services)
    for name, count in (request.scale or {}).items():
        if name not in project.services:
            raise PlanError("scale.%s" % name, "no service %r in the project" % name)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise PlanError("scale.%s" % name, "must be a number >= 0, got %r" % (count,))
        scaled[name] = dataclasses.replace(project.services[name], scale=count)
    return dataclasses.replace(project, services=scaled) if request.scale else project


def build_digests(project: Project, build: str) -> dict[str, str]:
    """The content digest of each built service's inputs (local files only, no engine call)."""
    built = {name: service for name, service in project.services.items()
             if service_has_build(service) and service.build is not None}
    if build == "never" or not built:
        return {}
    # Imported here for speed, not to break a cycle: only projects that build pay for it.
    from ansible_collections.goship.containers.plugins.module_utils.images.build import planned_digest
    from ansible_collections.goship.containers.plugins.module_utils.images.context import ContextError
    digests = {}
    for name, service in built.items():
        try:  # a Dockerfile this host cannot build (BuildKit without buildx) fails here, before any step
            digests[name] = planned_digest(build_context_path(project, service), service.build.dockerfile,
                                           dict(service.build.args), service.build.target, build_labels(project, service))
        except ContextError as exc:
            raise PlanError("services.%s.build" % name, str(exc))
    return digests


def lookup_images(client: Any, references: list[str], digests: Optional[dict[str, str]] = None) -> dict[str, ObservedImage]:
    """One images list call for the references no container already proves. `digests` (reference ->
    build digest): whether the image is what those inputs built is images/'s build record's answer."""
    if not references:
        return {}
    found: dict[str, ObservedImage] = {}
    for item in client.images(filters={"reference": references}) or []:
        for tag in item.get("RepoTags") or []:
            for ref in references:
                if tag == ref or tag == ref + ":latest":
                    found[ref] = ObservedImage(item.get("Id", ""), _built_digest(item, (digests or {}).get(ref)))
    return found


def _built_digest(item: dict[str, Any], digest: Optional[str]) -> Optional[str]:
    if not digest:
        return None
    # Imported here for speed, as above: only projects that build pay for it.
    from ansible_collections.goship.containers.plugins.module_utils.images.build import matching_digest
    return matching_digest(item.get("Id", ""), item.get("Labels"), digest)


def _images_needed(desired: DesiredProject, observed: ObservedProject, selected: list[str], request: ComposeRequest) -> list[str]:
    refs = []
    for name in selected:
        service = desired.services[name]
        containers = observed.service_containers(name)
        if request.state == "absent":
            if request.remove_images:
                refs.append(service.image)
            continue
        if service.build_digest is not None and request.build in ("auto", "always"):
            # whether the image was built from these inputs: `policy` and `never` do not ask
            if not any(c.build_digest == service.build_digest and c.image_ref == service.image for c in containers):
                refs.append(service.image)
        elif not any(c.image_ref == service.image for c in containers):
            refs.append(service.image)
    return sorted(set(refs))


def require_api_version(client: Any, project: Project) -> None:
    """Settings the engine's API version lacks (it would drop them silently) fail before any write."""
    api_version = str(getattr(client, "api_version", "") or "")
    if not api_version or api_version == "auto":
        return
    missing = settings_needing_newer_api(project, api_version)
    if missing:
        where = getattr(client, "base_url", None) or "the daemon"
        raise PlanError(missing[0][0], "; ".join(
            ("" if index == 0 else "%s: " % path) + "needs Docker Engine API %s or newer" % minimum
            for index, (path, minimum) in enumerate(missing)) + "; the daemon at %s speaks API %s" % (where, api_version))


def pull_always(client: Any, desired: DesiredProject, selected: list[str], request: ComposeRequest,
                record: Callable[[str], None]) -> None:
    """Pull the images of the services whose pull policy is `always` (not those built here), before
    anything is observed. Only a pull that brought another image is recorded as a change; the
    planner then sees the moved tag in the containers list and recreates what runs the old one."""
    from ansible_collections.goship.containers.plugins.module_utils.images.store import ImageError, pull_image  # only runs that pull pay for it
    done: set[str] = set()
    for name in selected:
        service = desired.services[name]
        if service.build_digest is not None or service.image in done:
            continue
        policy = "always" if request.pull == "always" else (service.pull_policy or request.pull)
        if policy != "always":
            continue
        done.add(service.image)
        before = _image_id(client, service.image)
        try:
            pull_image(client, service.image)
        except ImageError as exc:
            raise PlanError("services.%s.image" % name, "%s; nothing was changed" % exc)
        if _image_id(client, service.image) != before:
            record("pull %s (pull: always, %s)" % (service.image, "new image" if before else "not present"))


def _image_id(client: Any, reference: str) -> Optional[str]:
    try:
        return client.inspect_image(reference).get("Id")
    except Exception:  # NotFound: not present locally
        return None


def plan(client: Any, request: ComposeRequest, project: Optional[Project],
         record_pull: Optional[Callable[[str], None]] = None, secret_rule: Optional[SecretRule] = None,
         secret_values: Optional[list[str]] = None, thorough: bool = False,
         check_mode: bool = False) -> tuple[DesiredProject, ComposeResult]:
    """Observe and plan; `project` from load(). With `record_pull` (not in check mode), images with
    pull policy `always` are pulled first. `secret_rule` (the task's) decides what the diff and
    the values label mask; `secret_values`, the project's secrets (secrets.project_secrets), when
    the caller has them already. `thorough`: look every network of the project up by name (one
    more call), for same-name networks made by hand: what a run that changes the project does
    before it uses the names (plan_to_change). What the deploy needs that the engine or this
    collection lacks fails here, before any write (in check mode: a warning of the plan)."""
    secret_rule = secret_rule or SecretRule()
    if project is not None and request.state != "absent":
        require_api_version(client, project)
    if project is None:
        observed = observe_project(client, request.project_name or "")
        desired = desired_from_labels(request.project_name or "", observed)
        if thorough and desired.networks:
            observed = observe_project(client, desired.name, [n.name for n in desired.networks], every_network_by_name=True)
        selected = select_services(desired, request.services, request.dependencies)
    else:
        desired = desired_project(project, request.update_order, build_digests(project, request.build),
                                  secret_rule, tuple(project_secrets(project, secret_rule) if secret_values is None else secret_values))
        selected = select_services(desired, request.services, request.dependencies)
        if record_pull is not None and request.state in ("present", "restarted"):
            pull_always(client, desired, selected, request, record_pull)
        observed = observe_project(client, project.name, [n.name for n in desired.networks],
                                   [v.name for v in desired.volumes], every_network_by_name=thorough)
    options = PlanOptions(
        state=request.state, recreate=request.recreate, build=request.build, pull=request.pull,
        remove_orphans=request.remove_orphans, remove_volumes=request.remove_volumes,
        remove_images=request.remove_images, assume_yes=request.assume_yes,
        selected=tuple(selected) if request.services is not None else None, secret_rule=secret_rule,
    )
    digests = {s.image: s.build_digest for s in desired.services.values() if s.build_digest is not None}
    images = lookup_images(client, _images_needed(desired, observed, selected, request), digests)
    the_plan = plan_project(desired, observed, options, images)
    check_foreign_users(client, the_plan, desired)  # a volume to recreate: nobody else may use it
    if project is not None and request.state != "absent":
        the_plan = _refuse_unsupported(client, project, the_plan, selected, check_mode)
    return desired, ComposeResult(desired.name, the_plan, observed, selected)


def plan_to_change(client: Any, request: ComposeRequest, project: Optional[Project], check_mode: bool,
                   record_pull: Optional[Callable[[str], None]] = None, secret_rule: Optional[SecretRule] = None,
                   secret_values: Optional[list[str]] = None) -> tuple[DesiredProject, ComposeResult, Optional[Any]]:
    """Plan; when the plan changes something, plan again thoroughly (every network looked up by
    name) and, unless in check mode, under the project's lock (compose/lock.py): another run may
    have changed the project since, or be changing it now. Returns the plan and the lock, held
    (the caller releases it after apply). A no-op run costs what `plan` costs, and takes no lock."""
    desired, result = plan(client, request, project, record_pull, secret_rule, secret_values, check_mode=check_mode)
    if not result.plan.changed:
        return desired, result, None
    lock = None
    if not check_mode:
        # Imported here for speed: only runs that change something take the lock.
        from ansible_collections.goship.containers.plugins.module_utils.compose.lock import ProjectLock, engine_id, lock_path
        lock = ProjectLock(lock_path(engine_id(client), result.project), result.project, request.lock_timeout,
                           "goship.containers.compose state=%s" % request.state)
        lock.acquire()  # raises ProjectBusy after lock_timeout
    try:
        desired, result = plan(client, request, project, None, secret_rule, secret_values, thorough=True,
                               check_mode=check_mode)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return desired, result, lock


def _refuse_unsupported(client: Any, project: Project, the_plan: Plan, selected: list[str], check_mode: bool) -> Plan:
    built = [action.service for action in the_plan.actions if action.kind == "build" and action.service]
    found = deploy_refusals(project, str(getattr(client, "api_version", "") or ""), built, selected)
    if not found:
        return the_plan
    if check_mode:
        return dataclasses.replace(the_plan, warnings=the_plan.warnings + tuple(
            "the deploy would fail: %s: %s" % item for item in found))
    raise PlanError(found[0][0], refusal_message(found))


def apply(client: Any, request: ComposeRequest, project: Optional[Project], desired: DesiredProject,
          result: ComposeResult, record: Callable[[str], None]) -> Optional[list[ObservedContainer]]:
    """Run the plan (never in check mode: the caller stops after `plan`). Returns the project's
    containers when `wait` listed them after the last change (else None: the caller lists them)."""
    waits = request.wait and request.state in ("present", "restarted")
    if not result.plan.changed and not waits:
        return None  # a no-op: not even the executor's code is loaded (modules are compiled at every run)
    # Imported here for speed, not to break a cycle: a no-op run never loads the applier.
    from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ExecOptions
    from ansible_collections.goship.containers.plugins.module_utils.compose.apply.executor import Executor
    exec_options = ExecOptions(
        wait=request.wait, wait_timeout=request.wait_timeout, stop_timeout=request.stop_timeout,
        remove_volumes=request.remove_volumes,
        working_dir=project.working_dir if project else "",
        config_files=tuple(project.config_files) if project else (),
    )
    executor = Executor(client, project or Project(name=desired.name), desired, exec_options, record)
    executor.run(result.plan)
    if waits:
        # A run that changed nothing can often decide from the containers it already listed.
        known = None if result.plan.changed else result.observed.containers
        return executor.wait_for_services(result.selected, known)
    return None


def current_containers(client: Any, result: ComposeResult, refresh: bool,
                       listed: Optional[list[ObservedContainer]] = None) -> list[ObservedContainer]:
    """The project's containers after the run: `listed` when the run's last step listed them (wait),
    else re-listed (one request) after changes, else the plan's list."""
    if listed is not None:
        return listed
    return list_containers(client, result.project) if refresh else result.observed.containers


def report(client: Any, result: ComposeResult, refresh: bool,
           containers: Optional[list[ObservedContainer]] = None) -> dict[str, Any]:
    """Per service: replicas and containers with state and health (`containers`: current_containers'
    answer when the caller has it)."""
    if containers is None:
        containers = current_containers(client, result, refresh)
    services: dict[str, Any] = {}
    for container in sorted(containers, key=lambda c: (c.service, c.number)):
        if container.oneoff:
            continue
        entry = services.setdefault(container.service, {"containers": []})
        entry["containers"].append(container.summary())
    for entry in services.values():
        entry["running"] = sum(1 for c in entry["containers"] if c["state"] == "running")
        entry["replicas"] = len(entry["containers"])
    return services


def image_ids_after(services: dict[str, Any]) -> dict[str, str]:
    """Per service, the image ID its first container runs (from `report`): a diff's after.image_id
    once the images planned as "(built first)" / "(pulled first)" exist."""
    return {name: entry["containers"][0]["image_id"] for name, entry in services.items() if entry.get("containers")}


def plan_actions(the_plan: Plan) -> list[dict[str, Any]]:
    return [dict(kind=a.kind, target=a.target, reason=a.reason, service=a.service, strategy=a.strategy,
                 batch=a.batch) for a in the_plan.actions]


def project_label_filter(name: str) -> dict[str, list[str]]:
    return L.project_filter(name)
