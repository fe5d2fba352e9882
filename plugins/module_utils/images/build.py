# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Content-addressed builds whose image identity follows the image's content, not its inputs.

The digest of the build inputs (context after .dockerignore, Dockerfile, args, target, labels)
decides whether a build is needed; which images a digest built is kept in a record on the host
(records.py), never in the image, so an input change that changes no layer (an unused file added to
the context) keeps the image ID:
- the tag points at an image the record lists for the digest  → nothing (no build call)
- the engine has another image the record lists (a revert)    → re-tag it (no build call)
- otherwise                                                   → build; when the result equals the
  tagged image in layers and config (the builder's cache gave the same ID, or the same layers under
  a new creation time), the tag and its image ID stay
`changed` is true only when a tag now points to a different image ID than before.
Images built before the record existed carry the digest as the label goship.build.digest; it still
counts as a hit (and is ignored when comparing content).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ansible_collections.goship.containers.plugins.module_utils.client import APIError
from ansible_collections.goship.containers.plugins.module_utils.images.buildx import (
    BUILDERS,
    build_with_buildx,
    select_builder,
)
from ansible_collections.goship.containers.plugins.module_utils.images.context import (
    BuildContext,
    build_inputs_digest,
    default_cache_dir,
)
from ansible_collections.goship.containers.plugins.module_utils.images.records import BuildRecords
from ansible_collections.goship.containers.plugins.module_utils.images.store import (
    ImageError,
    inspect_image,
    normalise_reference,
    tag_image,
)

DIGEST_LABEL = "goship.build.digest"  # written by earlier versions; read as a record of the digest
# Config keys that differ between two builds of the same layers (the parent image ID of the classic
# builder's last step, the build container's host name): not part of what an image runs.
VOLATILE_CONFIG_KEYS = ("Image", "Hostname", "Domainname")
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
    builder: str = "auto"         # auto | classic | buildx (buildx.select_builder)
    records: Optional[BuildRecords] = None   # None: the host's default record directory
    # the build containers' environment (like `network`, not part of the digest): community.docker's
    # build.etc_hosts, shm_size, container_limits, rm and use_config_proxy; classic builder only
    extra_hosts: Dict[str, str] = field(default_factory=dict)
    shm_size: Optional[int] = None
    container_limits: Dict[str, Any] = field(default_factory=dict)
    rm: bool = True
    use_config_proxy: bool = True

    def classic_only(self) -> List[str]:
        """The options set here that only the classic builder (the engine's build endpoint) takes."""
        given = dict(etc_hosts=bool(self.extra_hosts), shm_size=self.shm_size is not None,
                     container_limits=bool(self.container_limits), rm=not self.rm,
                     use_config_proxy=not self.use_config_proxy)
        return [name for name, is_set in given.items() if is_set]

    def validate(self) -> None:
        """Raise ValueError naming the option for anything the engine would reject later."""
        self.name = normalise_reference(self.name, "name")
        self.extra_tags = [normalise_reference(tag, "extra_tags[%d]" % i) for i, tag in enumerate(self.extra_tags)]
        if self.rebuild not in REBUILD_POLICIES:
            raise ValueError("rebuild: must be one of %s, got %r" % (", ".join(REBUILD_POLICIES), self.rebuild))
        if self.builder not in BUILDERS:
            raise ValueError("builder: must be one of %s, got %r" % (", ".join(BUILDERS), self.builder))
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
    builder: str = "classic"
    build_record: Optional[str] = None       # the record file of this digest
    kept_equal: Optional[str] = None         # a build's result equal in content to the tagged image


class BuildFailure(Exception):
    """The engine refused the build. `step` is the Dockerfile step that failed ("Step 3/5 : RUN …")."""

    def __init__(self, message: str, step: Optional[str], output: List[str]) -> None:
        super().__init__(message)
        self.message = message
        self.step = step
        self.output = output


def _stream_build(client: Any, context: BuildContext, request: BuildRequest) -> tuple:
    labels = dict(request.labels)
    with tempfile.TemporaryFile() as archive:
        context.write_tar(archive)
        archive.seek(0)
        try:
            stream = client.build(
                fileobj=archive, custom_context=True, dockerfile=context.dockerfile_name,
                buildargs=request.args or None, target=request.target or None, labels=labels or None,
                network_mode=request.network or None, pull=request.pull,
                cache_from=request.cache_from or None, nocache=request.nocache,
                rm=request.rm, forcerm=request.rm, decode=True, timeout=request.timeout,
                extra_hosts=request.extra_hosts or None, shmsize=request.shm_size,
                container_limits=request.container_limits or None, use_config_proxy=request.use_config_proxy,
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


def _run_build(client: Any, context: BuildContext, request: BuildRequest, builder: str) -> tuple:
    """(image ID, log) from the chosen builder, or BuildFailure."""
    if builder == "classic":
        return _stream_build(client, context, request)
    try:
        image_id, log, step, error = build_with_buildx(
            client, context, request.args, request.target, request.labels, request.network, request.pull,
            request.cache_from, request.nocache)
    except ValueError as exc:
        raise BuildFailure("build of %s through docker buildx: %s" % (request.name, exc), None, [])
    if error:
        raise BuildFailure(error, step, log[-OUTPUT_TAIL_LINES:])
    return image_id, log


def inputs_digest(context: BuildContext, args: Dict[str, str], target: Optional[str], labels: Dict[str, str],
                  builder: str = "auto", digest_cache: bool = True) -> tuple:
    """(digest, builder) of a build: the builder is chosen first (BuildKitRequired, a ContextError,
    before anything runs) and counts as an input when it is buildx. compose plans with this too."""
    chosen = select_builder(context, builder)
    extra = ("builder=buildx",) if chosen == "buildx" else ()
    cache_dir = default_cache_dir() if digest_cache else None
    return build_inputs_digest(context, args, target, labels, extra=extra, cache_dir=cache_dir), chosen


def planned_digest(path: str, dockerfile: Optional[str], args: Dict[str, str], target: Optional[str],
                   labels: Dict[str, str]) -> str:
    """The digest compose records for a service's build (raises ContextError naming the Dockerfile's
    BuildKit-only lines when this host cannot run them)."""
    return inputs_digest(BuildContext(path, dockerfile), args, target, labels)[0]


def built_from(image: Optional[Dict[str, Any]], digest: str, recorded: List[str]) -> bool:
    """Whether `image` is what `digest`'s inputs built: the record lists it, or (images built before
    the record existed) it carries the digest as a label."""
    if image is None:
        return False
    if image.get("Id") in recorded:
        return True
    return ((image.get("Config") or {}).get("Labels") or {}).get(DIGEST_LABEL) == digest


def matching_digest(image_id: str, labels: Optional[Dict[str, str]], digest: Optional[str],
                    records: Optional[BuildRecords] = None) -> Optional[str]:
    """`digest` when the image (ID and labels, as the images list gives them) is what those build
    inputs built, else None. compose's planner asks this for images no container proves."""
    if not digest:
        return None
    recorded = (records or BuildRecords()).image_ids(digest)
    return digest if built_from({"Id": image_id, "Config": {"Labels": labels}}, digest, recorded) else None


def plan_build(current: Optional[Dict[str, Any]], digest: str, rebuild: str, recorded: List[str],
               present: Optional[str]) -> str:
    """'none' | 'tag' | 'build': the pure decision. `present` is an image the record lists for the
    digest that the engine has (None when there is none, or when not looked up)."""
    if current is not None:
        if rebuild == "never":
            return "none"
        if rebuild == "auto" and built_from(current, digest, recorded):
            return "none"
    if rebuild == "auto" and present:
        return "tag"
    return "build"


def content_identity(image: Dict[str, Any]) -> Dict[str, Any]:
    """What an image runs: its layers, platform and config, without what differs between two builds
    of the same layers (VOLATILE_CONFIG_KEYS, the creation time) or what this collection recorded on
    it (the digest label of earlier versions)."""
    config = dict(image.get("Config") or {})
    for key in VOLATILE_CONFIG_KEYS:
        config.pop(key, None)
    labels = dict(config.get("Labels") or {})
    labels.pop(DIGEST_LABEL, None)
    config["Labels"] = labels or None
    return dict(layers=list((image.get("RootFS") or {}).get("Layers") or []), config=config,
                os=image.get("Os"), architecture=image.get("Architecture"), variant=image.get("Variant"))


def same_content(one: Optional[Dict[str, Any]], other: Optional[Dict[str, Any]]) -> bool:
    if one is None or other is None:
        return False
    return content_identity(one) == content_identity(other)


def _summary(image: Optional[Dict[str, Any]], digest: Optional[str]) -> Optional[Dict[str, Any]]:
    if image is None:
        return None
    return dict(id=image.get("Id"), tags=sorted(image.get("RepoTags") or []), build_digest=digest)


def ensure_built(client: Any, request: BuildRequest, check_mode: bool) -> BuildResult:
    """Make `request.name` (and extra_tags) point at an image built from the request's inputs.

    Raises ValueError (bad input, naming the option; raised before any engine call; a ContextError
    when the Dockerfile needs BuildKit and this host cannot run it), BuildFailure (the Dockerfile
    failed; no tag moved) or ImageError (another engine error).
    """
    request.validate()
    context = BuildContext(request.path, request.dockerfile)
    digest, builder = inputs_digest(context, request.args, request.target, request.labels,
                                    request.builder, request.digest_cache)
    if builder == "buildx" and request.classic_only():  # before anything runs, in check mode too
        raise ValueError("build.%s: only the classic builder takes it, and this build runs through docker buildx"
                         " (BuildKit); remove it, or the Dockerfile's BuildKit-only lines" % request.classic_only()[0])
    records = request.records if request.records is not None else BuildRecords()
    recorded = records.image_ids(digest)
    result = BuildResult(name=request.name, digest=digest, builder=builder, build_record=records.path_for(digest))

    current = inspect_image(client, request.name)
    result.previous_id = current.get("Id") if current else None
    current_matches = built_from(current, digest, recorded)
    result.before = _summary(current, digest if current_matches else None)
    present = None
    if request.rebuild == "auto" and not current_matches:
        present = next((i for i in recorded if inspect_image(client, i) is not None), None)
    decision = plan_build(current, digest, request.rebuild, recorded, present)

    target_id: Optional[str] = result.previous_id
    if decision == "tag":
        target_id = present
    elif decision == "build":
        result.build_skipped = False
        result.actions.append("build %s (inputs digest %s)" % (request.name, digest[7:19]))
        if check_mode:
            target_id = None
        else:
            built_id, result.build_log = _run_build(client, context, request, builder)
            target_id = _full_id(client, built_id)
            if current is not None and target_id != current["Id"] and same_content(current, inspect_image(client, target_id)):
                result.kept_equal = target_id
                result.actions.append("kept %s: the build gave %s, the same layers and config" % (
                    current["Id"][7:19], target_id[7:19]))
                target_id = current["Id"]

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

    # what these inputs built: a build's result, a re-tag, or an image labelled by an earlier version
    # (not the image rebuild=never kept without asking what it was built from)
    known = decision != "none" or current_matches
    if known and target_id is not None and not check_mode and target_id not in recorded[:1]:
        records.remember(digest, target_id, request.name)

    result.image_id = target_id
    if target_id is None:
        result.image = None
    elif target_id == result.previous_id and not result.changed:
        result.image = current
    else:
        result.image = inspect_image(client, target_id)
    after = _summary(result.image, digest) or dict(id="(known after build)", build_digest=digest)
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
