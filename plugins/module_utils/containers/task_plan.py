# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A `container` task planned from the engine's inspect data, with no engine connection.

Two callers make the same plan from the same data:
- the `container` module reads the container and the image through the Docker SDK (pulling the
  image first when `pull` says so, outside check mode), then plans and applies;
- the `container_plan` action reads the same inspect JSON on the managed host with a few stdlib
  lines (plugin_utils/read_engine_state.py) and plans on the controller, never applying.

Everything here is pure: `container_task` validates the options, `api_refusals` names the options
the engine's API version lacks, `plan_from_inspect` turns inspect JSON into the plan (and
image_pull.check_mode_pull says whether check mode records a pull). `check_mode_result` is what a
check-mode run of the module reports, built from those.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.secrets import SECRET_KEYS_LABEL, SecretRule, container_rule, mask_inspect
from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_needing_newer_api
from ansible_collections.goship.containers.plugins.module_utils.containers.compat_params import with_compat_switches
from ansible_collections.goship.containers.plugins.module_utils.containers.image_pull import check_mode_pull, parse_pull_policy
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import (
    ObservedContainer, image_defaults, observed_container, with_image_defaults,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS_BY_NAME
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import Plan, plan_container, resolve_comparisons
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import ContainerSpec


@dataclass(frozen=True)
class ContainerTask:
    """The `container` options that decide the plan, validated (`spec` is None without `image`
    or with state=absent: the container is then judged as it is)."""

    name: str
    state: str
    spec: Optional[ContainerSpec]
    pull_policy: str
    pull_check_mode_behavior: str
    comparisons: dict[str, str]
    recreate: bool
    restart: bool
    image_name_mismatch: str = "recreate"  # recreate | ignore
    image_comparison: str = "desired-image"  # desired-image | current-image
    image_label_mismatch: str = "ignore"  # ignore | fail
    paused: Optional[bool] = None  # pause (True) or unpause (False) a running container
    warnings: tuple[str, ...] = ()  # about options as given (compat_params)


@dataclass(frozen=True)
class Verdict:
    """The plan and what it was made from."""

    plan: Plan
    observed: Optional[ObservedContainer]
    image_id: Optional[str]
    image_volumes: tuple[str, ...] = ()  # the image's VOLUME paths (a recreate hands them over)


def task_secret_rule(params: dict[str, Any]) -> SecretRule:
    """The secrets rule of a task's options, as SecretAwareModule builds it (module_utils/secrets.py):
    sensitive_keys, and the names given through secret_env."""
    sensitive = params.get("sensitive_keys")
    sensitive = [key for key in sensitive if isinstance(key, str)] if isinstance(sensitive, list) else []
    return SecretRule(sensitive, [str(key) for key in params.get("secret_env") or {}])


def with_secret_names(spec: ContainerSpec, rule: SecretRule) -> ContainerSpec:
    """Record on the container the names whose values are secrets by the task's choice
    (secret_env, sensitive_keys), so later runs and the other modules mask them too."""
    listed = rule.listed(list(spec.env or {}) + list(spec.labels or {}))
    if not listed:
        return spec
    return replace(spec, labels=dict(spec.labels or {}, **{SECRET_KEYS_LABEL: ",".join(listed)}))


def container_task(params: dict[str, Any], env_file_text: Optional[str] = None,
                   rule: Optional[SecretRule] = None) -> ContainerTask:
    """The module's (or the action's) validated options → a ContainerTask. `env_file_text` is the
    content of `env_file`, read on the managed host by the caller; `rule` the task's secrets rule
    (its names are recorded on the container). Raises OptionError naming the option (ValueError
    from `comparisons`)."""
    params, warnings = with_compat_switches(params)
    state = params.get("state") or "started"
    spec = None
    policy = parse_pull_policy(params.get("pull", "missing"))
    comparisons = resolve_comparisons(params.get("comparisons"))
    if params.get("purge_networks"):
        comparisons["networks"] = "strict"
    if params.get("image") and state != "absent":
        spec = with_secret_names(spec_from_params(params, env_file_text), rule or task_secret_rule(params))
    return ContainerTask(
        name=params["name"], state=state, spec=spec, pull_policy=policy,
        pull_check_mode_behavior=params.get("pull_check_mode_behavior") or "image_not_present",
        comparisons=comparisons, recreate=bool(params.get("recreate")), restart=bool(params.get("restart")),
        image_name_mismatch=params.get("image_name_mismatch") or "recreate",
        image_comparison=params.get("image_comparison") or "desired-image",
        image_label_mismatch=params.get("image_label_mismatch") or "ignore",
        paused=params.get("paused"), warnings=tuple(warnings),
    )


def api_refusals(task: ContainerTask, api_version: str) -> list[tuple[str, str]]:
    """(option, minimum API version) for each option of the task the engine's API lacks."""
    return options_needing_newer_api(task.spec, api_version) if task.spec is not None else []


def api_refusal_message(option: str, minimum: str, engine: str, api_version: str) -> str:
    """The failure for an option the API lacks (the module's require_api_version says the same)."""
    return "Option %s needs Docker Engine API %s or newer; the daemon at %s speaks API %s." % (
        option, minimum, engine, api_version)


def _as_engine_kept(desired: ContainerSpec, observed: ObservedContainer, options: tuple[str, ...]) -> ContainerSpec:
    """`desired` with the value the engine kept for each of `options` (those it discards here)."""
    fields = {OPTIONS_BY_NAME[name].field: getattr(observed.spec, OPTIONS_BY_NAME[name].field) for name in options}
    return replace(desired, **fields)


def needs_current_image(task: ContainerTask, container: Optional[dict[str, Any]],
                        image: Optional[dict[str, Any]]) -> Optional[str]:
    """The ID of the container's own image when the plan needs its inspect data too
    (image_comparison=current-image, or a `platform` to compare with the image's, and the container
    runs another image), else None."""
    if not container or task.spec is None:
        return None
    if task.image_comparison != "current-image" and task.spec.platform is None:
        return None
    current = container.get("Image") or ""
    return current if current and current != (image or {}).get("Id") else None


def _check_image_labels(task: ContainerTask, image: Optional[dict[str, Any]]) -> None:
    """image_label_mismatch=fail with strict labels: the image's labels must all be listed in `labels`."""
    if task.image_label_mismatch != "fail" or task.comparisons.get("labels") != "strict" or task.spec is None:
        return
    if task.spec.labels is None or not image:
        return
    missing = sorted(set((image.get("Config") or {}).get("Labels") or {}) - set(task.spec.labels))
    if missing:
        raise PlanError("labels", "the image has labels that labels does not list, which the container would get "
                                  "from it: %s (image_label_mismatch=fail; list them, or use "
                                  "image_label_mismatch=ignore)" % ", ".join(missing))


def plan_from_inspect(task: ContainerTask, container: Optional[dict[str, Any]],
                      image: Optional[dict[str, Any]], engine_kept: tuple[str, ...] = (),
                      current_image: Optional[dict[str, Any]] = None) -> Verdict:
    """The plan from the engine's inspect JSON: `container` is GET /containers/{name}/json and
    `image` GET /images/{image}/json, each None for a 404 (an image still to be pulled).
    `engine_kept`: options the engine discards on this host (engine_discards.py), compared with the
    value it kept. `current_image`: the container's own image (`needs_current_image`), whose
    defaults complete the options with image_comparison=current-image. Raises PlanError when the
    container must be created and no image was given."""
    # the container's own image: what its platform is read from
    observed = observed_container(container, current_image or image) if container else None
    comparisons = task.comparisons
    desired = None
    image_id = None
    image_volumes: tuple[str, ...] = ()
    if task.spec is not None:
        image_id = image["Id"] if image else None
        if observed is not None:
            _check_image_labels(task, image)
        merged_from = image
        if task.image_comparison == "current-image" and observed is not None and current_image:
            merged_from = current_image
        defaults = image_defaults(merged_from) if merged_from else None
        image_volumes = image_defaults(image).volumes if image else ()
        desired = with_image_defaults(task.spec, defaults) if defaults else task.spec
        if engine_kept and observed is not None:
            desired = _as_engine_kept(desired, observed, engine_kept)
    elif task.state != "absent" and observed is None:
        raise PlanError("image", "required to create container %s" % task.name)
    elif task.state != "absent" and observed is not None:
        # no image given: judge the container as it is (only its state can change)
        comparisons = {key: "ignore" for key in comparisons}
        desired = observed.spec
        image_id = observed.image_id
    plan = plan_container(desired, observed, task.state, image_id, comparisons,
                          recreate=task.recreate, restart=task.restart,
                          compare_image_name=task.spec is not None and task.image_name_mismatch == "recreate",
                          paused=task.paused)
    return Verdict(plan, observed, image_id, image_volumes)


def masked_diff(plan: Plan, rule: SecretRule) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan's before/after with the secret values of env and labels masked (`rule`: the task's
    rule and the names recorded on the container); a secret that changed shows as changed."""
    before, after = dict(plan.before), dict(plan.after)
    for key in ("env", "labels"):
        if key in before or key in after:
            masked_before, masked_after = rule.mask_pair(before.get(key), after.get(key))
            if key in before:
                before[key] = masked_before
            if key in after:
                after[key] = masked_after
    return before, after


def check_mode_result(task: ContainerTask, container: Optional[dict[str, Any]], image: Optional[dict[str, Any]],
                      rule: SecretRule, diff: bool = False, engine_kept: tuple[str, ...] = ()) -> dict[str, Any]:
    """What a check-mode run of the `container` module reports for this engine state:
    changed, actions (a recorded pull first, then the plan's steps), differences, container
    (the inspect data now; {} for state=absent) and, with `diff`, before/after; secret values
    masked as the module masks them (`rule`: the task's secrets rule). `engine_kept`: as
    plan_from_inspect's."""
    pull = check_mode_pull(task.spec.image, image, task.pull_policy, task.pull_check_mode_behavior) if task.spec else None
    verdict = plan_from_inspect(task, container, image, engine_kept=engine_kept)
    actions = ([pull] if pull else []) + [step.action for step in verdict.plan.steps]
    rule = container_rule(rule, container)
    result: dict[str, Any] = dict(
        changed=bool(actions), actions=actions, differences=list(verdict.plan.differences),
        container={} if task.state == "absent" else mask_inspect(container or {}, rule),
    )
    if diff:
        before, after = masked_diff(verdict.plan, rule)
        result["diff"] = dict(before=before, after=after)
    return result
