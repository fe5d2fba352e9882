#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_tag
short_description: Give a local Docker image more names
version_added: 0.1.0
description:
  - Tags the local image O(name) as each of O(repository), with community.docker's
    C(docker_image_tag) option names. A name that already points at the image is no change.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
  - goship.containers.image_split
options:
  name:
    description:
      - The local image to tag, as C(repository[:tag]) (see O(tag)) or its full ID (C(sha256:…)).
    type: str
    required: true
  repository:
    description:
      - The new names, as C(repository[:tag]). A name without a tag gets the tag of O(name) (or O(tag)),
        else V(latest).
    type: list
    elements: str
    required: true
  existing_images:
    description:
      - What to do with a name of O(repository) that already points at another image.
      - V(overwrite) moves it to O(name)'s image; V(keep) leaves it where it is.
    type: str
    default: overwrite
    choices: [keep, overwrite]
attributes:
  check_mode:
    support: full
    description: Compares the names; no tag is sent.
  diff_mode:
    support: full
    description: The image's ID and tags before and after.
seealso:
  - module: goship.containers.image
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Mark the release as stable and latest
  goship.containers.image_tag:
    name: shop/web:1.4
    repository:
      - shop/web:stable
      - registry.example.com/shop/web:1.4
"""

RETURN = r"""
image:
  description: The image O(name) as the engine reports it after the run.
  returned: success
  type: dict
  sample: {Id: "sha256:9f4b…", RepoTags: ["shop/web:1.4", "shop/web:stable"]}
tagged_images:
  description: The names of O(repository) that were (or, in check mode, would be) tagged.
  returned: success
  type: list
  elements: str
  sample: ["shop/web:stable"]
actions:
  description: What was done (or would be, in check mode), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["tag 9f4b2c0e5a3d as shop/web:stable"]
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import run_image_module
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.images.compat import returning, tag_params


def main():
    module = SecretAwareModule(
        argument_spec=docker_argument_spec(
            name=dict(type="str", required=True),
            tag=dict(type="str"),
            repository=dict(type="list", elements="str", required=True),
            existing_images=dict(type="str", default="overwrite", choices=["keep", "overwrite"]),
        ),
        supports_check_mode=True)
    run_image_module(module, connect, Outcome(module), translate=tag_params,
                     reshape=returning("image", "tagged_images"))


if __name__ == "__main__":
    main()
