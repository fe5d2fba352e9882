#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_info
short_description: Facts about a Docker host, and lists of its containers, images, networks and volumes
version_added: 0.1.0
description:
  - Returns the engine's version, API version, operating system and storage driver, and the full
    C(docker info) data.
  - Optionally lists containers, images, networks and volumes, filtered by the engine (for example
    by label), as short summaries or, with O(verbose_output=true), as the engine returns them.
  - Never changes anything.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  containers:
    description:
      - List containers (running ones only, unless O(containers_all=true)) in RV(containers).
    type: bool
    default: false
  containers_all:
    description:
      - With O(containers=true), list stopped containers too.
    type: bool
    default: false
  containers_filters:
    description:
      - Filters for O(containers), as C(docker ps --filter) takes them, such as C(label), C(name),
        C(status), C(ancestor) or C(network).
      - Each value is a string, a list of strings (each must match, for C(label); any may match for
        most others), or a boolean. C(label) also takes a mapping of label names to values, each
        meaning C(name=value).
    type: dict
  images:
    description:
      - List images in RV(images).
    type: bool
    default: false
  images_filters:
    description:
      - Filters for O(images), as C(docker image ls --filter) takes them, such as C(label),
        C(dangling) or C(reference). Values as for O(containers_filters).
    type: dict
  networks:
    description:
      - List networks in RV(networks).
    type: bool
    default: false
  networks_filters:
    description:
      - Filters for O(networks), as C(docker network ls --filter) takes them, such as C(label),
        C(name) (substring match), C(driver) or C(type). Values as for O(containers_filters).
    type: dict
  volumes:
    description:
      - List volumes in RV(volumes).
    type: bool
    default: false
  volumes_filters:
    description:
      - Filters for O(volumes), as C(docker volume ls --filter) takes them, such as C(label),
        C(name), C(driver) or C(dangling). Values as for O(containers_filters).
    type: dict
  disk_usage:
    description:
      - Return the engine's disk usage (C(GET /system/df), C(docker system df)) in RV(disk_usage).
    type: bool
    default: false
  verbose_output:
    description:
      - Return each listed object as the engine's list call returns it, instead of a summary.
      - With O(disk_usage=true), return the whole disk usage, with the images, containers, volumes
        and build cache entries, instead of the size of the image layers alone.
      - Either way, the values of labels whose names look secret (C(PASSWORD), C(TOKEN), C(AUTH) ...,
        as for M(goship.containers.container)'s O(goship.containers.container#module:sensitive_keys)),
        and of those a container's task made secret, show as C(********).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
seealso:
  - module: goship.containers.network
  - module: goship.containers.volume
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Engine facts
  goship.containers.host_info:
  register: docker_host

- name: Fail early on an engine that is too old
  ansible.builtin.assert:
    that: docker_host.engine.api_version is version('1.41', '>=')

- name: The containers and volumes of one app, stopped containers included
  goship.containers.host_info:
    containers: true
    containers_all: true
    containers_filters:
      label: {app: shop}
    volumes: true
    volumes_filters:
      label: app=shop
  register: shop

- name: What every image, container and volume takes on disk (docker system df -v)
  goship.containers.host_info:
    disk_usage: true
    verbose_output: true
  register: usage

- name: How much the image layers take
  ansible.builtin.debug:
    msg: "{{ usage.disk_usage.LayersSize | human_readable }}"

- name: Dangling images, with every field the engine reports
  goship.containers.host_info:
    images: true
    images_filters:
      dangling: true
    verbose_output: true
"""

RETURN = r"""
engine:
  description: The facts most playbooks need, with stable names.
  returned: always
  type: dict
  contains:
    version:
      description: Engine version.
      type: str
      sample: 20.10.24
    api_version:
      description: Newest Engine API version the daemon speaks.
      type: str
      sample: "1.41"
    min_api_version:
      description: Oldest Engine API version the daemon accepts.
      type: str
      sample: "1.12"
    os:
      description: Operating system type of the daemon (C(linux) or C(windows)).
      type: str
      sample: linux
    arch:
      description: Architecture of the daemon.
      type: str
      sample: amd64
    kernel_version:
      description: Kernel version of the host.
      type: str
    operating_system:
      description: Name of the host's operating system.
      type: str
      sample: Debian GNU/Linux 12 (bookworm)
    storage_driver:
      description: Storage driver of the daemon.
      type: str
      sample: overlay2
    cgroup_driver:
      description: Cgroup driver of the daemon.
      type: str
      sample: cgroupfs
    cgroup_version:
      description: Cgroup version of the host.
      type: str
      sample: "1"
    logging_driver:
      description: Default logging driver of containers.
      type: str
      sample: json-file
    docker_root_dir:
      description: Root directory of the daemon's data.
      type: str
      sample: /var/lib/docker
    name:
      description: Host name of the daemon's host.
      type: str
    ncpu:
      description: Number of CPUs.
      type: int
    mem_total:
      description: Total memory in bytes.
      type: int
    swarm_active:
      description: Whether the daemon is an active swarm node.
      type: bool
host_info:
  description: Everything C(GET /info) (C(docker info)) returns.
  returned: always
  type: dict
containers:
  description:
    - Containers matching O(containers_filters). Each has the keys C(Id), C(Names), C(Image), C(State),
      C(Status), C(Created) and C(Labels), or, with O(verbose_output=true), every key the engine returns.
  returned: when O(containers=true)
  type: list
  elements: dict
images:
  description:
    - Images matching O(images_filters), with C(Id), C(RepoTags), C(Created), C(Size) and C(Labels), or
      every key with O(verbose_output=true).
  returned: when O(images=true)
  type: list
  elements: dict
networks:
  description:
    - Networks matching O(networks_filters), with C(Id), C(Name), C(Driver), C(Scope) and C(Labels), or
      every key with O(verbose_output=true).
  returned: when O(networks=true)
  type: list
  elements: dict
volumes:
  description:
    - Volumes matching O(volumes_filters), with C(Name), C(Driver) and C(Labels), or every key with
      O(verbose_output=true).
  returned: when O(volumes=true)
  type: list
  elements: dict
disk_usage:
  description:
    - The engine's disk usage (C(GET /system/df)). Without O(verbose_output), only C(LayersSize);
      with it, every key the engine returns, the lists included (their labels masked as in the other
      lists).
  returned: when O(disk_usage=true)
  type: dict
  contains:
    LayersSize:
      description: Bytes that all image layers take (each layer counted once).
      type: int
      sample: 1092588
    Images:
      description: Each image with C(Id), C(RepoTags), C(Size), C(SharedSize), C(Containers), ...
      type: list
      elements: dict
      returned: with O(verbose_output=true)
    Containers:
      description: Each container with C(Id), C(Names), C(Image), C(SizeRw), C(SizeRootFs), C(State), ...
      type: list
      elements: dict
      returned: with O(verbose_output=true)
    Volumes:
      description: Each volume with C(Name), C(Driver), C(Mountpoint) and C(UsageData) (C(Size), C(RefCount)).
      type: list
      elements: dict
      returned: with O(verbose_output=true)
    BuilderSize:
      description: Bytes that the build cache takes, when the engine reports it.
      type: int
      returned: with O(verbose_output=true), when the engine reports it
    BuildCache:
      description: Each build cache record (BuildKit's), empty when there are none.
      type: list
      elements: dict
      returned: with O(verbose_output=true)
"""

from ansible_collections.goship.containers.plugins.module_utils.client import APIError, connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.engine_info import (
    DISK_USAGE_LISTS, HOST_INFO_OPTIONS, OBJECT_KINDS, OptionError, disk_usage, engine_summary, normalise_filters,
    summarise,
)
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule


def list_objects(client, kind, filters, params):
    if kind == "containers":
        return client.containers(all=params["containers_all"], filters=filters)
    if kind == "images":
        return client.images(filters=filters)
    if kind == "networks":
        return client.networks(filters=filters)
    return client.volumes(filters=filters).get("Volumes") or []


def masked(module, entries):
    """List entries with the values of secret-looking labels masked."""
    return [dict(entry, Labels=module.masked_labels(entry["Labels"])) if isinstance(entry, dict) and "Labels" in entry
            else entry for entry in entries]


def main():
    module = SecretAwareModule(argument_spec=docker_argument_spec(**HOST_INFO_OPTIONS), supports_check_mode=True)
    params = module.params
    try:
        filters = {kind: normalise_filters(kind + "_filters", params[kind + "_filters"]) for kind in OBJECT_KINDS}
    except OptionError as exc:
        module.fail_json(msg=str(exc))
    client = connect(module)
    result = dict(changed=False)
    try:
        info = client.info()
        result.update(engine=engine_summary(client.version(), info), host_info=info)
    except APIError as exc:
        module.fail_json(msg="Reading engine facts failed: %s" % exc)
    for kind in OBJECT_KINDS:
        if not params[kind]:
            continue
        try:
            entries = list_objects(client, kind, filters[kind] or None, params)
        except APIError as exc:
            module.fail_json(msg="%s_filters: the engine rejected the filters: %s" % (kind, exc.explanation or exc))
        result[kind] = masked(module, summarise(kind, entries, params["verbose_output"]))
    if params["disk_usage"]:
        try:
            usage = disk_usage(client.df(), params["verbose_output"])
        except APIError as exc:
            module.fail_json(msg="Reading the engine's disk usage (disk_usage) failed: %s" % exc)
        for kind in DISK_USAGE_LISTS:
            if kind in usage:
                usage[kind] = masked(module, usage[kind])
        result["disk_usage"] = usage
    module.exit_json(**result)


if __name__ == "__main__":
    main()
