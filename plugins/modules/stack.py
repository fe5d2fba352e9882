#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: stack
short_description: Deploy a Compose project as a Docker Swarm stack, changing only what differs
version_added: 0.1.0
description:
  - Deploys a Compose project as Swarm services and overlay networks through the Engine API, named
    and labelled as C(docker stack deploy) does (C(<stack>_<service>), C(com.docker.stack.namespace)),
    so C(docker stack ls), C(docker stack ps) and C(docker stack rm) see the stack.
  - Idempotent. A service is updated only when its desired ServiceSpec differs from the engine's
    (the keys the project sets are compared, and a hash of the whole desired spec is kept in the
    label C(io.goship.stack.spec-hash), so removed settings count too). An unchanged project reports
    C(changed=false) and writes nothing. (C(docker stack deploy) and community.docker's docker_stack
    send every service again on every run.)
  - Rolling updates default to C(order=start-first) with C(failure_action=rollback) (Docker's default
    is stop-first and pause). A new task must start (and be healthy, when the image or the service
    has a healthcheck) before an old one stops, and when new tasks fail Swarm restores the previous
    spec. A service's C(deploy.update_config) and C(deploy.rollback_config) override each field.
  - With O(wait=true) (the default) the module waits until every created or updated service has
    converged. An update that Swarm rolled back B(fails) the task, naming the service, Swarm's reason
    and the image the service still runs.
  - The engine at O(docker_host) must be a Swarm manager (see M(goship.containers.swarm)). Images are
    not pulled or built. Every node that runs a task needs the image (or a registry it can pull from).
  - Supported service keys - image, command, entrypoint, environment, env_file, labels, ports
    (single ports; C(mode=host) or C(ingress)), networks (with aliases), volumes (volume, bind and
    tmpfs), tmpfs, healthcheck, user, working_dir, hostname, read_only, init, tty, stop_signal,
    stop_grace_period, extra_hosts, dns, dns_search, dns_opt, sysctls, ulimits, cap_add, cap_drop,
    logging and deploy (mode, replicas, labels, resources, restart_policy, placement,
    endpoint_mode, update_config, rollback_config). Keys Swarm services lack are ignored with a
    warning, as C(docker stack deploy) does (build, depends_on, container_name, restart, ...);
    keys that would change what runs and that this module cannot express fail before any change
    (secrets, configs, privileged, network_mode, devices, ...).
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  name:
    description:
      - Name of the stack, the prefix of its services and networks and the value of their
        C(com.docker.stack.namespace) label.
    type: str
    required: true
    aliases: [stack_name]
  state:
    description:
      - V(present) deploys the project.
      - V(absent) removes the stack's services and networks (named volumes stay on the nodes, as with
        C(docker stack rm)).
    type: str
    default: present
    choices: [present, absent]
  project_src:
    description:
      - Directory of the Compose project. Its C(.env) is read, relative paths resolve against it, and
        when O(files) is not set its C(compose.yaml) (or C(compose.yml), C(docker-compose.yml)) is used.
    type: path
  files:
    description:
      - Compose files, relative to O(project_src), merged in order.
    type: list
    elements: path
  definition:
    description:
      - The Compose project inline, as a mapping, instead of files.
    type: dict
  env_files:
    description:
      - Files of variables for interpolation, instead of O(project_src)'s C(.env).
    type: list
    elements: path
  profiles:
    description:
      - Compose profiles to enable.
    type: list
    elements: str
  prune:
    description:
      - Remove services (and networks) of the stack that the project no longer defines.
    type: bool
    default: true
  wait:
    description:
      - Wait until created and updated services have converged (all tasks running and healthy;
        a rolling update completed). A rolled back or paused update fails the task.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true) before failing.
    type: int
    default: 300
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of
        services' environment variables and labels whose values are secrets; names that look
        secret are built in (see M(goship.containers.compose)'s O(goship.containers.compose#module:sensitive_keys)).
      - They show as C(********) in the diff and never appear in the result, errors or C(-vvv)
        output; an update's reason names a changed variable or label by its path only.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Returns the plan (RV(plan)); no write request reaches the engine.
  diff_mode:
    support: full
    description: Shows each changed service's spec before (the keys the project sets) and after.
seealso:
  - module: goship.containers.swarm
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Deploy the shop stack from a directory with compose.yaml
  goship.containers.stack:
    name: shop
    project_src: /srv/shop

- name: Inline project, two replicas published on every node's port 8080 (mode host)
  goship.containers.stack:
    name: web
    definition:
      services:
        app:
          image: registry.example.com/app:1.4.2
          ports:
            - {target: 8080, published: 8080, mode: host}
          deploy:
            replicas: 2
            update_config: {monitor: 10s}
    wait_timeout: 120

- name: What would change?
  goship.containers.stack:
    name: shop
    project_src: /srv/shop
  check_mode: true
  diff: true
  register: plan

- name: Remove the stack
  goship.containers.stack:
    name: shop
    state: absent
"""

RETURN = r"""
plan:
  description: The actions of the run (in check mode, the actions it would take), in order.
  returned: always
  type: list
  elements: dict
  contains:
    action:
      description: create-network, create-service, update-service, replace-service, remove-service or remove-network.
      type: str
    name:
      description: The engine name of the service or network.
      type: str
    reason:
      description: Why; for an update, the settings that differ (before -> after).
      type: str
  sample:
    - action: update-service
      name: shop_web
      reason: "TaskTemplate.ContainerSpec.Image: shop/web:1 -> shop/web:2"
unchanged:
  description: Services that are as desired.
  returned: always
  type: list
  elements: str
services:
  description: The stack's services after the run (in check mode, before it), by engine name.
  returned: always
  type: dict
  sample:
    shop_web:
      id: 8mmzj0dm5jqs
      image: shop/web:2
      mode: replicated
      replicas: 2
      update_state: completed
      version: 42
waited:
  description: Seconds spent waiting for created and updated services to converge (O(wait=true)).
  returned: when the module waited
  type: float
  sample: 14.2
actions:
  description: The plan as sentences.
  returned: always
  type: list
  elements: str
  sample: ["update service shop_web (TaskTemplate.ContainerSpec.Image: shop/web:1 -> shop/web:2)"]
"""

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, connect, docker_argument_spec, resolve_docker_host,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule, sensitive_keys_option
from ansible_collections.goship.containers.plugins.module_utils.secrets import mask_swarm_spec, project_secrets, swarm_spec_secrets
from ansible_collections.goship.containers.plugins.module_utils.swarm.service_spec import StackServiceBuilder
from ansible_collections.goship.containers.plugins.module_utils.swarm.stack_engine import (
    StackFailure, apply_plan, observe, require_manager, service_summary,
)
from ansible_collections.goship.containers.plugins.module_utils.swarm.stack_plan import plan_removal, plan_stack

STACK_OPTIONS = dict(
    name=dict(type="str", required=True, aliases=["stack_name"]),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    project_src=dict(type="path"),
    files=dict(type="list", elements="path"),
    definition=dict(type="dict"),
    env_files=dict(type="list", elements="path"),
    profiles=dict(type="list", elements="str"),
    prune=dict(type="bool", default=True),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
    sensitive_keys=sensitive_keys_option(),
)


def main():
    module = SecretAwareModule(argument_spec=docker_argument_spec(**STACK_OPTIONS), supports_check_mode=True,
                               mutually_exclusive=[("definition", "files")], compose="definition")
    params = module.params
    outcome = Outcome(module)
    stack = params["name"]
    networks, services, external = {}, {}, []
    if params["state"] == "present":
        if not (params["project_src"] or params["files"] or params["definition"]):
            module.fail_json(msg="state=present needs the project: project_src, files or definition")
        try:
            project = load_project(project_dir=params["project_src"], files=params["files"],
                                   definition=params["definition"], project_name=stack,
                                   env_files=params["env_files"], profiles=params["profiles"])
            module.protect_values(project_secrets(project, module.secret_rule))
            builder = StackServiceBuilder(project, stack)
            networks, services = builder.networks(), builder.services()
            external = builder.external_networks()
        except ComposeError as exc:
            module.fail_json(msg=str(exc))
        for warning in builder.warnings:
            module.warn(warning)

    client = connect(module)
    outcome.watch(client)  # a step the engine refuses is no change unless part of it went through (outcome.py)
    try:
        require_manager(client, resolve_docker_host(params))
        observed_networks, observed_services, _names = observe(client, stack, list(networks) + external)
        missing = [n for n in external if n not in observed_networks]
        if missing:
            module.fail_json(msg="networks: external network(s) %s do not exist" % ", ".join(missing))
        if params["state"] == "present":
            plan = plan_stack(networks, services, observed_networks, observed_services, params["prune"])
        else:
            plan = plan_removal({k: v for k, v in observed_networks.items() if k not in external}, observed_services)
    except StackFailure as exc:
        module.fail_json(msg=str(exc))
    except APIError as exc:
        module.fail_json(msg="Reading stack %s failed: %s" % (stack, exc))

    rule = module.secret_rule
    for observed in observed_services.values():  # the values they run with now, for the diff's before
        module.protect_values(swarm_spec_secrets(observed.get("Spec"), rule))
    outcome.set_diff({name: mask_swarm_spec(spec, rule) for name, spec in plan.before.items()},
                     {name: mask_swarm_spec(spec, rule) for name, spec in plan.after.items()})
    report = dict(plan=[a.as_dict() for a in plan.actions], unchanged=plan.unchanged)
    try:
        failures = apply_plan(client, outcome, plan, observed_networks, observed_services,
                              wait=params["wait"], timeout=params["wait_timeout"])
    except StackFailure as exc:
        outcome.fail(str(exc), services=service_summary(client, stack), **report)
    except APIError as exc:
        outcome.fail("%s failed: %s" % (outcome.failed_step("stack"), exc.explanation or exc),
                     services=service_summary(client, stack), **report)
    if failures:
        outcome.fail("; ".join(failures), services=service_summary(client, stack),
                     waited=outcome.result.get("waited"), **report)
    in_hand = None if outcome.changed else list(observed_services.values())
    outcome.exit(services=service_summary(client, stack, in_hand), **report)


if __name__ == "__main__":
    main()
