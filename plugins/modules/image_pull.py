#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_pull
short_description: Pull a Docker image from its registry
version_added: 0.1.0
description:
  - Pulls O(name) from its registry, with community.docker's C(docker_image_pull) option names.
  - The task reports a change only when the image O(name) points at changed (a new image was pulled).
  - Credentials come from the managed host's Docker config (see M(goship.containers.login)).
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
  - goship.containers.image_split
options:
  name:
    description:
      - The image, as C(repository[:tag]) or C(repository@sha256:…) (exactly that image; O(tag) is
        then not used).
    type: str
    required: true
  pull:
    description:
      - V(always) asks the registry every run (a change only when the image ID changed).
      - V(not_present) pulls only when the engine has no image O(name).
    type: str
    default: always
    choices: [always, not_present]
  platform:
    description:
      - Not supported; a task that sets it fails naming it, and nothing is pulled. The engine here
        pulls only its own platform, and no registry with other platforms' images is available to
        test it.
    type: str
attributes:
  check_mode:
    support: full
    description: >-
      No pull is sent; with O(pull=always) the registry is asked for the manifest digest it serves
      for O(name), and the run is a change unless that digest is among the local image's
      C(RepoDigests); with O(pull=not_present) a change only when the image is missing.
  diff_mode:
    support: full
    description: The image ID and tags before and after.
seealso:
  - module: goship.containers.image
  - module: goship.containers.login
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Pull when missing
  goship.containers.image_pull:
    name: registry.example.com/shop/web
    tag: "1.4"
    pull: not_present
"""

RETURN = r"""
image:
  description: The image as the engine reports it after the pull (in check mode, before it).
  returned: success
  type: dict
  sample: {Id: "sha256:9f4b…", RepoTags: ["registry.example.com/shop/web:1.4"]}
image_id:
  description: The ID of the image O(name) points at after the run.
  returned: success
  type: str
actions:
  description: What was done (or would be, in check mode), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["pull registry.example.com/shop/web:1.4"]
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import run_image_module
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.images.compat import pull_params, returning


def main():
    module = SecretAwareModule(
        argument_spec=docker_argument_spec(
            name=dict(type="str", required=True),
            tag=dict(type="str"),
            pull=dict(type="str", default="always", choices=["always", "not_present"]),
            platform=dict(type="str"),
        ),
        supports_check_mode=True)
    run_image_module(module, connect, Outcome(module), translate=pull_params, reshape=returning("image", "image_id"))


if __name__ == "__main__":
    main()
