#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_remove
short_description: Remove a Docker image tag, or an image by ID
version_added: 0.1.0
description:
  - Removes the tag O(name) (or the image with that ID), with community.docker's
    C(docker_image_remove) option names. An image that is not there is no error and no change.
  - An image that keeps other tags stays on the engine; only its tag O(name) goes.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
  - goship.containers.image_split
options:
  name:
    description:
      - The tag to remove, as C(repository[:tag]) (see O(tag)), or a full image ID (C(sha256:…)).
    type: str
    required: true
  force:
    description:
      - Remove the image even when containers use it, and (for an ID) with all its tags.
    type: bool
    default: false
  prune:
    description:
      - Also delete the untagged parent images the removal leaves behind (the engine's default);
        V(false) keeps them.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Inspects the image; nothing is removed.
  diff_mode:
    support: full
    description: The image's ID and tags before; nothing after.
seealso:
  - module: goship.containers.image
  - module: goship.containers.prune
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Remove an old release's tag
  goship.containers.image_remove:
    name: shop/web
    tag: "1.3"
"""

RETURN = r"""
image:
  description: The image as the engine reported it before the removal; empty when there was none.
  returned: success
  type: dict
  sample: {Id: "sha256:9f4b…", RepoTags: ["shop/web:1.3"]}
deleted:
  description: The IDs of the images the engine deleted (empty in check mode).
  returned: success
  type: list
  elements: str
  sample: ["sha256:9f4b2c0e5a3d…"]
untagged:
  description: The names the engine untagged (empty in check mode).
  returned: success
  type: list
  elements: str
  sample: ["shop/web:1.3"]
actions:
  description: What was done (or would be, in check mode), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["remove shop/web:1.3"]
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import run_image_module
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.images.compat import remove_params, returning


def main():
    module = SecretAwareModule(
        argument_spec=docker_argument_spec(
            name=dict(type="str", required=True),
            tag=dict(type="str"),
            force=dict(type="bool", default=False),
            prune=dict(type="bool", default=True),
        ),
        supports_check_mode=True)
    run_image_module(module, connect, Outcome(module), translate=remove_params,
                     reshape=returning("image", "deleted", "untagged", removed_as_image=True))


if __name__ == "__main__":
    main()
