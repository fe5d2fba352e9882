#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: prune
short_description: Remove unused containers, images, networks, volumes and builder cache, and keep the last versions of an app
version_added: 0.1.0
description:
  - Runs the engine's prunes, like C(docker container|image|network|volume|builder prune) and
    C(community.docker.docker_prune) (the same options and return values), and adds a retention rule
    for application images, O(keep_versions).
  - Nothing is removed unless asked - every kind defaults to V(false); volumes, which hold data, are
    touched only with O(volumes=true).
  - What would be removed is planned from list calls first; check mode stops there and returns the
    lists. A real run then prunes containers first (so their images, networks and volumes count as
    unused), applies O(keep_versions), then prunes images, networks, volumes and the builder cache,
    and returns what the engine removed.
  - An image that any container uses, running or stopped, is never removed.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  containers:
    description:
      - Remove containers that are not running, paused or restarting.
    type: bool
    default: false
  containers_filters:
    description:
      - Narrow O(containers). Keys - C(until) (a duration before now such as V(24h), a date such as
        V(2026-12-01) or RFC 3339, or a Unix time; only objects created before it), C(label) and
        C(label!) (C(key) or C(key=value), a string or a list).
    type: dict
  images:
    description:
      - Remove images no container uses. Only dangling ones (no tag) unless O(images_filters) has
        C(dangling=false), which removes every image no container uses.
    type: bool
    default: false
  images_filters:
    description:
      - Narrow O(images). Keys - C(dangling) (V(true) by default), C(until), C(label), C(label!), as for
        O(containers_filters).
    type: dict
  networks:
    description:
      - Remove local networks (not C(bridge), C(host) or C(none)) that no running container is attached to.
    type: bool
    default: false
  networks_filters:
    description:
      - Narrow O(networks). Keys - C(until), C(label), C(label!).
    type: dict
  volumes:
    description:
      - Remove volumes no container uses, and their data. With Docker Engine API 1.41 and older the
        engine removes named volumes too; from API 1.42 only anonymous ones unless
        O(volumes_filters) has C(all=true).
    type: bool
    default: false
  volumes_filters:
    description:
      - Narrow O(volumes). Keys - C(label), C(label!), C(all) (API 1.42 and newer).
    type: dict
  builder_cache:
    description:
      - Remove the builder cache (C(POST /build/prune)).
    type: bool
    default: false
  keep_versions:
    description:
      - Retention of application images, per repository - the O(keep_versions[].keep) images most
        recently tagged (the engine's C(LastTagTime), else their creation time; a rollback that
        tags an older image again makes it recent) keep their tags; the tags and digests of older
        images in that repository are removed (never forced), and the engine deletes an image
        whose last reference that was.
      - An older image that any container uses, even a stopped one, is kept (C(in_use) in RV(versions)).
      - Images are compared by ID - several tags of one image are one version.
    type: list
    elements: dict
    default: []
    suboptions:
      repository:
        description:
          - The repository, without a tag (V(shop/web), V(registry.example.com:5000/shop/web)).
        type: str
        required: true
      keep:
        description:
          - How many of the most recent versions keep their tags (0 removes every unused one).
        type: int
        default: 3
attributes:
  check_mode:
    support: full
    description: Lists what would be removed (the engine's rules applied to its list answers); removes nothing.
  diff_mode:
    support: none
    description: Reports what was removed in its return values and RV(actions), not as a diff.
notes:
  - In check mode the lists are this module's reading of the engine's rules; a real run returns
    what the engine removed, which can differ if objects appear or change in between.
  - The go_app role applies O(keep_versions) to its image repository after each successful deploy
    (docs/builds.md in the collection).
seealso:
  - module: goship.containers.image
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Keep the last three versions of the app's image (never one a container uses)
  goship.containers.prune:
    keep_versions:
      - repository: shop/web
        keep: 3

- name: What would a full clean-up remove? (lists only)
  goship.containers.prune:
    containers: true
    images: true
    networks: true
    builder_cache: true
  check_mode: true
  register: would_remove

- name: Remove stopped containers older than a day, and dangling images
  goship.containers.prune:
    containers: true
    containers_filters:
      until: 24h
    images: true

- name: Remove every image no container uses
  goship.containers.prune:
    images: true
    images_filters:
      dangling: false
"""

RETURN = r"""
containers:
  description: IDs of the containers removed (in check mode - that would be removed).
  returned: when O(containers=true)
  type: list
  elements: str
containers_space_reclaimed:
  description: Bytes the engine reclaimed by removing containers.
  returned: when O(containers=true), not in check mode
  type: int
  sample: 0
images:
  description: IDs of the images removed (in check mode - that would be removed).
  returned: when O(images=true)
  type: list
  elements: str
images_space_reclaimed:
  description: Bytes the engine reclaimed by removing images.
  returned: when O(images=true), not in check mode
  type: int
  sample: 0
networks:
  description: Names of the networks removed (in check mode - that would be removed).
  returned: when O(networks=true)
  type: list
  elements: str
volumes:
  description: Names of the volumes removed (in check mode - that would be removed).
  returned: when O(volumes=true)
  type: list
  elements: str
volumes_space_reclaimed:
  description: Bytes the engine reclaimed by removing volumes.
  returned: when O(volumes=true), not in check mode
  type: int
  sample: 0
builder_cache:
  description: IDs of the builder cache entries removed (in check mode - that would be removed).
  returned: when O(builder_cache=true)
  type: list
  elements: str
builder_cache_space_reclaimed:
  description: Bytes the engine reclaimed from the builder cache.
  returned: when O(builder_cache=true), not in check mode
  type: int
  sample: 0
versions:
  description:
    - Per O(keep_versions) rule - C(repository), C(keep), the image IDs C(kept) (the most recent),
      C(in_use) (older, kept because a container uses them) and C(removed), and the C(references)
      (tags and digests) removed.
  returned: always
  type: list
  elements: dict
  sample: [{repository: shop/web, keep: 3, kept: ["sha256:…"], in_use: [], removed: ["sha256:…"], references: ["shop/web:1.1"]}]
actions:
  description: What was removed (or would be in check mode), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["untag shop/web:1.1 (an older version of shop/web; keep 3)", "prune 2 containers: 4f1c2a9d8e7b, 9a8b7c6d5e4f"]
api_requests:
  description: Number of Engine API requests the run made.
  returned: success
  type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.prune.run import prune_options, run_prune_module


def main():
    module = AnsibleModule(argument_spec=docker_argument_spec(**prune_options()), supports_check_mode=True)
    run_prune_module(module, connect, Outcome(module))


if __name__ == "__main__":
    main()
