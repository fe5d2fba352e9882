#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: go_image
short_description: Build a reproducible Go image with no Dockerfile and no base image
version_added: 0.1.0
description:
  - Compiles a Go main package on the managed host (C(go build) with C(CGO_ENABLED=0), C(-trimpath),
    C(-buildvcs=false) and an empty build ID) and assembles the image itself - one layer with the
    binary, C(/etc/passwd) and C(/etc/group) with the non-root user C(nonroot) (65532, the default
    user), C(/tmp), optional CA certificates from the host and optional extra files. Every entry has
    a fixed owner, mode and timestamp.
  - The image is loaded into the engine directly (no registry, no base image) and can also be
    written as a C(docker load)-able archive for shipping to other hosts.
  - Reproducible - the same source and options give the same image ID across runs and machines
    with the same Go version, whatever the state of Go's build cache.
  - "The image's creation time comes from its sources: E(SOURCE_DATE_EPOCH) (from O(build_env) or
    the module's environment); else, when O(source) is in a git work tree and none of the files that
    go into the image is changed or untracked, the time of the newest commit that touched O(source);
    else the newest modification time of those files. The first two give the same image ID on every
    machine; the last one on every machine where the files keep their modification times (a copy
    that sets new ones gives another creation time, so another ID)."
  - "Idempotent - a digest of the source (non-test C(.go) files, C(go.mod), C(go.sum), C(go.work),
    C(vendor/), directories using C(//go:embed)), the options, the extra files and the Go version is
    stored on the image as the label C(goship.go.digest). When the tagged image carries it, nothing
    is compiled and the task reports no change."
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  name:
    description:
      - Image name as C(repository[:tag]).
    type: str
    required: true
  source:
    description:
      - Root directory of the Go module (the directory holding C(go.mod)) on the managed host.
    type: path
    required: true
  package:
    description:
      - The main package to build, relative to O(source).
    type: str
    default: .
  goos:
    description:
      - Target operating system (C(GOOS)).
    type: str
    default: linux
  goarch:
    description:
      - Target architecture (C(GOARCH)). Defaults to the engine's architecture.
    type: str
  ldflags:
    description:
      - Extra linker flags, such as V(-s -w -X main.version=1.4).
    type: str
    default: ""
  build_tags:
    description:
      - Go build tags.
    type: list
    elements: str
    default: []
  keep_build_id:
    description:
      - Keep Go's build ID in the binary (it is cleared by default, for reproducibility).
    type: bool
    default: false
  buildvcs:
    description:
      - Stamp version control information into the binary (off by default, for reproducibility).
    type: bool
    default: false
  build_env:
    description:
      - Environment for C(go build), such as C(GOFLAGS) or C(GOCACHE). C(CGO_ENABLED), C(GOOS) and
        C(GOARCH) are set by the module.
      - Part of the digest, except the cache locations C(GOCACHE), C(GOMODCACHE), C(GOTMPDIR),
        C(GOPATH), C(HOME) and C(TMPDIR), which do not change the output.
      - C(GOFLAGS), C(GOAMD64), C(GOARM), C(GO386) and C(GOEXPERIMENT) of the module's own
        environment are ignored; give them here.
      - The values of variables whose names look secret (see O(sensitive_keys)) never appear in
        the result, errors or C(-vvv) output.
      - C(SOURCE_DATE_EPOCH) (whole seconds since 1970) sets the image's creation time; it is part of
        the digest, here or in the module's environment.
    type: dict
    default: {}
  secret_build_env:
    description:
      - Variables of the C(go build) environment whose values are secrets (a token for private
        modules), merged into O(build_env) (C(no_log) - Ansible masks every value in everything the
        task prints or returns). A name in both is an error. Part of the digest, like O(build_env).
    type: dict
    default: {}
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of
        O(build_env), O(env) and O(labels) whose values are secrets. Names that look secret are built
        in, as for M(goship.containers.container)'s O(goship.containers.container#module:sensitive_keys).
      - A secret in O(env) or O(labels) is part of the image, readable by anyone who can inspect
        it; it is masked in what the task returns, not in the image.
    type: list
    elements: str
    default: []
  go:
    description:
      - The C(go) command to use.
    type: path
    default: go
  binary_path:
    description:
      - Absolute path of the binary inside the image.
    type: str
    default: /app
  entrypoint:
    description:
      - Image entrypoint. Defaults to O(binary_path) alone.
    type: list
    elements: str
  cmd:
    description:
      - Default arguments (image C(Cmd)).
    type: list
    elements: str
    default: []
  user:
    description:
      - User the container runs as. The image has C(root) (0), C(nobody) (65534) and C(nonroot) (65532).
    type: str
    default: "65532:65532"
  env:
    description:
      - Environment of the image. C(PATH) is set when not given; C(SSL_CERT_FILE) too with O(ca_certificates).
    type: dict
    default: {}
  labels:
    description:
      - Image labels. C(goship.go.digest) is reserved for the module.
    type: dict
    default: {}
  exposed_ports:
    description:
      - Ports the image declares, as V(8080) or V(8080/tcp).
    type: list
    elements: str
    default: []
  workdir:
    description:
      - Working directory of the container.
    type: str
    default: /
  healthcheck:
    description:
      - Healthcheck of the image, in exec form (the image has no shell).
    type: dict
    suboptions:
      test:
        description:
          - Command and arguments, for example V(["/app", "healthcheck"]). A leading V(CMD) is
            optional; V(CMD-SHELL) is refused; V(["NONE"]) disables a healthcheck.
        type: list
        elements: str
        required: true
      interval:
        description: Time between checks, such as V(5s).
        type: str
      timeout:
        description: Time a check may take.
        type: str
      start_period:
        description: Grace period after start during which failures do not count.
        type: str
      retries:
        description: Consecutive failures that make the container unhealthy.
        type: int
  ca_certificates:
    description:
      - Copy the managed host's CA bundle (O(ca_bundle)) to C(/etc/ssl/certs/ca-certificates.crt).
    type: bool
    default: false
  ca_bundle:
    description:
      - The CA bundle on the managed host used by O(ca_certificates).
    type: path
    default: /etc/ssl/certs/ca-certificates.crt
  files:
    description:
      - Extra files placed in the image (a file given at C(/etc/passwd) or C(/etc/group) replaces the
        module's own).
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: Absolute path in the image.
        type: str
        required: true
      src:
        description: File on the managed host to copy. Exactly one of O(files[].src) and O(files[].content).
        type: path
      content:
        description: Content of the file.
        type: str
      mode:
        description: Permission bits, as an octal string such as V('0644') (or an integer, as YAML reads an unquoted 0644).
        type: raw
        default: '0644'
      owner:
        description: Numeric owner as V(UID) or V(UID:GID).
        type: str
        default: '0:0'
  archive_path:
    description:
      - Also write the image as a C(docker load)-able archive to this file; rewritten only when the
        file does not already hold the image ID.
    type: path
  force:
    description:
      - Compile and assemble even when the digest matches. The task still reports a change only
        when the image ID changed or a file was written.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Computes the digest (running C(go env GOVERSION) only); nothing is compiled, loaded or written.
  diff_mode:
    support: full
    description: Shows the image ID, tags and digest before and after.
notes:
  - Needs Go (1.18 or newer for C(-buildvcs)) on the managed host. The package must build with
    C(CGO_ENABLED=0).
seealso:
  - module: goship.containers.image
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Build the app image from source, no Dockerfile
  goship.containers.go_image:
    name: shop/api:1.4
    source: /srv/shop/api
    package: ./cmd/api
    ldflags: -s -w -X main.version=1.4
    exposed_ports: [8080]
    env:
      PORT: "8080"
    healthcheck:
      test: [/app, healthcheck]
      interval: 5s
      retries: 3
    ca_certificates: true
    archive_path: /var/cache/images/shop-api-1.4.tar
"""

RETURN = r"""
image:
  description: The image as the engine reports it after the run (null in check mode when it would be compiled).
  returned: always
  type: dict
image_id:
  description: The image ID O(name) points to (null in check mode when a compile would run).
  returned: always
  type: str
  sample: sha256:0c2b7e…
digest:
  description: The source digest stored as the label C(goship.go.digest).
  returned: always
  type: str
compiled:
  description: Whether C(go build) ran (or would run, in check mode).
  returned: always
  type: bool
loaded:
  description: Whether the assembled image was loaded into the engine (false when the engine had that ID).
  returned: always
  type: bool
archive_written:
  description: Whether O(archive_path) was written.
  returned: always
  type: bool
created:
  description: The creation time written into the image (RFC 3339), when the image was assembled in this run.
  returned: when RV(compiled) is true and not in check mode
  type: str
  sample: "2026-11-20T10:00:00Z"
created_from:
  description:
    - Where the creation time came from - C(SOURCE_DATE_EPOCH), C(git commit <hash>) or
      C(the newest source file's modification time).
  returned: when RV(compiled) is true and not in check mode
  type: str
  sample: git commit 3f2c1a9
go_version:
  description: The Go version used (C(go env GOVERSION)).
  returned: always
  type: str
  sample: go1.19.8
actions:
  description: What was done (or, in check mode, would be done).
  returned: always
  type: list
  elements: str
compile_output:
  description: The compiler's output when C(go build) failed.
  returned: on failure to compile
  type: str
"""

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.file_tar import FileEntry
from ansible_collections.goship.containers.plugins.module_utils.images.goimage import (
    CompileError, GoImageError, GoImageRequest, ensure_go_image, validate,
)
from ansible_collections.goship.containers.plugins.module_utils.images.store import ImageError
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.secrets import inspect_secrets, mask_inspect


def _files(module):
    files = []
    for index, item in enumerate(module.params["files"]):
        where = "files[%d]" % index
        unknown = set(item) - {"dest", "src", "content", "mode", "owner"}
        if unknown:
            module.fail_json(msg="%s: unknown keys %s" % (where, ", ".join(sorted(unknown))))
        if not item.get("dest"):
            module.fail_json(msg="%s.dest: required" % where)
        if (item.get("src") is None) == (item.get("content") is None):
            module.fail_json(msg="%s: give exactly one of src and content" % where)
        if item.get("src") is not None:
            try:
                with open(item["src"], "rb") as handle:
                    content = handle.read()
            except OSError as exc:
                module.fail_json(msg="%s.src: %s" % (where, exc))
        else:
            content = str(item["content"]).encode("utf-8")
        try:
            raw_mode = item.get("mode", "0644")
            # YAML reads an unquoted 0644 as the integer 420 already; strings are octal text
            mode = raw_mode if isinstance(raw_mode, int) else int(str(raw_mode), 8)
            owner = str(item.get("owner", "0:0")).split(":")
            uid, gid = int(owner[0]), int(owner[-1]) if len(owner) == 2 else int(owner[0])
        except ValueError:
            module.fail_json(msg="%s: mode must be octal (0644) and owner UID[:GID]" % where)
        files.append(FileEntry(path=str(item["dest"]), content=content, mode=mode, uid=uid, gid=gid))
    return files


def _runner(module):
    def run(argv, cwd, env):
        return module.run_command(argv, cwd=cwd, environ_update=env)
    return run


def _strings(module, option):
    values = module.params[option]
    for key, value in values.items():  # values may be secrets: the key only
        if isinstance(value, (dict, list, bool)) or value is None:
            module.fail_json(msg="%s: value of %r must be a string or number" % (option, key))
    return dict((str(k), str(v)) for k, v in values.items())


def _build_env(module):
    both = sorted(set(module.params["build_env"]) & set(module.params["secret_build_env"]))
    if both:
        module.fail_json(msg="secret_build_env.%s: is also in build_env; give each variable once" % both[0])
    return dict(_strings(module, "build_env"), **_strings(module, "secret_build_env"))


def main():
    module = SecretAwareModule(
        maps={"build_env": "secret_build_env", "env": None, "labels": None},
        argument_spec=docker_argument_spec(
            name=dict(type="str", required=True),
            source=dict(type="path", required=True),
            package=dict(type="str", default="."),
            goos=dict(type="str", default="linux"),
            goarch=dict(type="str"),
            ldflags=dict(type="str", default=""),
            build_tags=dict(type="list", elements="str", default=[]),
            keep_build_id=dict(type="bool", default=False),
            buildvcs=dict(type="bool", default=False),
            build_env=dict(type="dict", default={}),
            secret_build_env=dict(type="dict", default={}, no_log=True),
            sensitive_keys=dict(type="list", elements="str", default=[], no_log=False),
            go=dict(type="path", default="go"),
            binary_path=dict(type="str", default="/app"),
            entrypoint=dict(type="list", elements="str"),
            cmd=dict(type="list", elements="str", default=[]),
            user=dict(type="str", default="65532:65532"),
            env=dict(type="dict", default={}),
            labels=dict(type="dict", default={}),
            exposed_ports=dict(type="list", elements="str", default=[]),
            workdir=dict(type="str", default="/"),
            healthcheck=dict(type="dict", options=dict(
                test=dict(type="list", elements="str", required=True),
                interval=dict(type="str"),
                timeout=dict(type="str"),
                start_period=dict(type="str"),
                retries=dict(type="int"),
            )),
            ca_certificates=dict(type="bool", default=False),
            ca_bundle=dict(type="path", default="/etc/ssl/certs/ca-certificates.crt"),
            files=dict(type="list", elements="dict", default=[], options=dict(
                dest=dict(type="str", required=True),
                src=dict(type="path"),
                content=dict(type="str"),
                mode=dict(type="raw", default="0644"),
                owner=dict(type="str", default="0:0"),
            )),
            archive_path=dict(type="path"),
            force=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    outcome = Outcome(module)
    healthcheck = None
    if p["healthcheck"]:
        healthcheck = dict((k, v) for k, v in p["healthcheck"].items() if v is not None)
    request = GoImageRequest(
        name=p["name"], source=p["source"], package=p["package"], goos=p["goos"], goarch=p["goarch"],
        ldflags=p["ldflags"], tags=p["build_tags"], keep_build_id=p["keep_build_id"], buildvcs=p["buildvcs"],
        build_env=_build_env(module), go=p["go"], binary_path=p["binary_path"],
        entrypoint=p["entrypoint"], cmd=p["cmd"], user=p["user"], env=_strings(module, "env"),
        labels=_strings(module, "labels"), exposed_ports=p["exposed_ports"], workdir=p["workdir"],
        healthcheck=healthcheck, ca_certificates=p["ca_certificates"], ca_bundle=p["ca_bundle"],
        files=_files(module), archive_path=p["archive_path"], force=p["force"],
    )
    try:
        validate(request)  # every input error is raised here, before connect() and any write
    except (GoImageError, ValueError) as exc:
        outcome.fail(str(exc))
    client = connect(module)
    try:
        result = ensure_go_image(client, request, module.check_mode, _runner(module))
    except CompileError as exc:
        outcome.fail(str(exc), compile_output=exc.output)
    except (GoImageError, ImageError, ValueError) as exc:
        outcome.fail(str(exc))
    outcome.changed = result.changed
    outcome.actions.extend(result.actions)
    outcome.set_diff(result.before, result.after)
    module.protect_values(inspect_secrets(result.image, module.secret_rule))
    outcome.exit(image=mask_inspect(result.image, module.secret_rule), image_id=result.image_id, digest=result.digest, compiled=result.compiled,
                 loaded=result.loaded, archive_written=result.archive_written, go_version=result.go_version,
                 **({"created": result.created, "created_from": result.created_from} if result.created else {}))


if __name__ == "__main__":
    main()
