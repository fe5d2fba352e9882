# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which builder runs a Dockerfile, and building through `docker buildx` when BuildKit is needed.

The Engine API's `POST /build` runs the classic builder. A Dockerfile that needs BuildKit
(dockerfile.buildkit_features) goes through the docker CLI's buildx plugin on the managed host,
pointed at the same engine (as community.docker's docker_image_build does). Without buildx such a
Dockerfile fails before anything runs, naming its lines and the ways out.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.goship.containers.plugins.module_utils.images.commands import Runner, run_command
from ansible_collections.goship.containers.plugins.module_utils.images.context import BuildContext, ContextError
from ansible_collections.goship.containers.plugins.module_utils.images.dockerfile import Feature, buildkit_features

BUILDERS = ("auto", "classic", "buildx")
PROBE_TIMEOUT = 20
_STEP = re.compile(r"^#\d+ (\[[^\]]*\] .*)$")
_probed: Dict[str, Optional[str]] = {}


class BuildKitRequired(ContextError):
    """The Dockerfile needs BuildKit and this host cannot give it; nothing was built."""

    def __init__(self, message: str, features: List[Feature]) -> None:
        super().__init__("dockerfile", message)
        self.features = features


def docker_cli() -> Optional[str]:
    return shutil.which("docker")


def buildx_version(cli: Optional[str], runner: Runner = run_command) -> Optional[str]:
    """`docker buildx version`'s answer, or None when the CLI or its buildx plugin is missing.
    Asked once per process and CLI."""
    if not cli:
        return None
    if cli not in _probed:
        try:
            rc, out, _err = runner([cli, "buildx", "version"], {})
        except Exception:  # noqa: BLE001 - a probe that cannot run means no buildx
            rc, out = 1, ""
        _probed[cli] = out.strip().splitlines()[0] if rc == 0 and out.strip() else None
    return _probed[cli]


def select_builder(context: BuildContext, preference: str = "auto", cli: Optional[str] = None,
                   runner: Runner = run_command) -> str:
    """'classic' or 'buildx' for this Dockerfile, or BuildKitRequired (before anything runs)."""
    if preference not in BUILDERS:
        raise ContextError("builder", "must be one of %s, got %r" % (", ".join(BUILDERS), preference))
    features = buildkit_features(context.dockerfile_content.decode("utf-8", "replace"))
    lines = "; ".join(feature.describe() for feature in features)
    if preference != "buildx" and not features:
        return "classic"
    if preference == "classic":
        raise BuildKitRequired(
            "%s needs BuildKit, and builder=classic runs the engine's classic builder: %s. Nothing was built."
            " Use builder=auto or buildx (with the docker buildx plugin on the managed host), or make the file"
            " classic-builder compatible." % (context.dockerfile_source, lines), features)
    cli = cli if cli is not None else docker_cli()
    if buildx_version(cli, runner):
        return "buildx"
    where = "there is no docker CLI on the managed host" if not cli else \
        "the docker CLI on the managed host (%s) has no buildx plugin" % cli
    if preference == "buildx":
        raise BuildKitRequired("builder=buildx, but %s. Nothing was built." % where, features)
    raise BuildKitRequired(
        "%s needs BuildKit, which this host cannot run (%s; the Engine API's build endpoint runs the classic"
        " builder): %s. Nothing was built. Ways out: install the docker buildx plugin on the managed host (the"
        " module then builds through it); or make the file classic-builder compatible (drop the # syntax= line;"
        " a RUN --mount=type=cache only speeds a build up, so RUN without it gives the same result; write heredocs"
        " as files; give automatic platform ARGs a default); or build where BuildKit runs and ship the image"
        " (push to a registry, or image source=load)." % (context.dockerfile_source, where, lines), features)


def cli_connection(client: Any) -> List[str]:
    """Global docker CLI flags that reach the engine `client` talks to (raises ValueError if it cannot)."""
    adapter = getattr(client, "_custom_adapter", None)
    socket_path = getattr(adapter, "socket_path", None)
    if socket_path:
        return ["--host", "unix://" + socket_path]
    base = str(getattr(client, "base_url", "") or "")
    if base.startswith("http://"):
        return ["--host", "tcp://" + base[len("http://"):]]
    if base.startswith("https://"):
        flags = ["--host", "tcp://" + base[len("https://"):], "--tls"]
        verify = getattr(client, "verify", None)
        if isinstance(verify, str):
            flags += ["--tlsverify", "--tlscacert", verify]
        elif verify:
            flags.append("--tlsverify")
        cert = getattr(client, "cert", None)
        if isinstance(cert, (tuple, list)) and len(cert) == 2:
            flags += ["--tlscert", cert[0], "--tlskey", cert[1]]
        return flags
    raise ValueError("builds through docker buildx need the engine on a unix socket or tcp://, not %s" % base)


def buildx_argv(cli: str, connection: List[str], context: BuildContext, args: Dict[str, str],
                target: Optional[str], labels: Dict[str, str], network: Optional[str], pull: bool,
                cache_from: List[str], nocache: bool, iidfile: str) -> List[str]:
    """The buildx command. No --tag: the module tags the result itself, after comparing it."""
    argv = [cli] + connection + ["buildx", "build", "--progress", "plain", "--load", "--iidfile", iidfile,
                                 "--file", context.dockerfile_source]
    for key in sorted(args):
        argv += ["--build-arg", "%s=%s" % (key, args[key])]
    for key in sorted(labels):
        argv += ["--label", "%s=%s" % (key, labels[key])]
    if target:
        argv += ["--target", target]
    if network:
        argv += ["--network", network]
    if pull:
        argv.append("--pull")
    if nocache:
        argv.append("--no-cache")
    for ref in cache_from:
        argv += ["--cache-from", ref]
    argv += ["--", context.root]
    return argv


def build_with_buildx(client: Any, context: BuildContext, args: Dict[str, str], target: Optional[str],
                      labels: Dict[str, str], network: Optional[str], pull: bool, cache_from: List[str],
                      nocache: bool, runner: Runner = run_command) -> Tuple[str, List[str], Optional[str], str]:
    """(image ID or "", log lines, failed step, error). The caller turns a failure into BuildFailure."""
    cli = docker_cli() or "docker"
    connection = cli_connection(client)
    with tempfile.TemporaryDirectory(prefix="goship-buildx-") as work:
        iidfile = os.path.join(work, "iid")
        argv = buildx_argv(cli, connection, context, args, target, labels, network, pull, cache_from, nocache, iidfile)
        rc, out, err = runner(argv, {"DOCKER_BUILDKIT": "1"})
        log = (out + err).splitlines()
        image_id = ""
        if rc == 0 and os.path.isfile(iidfile):
            with open(iidfile, "r", encoding="utf-8") as handle:
                image_id = handle.read().strip()
    step = None
    for line in log:
        matched = _STEP.match(line)
        if matched:
            step = matched.group(1)
    error = ""
    if rc != 0 or not image_id:
        errors = [line for line in log if line.startswith("ERROR") or "error:" in line.lower()]
        error = (errors[-1] if errors else (log[-1] if log else "docker buildx build exited %d" % rc)).strip()
    return image_id, log, step, error
