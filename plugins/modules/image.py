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
    O(args), O(target) and O(labels). Which image IDs a digest built is kept in a small record on the
    managed host (C(/var/lib/goship/build-records/<digest>.json) for root, else
    C(~/.local/state/goship/build-records/)), not in the image. When the tag points at an image the
    record lists for the digest, no build request is sent and the task reports no change. When the
    engine has another image the record lists (for example after a change was reverted) that image
    is tagged again, with no build."
  - "The image ID follows the image's content, as with C(docker build): when the digest is new, a
    build runs, and when its result has the same layers and config as the tagged image (the
    builder's cache gave the same ID, or the same layers with a new creation time), the tag and its
    image ID stay and the task reports no change. Adding a file no instruction uses therefore
    recreates no container. When the record is lost, a build with the builder's warm cache decides
    the same way."
  - When a build runs, the task reports a change only if the tag now points to a different image ID.
  - C(.dockerignore) is honoured with the Docker CLI's rules (comments, C(!) exceptions, C(**),
    parent directories). The Dockerfile and C(.dockerignore) are always sent, as the CLI does.
  - "The engine's build endpoint runs the classic builder. Before anything runs, the Dockerfile is
    read for what only BuildKit runs - a C(# syntax=) line, C(RUN --mount), C(--network) or
    C(--security), heredocs, C(COPY)/C(ADD) C(--link), C(--chmod), C(--parents), C(--exclude),
    C(ADD --checksum), C(FROM --platform=$BUILDPLATFORM) and automatic platform C(ARG)s without a
    default. Such a file is built through C(docker buildx build) of the docker CLI on the managed host
    (pointed at the same engine) when it has the buildx plugin; without it the task fails naming
    each line and the ways out, and nothing is built. See O(builder)."
  - "Also takes community.docker's C(docker_image) options with their meaning: the nested O(build)
    (beside the flat O(path), O(args), ...; one key given both ways fails naming it), O(tag),
    O(repository) with O(force_tag), O(force_source), O(force_absent), and O(pull) as a dictionary.
    docs/migrating-from-community-docker.md lists what differs. The split modules
    M(goship.containers.image_build), M(goship.containers.image_load), M(goship.containers.image_pull),
    M(goship.containers.image_push), M(goship.containers.image_tag), M(goship.containers.image_export)
    and M(goship.containers.image_remove) run this same code, with community.docker's option names."
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  name:
    description:
      - Image name as C(repository[:tag]); the tag is O(tag), else C(latest).
      - With O(state=absent) or O(source=local), also a full image ID (C(sha256:…)); with
        O(source=pull), also C(repository@sha256:…) (exactly that image).
    type: str
    required: true
  tag:
    description:
      - community.docker's C(tag) - added to O(name) when O(name) has no tag of its own. When O(name)
        carries one, O(name)'s wins (as in community.docker) and a different O(tag) warns that it is
        not used. Also the tag of an O(repository) without one.
    type: str
  state:
    description:
      - V(present) makes the image exist from O(source); V(absent) removes the tag O(name).
      - With V(absent), a missing image is not an error.
    type: str
    default: present
    choices: [present, absent]
  source:
    description:
      - Where the image comes from (community.docker's values, with their meaning).
      - V(build) builds from O(path); V(load) loads O(load_path); V(pull) pulls O(name) from its
        registry (with the credentials of the managed host's Docker config, see
        M(goship.containers.login)); V(local) uses an image the engine already has (O(name), or
        O(from_image) to tag).
      - When not set, V(build) if O(path) or O(build) is set, V(load) if O(load_path) is set, else
        V(local) (community.docker requires it with O(state=present)).
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
  force_source:
    description:
      - community.docker's C(force_source) - with O(state=present), redo the build, load or pull even
        when the engine has its result (as O(force), without rewriting O(archive_path)). A forced step
        reports a change only when an image ID moved. With O(state=absent) it warns that it has no effect.
    type: bool
    default: false
  force_absent:
    description:
      - community.docker's C(force_absent) - with O(state=absent), the same as O(force). With
        O(state=present) it warns that it has no effect.
    type: bool
    default: false
  repository:
    description:
      - community.docker's C(repository) - after the image is present, also tag it as this
        C(repository[:tag]) (without a tag, the tag of O(name), else O(tag), else V(latest)).
      - With O(push=true), this name is pushed instead of O(name).
      - A name that already points at another image is kept, with a warning, unless O(force_tag=true)
        moves it (community.docker's behaviour).
    type: str
  force_tag:
    description:
      - community.docker's C(force_tag) - move O(repository) to this image even when it points at
        another one. Without O(repository) it warns that it has no effect (O(name) and O(extra_tags)
        are always moved).
    type: bool
    default: false
  build:
    description:
      - community.docker's build options, nested; the same as the flat options named below. A key given
        here and as its flat option fails naming both. Implies O(source=build); with another source it
        fails naming O(build).
      - Keys that only this form has (O(build.etc_hosts), O(build.shm_size), O(build.rm),
        O(build.container_limits), O(build.use_config_proxy)) set the build containers' environment,
        as O(network) does; they are not part of the build digest, and only the classic builder takes
        them (a Dockerfile that needs buildx fails naming the key, before anything runs).
    type: dict
    suboptions:
      path:
        description: O(path).
        type: path
        required: true
      dockerfile:
        description: O(dockerfile).
        type: str
      args:
        description: O(args). Values must be strings or numbers.
        type: dict
      target:
        description: O(target).
        type: str
      labels:
        description: O(labels).
        type: dict
      network:
        description: O(network).
        type: str
      nocache:
        description: O(nocache) (default false).
        type: bool
      pull:
        description: The flat O(pull) as a boolean (default false).
        type: bool
      cache_from:
        description: O(cache_from).
        type: list
        elements: str
      http_timeout:
        description: O(build_timeout) - seconds to wait for the engine's answer during a build.
        type: int
      etc_hosts:
        description:
          - Extra C(/etc/hosts) entries of the build containers, host name to IP address (or V(host-gateway)).
        type: dict
      shm_size:
        description:
          - Size of C(/dev/shm) of the build containers, such as V(128M), or a number of bytes.
        type: str
      rm:
        description:
          - Remove the intermediate containers after the build, also after a failed one (default true).
            V(false) keeps them.
        type: bool
      use_config_proxy:
        description:
          - Give the build containers the proxy settings of the managed host's Docker config as build
            arguments (default true, as before this option existed); V(false) does not.
        type: bool
      container_limits:
        description:
          - Limits of each build container.
        type: dict
        suboptions:
          memory:
            description: Memory limit, such as V(512M), or bytes.
            type: str
          memswap:
            description: Memory plus swap, such as V(1G), or V(-1) / V(unlimited).
            type: str
          cpushares:
            description: CPU shares (relative weight).
            type: int
          cpusetcpus:
            description: CPUs the build may use, such as V(0-3) or V(0,1).
            type: str
      platform:
        description:
          - Not supported; a task that sets it fails naming it, and nothing is built. The engine here
            builds and pulls only its own platform, and no registry with other platforms' images is
            available to test it.
        type: str
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
      - The label C(goship.build.digest) is reserved (earlier versions stored the digest in it; such
        images still count as built from that digest).
    type: dict
    default: {}
  network:
    description:
      - Network mode of the C(RUN) steps (for example V(host), V(none) or a network name).
    type: str
  pull:
    description:
      - V(true) asks the engine to pull newer base images during the build (the same as O(build.pull)).
      - "A dictionary is community.docker's C(pull) option: C({platform: ...}). Its C(platform) is not
        supported (refused naming C(pull.platform), for the reason of O(build.platform)); an empty
        dictionary is the same as V(false)."
    type: raw
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
  builder:
    description:
      - V(auto) runs the engine's classic builder, and C(docker buildx) for a Dockerfile that needs
        BuildKit (see above).
      - V(classic) always runs the classic builder; a Dockerfile that needs BuildKit fails before
        anything runs.
      - V(buildx) always builds through C(docker buildx build) (the docker CLI and its buildx plugin on
        the managed host). The builder is part of the build digest when it is buildx.
      - Builds through buildx are not covered by this collection's tests, which run where no buildx
        plugin can be installed; the refusal without it is.
    type: str
    default: auto
    choices: [auto, classic, buildx]
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
      - Written atomically (a temporary file in the same directory, then renamed), with its
        permissions set before it takes its name (see O(mode)).
    type: path
  mode:
    description:
      - Permissions of O(archive_path), as M(ansible.builtin.file) takes them, an octal string
        (V(0640), quoted so that YAML does not read a number) or a symbolic mode (V(u=rw,g=r,o=)).
      - Without it, a new archive gets the permissions of any new file (0666 less the umask) and an
        existing one keeps its own. With it, an archive that already holds the image only has its
        permissions changed when they differ (a change).
    type: raw
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
      - For O(source=pull), the reference to pull - C(repository:tag), or C(repository@sha256:…) for
        exactly one image whatever the tag says now - which is then tagged as O(name). Pulled when
        the engine does not have it (or with O(pull_policy=always)).
    type: str
  push:
    description:
      - Push O(name) and O(extra_tags) to their registry, idempotent by digest - nothing is sent for a
        name whose registry already serves the same image (the manifest digest the registry gives for
        the name, asked through the engine, is among the image's C(RepoDigests)); a push after which
        the registry serves the manifest it served before (another host pushed the same image) is no
        change, and the engine uploads no layer the registry has.
      - Credentials come from the Docker config of the managed host (see M(goship.containers.login)),
        which the docker SDK reads for pushes and pulls alike.
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
  - In check mode a new digest is reported as a change, since only the build tells whether the image
    ID moves.
  - docs/builds.md in the collection describes what is decided how.
seealso:
  - module: goship.containers.image_info
  - module: goship.containers.go_image
  - module: goship.containers.login
  - module: goship.containers.prune
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

- name: Pull exactly the image pushed from the controller, by digest, and name it
  goship.containers.image:
    name: shop/web:1.4
    source: pull
    from_image: registry.example.com/shop/web@sha256:5c1f9a0e4b7d…

- name: community.docker's shape - a nested build, then tag and push as a registry name
  goship.containers.image:
    name: shop/web
    tag: "1.4"
    source: build
    build:
      path: /srv/shop/web
      args:
        GO_VERSION: "1.19"
      etc_hosts:
        proxy.internal: 10.0.0.5
    repository: registry.example.com/shop/web
    force_tag: true
    push: true

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
  sample: {Id: "sha256:9f4b…", RepoTags: ["shop/web:1.4"], Config: {Labels: {team: shop}}}
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
builder:
  description: The builder that runs (or would run) the Dockerfile, V(classic) or V(buildx) (O(source=build) only).
  returned: when O(source=build)
  type: str
  sample: classic
build_record:
  description:
    - The file on the managed host that records which image IDs the build digest built (O(source=build)
      only; null when the user has no home directory to keep it in).
  returned: when O(source=build)
  type: str
  sample: /var/lib/goship/build-records/3be2a1f0c9d8….json
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
pushed:
  description:
    - With O(push=true), per name, the manifest digest the registry serves for it (C(digest)) and
      whether a push was sent (C(pushed)). In check mode C(digest) is what the registry serves now.
  returned: when O(push=true)
  type: dict
  sample: {"registry.example.com/shop/web:1.4": {digest: "sha256:5c1f…", pushed: true}}
repo_digest:
  description:
    - With O(push=true), O(name)'s repository and the manifest digest the registry serves
      (C(repository@sha256:…)), what a host pulls to get exactly this image (O(from_image) with
      O(source=pull)). Null in check mode when the registry does not serve the image yet.
  returned: when O(push=true)
  type: str
  sample: registry.example.com/shop/web@sha256:5c1f9a0e4b7d…
stdout:
  description: The builder's whole output when a build ran (community.docker's key).
  returned: when a build ran
  type: str
tagged_images:
  description: The names of O(repository) that were (or, in check mode, would be) tagged.
  returned: when O(repository) is set
  type: list
  elements: str
deleted:
  description: With O(state=absent), the IDs of the images the engine deleted (empty in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
untagged:
  description: With O(state=absent), the names the engine untagged (empty in check mode).
  returned: when O(state=absent)
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
from ansible_collections.goship.containers.plugins.module_utils.images.compat import compat_options, image_params
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import (
    image_options,
    run_image_module,
)
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule


def main():
    module = SecretAwareModule(argument_spec=docker_argument_spec(**image_options(), **compat_options()),
                               supports_check_mode=True,
                               maps={"args": "secret_args", "labels": None, "build.args": None, "build.labels": None})
    run_image_module(module, connect, Outcome(module), translate=image_params)


if __name__ == "__main__":
    main()
