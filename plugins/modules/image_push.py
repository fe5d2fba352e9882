#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_push
short_description: Push a Docker image to its registry, idempotent by digest
version_added: 0.1.0
description:
  - Pushes the local image O(name) to its registry, with community.docker's C(docker_image_push)
    option names.
  - Idempotent by digest, as O(goship.containers.image#module:push) of M(goship.containers.image) -
    nothing is sent when the registry already serves this image under O(name) (the manifest digest it
    gives for the name is among the image's C(RepoDigests)); a push after which the registry serves
    the manifest it served before is no change.
  - Credentials come from the managed host's Docker config (see M(goship.containers.login)).
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
  - goship.containers.image_split
options:
  name:
    description:
      - The local image to push, as C(repository[:tag]); the repository names the registry
        (C(registry.example.com/shop/web)). Image IDs and digest references are refused.
    type: str
    required: true
attributes:
  check_mode:
    support: full
    description: Asks the registry for the digest it serves; no push is sent.
  diff_mode:
    support: full
    description: The image ID and tags (a push changes neither).
seealso:
  - module: goship.containers.image
  - module: goship.containers.login
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Push the release to the registry
  goship.containers.image_push:
    name: registry.example.com/shop/web
    tag: "1.4"
"""

RETURN = r"""
image:
  description: The pushed image as the engine reports it.
  returned: success
  type: dict
  sample: {Id: "sha256:9f4b…", RepoTags: ["registry.example.com/shop/web:1.4"]}
pushed:
  description:
    - The manifest digest the registry serves for O(name) (C(digest)) and whether a push was sent
      (C(pushed)). In check mode C(digest) is what the registry serves now.
  returned: success
  type: dict
  sample: {"registry.example.com/shop/web:1.4": {digest: "sha256:5c1f…", pushed: true}}
repo_digest:
  description: C(repository@sha256:…) the registry serves, what a host pulls to get exactly this image.
  returned: success
  type: str
  sample: registry.example.com/shop/web@sha256:5c1f9a0e4b7d…
actions:
  description: What was done (or would be, in check mode), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["push registry.example.com/shop/web:1.4"]
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import run_image_module
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.images.compat import push_params, returning


def main():
    module = SecretAwareModule(
        argument_spec=docker_argument_spec(name=dict(type="str", required=True), tag=dict(type="str")),
        supports_check_mode=True)
    run_image_module(module, connect, Outcome(module), translate=push_params,
                     reshape=returning("image", "pushed", "repo_digest"))


if __name__ == "__main__":
    main()
