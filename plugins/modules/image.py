#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image
short_description: Build, load, pull, tag, save, push and remove Docker images, idempotently
version_added: 0.1.0
description:
  - Makes the image O(name) exist (or not) on the engine, from one source - a build context
    (V(build)), a C(docker save) archive (V(load)), a registry (V(pull)) or an image already on the
    engine (V(local)).
  - "Builds are content-addressed: with O(rebuild=auto) the module hashes every file of the context
    that C(.dockerignore) lets through (relative path, mode, content, symlink target), the Dockerfile,
    O(args), O(target) and O(labels), and stores that digest on the image as the label
    C(goship.build.digest). When the tagged image carries the same digest, no build request is sent
    and the task reports no change. When another local image carries it (for example after a change
    was reverted) that image is tagged again, with no build."
  - When a build runs, the task reports a change only if the tag now points to a different image ID.
  - C(.dockerignore) is honoured with the Docker CLI's rules (comments, C(!) exceptions, C(**),
    parent directories). The Dockerfile and C(.dockerignore) are always sent, as the CLI does.
  - Builds use the engine's classic builder through the Engine API (no BuildKit/buildx features such
    as C(RUN --mount)).
extends_documentation_fragment:
  - goship.containers.docker
options:
  name:
    description:
      - Image name as C(repository[:tag]); the tag defaults to C(latest).
    type: str
    required: true
  state:
    description:
      - V(present) makes the image exist from O(source); V(absent) removes the tag O(name).
      - With V(absent), a missing image is not an error.
    type: str
    default: present
    choices: [present, absent]
  source:
    description:
      - Where the image comes from.
      - V(build) builds from O(path); V(load) loads O(load_path); V(pull) pulls O(name) from its
        registry; V(local) uses an image the engine already has (O(name), or O(from_image) to tag).
      - When not set, V(build) if O(path) is set, V(load) if O(load_path) is set, else V(local).
    type: str
    choices: [build, load, pull, local]
  force:
    description:
      - With O(state=absent), remove the image even when containers use it.
      - With O(state=present), redo the source step even when the engine already has its result
        (the same as O(rebuild=always) for builds, O(pull_policy=always) for pulls; loads the archive
        even when all its images are present), and rewrite O(archive_path).
      - A forced step still reports a change only when an image ID moved or a file was written.
    type: bool
    default: false
  path:
    description:
      - Build context directory (on the managed host). Required for O(source=build).
    type: path
  dockerfile:
    description:
      - Dockerfile, relative to O(path) or absolute; may lie outside the context. Defaults to
        C(Dockerfile) in O(path).
    type: str
  args:
    description:
      - Build arguments (C(ARG)); values are strings (numbers are converted). Part of the build digest.
      - The values of arguments whose names look secret (see O(sensitive_keys)) never appear in
        the result, errors or C(-vvv) output.
      - B(Build arguments are not a safe way to give an image a secret) - the classic builder
        records them in the image's history (C(docker history), and in the inspect data of the
        image's last C(RUN) step) for anyone who can read the image. Prefer giving the secret to
        the container when it runs (M(goship.containers.container)'s C(secret_env), or a Compose
        C(secrets) file).
    type: dict
    default: {}
  secret_args:
    description:
      - Build arguments whose values are secrets, merged into O(args) (C(no_log) - Ansible masks
        every value in everything the task prints or returns, the build log included). A name in
        both is an error. Part of the build digest, like O(args).
      - The image history caveat of O(args) applies to them too.
    type: dict
    default: {}
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of
        O(args) and O(labels) whose values are secrets. Names that look secret are built in, as for
        M(goship.containers.container)'s O(goship.containers.container#module:sensitive_keys).
      - Secret values of 6 characters or more (other than true, false, yes, no, on, off) are also
        masked in RV(build_log) and errors; every secret shows as C(********) in RV(image).
    type: list
    elements: str
    default: []
  target:
    description:
      - Stage of a multi-stage Dockerfile to build. Part of the build digest.
    type: str
  labels:
    description:
      - Labels added to the built image. Part of the build digest.
      - The label C(goship.build.digest) is reserved for the module.
    type: dict
    default: {}
  network:
    description:
      - Network mode of the C(RUN) steps (for example V(host), V(none) or a network name).
    type: str
  pull:
    description:
      - Ask the engine to pull newer base images during the build.
    type: bool
    default: false
  cache_from:
    description:
      - Images the builder may use as cache sources.
    type: list
    elements: str
    default: []
  nocache:
    description:
      - Build without the builder's cache (only when a build runs at all; see O(rebuild)).
    type: bool
    default: false
  extra_tags:
    description:
      - More C(repository[:tag]) names that must point at the same image as O(name).
    type: list
    elements: str
    default: []
  rebuild:
    description:
      - V(auto) builds only when the build digest differs from the image's, as described above.
      - V(always) sends a build request every run (the builder's cache may still make it a no-op).
      - V(never) builds only when O(name) does not exist.
    type: str
    default: auto
    choices: [auto, always, never]
  build_timeout:
    description:
      - Seconds to wait for output of a running build before giving up.
    type: int
    default: 1800
  load_path:
    description:
      - A C(docker save) archive (plain or compressed tar) to load, for O(source=load).
      - The archive is streamed to the engine only when the engine lacks one of the image IDs listed
        in its C(manifest.json) (or with O(force=true)); tags from the archive that point elsewhere
        are moved without streaming it.
      - O(name) must be one of the archive's tags unless the archive holds a single image, which is
        then tagged O(name).
    type: path
  archive_path:
    description:
      - After the image is present, write it (with O(name) and O(extra_tags)) as a C(docker save)
        archive to this file. The file is rewritten only when it does not already hold the image ID.
      - Written atomically (a temporary file in the same directory, then renamed).
    type: path
  pull_policy:
    description:
      - For O(source=pull). V(missing) pulls only when O(name) is not on the engine; V(always) asks
        the registry every run and reports a change only when the image ID changed.
    type: str
    default: missing
    choices: [missing, always]
  from_image:
    description:
      - For O(source=local), an image (name or ID) on the engine to tag as O(name). Moves O(name) when
        it points elsewhere.
    type: str
  push:
    description:
      - Push O(name) and O(extra_tags) to their registry. Skipped for a name whose registry already
        serves the same image (its digest is among the image's C(RepoDigests)).
      - Registry credentials come from the engine's C(docker login) configuration.
      - Not covered by this collection's tests, which run without a registry (only the failure path is).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Computes the digest and compares; no build, load, pull, tag, push or remove is sent.
  diff_mode:
    support: full
    description: Shows the image ID, tags and build digest before and after.
notes:
  - The digest covers only the inputs listed above. A base image changed locally under the same name
    is not detected; use O(rebuild=always) or O(pull=true) to pick it up.
seealso:
  - module: goship.containers.image_info
  - module: goship.containers.go_image
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Build the app image when (and only when) its inputs changed
  goship.containers.image:
    name: shop/web:1.4
    path: /srv/shop/web
    args:
      GO_VERSION: "1.19"
    extra_tags: [shop/web:latest]
    archive_path: /var/cache/images/shop-web.tar

- name: Load an image shipped as an archive (streamed only when the engine lacks it)
  goship.containers.image:
    name: shop/web:1.4
    load_path: /var/cache/images/shop-web.tar

- name: Tag an existing image
  goship.containers.image:
    name: shop/web:stable
    source: local
    from_image: shop/web:1.4

- name: Pull when missing
  goship.containers.image:
    name: registry.example.com/shop/web:1.4
    source: pull

- name: Remove a tag
  goship.containers.image:
    name: shop/web:1.3
    state: absent
"""

RETURN = r"""
image:
  description:
    - The image as the engine reports it (C(GET /images/{name}/json)) after the run; in check mode
      the image that would be tagged, when it exists already. Null when absent.
  returned: always
  type: dict
  sample: {Id: "sha256:9f4b…", RepoTags: ["shop/web:1.4"], Config: {Labels: {goship.build.digest: "sha256:…"}}}
image_id:
  description: ID of the image O(name) points to after the run (null after removal or before a build in check mode).
  returned: always
  type: str
  sample: sha256:9f4b2c0e5a3d…
actions:
  description: What was done (or, in check mode, would be done), one line per step.
  returned: always
  type: list
  elements: str
  sample: ["build shop/web:1.4 (inputs digest 3be2a1f0c9d8)", "tag 9f4b2c0e5a3d as shop/web:1.4"]
build_skipped:
  description: True when no build request was sent (the digest matched, or another source was used).
  returned: always
  type: bool
build_digest:
  description: The build-inputs digest (O(source=build) only).
  returned: always
  type: str
  sample: sha256:3be2a1f0c9d8…
build_log:
  description: The last lines of the builder's output when a build ran.
  returned: when a build ran
  type: list
  elements: str
failed_step:
  description: "The Dockerfile step that failed, as the builder printed it (C(Step 3/5 : RUN make))."
  returned: on a failed build
  type: str
build_output:
  description: The failed step's output (last 40 lines) and the builder's error.
  returned: on a failed build
  type: list
  elements: str
loaded:
  description: Whether the archive was streamed to the engine (O(source=load)).
  returned: when O(source=load)
  type: bool
archive_image_ids:
  description: The image IDs listed in the archive's manifest (O(source=load)).
  returned: when O(source=load)
  type: list
  elements: str
archive_written:
  description: Whether O(archive_path) was (re)written.
  returned: when O(archive_path) is set
  type: bool
api_requests:
  description: Number of Engine API requests the run made.
  returned: success
  type: int
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import (
    image_options,
    run_image_module,
)
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule


def main():
    module = SecretAwareModule(argument_spec=docker_argument_spec(**image_options()), supports_check_mode=True,
                               maps={"args": "secret_args", "labels": None})
    run_image_module(module, connect, Outcome(module))


if __name__ == "__main__":
    main()
