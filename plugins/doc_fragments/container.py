# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `container` options, documented once: the container module applies them, the container_plan
action plans with them (module_utils/containers/options.py holds the argument spec)."""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
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
        and the last health checks (exit code and output), also returned as
        RV(goship.containers.container#module:health_log).
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
      - The values of variables whose names look secret (C(PASSWORD), C(TOKEN), C(SECRET) ... see
        O(sensitive_keys)) never appear in the result, the diff, errors or C(-vvv) output.
    type: dict
  secret_env:
    description:
      - Environment variables whose values are secrets, merged into O(env). The option is
        C(no_log) - Ansible masks every value in everything the task prints or returns, whatever
        its length - and the names are recorded on the container (label C(io.goship.masked-keys)) so
        later runs, M(goship.containers.container_exec) and M(goship.containers.container_info) mask
        those variables too.
      - A name in both O(env) and O(secret_env) is an error naming the variable.
      - Compared like O(env); the diff shows each value as C(********), and one that changed as C(********) followed by the word C(changed).
    type: dict
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of
        variables in O(env) and O(env_file), and of O(labels), whose values are secrets.
      - Built in, names containing C(PASSWORD), C(PASSWD), C(PASSPHRASE), C(SECRET), C(TOKEN),
        C(CREDENTIAL), C(API_KEY), C(APIKEY), C(PRIVATE_KEY), C(ACCESS_KEY), C(BASICAUTH), or with a word
        C(PASS), C(PWD), C(AUTH) or C(AUTHORIZATION), are secrets (not C(PWD) itself, nor names
        ending in C(_FILE), which hold a path). The password of a URL (C(scheme://user:password@host))
        is masked in any value.
      - Secret values show as C(********) in the result, the diff and the invocation; values of 6
        characters or more (other than true, false, yes, no, on, off) are also masked wherever else
        they appear (command output, engine errors). The names matched here are recorded on the
        container like those of O(secret_env).
    type: list
    elements: str
    default: []
  env_file:
    description:
      - File of C(KEY=VALUE) lines on the managed host; O(env) wins over it.
      - Its values follow the same rule as those of O(env); errors about a line name its number only.
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
    description:
      - Labels; compared after merging the image's labels.
      - Values of labels whose names look secret (see O(sensitive_keys); for example
        C(traefik.http.middlewares.x.basicauth.users)) are masked like those of O(env).
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
        RV(goship.containers.container#module:output); a non-zero exit status fails the task.
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
"""
