# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Content-addressed builds: build only when the inputs' digest differs from the image's label.

Plan (pure, from one inspect and at most one list call):
- the tag already carries the digest                        → nothing (no build call)
- another image carries the digest (e.g. a reverted change) → re-tag it (no build call)
- otherwise                                                 → build, then tag the new image ID
`changed` is true only when a tag now points to a different image ID than before.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ansible_collections.goship.containers.plugins.module_utils.client import APIError
from ansible_collections.goship.containers.plugins.module_utils.images.context import (
    BuildContext,
    build_inputs_digest,
    default_cache_dir,
)
from ansible_collections.goship.containers.plugins.module_utils.images.store import (
    ImageError,
    find_by_label,
    inspect_image,
    normalise_reference,
    summary,
    tag_image,
)

DIGEST_LABEL = "goship.build.digest"
REBUILD_POLICIES = ("auto", "always", "never")
_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_SUCCESS = re.compile(r"^Successfully built ([0-9a-f]{12,64})\s*$")
OUTPUT_TAIL_LINES = 40


@dataclass
class BuildRequest:
    """What to build. `name` is repo[:tag]; paths are on the machine running the module."""

    name: str
    path: str
    dockerfile: Optional[str] = None
    args: Dict[str, str] = field(default_factory=dict)
    target: Optional[str] = None
    labels: Dict[str, str] = field(default_factory=dict)
    network: Optional[str] = None
    pull: bool = False
    cache_from: List[str] = field(default_factory=list)
    nocache: bool = False
    extra_tags: List[str] = field(default_factory=list)
    rebuild: str = "auto"
    timeout: int = 1800
    digest_cache: bool = True     # reuse file hashes of unchanged files (see context.HashCache)

    def validate(self) -> None:
        """Raise ValueError naming the option for anything the engine would reject later."""
        self.name = normalise_reference(self.name, "name")
        self.extra_tags = [normalise_reference(tag, "extra_tags[%d]" % i) for i, tag in enumerate(self.extra_tags)]
        if self.rebuild not in REBUILD_POLICIES:
            raise ValueError("rebuild: must be one of %s, got %r" % (", ".join(REBUILD_POLICIES), self.rebuild))
        if DIGEST_LABEL in self.labels:
            raise ValueError("labels: %s is set by the module itself" % DIGEST_LABEL)
        for key, value in list(self.args.items()) + list(self.labels.items()):
            if not isinstance(value, str):
                raise ValueError("args/labels: value of %r must be a string" % key)


@dataclass
class BuildResult:
    """What ensure_built did (or would do in check mode)."""

    name: str
    digest: str
    changed: bool = False
    build_skipped: bool = True
    actions: List[str] = field(default_factory=list)
    image_id: Optional[str] = None          # None only in check mode when a build would run
    previous_id: Optional[str] = None
    image: Optional[Dict[str, Any]] = None  # inspect data after the run (None in check mode builds)
    before: Optional[Dict[str, Any]] = None
    after: Optional[Dict[str, Any]] = None
    build_log: List[str] = field(default_factory=list)


class BuildFailure(Exception):
    """The engine refused the build. `step` is the Dockerfile step that failed ("Step 3/5 : RUN …")."""

    def __init__(self, message: str, step: Optional[str], output: List[str]) -> None:
        super().__init__(message)
        self.message = message
        self.step = step
        self.output = output


def _stream_build(client: Any, context: BuildContext, request: BuildRequest, digest: str) -> tuple:
    labels = dict(request.labels)
    labels[DIGEST_LABEL] = digest
    with tempfile.TemporaryFile() as archive:
        context.write_tar(archive)
        archive.seek(0)
        try:
            stream = client.build(
                fileobj=archive, custom_context=True, dockerfile=context.dockerfile_name,
                buildargs=request.args or None, target=request.target or None, labels=labels,
                network_mode=request.network or None, pull=request.pull,
                cache_from=request.cache_from or None, nocache=request.nocache,
                rm=True, forcerm=True, decode=True, timeout=request.timeout,
            )
            return _read_build_stream(stream)
        except APIError as exc:
            raise BuildFailure("build of %s failed: %s" % (request.name, getattr(exc, "explanation", exc)), None, [])


def _read_build_stream(stream: Any) -> tuple:
    """(image ID, log lines) from the classic builder's JSON stream, or BuildFailure."""
    log: List[str] = []
    step: Optional[str] = None
    step_output: List[str] = []
    image_id: Optional[str] = None
    pending = ""
    for chunk in stream:
        if not isinstance(chunk, dict):
            continue
        if chunk.get("error"):
            if pending:
                step_output.append(pending)
            detail = (chunk.get("errorDetail") or {}).get("message") or chunk["error"]
            raise BuildFailure(str(detail).strip(), step, step_output[-OUTPUT_TAIL_LINES:])
        aux = chunk.get("aux") or {}
        if isinstance(aux, dict) and aux.get("ID"):
            image_id = aux["ID"]
        text = chunk.get("stream")
        if not text:
            continue
        pending += text
        *lines, pending = pending.split("\n")
        for line in lines:
            line = line.rstrip("\r")
            log.append(line)
            matched = _STEP.match(line)
            if matched:
                step, step_output = line, []
                continue
            step_output.append(line)
            success = _SUCCESS.match(line)
            if success and image_id is None:
                image_id = success.group(1)
    if pending:
        log.append(pending)
    if not image_id:
        raise BuildFailure("the engine ended the build without an image ID", step, log[-OUTPUT_TAIL_LINES:])
    return image_id, log


def plan_build(current: Optional[Dict[str, Any]], digest: str, rebuild: str,
               labelled: List[Dict[str, Any]]) -> str:
    """'none' | 'tag' | 'build': the pure decision from what the engine holds."""
    if current is not None:
        current_digest = ((current.get("Config") or {}).get("Labels") or {}).get(DIGEST_LABEL)
        if rebuild == "never":
            return "none"
        if rebuild == "auto" and current_digest == digest:
            return "none"
    if rebuild == "auto" and labelled:
        return "tag"
    return "build"


def ensure_built(client: Any, request: BuildRequest, check_mode: bool) -> BuildResult:
    """Make `request.name` (and extra_tags) point at an image built from the request's inputs.

    Raises ValueError (bad input, naming the option; raised before any engine call), BuildFailure
    (the Dockerfile failed; no tag moved) or ImageError (another engine error).
    """
    request.validate()
    context = BuildContext(request.path, request.dockerfile)
    cache_dir = default_cache_dir() if request.digest_cache else None
    digest = build_inputs_digest(context, request.args, request.target, request.labels, cache_dir=cache_dir)
    result = BuildResult(name=request.name, digest=digest)

    current = inspect_image(client, request.name)
    result.previous_id = current.get("Id") if current else None
    result.before = summary(current, DIGEST_LABEL)
    needs_lookup = request.rebuild == "auto" and not (
        current is not None
        and ((current.get("Config") or {}).get("Labels") or {}).get(DIGEST_LABEL) == digest)
    labelled = find_by_label(client, DIGEST_LABEL, digest) if needs_lookup else []
    decision = plan_build(current, digest, request.rebuild, labelled)

    target_id: Optional[str] = result.previous_id
    if decision == "tag":
        target_id = labelled[0]["Id"]
    elif decision == "build":
        result.build_skipped = False
        result.actions.append("build %s (inputs digest %s)" % (request.name, digest[7:19]))
        if check_mode:
            target_id = None
        else:
            built_id, result.build_log = _stream_build(client, context, request, digest)
            target_id = _full_id(client, built_id)

    for name in [request.name] + request.extra_tags:
        existing = result.previous_id if name == request.name else _id_of(client, name)
        if target_id is not None and existing == target_id:
            continue
        if target_id is None and decision == "build" and check_mode:
            result.actions.append("tag %s" % name)
            result.changed = True  # a build whose result cannot be known before it runs
            continue
        result.actions.append("tag %s as %s" % (target_id[7:19] if target_id else "?", name))
        result.changed = True
        if not check_mode:
            tag_image(client, target_id, name)  # type: ignore[arg-type]

    result.image_id = target_id
    if target_id is None:
        result.image = None
    elif target_id == result.previous_id and not result.changed:
        result.image = current
    else:
        result.image = inspect_image(client, target_id)
    after = summary(result.image, DIGEST_LABEL) or dict(id="(known after build)", build_digest=digest)
    if check_mode:
        after["tags"] = _predicted_tags(result, request)
    result.after = after
    return result


def _predicted_tags(result: BuildResult, request: BuildRequest) -> List[str]:
    tags = set(((result.image or {}).get("RepoTags") or []))
    tags.update([request.name] + request.extra_tags)
    return sorted(tags)


def _id_of(client: Any, name: str) -> Optional[str]:
    image = inspect_image(client, name)
    return image.get("Id") if image else None


def _full_id(client: Any, image_id: str) -> str:
    if image_id.startswith("sha256:") and len(image_id) == 71:
        return image_id
    image = inspect_image(client, image_id)
    if image is None:
        raise ImageError("the build reported image %s but the engine does not have it" % image_id)
    return image["Id"]
