#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: compose
short_description: Deploy a Compose project over the Docker Engine API
version_added: 0.1.0
description:
  - Loads standard Compose files (or an inline definition), compares them with the containers,
    networks and volumes the engine already runs for the project, and applies the difference
    through the Docker Engine API. The C(docker compose) CLI is not needed on the host.
  - Containers, networks and volumes carry the labels Docker Compose v2 sets, so
    C(docker compose ps), C(ls), C(logs) and C(down) work on the projects this module deploys.
    Containers are named C(<project>-<service>-<number>).
  - The C(com.docker.compose.config-hash) label is the one C(docker compose) 2.40 computes for the
    same service, and the C(com.docker.compose.image) label is the image ID, so C(docker compose up)
    (with or without C(--no-build)) recreates nothing this module deployed, and this module recreates
    nothing C(docker compose up) deployed. A service built from a context is built with the label
    C(com.docker.compose.image.builder=classic) that C(docker compose) adds with the engine's classic
    builder, so both get the same image ID from the same inputs. Containers deployed by earlier
    versions of this collection carry another hash and are recreated once.
  - A run that changes nothing costs four API requests whatever the number of services (the
    version negotiation, and one list call each for containers, networks and volumes).
  - Named volumes are never removed unless O(remove_volumes=true) (or recreated, see O(assume_yes));
    containers of services that are no longer in the project (orphans) are kept unless
    O(remove_orphans=true).
  - A network whose definition changed (driver, driver options, IPAM, internal, attachable,
    IPv6, labels) is recreated, as C(docker compose up) does; its containers are stopped and
    detached, the network is removed and created again, and those containers are recreated on it.
    The settings are recorded in the C(io.goship.compose.network-settings) label; a network made
    without it (by the Compose CLI) is compared on driver, internal and attachable only.
  - C(network_mode), C(ipc) and C(pid) C(service:<name>) join that namespace of the service's first
    container (first by container name), and C(volumes_from) C(<name>[:mode]) takes its volumes, as
    Compose does; the service starts after it, and is recreated (not restarted) whenever that
    container is replaced, since its config-hash names the container's ID, as C(docker compose up)
    writes it. C(container:<name>) names a container by its name.
  - C(deploy.update_config) applies to recreates, with Swarm's meaning (C(docker compose) itself
    ignores it). C(order) is stop-first or start-first; C(parallelism) containers of a service
    are replaced at a time (default 1, C(0) all at once), with C(delay) between two batches.
  - Each batch must be ready before the next one starts - healthy when the service or its image has
    a healthcheck; a start-first replacement without one must keep running for a second - and, with
    C(monitor), stay so that long. A replacement joins the service's network aliases only once it is
    ready, so no request reaches it before, wherever another container answers meanwhile
    (start-first, or a service of several replicas; a lone stop-first replica joins at once, as with
    C(docker compose up)); with start-first the old container leaves them before it stops. A
    replacement that is not ready (more of them than C(max_failure_ratio) allows) triggers
    C(failure_action) - C(pause) (the default with stop-first) stops the update, puts that batch's
    previous containers back and fails naming the container and its last health checks; C(rollback)
    (the default with start-first) puts back every container of the service replaced in this run and
    fails; C(continue) keeps the replacement and goes on. The previous containers are kept, stopped,
    until the service's update is over.
  - One run at a time changes a project. A run that is about to change it takes a lock (a file
    under C(/run/lock) on the host that runs the module, named after the engine's ID and the
    project), plans again under it and applies; another run waits up to O(lock_timeout) seconds,
    then plans from what the first one left. The kernel frees the lock when a run ends, however it
    ends. Runs from other machines against one remote engine are not serialised by it.
  - Networks that share a project network's name (left by two runs that created it at once before
    this lock existed, or made by hand) are repaired - the one containers use is kept, the others
    are removed (containers attached to them are moved to the kept one), and the actions say so.
  - A replaced container hands its anonymous volumes (service C(volumes) entries with only a
    container path, and the image's C(VOLUME) declarations) to its replacement at the same
    targets, as C(docker compose up) does, whatever the update order; their data survives.
  - Lifecycle hooks run as C(docker compose up) runs them. C(post_start) commands run in each
    container the run starts, C(pre_stop) commands in each running container it stops, recreates
    or removes, as execs with the hook's C(user), C(privileged), C(working_dir) and
    C(environment); a hook that exits non-zero fails the run naming the hook and the tail of its
    output. C(develop) is loaded and not acted on (this module does not watch files).
  - Every key C(docker compose config) accepts is loaded, whatever the engine
    (M(goship.containers.compose_info) shows the project). A deploy that needs what the engine or
    this collection lacks fails before any change, naming the service, the feature and the version
    it needs. These are C(models) and C(provider) services (Docker Model Runner, C(docker) CLI
    plugins), C(image) mounts (Engine API 1.48), and build keys the engine's classic builder does
    not take (C(entitlements), C(secrets), C(ssh), C(platforms), C(provenance), C(sbom),
    C(cache_to), C(additional_contexts), C(dockerfile_inline), ...). In check mode they are
    warnings.
author:
  - goship.containers contributors (@goship)
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
attributes:
  check_mode:
    support: full
    description: Returns the full plan and makes no write request.
  diff_mode:
    support: full
    description:
      - Per service, before and after; the same in check mode. C(replicas), C(running), C(image) and
        C(image_id) (after a build or pull, the new image's ID; in check mode C((built first)) or
        C((pulled first)), which cannot be known yet); C(actions); C(changed_settings), the
        top-level settings that differ; and C(settings), each of them with its value, in Compose's
        long syntax (C(environment) as a map, C(ports) and C(volumes) as entries).
      - The before side comes from the engine, from the C(io.goship.compose.values) label each
        container records at creation (listed with the containers, no extra request). A container
        made by an earlier version shows C((not recorded ...)) for each value; one made by
        C(docker compose) records no settings at all, so its diff names none and its recreate says
        C(configuration changed (config-hash)).
      - Secrets never appear. Values of O(sensitive_keys) and secret-looking names in C(environment)
        and C(labels), URL passwords, and any value holding the content of a Compose secret or config
        show as C(********), and as C(******** (changed)) on the after side when they changed. The
        label records them only as C(********#) and eight hex digits of their sha256.
      - Per network to recreate (key C(network:<name>)), its settings before and after.
      - Per volume to recreate (key C(volume:<key>), the key under top-level C(volumes), with
        O(assume_yes=true)), its C(driver), C(driver_opts) and C(labels) before and after (secret
        values masked, also inside a C(driver_opts) value of comma-separated C(key=value) mount
        options), the reason, and how many containers are recreated with it.
options:
  project_src:
    description:
      - Directory of the project. Holds C(compose.yaml), C(compose.yml), C(docker-compose.yml) or
        C(docker-compose.yaml) unless O(files) names the files, and its C(.env) file.
      - Relative paths in the files resolve against it.
    type: path
  files:
    description:
      - Compose files merged in order, relative to O(project_src).
    type: list
    elements: path
  definition:
    description:
      - The project inline, as the content of a Compose file. Used instead of O(files).
    type: dict
  project_name:
    description:
      - The project name. Takes precedence over the top-level C(name) of the files, then the
        E(COMPOSE_PROJECT_NAME) environment variable, then the name of O(project_src).
      - With O(state=absent) the name alone is enough; the engine objects' labels tell the rest.
    type: str
  env_files:
    description:
      - Environment files used for interpolation instead of C(<project_src>/.env).
    type: list
    elements: path
  profiles:
    description:
      - Profiles to enable. Services with profiles are deployed only when one of them is enabled.
    type: list
    elements: str
  services:
    description:
      - Act on these services only (plus their dependencies unless O(dependencies=false)).
      - Containers of the other services are left alone and are not orphans.
    type: list
    elements: str
  dependencies:
    description:
      - With O(services), also act on the services they depend on.
    type: bool
    default: true
  state:
    description:
      - V(present) creates what is missing, recreates what changed and starts what is stopped.
      - V(stopped) converges like V(present) but leaves containers stopped.
      - V(restarted) converges like V(present) and restarts the containers it did not replace.
      - V(absent) removes the project's containers and networks (volumes and images only when asked).
    type: str
    choices: [present, stopped, restarted, absent]
    default: present
  recreate:
    description:
      - V(auto) replaces a container when its configuration or image changed, V(always) replaces
        every container, V(never) never replaces one.
    type: str
    choices: [auto, always, never]
    default: auto
  build:
    description:
      - For services with C(build). V(auto) builds when the digest of the build inputs (context
        after .dockerignore, Dockerfile, args, target, labels) is neither proven by the service's
        containers nor listed for the tagged image in the build record on the managed host (the
        C(image) module's, see docs/builds.md). A build that leaves the image ID as it was (an input
        no layer uses changed) recreates no container and reports no change.
      - Builds run the engine's classic builder; a Dockerfile that needs BuildKit (C(# syntax=),
        C(RUN --mount), heredocs, C(COPY --link) or C(--chmod), C(FROM --platform=$BUILDPLATFORM))
        builds through C(docker buildx) when the managed host has it, else the task fails before
        anything is changed, naming the service, the lines and the ways out.
      - V(always) builds every time, V(never) requires the image to exist.
      - V(policy) (community.docker's docker_compose_v2 default; C(docker compose up) without
        C(--build) or C(--no-build)) builds only when the image does not exist, and every time for
        a service whose C(pull_policy) is C(build); build inputs changed since the image was built are
        not looked at, so the containers keep the old image.
    type: str
    choices: [auto, always, never, policy]
    default: auto
  pull:
    description:
      - For services with C(image) only. V(missing) pulls images not present on the host.
        A service's own C(pull_policy) takes precedence unless this is V(always).
      - V(always) (or a service's C(pull_policy=always)) pulls before anything else is done. A pull
        that brings the image the host already had is no change; one that brings another image
        recreates the service's containers. A failed pull fails the task before any change.
      - Check mode does not pull; it assumes the local images are current (it reports pulls only of
        images not present).
      - Registry credentials come from the managed host's Docker config (M(goship.containers.login)).
      - V(policy) (community.docker's docker_compose_v2 default) follows each service's
        C(pull_policy), and pulls an image that is not present for a service without one (Compose's
        default policy, V(missing)). That is also what V(missing) does here; the two values differ
        only in name. The C(daily), C(weekly) and C(every_<duration>) policies act as V(missing)
        (no record of the last pull is kept).
    type: str
    choices: [missing, always, never, policy]
    default: missing
  remove_orphans:
    description:
      - Remove containers of services that are not in the project any more.
    type: bool
    default: false
  remove_volumes:
    description:
      - With O(state=absent), also remove the project's named volumes and the anonymous volumes
        of its containers (those handed on by earlier recreates included), as C(docker compose down -v).
        Named volumes are never removed otherwise; without it, anonymous volumes are kept too
        (as C(docker compose down)), no longer attached to any container.
    type: bool
    default: false
  assume_yes:
    description:
      - What to do with a named volume of the project whose C(driver), C(driver_opts) or C(labels)
        differ from the compose file. The engine cannot change them on an existing volume.
      - V(false) keeps the volume as it is, with its data, and warns naming C(volumes.<key>) and
        what differs; the rest of the run goes on. That is what C(docker compose up) does without
        C(--yes) and without a terminal (its prompt to recreate the volume reads no answer, which is
        no).
      - V(true) recreates it, as C(docker compose up --yes) does; B(its data is lost). The
        containers using it are removed (dependents first), the volume is removed and created
        with the compose file's definition, then those containers are created again. All of it is
        in the plan (check mode shows these actions and writes nothing), and is refused before any
        change, naming C(volumes.<key>), when containers this run does not manage use the volume
        (another project's or one made by hand, C(docker compose run) containers, services left
        out by O(services)) or O(recreate=never) forbids replacing its containers.
      - Only volumes created for this project (by this module or C(docker compose)) are compared.
        A volume of that name made by hand or for another project is never recreated; one whose
        driver differs fails naming C(volumes.<key>), before any change, whatever this option.
      - The other prompts C(--yes) answers belong to remote (OCI or Git) compose files, which this
        module does not load; nothing else asks.
    type: bool
    default: false
  remove_images:
    description:
      - With O(state=absent), remove the images of all services (V(all)) or only the images built
        for the project (V(local)).
    type: str
    choices: [all, local]
  scale:
    description:
      - Number of containers per service, overriding C(scale) and C(deploy.replicas).
    type: dict
  wait:
    description:
      - Wait until every container of the services acted on runs (and is healthy when it has a
        healthcheck; one-shot containers must have exited with code 0).
      - On failure the task fails naming the service and its last health log lines.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for O(wait), for C(depends_on) conditions and for start-first updates.
    type: int
    default: 120
  stop_timeout:
    description:
      - Seconds a container gets to stop before it is killed. Default is the container's own
        C(stop_grace_period), else 10 seconds.
      - Named C(stop_timeout) because C(timeout) is the connection option shared by all modules.
        community.docker's docker_compose_v2 calls this C(timeout), so rename it when moving a task
        (docs/migrating-from-community-docker.md).
    type: int
  lock_timeout:
    description:
      - Seconds to wait for another run that is changing the same project on the same engine (see
        the description) before failing with the name of the holder and since when it holds the lock.
        C(0) fails at once. Runs that change nothing (and check mode) never wait.
    type: int
    default: 300
  update_order:
    description:
      - How a running container is replaced when its service does not set
        C(deploy.update_config.order).
      - V(start-first) starts the new container beside the old one, waits until it is healthy,
        then removes the old one. Services with C(container_name) or a fixed host port cannot do
        that and fall back to V(stop-first); setting start-first on them explicitly is an error.
      - With start-first, C(deploy.update_config.failure_action) defaults to C(rollback), so a new
        container that does not become healthy is removed and the old one keeps running.
    type: str
    choices: [stop-first, start-first]
    default: stop-first
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of
        services' C(environment) variables (C(env_file) ones included), C(labels) and
        C(build.args) whose values are secrets.
      - Built in, names containing C(PASSWORD), C(PASSWD), C(PASSPHRASE), C(SECRET), C(TOKEN),
        C(CREDENTIAL), C(API_KEY), C(APIKEY), C(PRIVATE_KEY), C(ACCESS_KEY), C(BASICAUTH), or with a word
        C(PASS), C(PWD), C(AUTH) or C(AUTHORIZATION), are secrets (not C(PWD) itself, nor names
        ending in C(_FILE), which hold a path); so are the password of a URL
        (C(scheme://user:password@host)) in any value, and the values of top-level C(secrets) and
        C(configs) given by C(environment) or C(content).
      - Such values never appear in the result, the diff, errors or C(-vvv) output. They show as
        C(********) where the collection prints the setting (an inline O(definition) in the
        invocation); values of 6 characters or more (other than true, false, yes, no, on, off) are
        also masked wherever else they appear (engine errors, warnings). The content of C(file)
        secrets is never read by the module (the file is mounted).
    type: list
    elements: str
    default: []
notes:
  - Supported on Docker Engine API 1.41 (Docker 20.10) and newer. A setting the engine's API
    version lacks (an engine would silently drop it), such as healthcheck C(start_interval) (API
    1.44, Engine 25), fails before any change, naming its path and both API versions.
  - Secrets and configs from files are bind-mounted read-only; inline ones (C(content),
    C(environment)) are copied into the container before it starts.
seealso:
  - module: goship.containers.compose_info
"""

EXAMPLES = r"""
- name: Deploy the project in /srv/shop and wait until it is healthy
  goship.containers.compose:
    project_src: /srv/shop
    wait: true

- name: Zero-downtime update of the services behind a proxy
  goship.containers.compose:
    project_src: /srv/shop
    update_order: start-first
    wait: true

- name: Scale the worker service to 3 containers
  goship.containers.compose:
    project_src: /srv/shop
    scale:
      worker: 3

- name: An inline project
  goship.containers.compose:
    project_name: hello
    definition:
      services:
        web:
          image: nginx:1.27
          ports: ["127.0.0.1:8080:80"]

- name: Remove a project by name, keeping its volumes
  goship.containers.compose:
    project_name: shop
    state: absent
"""

RETURN = r"""
project:
  description: The project name.
  returned: always
  type: str
  sample: shop
actions:
  description:
    - What was done (or would be done in check mode), each with its reason, in order.
    - A list of texts. community.docker's docker_compose_v2 returns dictionaries (C(what), C(id),
      C(status)) under this name; their counterpart here is RV(plan) (C(kind), C(target), C(service)).
  returned: always
  type: list
  elements: str
  sample: ["recreate (stop-first) shop-web-1: changed: environment, image", "create shop-worker-2: scale up to 2"]
plan:
  description: The plan as data, in execution order.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: build, pull, create_network, recreate_network, create_volume, create, start,
        unpause, recreate, restart, stop, remove, remove_network, remove_volume or remove_image.
      type: str
    target:
      description: The container, network, volume or image name.
      type: str
    reason:
      description: Why.
      type: str
    service:
      description: The service, for container actions.
      type: str
    strategy:
      description: For recreate, stop-first or start-first.
      type: str
    batch:
      description: For recreate, the update batch of its service (1, 2, ...); the recreates of a
        batch run together, C(deploy.update_config.delay) apart from the next batch.
      type: int
services:
  description: Per service, its containers with their state and health after the run.
  returned: always
  type: dict
  sample:
    web:
      replicas: 1
      running: 1
      containers:
        - name: shop-web-1
          id: 0123456789ab
          service: web
          number: 1
          state: running
          status: Up 3 seconds (healthy)
          health: healthy
          exit_code: null
          image: shop-web
          image_id: sha256:0123...
containers:
  description:
    - The project's containers after the run (in check mode, as they are), in the shape of
      C(docker compose ps --format json), as community.docker's docker_compose_v2 returns them.
      One-off containers (C(docker compose run)) are not listed.
    - Read from the containers list the run makes anyway; C(Size) is not returned (the engine
      computes it only on request, at a cost per container).
    - Secret-looking label values and those of O(sensitive_keys) show as C(********).
  returned: always
  type: list
  elements: dict
  contains:
    ID:
      description: The container's full ID.
      type: str
    Name:
      description: The container's name.
      type: str
      sample: shop-web-1
    Names:
      description: The container's names (its name).
      type: list
      elements: str
    Project:
      description: The project name.
      type: str
    Service:
      description: The service.
      type: str
    Image:
      description: The image reference the container was created from (its ID when that tag has
        since moved to another image).
      type: str
    Command:
      description: The command, as the engine lists it.
      type: str
    Created:
      description: When the container was created, in Unix seconds.
      type: int
    CreatedAt:
      description: When the container was created, in the managed host's time zone.
      type: str
      sample: "2026-01-02 12:20:41 +0000 UTC"
    RunningFor:
      description: The container's age in words, as C(docker ps) shows it.
      type: str
      sample: 3 minutes ago
    State:
      description: created, running, paused, restarting, exited, removing or dead.
      type: str
      sample: running
    Status:
      description: The engine's status text.
      type: str
      sample: Up 3 minutes (healthy)
    Health:
      description: healthy, unhealthy, starting, or empty without a healthcheck.
      type: str
    ExitCode:
      description: The exit code of an exited container, else 0.
      type: int
    Labels:
      description: The container's labels (secret values masked).
      type: dict
    Publishers:
      description: Each port of the container; an exposed port that is not published has
        C(PublishedPort) 0 and an empty C(URL).
      type: list
      elements: dict
      contains:
        URL:
          description: The host address the port is bound to.
          type: str
        TargetPort:
          description: The container's port.
          type: int
        PublishedPort:
          description: The host port.
          type: int
        Protocol:
          description: tcp, udp or sctp.
          type: str
    Ports:
      description: The ports as one text, as C(docker ps) shows them.
      type: str
      sample: 127.0.0.1:8080->8080/tcp
    Networks:
      description: The networks the container is attached to.
      type: list
      elements: str
    Mounts:
      description: The volume names and bind sources of its mounts, comma-separated.
      type: str
    LocalVolumes:
      description: How many local volumes it mounts.
      type: str
images:
  description:
    - Per container, the image it runs, in the shape of C(docker compose images --format json), as
      community.docker's docker_compose_v2 returns them. C(Size) is not returned (no request is
      made for it).
  returned: always
  type: list
  elements: dict
  contains:
    ID:
      description: The image ID.
      type: str
      sample: sha256:0123...
    ContainerName:
      description: The container running it.
      type: str
    Repository:
      description: The repository of the reference the container was created from; C(<none>)
        when that tag has moved to another image since.
      type: str
    Tag:
      description: Its tag (C(<none>) likewise).
      type: str
diff:
  description:
    - In diff mode (C(--diff), or C(diff=true) on the task), per service and per network and volume to recreate,
      C(before) and C(after) (see the diff_mode attribute). Check mode returns the same diff.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: Per service (and C(network:<name>), C(volume:<key>)), the state before.
      type: dict
    after:
      description: Per service (and C(network:<name>), C(volume:<key>)), the state after.
      type: dict
  sample:
    before:
      web:
        replicas: 1
        running: 1
        image: shop-web
        image_id: sha256:0123...
        settings:
          environment: {MODE: blue, DB_PASSWORD: "********"}
          ports: [{mode: ingress, host_ip: 127.0.0.1, target: 8080, published: "8080", protocol: tcp}]
    after:
      web:
        replicas: 1
        running: 1
        image: shop-web
        image_id: sha256:4567...
        changed_settings: [environment, ports]
        settings:
          environment: {MODE: green, DB_PASSWORD: "******** (changed)"}
          ports: [{mode: ingress, host_ip: 127.0.0.1, target: 8080, published: "8081", protocol: tcp}]
        actions: ["recreate (stop-first) shop-web-1: changed: environment, ports"]
"""

from typing import Any

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule, sensitive_keys_option
from ansible_collections.goship.containers.plugins.module_utils.secrets import project_secrets


def main() -> None:
    module = SecretAwareModule(
        compose="definition",
        argument_spec=docker_argument_spec(
            project_src=dict(type="path"),
            files=dict(type="list", elements="path"),
            definition=dict(type="dict"),
            project_name=dict(type="str"),
            env_files=dict(type="list", elements="path"),
            profiles=dict(type="list", elements="str"),
            services=dict(type="list", elements="str"),
            dependencies=dict(type="bool", default=True),
            state=dict(type="str", default="present", choices=["present", "stopped", "restarted", "absent"]),
            recreate=dict(type="str", default="auto", choices=["auto", "always", "never"]),
            build=dict(type="str", default="auto", choices=["auto", "always", "never", "policy"]),
            pull=dict(type="str", default="missing", choices=["missing", "always", "never", "policy"]),
            remove_orphans=dict(type="bool", default=False),
            remove_volumes=dict(type="bool", default=False),
            assume_yes=dict(type="bool", default=False),
            remove_images=dict(type="str", choices=["all", "local"]),
            scale=dict(type="dict"),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=120),
            stop_timeout=dict(type="int"),
            update_order=dict(type="str", default="stop-first", choices=["stop-first", "start-first"]),
            lock_timeout=dict(type="int", default=300),
            sensitive_keys=sensitive_keys_option(),
        ),
        mutually_exclusive=[("files", "definition")],
        supports_check_mode=True,
    )
    from ansible_collections.goship.containers.plugins.module_utils.compose import run
    from ansible_collections.goship.containers.plugins.module_utils.images.commands import use_module
    from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
    from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
    from ansible_collections.goship.containers.plugins.module_utils.compose.lock import ProjectBusy
    from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError

    outcome = Outcome(module)
    use_module(module)  # a service built through docker buildx runs the CLI with the module's run_command
    params = module.params
    request = run.ComposeRequest(**{key: params[key] for key in run.ComposeRequest.__dataclass_fields__})
    request.scale = params["scale"] or {}
    try:
        project = run.load(request)  # input errors first, before the engine is contacted
    except (ComposeError, PlanError) as exc:
        outcome.fail(str(exc))
        return
    secret_values = None
    if project is not None:  # env files, interpolation and secrets' environment are read by now
        secret_values = project_secrets(project, module.secret_rule)
        module.protect_values(secret_values)
    client = connect(module)
    try:
        desired, result, lock = run.plan_to_change(client, request, project, module.check_mode,
                                                   None if module.check_mode else outcome.apply,
                                                   module.secret_rule, secret_values)
    except (ComposeError, PlanError, ProjectBusy) as exc:
        outcome.fail(str(exc))
        return
    for warning in result.plan.warnings:
        module.warn(warning)
    outcome.result.update(project=result.project, plan=run.plan_actions(result.plan))
    before = {name: s["before"] for name, s in result.plan.services.items()}
    after = {name: s["after"] for name, s in result.plan.services.items()}
    for key, change in result.plan.networks.items():  # "network:" keeps them apart from services
        before["network:" + key] = change["before"]
        after["network:" + key] = change["after"]
    for key, change in result.plan.volumes.items():
        before["volume:" + key] = change["before"]
        after["volume:" + key] = change["after"]
    outcome.set_diff(before, after)
    if module.check_mode:
        for action in result.plan.describe():
            outcome.apply(action)
        outcome.exit(**_results(module, client, result, refresh=False))
        return
    try:
        listed = run.apply(client, request, project, desired, result, outcome.apply)
    except ExecutionError as exc:
        outcome.fail(str(exc), **_results(module, client, result, refresh=True))
        return
    finally:
        if lock is not None:
            lock.release()
    results = _results(module, client, result, refresh=outcome.changed, listed=listed)
    for name, image_id in run.image_ids_after(results["services"]).items():  # a built or pulled image's ID is known now
        if name in after and str(after[name].get("image_id", "")).startswith("("):
            after[name] = dict(after[name], image_id=image_id)
    outcome.set_diff(before, after)
    outcome.exit(**results)


def _results(module: Any, client: Any, result: Any, refresh: bool, listed: Any = None) -> dict[str, Any]:
    """`services`, and docker_compose_v2's `containers` and `images`, from one containers list (the
    plan's when nothing changed, `wait`'s last after changes: no request of their own). Label values
    are masked."""
    from ansible_collections.goship.containers.plugins.module_utils.compose import cli_view, run
    containers = run.current_containers(client, result, refresh, listed)
    return dict(services=run.report(client, result, refresh, containers),
                containers=cli_view.ps_entries(result.project, containers, module.masked_labels),
                images=cli_view.image_entries(containers))


if __name__ == "__main__":
    main()
