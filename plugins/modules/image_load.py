#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_load
short_description: Load the images of a docker save archive, only when the engine lacks them
version_added: 0.1.0
description:
  - Loads every image of the C(docker save) archive O(path) (plain or compressed tar), with
    community.docker's C(docker_image_load) option names.
  - The archive is streamed to the engine only when the engine lacks one of the image IDs its
    C(manifest.json) lists; tags of the archive that point elsewhere on the engine are moved back
    without streaming it. So a second run changes nothing.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  path:
    description:
      - The archive to load, on the managed host.
    type: path
    required: true
attributes:
  check_mode:
    support: full
    description: Reads the archive's manifest and compares; nothing is loaded or tagged.
  diff_mode:
    support: none
    description: No diff is returned; RV(actions) says what was (or would be) done.
notes:
  - Runs the same code as M(goship.containers.image) with O(goship.containers.image#module:source=load)
    (one image core); that module also tags one image of the archive with a name of your choice.
seealso:
  - module: goship.containers.image_export
  - module: goship.containers.image
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Load the images shipped as an archive
  goship.containers.image_load:
    path: /var/cache/images/shop.tar
  register: loaded
"""

RETURN = r"""
image_names:
  description: The tags of the archive's images, and the IDs of its images without a tag.
  returned: success
  type: list
  elements: str
  sample: ["shop/web:1.4", "sha256:9f4b2c0e5a3d…"]
images:
  description: The inspect data of the archive's images the engine has after the run (in check mode, those it already had).
  returned: success
  type: list
  elements: dict
  sample: [{Id: "sha256:9f4b…", RepoTags: ["shop/web:1.4"]}]
loaded:
  description: Whether the archive was (or, in check mode, would be) streamed to the engine.
  returned: success
  type: bool
actions:
  description: What was done (or would be, in check mode), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["load /var/cache/images/shop.tar (9f4b2c0e5a3d)"]
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import run_image_module
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.images.compat import load_params, returning


def main():
    module = SecretAwareModule(argument_spec=docker_argument_spec(path=dict(type="path", required=True)),
                               supports_check_mode=True)
    run_image_module(module, connect, Outcome(module), translate=load_params,
                     reshape=returning("image_names", "images", "loaded"), renames={"load_path": "path"})


if __name__ == "__main__":
    main()
