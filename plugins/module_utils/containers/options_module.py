# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry entries: the container's identity (name, image) and the options that steer the run
rather than describe the container (state, pull, restart, recreate, comparisons, ...).

Only `name` and `image` fill ContainerSpec fields; the others are read by the module's main()
(plugins/modules/container.py) and are here so the argument spec and the documentation come from
one table."""

from __future__ import annotations

from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import OWN, TEXT, Option

MODULE_OPTIONS: tuple[Option, ...] = (
    Option(
        "name", "Name of the container.", required=True,
        field="name", observe=lambda inspect: (inspect.get("Name") or "").lstrip("/"),
    ),
    Option(
        "image", (
            "Image reference (C(repo:tag) or an image ID). Required to create the container.",
            "The container is compared by the ID the reference resolves to, so a re-tagged image recreates the "
            "container.",
        ),
        field="image", api="Config.Image", codec=TEXT, compare=OWN,
    ),
    Option(
        "state", (
            "V(started) creates the container when needed and makes sure it runs.",
            "V(present) creates it when needed but does not start it (a recreated container is started when the "
            "old one was running).",
            "V(stopped) creates it when needed and makes sure it does not run.",
            "V(healthy) is V(started), then waits up to O(healthy_wait_timeout) seconds for the healthcheck to "
            "report healthy, as long as it reports C(starting). It fails at once, without waiting out the "
            "timeout, when the health status turns C(unhealthy), when the container exits, or when its restart "
            "policy restarts it; the message names the container, its status and the last health checks (exit "
            "code and output), also returned as RV(goship.containers.container#module:health_log).",
            "V(absent) stops and removes it.",
        ),
        choices=("absent", "present", "started", "stopped", "healthy"), default="started",
    ),
    Option(
        "pull", (
            "As docker_container's O(pull) (community.docker 3.8.0 and later).",
            "V(missing) (or V(false)) pulls the image only when it is not present locally.",
            "V(always) (or V(true)) pulls it on every run; the container is recreated only when the pull brought "
            "an image with another ID, and a pull that brought nothing new is no change.",
            "V(never) never pulls, and fails when the image is not present locally.",
            "An image given by ID is never pulled (this option is ignored).",
            "The pull happens before any other write call. When it fails, the task fails naming the image and "
            "the registry's error, and nothing is created or changed. Check mode never pulls.",
            "Registry credentials come from the managed host's Docker config (M(goship.containers.login)).",
        ),
        type="raw", default="missing",
    ),
    Option(
        "pull_check_mode_behavior", (
            "What check mode reports for O(pull=always), as docker_container does (whether a pull would bring a "
            "new image cannot be known without pulling).",
            "V(image_not_present) reports a pull only when the image is not present locally.",
            "V(always) always reports a pull (and so a change).",
        ),
        choices=("image_not_present", "always"), default="image_not_present",
    ),
    Option(
        "image_name_mismatch", (
            "What to do when the image resolves to the container's image ID but the container was created from "
            "another image name (its C(Config.Image)), such as C(app:1) for an image now tagged C(app:stable).",
            "V(recreate) recreates the container, as community.docker's docker_container does by default since its "
            "4.0.0; V(ignore) does not compare the name (only the ID).",
            "Not used when C(comparisons.image) is V(ignore). A name without a tag is the same as with C(:latest).",
        ),
        choices=("recreate", "ignore"), default="recreate",
    ),
    Option(
        "image_comparison", (
            "Which image's defaults (environment, labels, exposed ports, volumes, command, healthcheck) complete "
            "the options before the container is compared, as community.docker's docker_container does.",
            "V(desired-image) uses the image of O(image); V(current-image) the image the existing container was "
            "created from (the image of O(image) when the container does not exist yet, or when its image is gone).",
        ),
        choices=("desired-image", "current-image"), default="desired-image",
    ),
    Option(
        "image_label_mismatch", (
            "With C(comparisons.labels=strict) (or C(*=strict)): V(ignore) compares the labels after merging the "
            "image's labels (those the engine gives the container); V(fail) fails, before any change, when the "
            "image has labels that O(labels) does not list, naming them, as community.docker's docker_container "
            "does. Other comparison modes do not use it.",
        ),
        choices=("ignore", "fail"), default="ignore",
    ),
    Option("restart", "Restart the container even when nothing changed (when it is not recreated).",
           type="bool", default=False),
    Option("recreate", "Recreate the container even when nothing changed.", type="bool", default=False),
    Option(
        "comparisons", (
            "How each option is compared with the existing container, by option name, V(strict), V(ignore) or "
            "V(allow_more_present) (dicts and lists may hold more than given); C(*) sets the default for all "
            "options.",
            "The defaults are community.docker's docker_container's: V(allow_more_present) for the options whose "
            "value is a set or a dictionary (O(env), O(labels), O(published_ports), O(exposed_ports), O(volumes) and "
            "O(mounts), O(networks), O(capabilities), O(cap_drop), O(devices), O(device_requests), the device I/O limits, "
            "O(dns_opts), "
            "O(etc_hosts), O(groups), O(links), O(log_options), O(security_opts), O(storage_opts), O(sysctls), "
            "O(ulimits), O(volumes_from)), V(ignore) for O(stop_timeout), and V(strict) for every other option "
            "(lists such as O(command), O(entrypoint), O(dns_servers) are compared in order). So a label or a "
            "variable removed from the task stays on the container unless it is compared V(strict); "
            "C(comparisons: {'*': strict}) compares every option strictly.",
            "The image is compared by ID (V(strict)) or not at all (V(ignore)); see also O(image_name_mismatch).",
            "C(volumes), C(mounts) and C(tmpfs) are compared together as C(mounts).",
            "Changes of CPU (O(cpus), O(cpu_shares), O(cpu_period), O(cpu_quota), O(cpuset_cpus), "
            "O(cpuset_mems)), O(blkio_weight), memory, O(pids_limit) and the restart policy are applied in "
            "place; other differences recreate the container.",
        ),
        type="dict",
    ),
    Option(
        "detach", ("With V(false), wait for a container this task started to exit and return its output in "
                   "RV(goship.containers.container#module:output); a non-zero exit status fails the task.",),
        type="bool", default=True,
    ),
    Option("cleanup", "With O(detach=false), remove the container after it exited.", type="bool", default=False),
    Option("output_logs", ("With O(detach=false), also write the container's output to the module's log (the managed "
                           "host's syslog or journal, as Ansible's C(module.log) does), as community.docker's "
                           "docker_container does. It is returned in RV(goship.containers.container#module:output) "
                           "either way."),
           type="bool", default=False),
    Option("paused", (
        "V(true) pauses the container's processes (C(docker pause)) once it runs; V(false) unpauses a paused "
        "container. Unset leaves a paused container paused. Only with O(state=started) or O(state=healthy) "
        "(and O(state=present) for a container that runs).",
        "A paused container counts as running for O(state).",
    ), type="bool"),
    Option("force_kill", (
        "Stop the container with a kill (O(kill_signal), by default C(SIGKILL)) instead of a stop, wherever the "
        "task stops it (O(state=stopped), O(state=absent), a recreate), as community.docker's docker_container "
        "does.",
    ), type="bool", default=False, aliases=("forcekill",)),
    Option("kill_signal", ("The signal O(force_kill) sends, such as C(SIGKILL) or C(SIGINT); without O(force_kill) "
                           "the task warns that it is not used (as in community.docker, only a kill uses it)."),),
    Option("removal_wait_timeout", (
        "Seconds to wait, after the engine accepted the removal of a container (O(state=absent), the old "
        "container of a recreate), for it to be gone; the task fails if it is still there then. Unset waits as "
        "long as the removal takes.",
    ), type="float"),
    Option("command_handling", (
        "As community.docker's docker_container's O(command_handling). V(correct) keeps O(command) and "
        "O(entrypoint) as lists (a string is split as a shell does), and an empty list is compared as such.",
        "V(compatibility) joins a list O(command) with spaces and splits it again as a shell does, and an empty "
        "O(command) or O(entrypoint) is the same as not setting it.",
    ), choices=("compatibility", "correct"), default="correct"),
    Option("container_default_behavior", (
        "V(no_defaults) leaves every option that is not set uncompared (the engine's or the image's value).",
        "V(compatibility) gives O(auto_remove), O(init), O(interactive), O(paused), O(privileged), O(read_only) "
        "and O(tty) the value V(false) and O(memory) the value C(0) when they are not set, and compares them, "
        "as community.docker's docker_container did before its 3.0.0.",
    ), choices=("compatibility", "no_defaults"), default="no_defaults"),
    Option("purge_networks", (
        "V(true) disconnects the container from every network O(networks) does not list (the same as "
        "C(comparisons.networks=strict)), as community.docker's docker_container did before its 4.0.0.",
    ), type="bool", default=False),
    Option(
        "keep_volumes", (
            "Keep the container's anonymous volumes when it is removed or recreated.",
            "With V(true), a recreate hands the old container's anonymous volumes over to the new one (at the same "
            "C(/target) entries of O(volumes) and O(mounts), and at the image's C(VOLUME) paths no mount covers), "
            "as C(docker compose up) does, so their data survives. The new container mounts them by name; they "
            "are still compared as the anonymous volumes asked for.",
            "With V(false), a recreate gives the new container new, empty anonymous volumes (as C(docker compose "
            "up --renew-anon-volumes)), and removing or recreating the container removes its anonymous volumes, "
            "those handed over by name included; a volume another container still uses is kept.",
        ),
        type="bool", default=True,
    ),
    Option(
        "healthy_wait_timeout", (
            "Seconds O(state=healthy) waits for the container to become healthy while its health is "
            "C(starting). It does not wait for a container that is C(unhealthy), exited or restarting.",
        ),
        type="float", default=300,
    ),
)
