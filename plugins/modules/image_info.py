#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_info
short_description: Inspect Docker images by name, ID or label
version_added: 0.1.0
description:
  - Returns the inspect data of the images named in O(name) (names or IDs) and of the images
    matching O(labels), and tells which named images do not exist.
  - Never changes anything.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  name:
    description:
      - Image names (C(repository[:tag])) or IDs (full or short, with or without C(sha256:)).
      - A missing image is not an error; it is listed in RV(missing) and RV(exists) is false.
    type: list
    elements: str
    default: []
  labels:
    description:
      - Also return every image carrying these labels. A value of V(null) matches any value of the key.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
    description: Only reads; runs the same in check mode.
seealso:
  - module: goship.containers.image
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Is the app image there?
  goship.containers.image_info:
    name: shop/web:1.4
  register: web

- name: Images built by the content-addressed builder
  goship.containers.image_info:
    labels:
      goship.build.digest:
  register: built
"""

RETURN = r"""
images:
  description:
    - Inspect data of each image found, named ones first (in O(name) order), then label matches;
      each image once.
  returned: always
  type: list
  elements: dict
  sample: [{Id: "sha256:9f4b…", RepoTags: ["shop/web:1.4"]}]
exists:
  description: True when every image named in O(name) exists (true when O(name) is empty).
  returned: always
  type: bool
missing:
  description: The entries of O(name) the engine has no image for.
  returned: always
  type: list
  elements: str
results:
  description: One entry per O(name) item, with C(name), C(exists) and C(id) (null when missing).
  returned: always
  type: list
  elements: dict
  sample: [{name: "shop/web:1.4", exists: true, id: "sha256:9f4b…"}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, connect, docker_argument_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.images.store import inspect_image


def _label_filters(labels):
    return ["%s=%s" % (key, value) if value is not None else str(key) for key, value in sorted(labels.items())]


def main():
    module = AnsibleModule(
        argument_spec=docker_argument_spec(
            name=dict(type="list", elements="str", default=[]),
            labels=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    names = [n.strip() for n in module.params["name"]]
    for index, name in enumerate(names):
        if not name:
            module.fail_json(msg="name[%d]: empty image name" % index)
    labels = module.params["labels"]
    for key, value in labels.items():
        if isinstance(value, (dict, list)):
            module.fail_json(msg="labels: value of %r must be a string or null" % key)
    client = connect(module)
    images, seen, missing, results = [], set(), [], []
    try:
        for name in names:
            image = inspect_image(client, name)
            results.append(dict(name=name, exists=image is not None, id=image["Id"] if image else None))
            if image is None:
                missing.append(name)
            elif image["Id"] not in seen:
                seen.add(image["Id"])
                images.append(image)
        if labels:
            for summary in client.images(filters={"label": _label_filters(labels)}):
                if summary["Id"] not in seen:
                    seen.add(summary["Id"])
                    image = inspect_image(client, summary["Id"])
                    if image is not None:
                        images.append(image)
    except APIError as exc:
        module.fail_json(msg="inspecting images failed: %s" % getattr(exc, "explanation", exc))
    module.exit_json(changed=False, images=images, exists=not missing, missing=missing, results=results)


if __name__ == "__main__":
    main()
