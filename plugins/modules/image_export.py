#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_export
short_description: Write local Docker images to a docker save archive, only when it lacks them
version_added: 0.1.0
description:
  - Writes the local images O(names) as one C(docker save) archive O(path), with community.docker's
    C(docker_image_export) option names.
  - The archive is rewritten only when it does not hold every image ID of O(names) already (its
    C(manifest.json) is read), or with O(force=true). It is written atomically (a temporary file in
    the same directory, then renamed).
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
  - goship.containers.image_split
options:
  names:
    description:
      - The images to export, as C(repository[:tag]) (see O(tag)) or full IDs (C(sha256:…)). Each
        must be on the engine.
    type: list
    elements: str
    required: true
    aliases: [name]
  path:
    description:
      - The archive file to write, on the managed host. Required.
    type: path
  force:
    description:
      - Write the archive even when it already holds the images.
    type: bool
    default: false
  platform:
    description:
      - Not supported (it needs Engine API 1.48; the engine here speaks 1.41); a task that sets it
        fails naming it, and nothing is written.
    type: str
attributes:
  check_mode:
    support: full
    description: Reads the archive's manifest and compares; nothing is written.
  diff_mode:
    support: none
    description: No diff is returned; RV(actions) says what was (or would be) done.
seealso:
  - module: goship.containers.image_load
  - module: goship.containers.image
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Ship the app's images as one archive
  goship.containers.image_export:
    names:
      - shop/web:1.4
      - shop/worker:1.4
    path: /var/cache/images/shop.tar
"""

RETURN = r"""
images:
  description: The inspect data of the exported images, in O(names) order.
  returned: success
  type: list
  elements: dict
  sample: [{Id: "sha256:9f4b…", RepoTags: ["shop/web:1.4"]}]
archive_written:
  description: Whether O(path) was (re)written.
  returned: success
  type: bool
actions:
  description: What was done (or would be, in check mode), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["save shop/web:1.4, shop/worker:1.4 to /var/cache/images/shop.tar (mode 0644)"]
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import run_image_module
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.images.compat import export_params, returning


def main():
    module = SecretAwareModule(
        argument_spec=docker_argument_spec(
            names=dict(type="list", elements="str", required=True, aliases=["name"]),
            tag=dict(type="str"),
            path=dict(type="path"),
            force=dict(type="bool", default=False),
            platform=dict(type="str"),
        ),
        supports_check_mode=True)
    run_image_module(module, connect, Outcome(module), translate=export_params,
                     reshape=returning("images", "archive_written"),
                     renames={"archive_path": "path", "name": "names[0]"})


if __name__ == "__main__":
    main()
