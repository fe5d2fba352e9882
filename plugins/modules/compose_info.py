#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: compose_info
short_description: Report a Compose project's services, containers, state and health
version_added: 0.1.0
description:
  - Lists the containers the engine runs for a Compose project (found by the
    C(com.docker.compose.project) label, so projects deployed by M(goship.containers.compose)
    and by C(docker compose) alike), grouped by service, with state and health.
  - Given the project's files (or an inline definition), also returns the normalised
    configuration, as C(docker compose config) prints it, and which services are out of date.
author:
  - goship.containers contributors (@goship)
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
attributes:
  check_mode:
    support: full
    description: Read-only.
options:
  project_name:
    description:
      - The project name. Required unless O(project_src), O(files) or O(definition) give it.
    type: str
  project_src:
    description:
      - Directory of the project (its Compose file and C(.env)), to report the normalised configuration.
    type: path
  files:
    description:
      - Compose files, relative to O(project_src).
    type: list
    elements: path
  definition:
    description:
      - The project inline, as the content of a Compose file.
    type: dict
  env_files:
    description:
      - Environment files used for interpolation instead of C(<project_src>/.env).
    type: list
    elements: path
  profiles:
    description:
      - Profiles to enable when loading the files.
    type: list
    elements: str
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of
        services' environment variables, labels and build args whose values are secrets; names
        that look secret are built in (see M(goship.containers.compose)'s
        O(goship.containers.compose#module:sensitive_keys)). They show as C(********) in RV(config).
    type: list
    elements: str
    default: []
seealso:
  - module: goship.containers.compose
"""

EXAMPLES = r"""
- name: What runs for the project shop
  goship.containers.compose_info:
    project_name: shop
  register: shop

- name: Fail when a service is not healthy
  ansible.builtin.assert:
    that: shop.services.web.containers | map(attribute='health') | unique == ['healthy']

- name: The normalised configuration and what is out of date
  goship.containers.compose_info:
    project_src: /srv/shop
  register: shop_config
"""

RETURN = r"""
project:
  description: The project name.
  returned: always
  type: str
  sample: shop
exists:
  description: Whether the engine has any container, network or volume of the project.
  returned: always
  type: bool
state:
  description: V(running) (every container running), V(partial), V(stopped) (none running) or V(absent).
  returned: always
  type: str
  sample: running
services:
  description: Per service found on the engine or in the files.
  returned: always
  type: dict
  contains:
    replicas:
      description: Number of containers.
      type: int
    running:
      description: Number of running containers.
      type: int
    healthy:
      description: Number of containers whose healthcheck passes.
      type: int
    containers:
      description: The containers (name, id, number, state, status, health, exit_code, image, image_id).
      type: list
      elements: dict
    up_to_date:
      description: With files given, whether the containers match the configuration (no recreate needed).
      type: bool
      returned: when files or a definition are given
  sample:
    web:
      replicas: 1
      running: 1
      healthy: 1
      containers:
        - name: shop-web-1
          id: 0123456789ab
          number: 1
          state: running
          status: Up 2 minutes (healthy)
          health: healthy
          exit_code: null
          image: goship-test/app:1
          image_id: sha256:0123...
          service: web
containers:
  description:
    - The project's containers in the shape of C(docker compose ps --format json), as
      community.docker's docker_compose_v2 and M(goship.containers.compose) return them, with the keys
      C(ID), C(Name), C(Names), C(Project), C(Service), C(Image), C(Command), C(Created), C(CreatedAt),
      C(RunningFor), C(State), C(Status), C(Health), C(ExitCode), C(Labels), C(Publishers), C(Ports),
      C(Networks), C(Mounts) and C(LocalVolumes) (see RV(goship.containers.compose#module:containers)
      for each). One-off containers (C(docker compose run)) are not listed.
    - Read from the containers list the module makes anyway (no request of its own); C(Size) is not
      returned. Secret-looking label values and those of O(sensitive_keys) show as C(********).
  returned: always
  type: list
  elements: dict
  sample:
    - ID: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      Name: shop-web-1
      Service: web
      State: running
      Health: healthy
      Image: goship-test/app:1
images:
  description:
    - Per container, the image it runs, in the shape of C(docker compose images --format json)
      (C(ID), C(ContainerName), C(Repository), C(Tag); C(<none>) as repository and tag when the tag
      the container was created from has moved to another image). C(Size) is not returned.
  returned: always
  type: list
  elements: dict
  sample:
    - ID: sha256:0123...
      ContainerName: shop-web-1
      Repository: goship-test/app
      Tag: "1"
networks:
  description: Engine names of the project's networks (labelled for the project).
  returned: always
  type: list
  elements: str
volumes:
  description: Engine names of the project's volumes (labelled for the project).
  returned: always
  type: list
  elements: str
config:
  description:
    - The normalised configuration, as C(docker compose config --format json) prints it, except
      that secret values (see O(sensitive_keys)) and the content of inline secrets and configs
      show as C(********).
  returned: when files or a definition are given
  type: dict
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule, sensitive_keys_option
from ansible_collections.goship.containers.plugins.module_utils.secrets import mask_compose, project_secrets


def main() -> None:
    module = SecretAwareModule(
        compose="definition",
        argument_spec=docker_argument_spec(
            project_name=dict(type="str"),
            project_src=dict(type="path"),
            files=dict(type="list", elements="path"),
            definition=dict(type="dict"),
            env_files=dict(type="list", elements="path"),
            profiles=dict(type="list", elements="str"),
            sensitive_keys=sensitive_keys_option(),
        ),
        required_one_of=[("project_name", "project_src", "files", "definition")],
        mutually_exclusive=[("files", "definition")],
        supports_check_mode=True,
    )
    from ansible_collections.goship.containers.plugins.module_utils.compose import run
    from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
    from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
    from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError

    params = module.params
    request = run.ComposeRequest(project_src=params["project_src"], files=params["files"],
                                 definition=params["definition"], project_name=params["project_name"],
                                 env_files=params["env_files"], profiles=params["profiles"], state="absent")
    try:
        project = run.load(request)
    except (ComposeError, PlanError) as exc:
        module.fail_json(msg=str(exc))
        return
    if project is not None:
        module.protect_values(project_secrets(project, module.secret_rule))
    client = connect(module)
    name = project.name if project is not None else params["project_name"]
    from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import observe_project
    observed = observe_project(client, name)
    result = run.ComposeResult(name, None, observed, [])  # type: ignore[arg-type]
    services = run.report(client, result, refresh=False)
    for entry in services.values():
        entry["healthy"] = sum(1 for c in entry["containers"] if c["health"] == "healthy")
    extra = {}
    if project is not None:
        from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project
        plan = None
        try:  # a project this engine or collection cannot deploy is still shown (its config below)
            desired = desired_project(project)
            plan = plan_project(desired, observed, PlanOptions(build="never", pull="never"), _all_images(desired))
        except PlanError as exc:
            module.warn("cannot tell which services are up to date: %s" % exc)
        stale = {a.service for a in plan.actions if a.kind in ("recreate", "create", "remove", "start", "unpause")} if plan else set(project.services)
        for service in project.services:
            entry = services.setdefault(service, {"containers": [], "replicas": 0, "running": 0, "healthy": 0})
            entry["up_to_date"] = service not in stale
        extra["config"] = mask_compose(project.to_config(), module.secret_rule)
    containers = [c for entry in services.values() for c in entry["containers"]]
    running = sum(1 for c in containers if c["state"] == "running")
    if not containers:
        state = "absent"
    elif running == len(containers):
        state = "running"
    else:
        state = "partial" if running else "stopped"
    from ansible_collections.goship.containers.plugins.module_utils.compose import cli_view
    module.exit_json(
        changed=False, project=name, state=state, services=services,
        # docker_compose_v2's keys, from the same containers list (no request of their own)
        containers=cli_view.ps_entries(name, observed.containers, module.masked_labels),
        images=cli_view.image_entries(observed.containers),
        exists=bool(containers or observed.networks or observed.volumes),
        networks=sorted(observed.networks), volumes=sorted(observed.volumes), **extra,
    )


def _all_images(desired):
    """Pretend every image is present: compose_info asks 'is it up to date', not 'can it be pulled'."""
    from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedImage
    return {s.image: ObservedImage("", s.build_digest) for s in desired.services.values()}


if __name__ == "__main__":
    main()
