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
options:
  name:
    description: Name of the container.
    type: str
    required: true
  image:
    description:
      - Image reference (C(repo:tag) or an image ID). Required to create the container.
      - The container is compared by the ID the reference resolves to, so a re-tagged image
        recreates the container.
    type: str
  state:
    description:
      - V(started) creates the container when needed and makes sure it runs.
      - V(present) creates it when needed but does not start it (a recreated container is started
        when the old one was running).
      - V(stopped) creates it when needed and makes sure it does not run.
      - V(healthy) is V(started), then waits up to O(healthy_wait_timeout) seconds for the
        healthcheck to report healthy, as long as it reports C(starting). It fails at once, without
        waiting out the timeout, when the health status turns C(unhealthy), when the container
        exits, or when its restart policy restarts it; the message names the container, its status
        and the last health checks (exit code and output), also returned as RV(health_log).
      - V(absent) stops and removes it.
    type: str
    choices: [absent, present, started, stopped, healthy]
    default: started
  pull:
    description:
      - As docker_container's O(pull) (community.docker 3.8.0 and later).
      - V(missing) (or V(false)) pulls the image only when it is not present locally.
      - V(always) (or V(true)) pulls it on every run; the container is recreated only when the pull
        brought an image with another ID, and a pull that brought nothing new is no change.
      - V(never) never pulls, and fails when the image is not present locally.
      - An image given by ID is never pulled (this option is ignored).
      - The pull happens before any other write call. When it fails, the task fails naming the image
        and the registry's error, and nothing is created or changed. Check mode never pulls.
      - Registry credentials come from the managed host's Docker config (M(goship.containers.login)).
    type: raw
    default: missing
  pull_check_mode_behavior:
    description:
      - What check mode reports for O(pull=always), as docker_container does (whether a pull would
        bring a new image cannot be known without pulling).
      - V(image_not_present) reports a pull only when the image is not present locally.
      - V(always) always reports a pull (and so a change).
    type: str
    choices: [image_not_present, always]
    default: image_not_present
  command:
    description: Command (CMD) to run, as a string (split like a shell does) or a list.
    type: raw
  entrypoint:
    description: Entrypoint, as a list (or a string split like a shell does).
    type: list
    elements: str
  env:
    description:
      - Environment variables. Values are converted to strings; quote booleans.
      - Compared with the container's environment after merging the image's environment.
    type: dict
  env_file:
    description: File of C(KEY=VALUE) lines on the managed host; O(env) wins over it.
    type: path
  published_ports:
    description:
      - Ports to publish, C([host_ip:][host_port[-range]:]container_port[-range][/protocol]),
        such as C(127.0.0.1:8080:80), C(8000-8001:80-81/udp) or C(80) (random host port).
      - V(all) publishes every exposed port on a random host port.
    type: list
    elements: str
    aliases: [ports]
  exposed_ports:
    description: Ports to expose without publishing, C(port[-range][/protocol]).
    type: list
    elements: str
    aliases: [expose]
  volumes:
    description:
      - Volumes and bind mounts, C(/target) (anonymous volume), C(name:/target[:mode]) (named
        volume) or C(/host/path:/target[:mode]) (bind), as C(docker run -v).
      - The mode is a comma separated list, as the engine takes it, such as C(ro,Z) or C(rw,rshared) -
        one of C(ro) and C(rw); C(nocopy) (volumes only); one bind propagation (C(rprivate),
        C(private), C(rshared), C(shared), C(rslave), C(slave); binds only); one SELinux label, C(z)
        (shared) or C(Z) (private), which the engine applies only when its SELinux support is
        enabled and otherwise accepts and ignores; C(consistent), C(cached) and C(delegated) are
        accepted and ignored, as the engine on Linux does. The order of the flags does not matter.
      - As with C(docker run -v), the engine creates the host path of a bind mount when it is
        missing (an empty directory owned by root). Use O(mounts) with C(type=bind) to refuse a
        missing host path instead.
    type: list
    elements: str
  mounts:
    description:
      - Mounts with options that the O(volumes) syntax cannot express, as C(docker run --mount).
      - A C(type=bind) mount needs its host path to exist, as with C(docker run --mount) - the engine
        refuses to create the container otherwise and the task fails naming C(mounts[N].source),
        with nothing created or changed (a recreate leaves the old container as it was).
    type: list
    elements: dict
    suboptions:
      target:
        description: Path inside the container.
        type: str
        required: true
      source:
        description: Host path (bind) or volume name (volume; empty for an anonymous volume).
        type: str
      type:
        description: Kind of mount.
        type: str
        choices: [bind, volume, tmpfs]
        default: volume
      read_only:
        description: Mount read-only.
        type: bool
        default: false
      propagation:
        description: Bind propagation.
        type: str
        choices: [rprivate, private, rshared, shared, rslave, slave]
      no_copy:
        description: Do not copy the image's data into a new volume.
        type: bool
        default: false
      volume_driver:
        description: Driver of the volume.
        type: str
      volume_options:
        description: Driver options of the volume.
        type: dict
      tmpfs_size:
        description: Size of a tmpfs mount, such as C(64m).
        type: str
      tmpfs_mode:
        description: Octal mode of a tmpfs mount, such as C(1777).
        type: str
  tmpfs:
    description: tmpfs mounts, C(/path[:size=64m,mode=1777])
    type: list
    elements: str
  networks:
    description:
      - Networks to connect the container to. The first one (or O(network_mode)) is joined when
        the container is created, the others right after.
      - By default (C(comparisons.networks=allow_more_present)) other networks the container is on
        are left alone; with C(strict) it is disconnected from them.
    type: list
    elements: dict
    suboptions:
      name:
        description: Network name.
        type: str
        required: true
      aliases:
        description: Network-scoped aliases.
        type: list
        elements: str
      ipv4_address:
        description: Fixed IPv4 address.
        type: str
      ipv6_address:
        description: Fixed IPv6 address.
        type: str
      links:
        description: Links, C(container) or C(container:alias).
        type: list
        elements: str
  network_mode:
    description: V(bridge), V(host), V(none), C(container:NAME) or a network name. Defaults to the first of O(networks).
    type: str
  restart_policy:
    description: Restart policy; changed in place with the update API.
    type: str
    choices: ['no', on-failure, always, unless-stopped]
  restart_retries:
    description: Maximum restarts with O(restart_policy=on-failure).
    type: int
  restart:
    description: Restart the container even when nothing changed (when it is not recreated).
    type: bool
    default: false
  recreate:
    description: Recreate the container even when nothing changed.
    type: bool
    default: false
  comparisons:
    description:
      - How each option is compared with the existing container, by option name, V(strict),
        V(ignore) or V(allow_more_present) (dicts and lists may hold more than given); C(*) sets
        the default for all options.
      - Defaults are V(strict) for every option except C(networks) (V(allow_more_present)). The image is
        compared by ID (V(strict)) or not at all (V(ignore)).
      - C(volumes), C(mounts) and C(tmpfs) are compared together as C(mounts).
      - Changes of CPU (O(cpus), O(cpu_shares), O(cpu_period), O(cpu_quota), O(cpuset_cpus),
        O(cpuset_mems)), O(blkio_weight), memory, O(pids_limit) and the restart policy are applied in
        place; other differences recreate the container.
    type: dict
  labels:
    description: Labels; compared after merging the image's labels.
    type: dict
  healthcheck:
    description: Healthcheck; unset fields are taken from the image's healthcheck. C(test=[NONE]) disables it.
    type: dict
    suboptions:
      test:
        description: A string (run by the shell, C(CMD-SHELL)) or a list (exec form, C(CMD) added when missing).
        type: raw
      interval:
        description: Time between checks, such as C(30s), C(1m30s) or C(500ms).
        type: str
      timeout:
        description: Time a check may take.
        type: str
      retries:
        description: Consecutive failures that make the container unhealthy.
        type: int
      start_period:
        description: Grace period after the start during which failures do not count.
        type: str
  memory:
    description: Memory limit, such as C(512m) or C(1g); changed in place.
    type: str
  memory_reservation:
    description: Soft memory limit; changed in place.
    type: str
  memory_swap:
    description: Memory plus swap limit, or C(-1) for unlimited swap; changed in place.
    type: str
  cpus:
    description: Number of CPUs, such as C(0.5); changed in place.
    type: float
  cpu_shares:
    description: Relative CPU weight; changed in place.
    type: int
  pids_limit:
    description: Maximum number of processes, C(-1) for unlimited; changed in place.
    type: int
  log_driver:
    description: Logging driver, such as C(json-file) or C(local).
    type: str
  log_options:
    description: Options of the logging driver.
    type: dict
    aliases: [log_opt]
  user:
    description: User (and group), C(name), C(uid) or C(uid:gid).
    type: str
  working_dir:
    description: Working directory.
    type: str
  hostname:
    description: Host name of the container.
    type: str
  domainname:
    description: Domain name of the container.
    type: str
  etc_hosts:
    description: Extra C(/etc/hosts) entries, host name to IP address.
    type: dict
  dns_servers:
    description: DNS servers.
    type: list
    elements: str
  dns_search_domains:
    description: DNS search domains.
    type: list
    elements: str
  dns_opts:
    description: DNS resolver options.
    type: list
    elements: str
  capabilities:
    description: Capabilities to add, such as C(NET_ADMIN).
    type: list
    elements: str
    aliases: [cap_add]
  cap_drop:
    description: Capabilities to drop.
    type: list
    elements: str
  privileged:
    description: Run privileged.
    type: bool
  devices:
    description: Host devices, C(/dev/host[:/dev/container[:rwm]]).
    type: list
    elements: str
  ulimits:
    description: Resource limits, C(name:soft[:hard]), such as C(nofile:1024:2048).
    type: list
    elements: str
  sysctls:
    description: Namespaced kernel parameters.
    type: dict
  read_only:
    description: Mount the root filesystem read-only.
    type: bool
  init:
    description: Run an init process as PID 1 that forwards signals and reaps zombies.
    type: bool
  security_opts:
    description: Security options, such as C(no-new-privileges).
    type: list
    elements: str
  shm_size:
    description: Size of C(/dev/shm), such as C(64m).
    type: str
  stop_timeout:
    description: Seconds to wait for the container to stop before it is killed; stored on the container.
    type: int
  stop_signal:
    description: Signal that stops the container, such as C(SIGTERM).
    type: str
  tty:
    description: Allocate a pseudo-TTY.
    type: bool
  interactive:
    description: Keep stdin open.
    type: bool
  auto_remove:
    description: Let the engine remove the container when it exits.
    type: bool
  detach:
    description:
      - With V(false), wait for a container this task started to exit and return its output in
        RV(output); a non-zero exit status fails the task.
    type: bool
    default: true
  cleanup:
    description: With O(detach=false), remove the container after it exited.
    type: bool
    default: false
  keep_volumes:
    description:
      - Keep the container's anonymous volumes when it is removed or recreated.
      - With V(true), a recreate hands the old container's anonymous volumes over to the new one (at
        the same C(/target) entries of O(volumes) and O(mounts), and at the image's C(VOLUME) paths
        no mount covers), as C(docker compose up) does, so their data survives. The new container
        mounts them by name; they are still compared as the anonymous volumes asked for.
      - With V(false), a recreate gives the new container new, empty anonymous volumes (as
        C(docker compose up --renew-anon-volumes)), and removing or recreating the container removes
        its anonymous volumes, those handed over by name included; a volume another container
        still uses is kept.
    type: bool
    default: true
  healthy_wait_timeout:
    description:
      - Seconds O(state=healthy) waits for the container to become healthy while its health is
        C(starting). It does not wait for a container that is C(unhealthy), exited or restarting.
    type: float
    default: 300
  observed_state:
    description:
      - Plan against engine state read elsewhere instead of connecting to an engine; the task
        must run in check mode (C(check_mode=true)), since applying needs the engine.
      - A dict with the engine's own JSON answers, each V(null) when the engine answered 404 -
        C(container), the container's inspect data (C(GET /containers/{name}/json)); C(image),
        the inspect data of O(image) (C(GET /images/{image}/json)); C(version), optional,
        C(GET /version) (without it, API 1.41 is assumed for options that need a newer API).
      - The verdict, RV(actions) and RV(container) are those a check-mode run on the engine itself
        would give.
      - A plan that needs anything else from the engine (another container or image) fails.
      - O(plan_on_controller) reads this state on the managed host and fills it in.
    type: dict
  plan_on_controller:
    description:
      - In check mode, read the engine state on the managed host with a few lines of standard
        library Python over the task's connection (the container's and the image's inspect JSON,
        over the engine's unix socket, which is O(docker_host), else the host's E(DOCKER_HOST), else
        C(/var/run/docker.sock)) and plan against it on the controller as O(observed_state),
        instead of running the module on the host. The result is the same; the host runs no
        module, so probing a fleet costs each host one short command.
      - Needs check mode (C(check_mode=true)), ansible-core 2.19 or newer on the controller (with
        older versions the module plans on the host as usual) and an engine on a unix socket.
    type: bool
    default: false
  cpu_period:
    description: Length of a CPU CFS period in microseconds (1000 to 1000000); changed in place. Not with O(cpus).
    type: int
  cpu_quota:
    description:
      - CPU time in microseconds the container may use per O(cpu_period) (1000 or more, C(-1) for
        unlimited); changed in place. Not with O(cpus).
    type: int
  cpuset_cpus:
    description: CPUs the container may run on, such as C(0-3) or C(0,2); changed in place.
    type: str
  cpuset_mems:
    description: Memory nodes the container may use, such as C(0); changed in place.
    type: str
  blkio_weight:
    description:
      - Relative block I/O weight, 10 to 1000; changed in place.
      - Kernels without the blkio weight controller discard it (the engine warns).
    type: int
  device_read_bps:
    description: Read limits in bytes per second per block device; the rate is a size such as C(1m).
    type: list
    elements: dict
    suboptions:
      path:
        description: Absolute path of the block device on the host, such as C(/dev/vda).
        type: str
        required: true
      rate:
        description: Bytes per second (a size such as C(10m)) or, for the C(_iops) options, operations per second.
        type: str
        required: true
  device_write_bps:
    description: Write limits in bytes per second per block device.
    type: list
    elements: dict
    suboptions:
      path:
        description: Absolute path of the block device on the host, such as C(/dev/vda).
        type: str
        required: true
      rate:
        description: Bytes per second (a size such as C(10m)) or, for the C(_iops) options, operations per second.
        type: str
        required: true
  device_read_iops:
    description: Read limits in operations per second per block device.
    type: list
    elements: dict
    suboptions:
      path:
        description: Absolute path of the block device on the host, such as C(/dev/vda).
        type: str
        required: true
      rate:
        description: Bytes per second (a size such as C(10m)) or, for the C(_iops) options, operations per second.
        type: str
        required: true
  device_write_iops:
    description: Write limits in operations per second per block device.
    type: list
    elements: dict
    suboptions:
      path:
        description: Absolute path of the block device on the host, such as C(/dev/vda).
        type: str
        required: true
      rate:
        description: Bytes per second (a size such as C(10m)) or, for the C(_iops) options, operations per second.
        type: str
        required: true
  oom_score_adj:
    description: OOM killer preference, -1000 to 1000.
    type: int
  oom_killer:
    description:
      - Whether to disable the OOM killer for the container (HostConfig C(OomKillDisable)); the same
        meaning as community.docker's option of this name.
    type: bool
  memory_swappiness:
    description: Memory swappiness, 0 to 100; unset keeps the host's value.
    type: int
  cgroup_parent:
    description: Parent cgroup of the container.
    type: str
  cgroupns_mode:
    description: Cgroup namespace mode (Docker Engine API 1.41 or newer).
    type: str
    choices: [private, host]
  runtime:
    description: OCI runtime, such as C(runc).
    type: str
  userns_mode:
    description: User namespace mode, C(host) or empty.
    type: str
  uts:
    description: UTS namespace mode, such as C(host).
    type: str
  ipc_mode:
    description: IPC namespace mode, such as C(private), C(shareable), C(host) or C(container:<name>).
    type: str
  pid_mode:
    description: PID namespace mode, such as C(host) or C(container:<name>).
    type: str
  groups:
    description: Additional groups the container's process runs with.
    type: list
    elements: str
  mac_address:
    description: MAC address of the container's first network endpoint.
    type: str
  device_cgroup_rules:
    description: Device cgroup rules, such as C(c 1:3 mr).
    type: list
    elements: str
  storage_opts:
    description: Storage driver options, such as C(size=1G) (needs a driver that supports them).
    type: dict
  volumes_from:
    description: Containers to mount all volumes of, as C(name) or C(name:ro).
    type: list
    elements: str
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

- name: Would a deploy change anything? Planned on the controller, no module run on the host
  goship.containers.container:
    name: shop
    image: shop:1.4.3
    state: healthy
    published_ports: ["8080:8080"]
    plan_on_controller: true
  check_mode: true
  register: shop_probe  # shop_probe.actions is empty when the host is current

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
  description: The container's inspect data after the run (empty when absent, or when it would be created in check mode).
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
  description: Exit status of a container run with O(detach=false).
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, NotFound, connect, docker_argument_spec, require_api_version,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_needing_newer_api
from ansible_collections.goship.containers.plugins.module_utils.containers.apply import (
    HealthTimeout, StepFailed, apply_plan, wait_healthy,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.image_pull import parse_pull_policy, resolve_image
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import (
    image_defaults, observed_container, with_image_defaults,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.options import CONTAINER_OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import plan_container, resolve_comparisons
from ansible_collections.goship.containers.plugins.module_utils.engine_snapshot import SnapshotClient, SnapshotError
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome


def _read_env_file(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise OptionError("env_file", "cannot read %s: %s" % (path, exc.strerror))


def _snapshot_client(module, snapshot, spec):
    try:
        return SnapshotClient(snapshot, module.params["name"], spec.image if spec else None)
    except SnapshotError as exc:
        module.fail_json(msg=str(exc))


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


def _run_attached(client, container_id, cleanup):
    status = client.wait(container_id).get("StatusCode")
    output = client.logs(container_id, stdout=True, stderr=True).decode("utf-8", "replace")
    if cleanup:
        client.remove_container(container_id, force=True)
    return status, output


def main():
    module = AnsibleModule(argument_spec=docker_argument_spec(**CONTAINER_OPTIONS), supports_check_mode=True)
    params = module.params
    outcome = Outcome(module)
    state = params["state"]
    spec = None
    try:
        policy = parse_pull_policy(params["pull"])
        comparisons = resolve_comparisons(params.get("comparisons"))
        if params.get("image") and state != "absent":
            env_text = _read_env_file(params["env_file"]) if params.get("env_file") else None
            spec = spec_from_params(params, env_text)
    except (OptionError, ValueError) as exc:
        module.fail_json(msg=str(exc))

    snapshot = params.get("observed_state")
    for option in ("observed_state", "plan_on_controller"):
        if params.get(option) and not module.check_mode:
            module.fail_json(msg="%s: the task only plans, so it must run in check mode (check_mode: true)" % option)
    client = connect(module) if snapshot is None else _snapshot_client(module, snapshot, spec)
    if spec is not None:
        for option, minimum in options_needing_newer_api(spec, client.api_version):
            require_api_version(module, client, option, minimum)
    name = params["name"]
    try:
        found = _inspect_or_none(client.inspect_container, name)
        observed = observed_container(found) if found else None
        desired = image_id = None
        image_volumes = ()
        if spec is not None:
            image = resolve_image(client, outcome, spec.image, policy, params["pull_check_mode_behavior"])
            image_id = image["Id"] if image else None
            defaults = image_defaults(image) if image else None
            image_volumes = defaults.volumes if defaults else ()
            desired = with_image_defaults(spec, defaults) if defaults else spec
        elif state != "absent" and observed is None:
            module.fail_json(msg="image: required to create container %s" % name)
        elif state != "absent":
            comparisons = {key: "ignore" for key in comparisons}
            desired = observed.spec
            image_id = observed.image_id
        plan = plan_container(desired, observed, state, image_id, comparisons,
                              recreate=params["recreate"], restart=params["restart"])
    except (OptionError, SnapshotError) as exc:
        module.fail_json(msg=str(exc))
    except APIError as exc:
        module.fail_json(msg="Reading container %s failed: %s" % (name, exc))

    outcome.set_diff(plan.before, plan.after)
    changed_before = outcome.changed  # a pull that brought a new image
    try:
        container_id = apply_plan(client, plan, spec, observed, outcome.apply,
                                  stop_timeout=spec.stop_timeout if spec else None,
                                  keep_volumes=params["keep_volumes"], image_volumes=image_volumes)
    except StepFailed as exc:
        outcome.changed = changed_before or exc.changed  # a refused create or recreate changed nothing: say so
        outcome.fail(_name_refused_mount(params, str(exc)))

    extra = {}
    if not params["detach"] and "start" in plan.kinds and not outcome.check_mode:
        status, output = _run_attached(client, container_id, params["cleanup"])
        extra = dict(status=status, output=output)
        if status != 0:
            outcome.fail("container %s exited with status %s" % (name, status), **extra)
        if params["cleanup"]:
            outcome.exit(container={}, differences=list(plan.differences), api_requests=client.request_count, **extra)

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
    outcome.exit(container=container, differences=list(plan.differences), api_requests=client.request_count, **extra)


if __name__ == "__main__":
    main()
