#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container
short_description: Create, update, start, stop and remove a Docker container idempotently
version_added: 0.1.0
description:
  - Manages the life cycle of one container with the option names and meanings of
    community.docker's docker_container, so moving a task over is a change of its module name.
  - Compares the container's inspect data, normalised (the image's defaults for env, labels,
    command, entrypoint, exposed ports, healthcheck and volumes merged in; the image compared by
    ID; durations and sizes in any accepted form), with the options given. Options that are not
    given are not compared.
  - Changes the engine can apply in place (CPU, memory, pids limit, restart policy) use the update
    API; network membership changes connect and disconnect; any other difference recreates the
    container. RV(actions) and the diff say why.
  - A recreate creates the new container first, under a temporary name (C(<old id>_<name>), as
    C(docker compose) does), while the old one runs untouched; only then does it stop the old
    container, give the new one its name, start it and remove the old one. When the engine refuses
    the new container (an unknown runtime, a bad mount mode, a missing bind source, ...), the task
    fails with C(changed=false), the old container keeps running with the same ID, and no new
    container is left. When the engine refuses to start the new container (a missing device, for
    instance), the new one is removed and the old one gets its name back and, when it was running,
    is started again (same ID, same volumes); the task fails saying so, with C(changed=true) when
    the old container was restarted. An old container with O(auto_remove) is gone once stopped, so
    it cannot be put back.
  - All input is validated before the first write call; errors name the option. What only the
    engine can check fails at the create of the container, its first write after a pull (a missing
    bind source in O(mounts), an unknown O(runtime)), or at its start (a missing device), as above.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
  - goship.containers.container
attributes:
  check_mode:
    support: full
    description: Plans and reports without any write call.
  diff_mode:
    support: full
    description: For a new container, the after side lists its image and every option that is set; for an
      existing one, before and after of every option that differs (and of running).
notes:
  - The image is pulled when it is not present locally (O(pull=missing)), on every run with O(pull=always),
    and never with O(pull=never).
seealso:
  - module: goship.containers.container_plan
    description: The plan this module would make, from the engine state read on the host, with no module run there.
  - module: goship.containers.container_info
  - module: goship.containers.container_exec
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Run the app, published on the loopback interface only
  goship.containers.container:
    name: shop
    image: shop:1.4.2
    published_ports: ["127.0.0.1:8080:8080"]
    env:
      LOG_LEVEL: info
    memory: 128m
    cpus: 0.5
    restart_policy: unless-stopped
    networks:
      - name: backend
        aliases: [shop]

- name: A database password that never appears in the output, with a key named by the app
  goship.containers.container:
    name: shop
    image: shop:1.4.2
    env:
      LOG_LEVEL: info
      DB_PASSWORD: "{{ vault_shop_db_password }}"   # masked: the name looks secret
      SHOP_SIGNING_SALT: "{{ vault_shop_salt }}"    # masked: listed in sensitive_keys
    secret_env:
      SHOP_LICENSE: "{{ vault_shop_license }}"      # no_log, whatever the name
    sensitive_keys: [SHOP_SIGNING_SALT]

- name: Deploy and wait for the healthcheck
  goship.containers.container:
    name: shop
    image: shop:1.4.3
    state: healthy
    healthy_wait_timeout: 60
    healthcheck:
      test: ["/shop", "healthcheck"]
      interval: 2s
      retries: 3

- name: Allow extra labels set by other tools
  goship.containers.container:
    name: shop
    image: shop:1.4.3
    labels:
      team: web
    comparisons:
      labels: allow_more_present

- name: Remove it with its anonymous volumes
  goship.containers.container:
    name: shop
    state: absent
    keep_volumes: false
"""

RETURN = r"""
container:
  description:
    - The container's inspect data after the run (empty when absent, or when it would be created in check mode).
    - With O(detach=false), C(Output) holds the container's output too, where community.docker's docker_container
      returns it (a container removed by O(cleanup) or O(auto_remove) returns only C(Output)).
    - Secret values in C(Config.Env) and C(Config.Labels) show as C(********) (see O(sensitive_keys)).
  returned: always
  type: dict
  sample: {"Id": "8e1792f3c801...", "Name": "/shop", "State": {"Status": "running"}}
actions:
  description: What was done (or would be done in check mode), each with its reason.
  returned: always
  type: list
  elements: str
  sample: ["recreate (image shop:1.4.3 is 1c07fdf6c0b6, container has a071589bca50; env differs)", "start (state is started)"]
differences:
  description: Names of the options that differ from the existing container.
  returned: always
  type: list
  elements: str
  sample: [env, memory]
api_requests:
  description: Number of Engine API requests the run made (a no-op run, or one that pulled nothing, is a handful).
  returned: success, and when a pull failed
  type: int
  sample: 4
output:
  description: Output (stdout and stderr) of a container run with O(detach=false).
  returned: when O(detach=false) and the container was started
  type: str
status:
  description:
    - Exit status of a container run with O(detach=false).
    - V(null) when a container with O(auto_remove) was removed by the engine before its status could be read
      (the task warns).
  returned: when O(detach=false) and the container was started
  type: int
container_status:
  description: The container's status (C(running), C(exited), C(restarting) ...) when O(state=healthy) failed.
  returned: when O(state=healthy) failed
  type: str
health_log:
  description: "The last health checks (C(exit CODE: OUTPUT)) when O(state=healthy) failed."
  returned: when O(state=healthy) failed
  type: list
  elements: str
  sample: ["exit 1: unhealthy: 503 Service Unavailable"]
health_status:
  description: The health status (C(starting), C(unhealthy)) when O(state=healthy) failed.
  returned: when O(state=healthy) failed
  type: str
health_wait_seconds:
  description: Seconds spent waiting for the container to become healthy before O(state=healthy) failed.
  returned: when O(state=healthy) failed
  type: float
"""

from dataclasses import replace

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, NotFound, connect, docker_argument_spec, require_api_version,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.apply import (
    HealthTimeout, StepFailed, apply_plan, wait_healthy,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_ignored_by_api
from ansible_collections.goship.containers.plugins.module_utils.containers.attached import run_attached
from ansible_collections.goship.containers.plugins.module_utils.containers.engine import wait_removed
from ansible_collections.goship.containers.plugins.module_utils.containers.engine_discards import (
    DiscardRecord, discardable, discarded_by, kept_by_engine,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.replace import clean_leftovers
from ansible_collections.goship.containers.plugins.module_utils.containers.image_pull import resolve_image
from ansible_collections.goship.containers.plugins.module_utils.containers.peers import with_container_ids
from ansible_collections.goship.containers.plugins.module_utils.containers.options import CONTAINER_OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.task_plan import (
    api_refusals, container_task, masked_diff, needs_current_image, plan_from_inspect,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.secrets import (
    container_rule, env_file_values, inspect_secrets, mask_inspect,
)


def _read_env_file(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise OptionError("env_file", "cannot read %s: %s" % (path, exc.strerror))


def _inspect_or_none(fn, name):
    try:
        return fn(name)
    except NotFound:
        return None


def _name_refused_mount(params, message):
    """The engine refuses a `mounts` bind whose host path is missing ('bind source path does not
    exist: /x'): name the option that asked for it."""
    marker = "bind source path does not exist: "
    if marker not in message:
        return message
    path = message.split(marker, 1)[1].split()[0].rstrip(".;,\"'")
    for index, item in enumerate(params.get("mounts") or ()):
        if isinstance(item, dict) and str(item.get("source") or "").rstrip("/") == path.rstrip("/"):
            return ("mounts[%d].source: %s does not exist on the engine's host (a bind in mounts is not created,"
                    " as with docker run --mount; one in volumes is, as with -v). %s" % (index, path, message))
    return message


def _guard_observed(module, found, image):
    """Register the secrets of the container as it is (an earlier value, a name recorded by an
    earlier run) and of its image; the rule that masks what the run returns."""
    rule = container_rule(module.secret_rule, found)
    module.protect_values(inspect_secrets(found, rule) + inspect_secrets(image, rule))
    return rule


def main():
    module = SecretAwareModule(argument_spec=docker_argument_spec(**CONTAINER_OPTIONS), supports_check_mode=True,
                               maps={"env": "secret_env", "labels": None})
    params = module.params
    outcome = Outcome(module)
    state = params["state"]
    try:
        env_text = None
        if params.get("image") and state != "absent" and params.get("env_file"):
            env_text = _read_env_file(params["env_file"])
            module.protect_map(env_file_values(env_text))
        task = container_task(params, env_text, module.secret_rule)
    except (OptionError, ValueError) as exc:
        module.fail_json(msg=str(exc))

    for warning in task.warnings:
        module.warn(warning)
    client = connect(module)
    client.engine_warnings = []  # the Warnings of creates and updates (engine.note_engine_warnings)
    if params["force_kill"]:  # every stop of this task is a kill (engine.stop_container)
        client.kill_signal = params["kill_signal"] or "SIGKILL"
    for option, minimum in api_refusals(task, client.api_version):
        require_api_version(module, client, option, minimum)
    ignored = options_ignored_by_api(task.spec, client.api_version) if task.spec is not None else []
    for option, version in ignored:
        module.warn("%s: engines with Engine API %s or newer accept and ignore it (this one speaks %s), so the "
                    "container is compared with what the engine kept" % (option, version, client.api_version))
    name = params["name"]
    try:
        # what a run killed mid-replacement left: removed (or given its name back), and said so
        restored = clean_leftovers(client, name, outcome.apply)
    except APIError as exc:
        outcome.fail("%s failed: %s" % (outcome.failed_step("clearing what an interrupted run left"), exc))
    try:
        if task.spec is not None:  # container:NAME namespace modes, as the engine keeps them (container:<ID>)
            task = replace(task, spec=with_container_ids(
                task.spec, lambda ref: (_inspect_or_none(client.inspect_container, ref) or {}).get("Id")))
        spec = task.spec
        found = _inspect_or_none(client.inspect_container, restored if restored and outcome.check_mode else name)
        rule = _guard_observed(module, found, None)
        image = None
        if spec is not None:
            image = resolve_image(client, outcome, spec.image, task.pull_policy, task.pull_check_mode_behavior,
                                  str(spec.platform) if spec.platform is not None else None)
            _guard_observed(module, None, image)
        current_id = needs_current_image(task, found, image)  # image_comparison=current-image, platform
        current_image = _inspect_or_none(client.inspect_image, current_id) if current_id else None
        # the same pure planning the container_plan action runs on the controller
        kept = {option: "" for option, _version in ignored}
        verdict = plan_from_inspect(task, found, image, engine_kept=tuple(kept), current_image=current_image)
        info = None
        maybe_discarded = discardable(verdict.plan.differences)
        if maybe_discarded:  # a limit the engine may discard on this host: ask it (GET /info) once
            info = client.info()
            discarded = kept_by_engine(info, maybe_discarded)
            for option, warning in sorted(discarded.items()):
                module.warn("%s: the engine discards it on this host (%s), so the container is compared with the "
                            "value the engine kept" % (option, warning))
            if discarded:
                kept.update(discarded)
                verdict = plan_from_inspect(task, found, image, engine_kept=tuple(sorted(kept)),
                                            current_image=current_image)
    except (OptionError, PlanError) as exc:
        module.fail_json(msg=str(exc))
    except APIError as exc:
        module.fail_json(msg="Reading container %s failed: %s" % (name, exc))
    plan, observed = verdict.plan, verdict.observed

    outcome.set_diff(*masked_diff(plan, rule))
    changed_before = outcome.changed  # a pull that brought a new image
    try:
        container_id = apply_plan(client, plan, spec, observed, outcome.apply,
                                  stop_timeout=spec.stop_timeout if spec else None,
                                  keep_volumes=params["keep_volumes"], image_volumes=verdict.image_volumes)
    except StepFailed as exc:
        outcome.changed = changed_before or exc.changed  # a refused create or recreate changed nothing: say so
        outcome.fail(_name_refused_mount(params, str(exc)))

    if "remove" in plan.kinds and not outcome.check_mode:
        try:  # the engine may still be removing it (removal_wait_timeout bounds the wait)
            wait_removed(client, observed.id, params["removal_wait_timeout"])
        except (TimeoutError, APIError) as exc:
            outcome.fail(str(exc))
    for warning in client.engine_warnings:
        module.warn("engine: %s" % warning)
    discarded = discarded_by(client.engine_warnings)
    if discarded:  # remembered for this engine and kernel: the engine says so only now
        DiscardRecord(info or client.info()).remember(discarded)
    extra = {}
    if not params["detach"] and "start" in plan.kinds and not outcome.check_mode:
        run = run_attached(client, container_id, bool(spec.auto_remove), params["cleanup"])
        extra = dict(status=run.status, output=run.output)
        if run.note:
            module.warn(run.note)
        if params["output_logs"] and run.output:
            module.log(msg="container %s output:\n%s" % (name, run.output))
        if run.status not in (0, None):
            outcome.fail("container %s exited with status %s" % (name, run.status), container={"Output": run.output},
                         **extra)
        if params["cleanup"] or spec.auto_remove:
            outcome.exit(container={"Output": run.output}, differences=list(plan.differences),
                         api_requests=client.request_count, **extra)

    already_healthy = not outcome.changed and observed is not None and observed.health == "healthy"
    if state == "healthy" and not outcome.check_mode and not already_healthy:
        try:
            wait_healthy(client, container_id, params["healthy_wait_timeout"])
        except HealthTimeout as exc:
            outcome.fail("%s; last health checks: %s" % (exc, " | ".join(exc.observed.health_log) or "none"),
                         health_log=list(exc.observed.health_log), health_status=exc.observed.health,
                         container_status=exc.observed.status, health_wait_seconds=round(exc.waited, 1))

    container = found or {}
    if state == "absent":
        container = {}
    elif outcome.changed and not outcome.check_mode:
        container = _inspect_or_none(client.inspect_container, container_id) or {}
        rule = _guard_observed(module, container, None)
    container = mask_inspect(container, rule)
    if "output" in extra and container:
        container["Output"] = extra["output"]  # where community.docker's users read it
    outcome.exit(container=container, differences=list(plan.differences), api_requests=client.request_count, **extra)


if __name__ == "__main__":
    main()
