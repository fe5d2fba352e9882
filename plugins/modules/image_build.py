#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_build
short_description: Build a Docker image from a Dockerfile, only when its inputs changed
version_added: 0.1.0
description:
  - Builds the image O(name) from the context O(path), with community.docker's C(docker_image_build)
    option names. The build is the one of M(goship.containers.image) with O(goship.containers.image#module:source=build),
    content-addressed (the digest of the context after C(.dockerignore), the Dockerfile, O(args),
    O(target) and O(labels) decides whether a build runs), and the tag only moves when the built
    image differs in content.
  - Runs the engine's classic builder, and C(docker buildx) on the managed host for a Dockerfile that
    needs BuildKit (see M(goship.containers.image)); a BuildKit-only Dockerfile without buildx fails
    before anything runs, naming its lines.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
  - goship.containers.image_split
options:
  name:
    description:
      - The image to build, as C(repository[:tag]) (see O(tag)).
    type: str
    required: true
  path:
    description:
      - The build context directory on the managed host.
    type: path
    required: true
  dockerfile:
    description:
      - The Dockerfile, relative to O(path) or absolute; C(Dockerfile) in O(path) by default.
    type: str
  args:
    description:
      - Build arguments (C(ARG)); numbers are converted to strings. Part of the build digest.
      - Build arguments are recorded in the image's history; they are no place for a secret.
    type: dict
  target:
    description:
      - The stage of a multi-stage Dockerfile to build. Part of the build digest.
    type: str
  labels:
    description:
      - Labels added to the image. Part of the build digest.
    type: dict
  network:
    description:
      - The network of the C(RUN) steps (V(host), V(none) or a network name). Not part of the digest.
    type: str
  pull:
    description:
      - Ask the engine to pull newer base images during a build.
    type: bool
    default: false
  nocache:
    description:
      - Build without the builder's cache (when a build runs at all, see O(rebuild)).
    type: bool
    default: false
  cache_from:
    description:
      - Images the builder may use as cache sources.
    type: list
    elements: str
  etc_hosts:
    description:
      - Extra C(/etc/hosts) entries of the build containers, host name to IP address (or
        V(host-gateway)). Not part of the build digest; classic builder only (a Dockerfile that needs
        buildx fails naming the option).
    type: dict
  shm_size:
    description:
      - Size of C(/dev/shm) of the build containers, such as V(128M) or a number of bytes. Not part of
        the build digest; classic builder only.
    type: str
  rebuild:
    description:
      - V(auto) builds when the build digest differs from what built the image O(name) points at (the
        default here; community.docker's default is V(never)).
      - V(never) builds only when O(name) does not exist (community.docker's default).
      - V(always) sends a build request every run; the task reports a change only when the tag moved.
    type: str
    default: auto
    choices: [auto, never, always]
  platform:
    description:
      - Not supported; a task that sets it fails naming it, and nothing is built. The engine here
        builds only its own platform, and no registry with other platforms' images is available to
        test it.
    type: list
    elements: str
  secrets:
    description:
      - Not supported (BuildKit secrets); a task that sets it fails naming it. Give the secret to the
        container when it runs instead.
    type: list
    elements: dict
  outputs:
    description:
      - Not supported; a task that sets it fails naming it. The image is tagged O(name) on the engine;
        use M(goship.containers.image_export) to write an archive and M(goship.containers.image_push)
        to push.
    type: list
    elements: dict
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns) of O(args) and O(labels) whose values are secrets,
        besides the names that look secret; their values never appear in results or errors.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Computes the digest and compares; no build or tag is sent.
  diff_mode:
    support: full
    description: The image ID, tags and build digest before and after.
seealso:
  - module: goship.containers.image
  - module: goship.containers.image_push
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Build the app image when (and only when) its inputs changed
  goship.containers.image_build:
    name: shop/web
    tag: "1.4"
    path: /srv/shop/web
    args:
      GO_VERSION: "1.19"
    etc_hosts:
      proxy.internal: 10.0.0.5
"""

RETURN = r"""
image:
  description: The image as the engine reports it after the build (null in check mode before a build).
  returned: success
  type: dict
  sample: {Id: "sha256:9f4b…", RepoTags: ["shop/web:1.4"]}
actions:
  description: What was done (or would be, in check mode), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["build shop/web:1.4 (inputs digest 3be2a1f0c9d8)", "tag 9f4b2c0e5a3d as shop/web:1.4"]
image_id:
  description: The ID O(name) points at after the run (null in check mode before a build).
  returned: success
  type: str
build_skipped:
  description: True when no build request was sent (the digest matched).
  returned: success
  type: bool
build_digest:
  description: The build-inputs digest.
  returned: success
  type: str
stdout:
  description: The builder's whole output, when a build ran.
  returned: when a build ran
  type: str
build_log:
  description: The last 40 lines of the builder's output, when a build ran.
  returned: when a build ran
  type: list
  elements: str
failed_step:
  description: The Dockerfile step that failed, as the builder printed it.
  returned: on a failed build
  type: str
build_output:
  description: The failed step's output (last 40 lines) and the builder's error.
  returned: on a failed build
  type: list
  elements: str
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.images.compat import build_params, returning
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import run_image_module
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule


def main():
    module = SecretAwareModule(
        argument_spec=docker_argument_spec(
            name=dict(type="str", required=True),
            tag=dict(type="str"),
            path=dict(type="path", required=True),
            dockerfile=dict(type="str"),
            args=dict(type="dict"),
            target=dict(type="str"),
            labels=dict(type="dict"),
            network=dict(type="str"),
            pull=dict(type="bool", default=False),
            nocache=dict(type="bool", default=False),
            cache_from=dict(type="list", elements="str"),
            etc_hosts=dict(type="dict"),
            shm_size=dict(type="str"),
            rebuild=dict(type="str", default="auto", choices=["auto", "never", "always"]),
            platform=dict(type="list", elements="str"),
            secrets=dict(type="list", elements="dict", no_log=True),
            outputs=dict(type="list", elements="dict"),
            sensitive_keys=dict(type="list", elements="str", default=[], no_log=False),
        ),
        supports_check_mode=True, maps={"args": None, "labels": None})
    run_image_module(module, connect, Outcome(module), translate=build_params, reshape=returning(
        "image", "image_id", "build_skipped", "build_digest", "stdout", "build_log",
        "failed_step", "build_output"))


if __name__ == "__main__":
    main()
