# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `image` module's work: validate → observe/plan → apply, for every source and state."""

from __future__ import annotations

import os
import stat
from typing import Any, Dict, List, Optional

from ansible_collections.goship.containers.plugins.module_utils.images.archive import (
    ArchiveError,
    archive_file_mode,
    archive_holds,
    load_archive,
    missing_images,
    read_manifest,
    save_archive,
    tags_to_fix,
)
from ansible_collections.goship.containers.plugins.module_utils.images.build import (
    DIGEST_LABEL,
    BuildFailure,
    BuildRequest,
    ensure_built,
)
from ansible_collections.goship.containers.plugins.module_utils.images.commands import use_module
from ansible_collections.goship.containers.plugins.module_utils.images.context import ContextError
from ansible_collections.goship.containers.plugins.module_utils.images.store import (
    ImageError,
    inspect_image,
    normalise_reference,
    pull_image,
    push_image,
    remote_digest,
    remove_image,
    summary,
    tag_image,
)

from ansible_collections.goship.containers.plugins.module_utils.secrets import inspect_secrets, mask_inspect

SOURCES = ("build", "load", "pull", "local")
BUILD_OPTIONS = ("path", "dockerfile", "args", "secret_args", "target", "labels", "network", "cache_from")
DEFAULTED_BUILD_OPTIONS = {"builder": "auto"}


def image_options() -> Dict[str, Dict[str, Any]]:
    """The module's own argument spec (connection options are added by docker_argument_spec)."""
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        source=dict(type="str", choices=list(SOURCES)),
        force=dict(type="bool", default=False),
        path=dict(type="path"),
        dockerfile=dict(type="str"),
        args=dict(type="dict", default={}),
        secret_args=dict(type="dict", default={}, no_log=True),
        sensitive_keys=dict(type="list", elements="str", default=[], no_log=False),
        target=dict(type="str"),
        labels=dict(type="dict", default={}),
        network=dict(type="str"),
        pull=dict(type="bool", default=False),
        cache_from=dict(type="list", elements="str", default=[]),
        nocache=dict(type="bool", default=False),
        extra_tags=dict(type="list", elements="str", default=[]),
        rebuild=dict(type="str", default="auto", choices=["auto", "always", "never"]),
        builder=dict(type="str", default="auto", choices=["auto", "classic", "buildx"]),
        build_timeout=dict(type="int", default=1800),
        load_path=dict(type="path"),
        archive_path=dict(type="path"),
        mode=dict(type="raw"),
        pull_policy=dict(type="str", default="missing", choices=["missing", "always"]),
        from_image=dict(type="str"),
        push=dict(type="bool", default=False),
    )


def _source(params: Dict[str, Any]) -> str:
    if params.get("source"):
        return params["source"]
    if params.get("path"):
        return "build"
    if params.get("load_path"):
        return "load"
    return "local"


def validate(params: Dict[str, Any]) -> str:
    """Reject bad input before any engine call; returns the source. Raises ValueError naming the option."""
    name = normalise_reference(params["name"], "name")
    params["name"] = name
    params["extra_tags"] = [normalise_reference(t, "extra_tags[%d]" % i) for i, t in enumerate(params["extra_tags"])]
    if params["state"] == "absent":
        return "absent"
    source = _source(params)
    if source == "build" and not params.get("path"):
        raise ValueError("path: required when source=build")
    if source != "build":
        for option in BUILD_OPTIONS:
            if params.get(option):
                raise ValueError("%s: only used when source=build (source is %s)" % (option, source))
        for option, default in DEFAULTED_BUILD_OPTIONS.items():
            if params.get(option, default) != default:
                raise ValueError("%s: only used when source=build (source is %s)" % (option, source))
    if source == "load":
        if not params.get("load_path"):
            raise ValueError("load_path: required when source=load")
        if not os.path.isfile(params["load_path"]):
            raise ValueError("load_path: %s does not exist" % params["load_path"])
    elif params.get("load_path"):
        raise ValueError("load_path: only used when source=load (source is %s)" % source)
    if params.get("from_image") and source not in ("local", "pull"):
        raise ValueError("from_image: only used when source=local or pull (source is %s)" % source)
    if params.get("from_image"):
        params["from_image"] = params["from_image"].strip()
    for option in ("args", "secret_args", "labels"):
        for key, value in params[option].items():  # values may be secrets: the type only
            if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
                raise ValueError("%s.%s: must be a string or number, got %s" % (
                    option, key, "null" if value is None else type(value).__name__))
    both = sorted(set(params["args"]) & set(params["secret_args"]))
    if both:
        raise ValueError("secret_args.%s: is also in args; give each build argument once" % both[0])
    params["args"] = dict((str(k), str(v)) for k, v in list(params["args"].items()) + list(params["secret_args"].items()))
    params["labels"] = dict((str(k), str(v)) for k, v in params["labels"].items())
    if params.get("archive_path") and os.path.isdir(params["archive_path"]):
        raise ValueError("archive_path: %s is a directory; give a file name" % params["archive_path"])
    if params.get("mode") is not None:
        if not params.get("archive_path"):
            raise ValueError("mode: sets the permissions of archive_path, which is not set")
        archive_file_mode(params["archive_path"], params["mode"])  # a bad mode fails before any write
    return source


class ImageTask:
    """One run of the `image` module against one engine."""

    def __init__(self, params: Dict[str, Any], client: Any, outcome: Any) -> None:
        self.params = params
        self.client = client
        self.outcome = outcome
        self.check_mode = outcome.check_mode
        self.name: str = params["name"]
        self.result: Dict[str, Any] = dict(build_skipped=True, build_digest=None)

    def run(self, source: str) -> Dict[str, Any]:
        if source == "absent":
            self._absent()
            return self.result
        image_id = getattr(self, "_" + source)()
        if source != "build":
            self._extra_tags(image_id)
        if self.params.get("archive_path"):
            self._save(image_id)
        if self.params.get("push"):
            self._push(image_id)
        image = inspect_image(self.client, image_id) if image_id else None
        self.result["image"] = image
        self.result["image_id"] = image_id
        if source != "build":
            self.outcome.set_diff(self.outcome.before or None, summary(image))
        return self.result

    # --- state=absent -------------------------------------------------------------------
    def _absent(self) -> None:
        current = inspect_image(self.client, self.name)
        # remove by name only: an ID that merely shares the name's repository is not touched
        if current is not None and self.name in (current.get("RepoTags") or []):
            self.outcome.apply("remove %s" % self.name,
                               lambda: remove_image(self.client, self.name, self.params["force"]))
        self.outcome.set_diff(summary(current), None)
        self.result["image"] = None
        self.result["image_id"] = None

    # --- sources -------------------------------------------------------------------------
    def _build(self) -> Optional[str]:
        p = self.params
        request = BuildRequest(
            name=self.name, path=p["path"], dockerfile=p.get("dockerfile"), args=p["args"],
            target=p.get("target"), labels=p["labels"], network=p.get("network"), pull=p["pull"],
            cache_from=p["cache_from"], nocache=p["nocache"], extra_tags=p["extra_tags"],
            rebuild="always" if p["force"] else p["rebuild"], timeout=p["build_timeout"],
            builder=p.get("builder") or "auto",
        )
        built = ensure_built(self.client, request, self.check_mode)
        self.outcome.actions.extend(built.actions)
        self.outcome.changed = self.outcome.changed or built.changed
        self.outcome.set_diff(built.before, built.after)
        self.result.update(build_skipped=built.build_skipped, build_digest=built.digest,
                           build_log=built.build_log[-40:], builder=built.builder, build_record=built.build_record)
        return built.image_id

    def _load(self) -> Optional[str]:
        path = self.params["load_path"]
        images = read_manifest(path, "load_path")
        ids = [image.image_id for image in images]
        wanted = self._archive_target(images)
        before = inspect_image(self.client, self.name)
        self.outcome.set_diff(summary(before), None)
        missing = missing_images(self.client, images)
        if missing or self.params["force"]:
            self.outcome.apply("load %s (%s)" % (path, ", ".join(i.image_id[7:19] for i in missing) or "forced"),
                               lambda: load_archive(self.client, path))
            self.result["loaded"] = True
        else:
            self.result["loaded"] = False
        loading = bool(self.result["loaded"])
        if not (loading and self.check_mode):  # a load would set the archive's tags itself
            # the engine re-tags on load; without a load, fix the archive's tags ourselves
            for tag, image_id in sorted(tags_to_fix(self.client, images).items()):
                self.outcome.apply("tag %s as %s" % (image_id[7:19], tag),
                                   lambda t=tag, i=image_id: tag_image(self.client, i, t))
        archived_tags = set(tag for image in images for tag in image.repo_tags)
        if not (loading and self.check_mode and self.name in archived_tags):
            self._ensure_tag(self.name, wanted)
        self.result["archive_image_ids"] = ids
        return wanted

    def _archive_target(self, images: List[Any]) -> str:
        for image in images:
            if self.name in [normalise_reference(t, "load_path") for t in image.repo_tags]:
                return image.image_id
        if len(images) == 1:
            return images[0].image_id
        raise ArchiveError("name", "%s is not among the tags of the %d images in %s" % (
            self.name, len(images), self.params["load_path"]))

    def _pull(self) -> Optional[str]:
        before = inspect_image(self.client, self.name)
        before_id = before.get("Id") if before else None
        self.outcome.set_diff(summary(before), None)
        if self.params.get("from_image"):
            return self._pull_as_name(self.params["from_image"], before_id)
        if before is not None and self.params["pull_policy"] == "missing" and not self.params["force"]:
            return before_id
        changed_before = self.outcome.changed
        self.outcome.apply("pull %s" % self.name, lambda: pull_image(self.client, self.name))
        if self.check_mode:
            return before_id
        after = inspect_image(self.client, self.name)
        after_id = after.get("Id") if after else None
        self.outcome.changed = changed_before or after_id != before_id
        return after_id

    def _pull_as_name(self, source: str, before_id: Optional[str]) -> Optional[str]:
        """Pull `source` (repo:tag, or repo@sha256:… for exactly one image) and tag it as O(name)."""
        present = inspect_image(self.client, source)
        if present is None or self.params["pull_policy"] == "always" or self.params["force"]:
            changed_before = self.outcome.changed
            self.outcome.apply("pull %s" % source, lambda: pull_image(self.client, source))
            if self.check_mode:
                if present is None:
                    self.outcome.apply("tag %s as %s" % (source, self.name))
                    return before_id
            else:
                pulled = inspect_image(self.client, source)
                self.outcome.changed = changed_before or pulled is None or present is None or pulled["Id"] != present["Id"]
                present = pulled
        if present is None:
            raise ImageError("from_image: the engine has no image %s after pulling it" % source)
        self._ensure_tag(self.name, present["Id"])
        return present["Id"]

    def _local(self) -> Optional[str]:
        before = inspect_image(self.client, self.name)
        self.outcome.set_diff(summary(before), None)
        source_name = self.params.get("from_image")
        if not source_name:
            if before is None:
                raise ImageError("name: no local image %s (source=local never builds, loads or pulls)" % self.name)
            return before["Id"]
        source = inspect_image(self.client, source_name)
        if source is None:
            raise ImageError("from_image: no local image %s" % source_name)
        self._ensure_tag(self.name, source["Id"])
        return source["Id"]

    # --- after the source --------------------------------------------------------------------
    def _ensure_tag(self, name: str, image_id: Optional[str]) -> None:
        if image_id is None:
            return
        current = inspect_image(self.client, name)
        if current is not None and current.get("Id") == image_id:
            return
        self.outcome.apply("tag %s as %s" % (image_id[7:19], name), lambda: tag_image(self.client, image_id, name))

    def _extra_tags(self, image_id: Optional[str]) -> None:
        for tag in self.params["extra_tags"]:
            self._ensure_tag(tag, image_id)

    def _save(self, image_id: Optional[str]) -> None:
        path = self.params["archive_path"]
        file_mode = archive_file_mode(path, self.params.get("mode"))
        if image_id is not None and archive_holds(path, image_id) and not self.params["force"]:
            self.result["archive_written"] = False
            current = stat.S_IMODE(os.stat(path).st_mode)
            if current != file_mode:
                self.outcome.apply("set the mode of %s to %04o (it is %04o)" % (path, file_mode, current),
                                   lambda: os.chmod(path, file_mode))
            return
        names = [self.name] + self.params["extra_tags"]
        self.outcome.apply("save %s to %s (mode %04o)" % (self.name, path, file_mode),
                           lambda: save_archive(self.client, names, path, file_mode))
        self.result["archive_written"] = not self.check_mode

    def _push(self, image_id: Optional[str]) -> None:
        """Push each name whose registry does not already serve this image. Idempotent by digest:
        when the registry's manifest for the name is among the image's RepoDigests (the engine
        pushed or pulled exactly that), nothing is sent; a push that leaves the registry's manifest
        as it was (the registry had it from another host) is no change."""
        image = inspect_image(self.client, image_id) if image_id else None
        repo_digests = set((image or {}).get("RepoDigests") or [])
        pushed: Dict[str, Any] = {}
        for name in [self.name] + self.params["extra_tags"]:
            remote = remote_digest(self.client, name) if image is not None else None
            repo = name.rsplit(":", 1)[0]
            if remote and "%s@%s" % (repo, remote) in repo_digests:
                pushed[name] = dict(digest=remote, pushed=False)
                continue  # the registry already serves exactly this image under that name
            changed, count = self.outcome.changed, len(self.outcome.actions)
            result = self.outcome.apply("push %s" % name, lambda n=name: push_image(self.client, n))
            if result is None:  # check mode
                pushed[name] = dict(digest=remote, pushed=True)
                continue
            digest = result[1]
            pushed[name] = dict(digest=digest, pushed=True)
            if digest and digest == remote:  # the registry had this manifest already: nothing moved
                self.outcome.changed = changed
                del self.outcome.actions[count:]
        self.result["pushed"] = pushed
        digest = (pushed.get(self.name) or {}).get("digest")
        self.result["repo_digest"] = "%s@%s" % (self.name.rsplit(":", 1)[0], digest) if digest else None


def run_image_module(module: Any, client_factory: Any, outcome: Any) -> None:
    """Entry point used by plugins/modules/image.py (a SecretAwareModule: `module.secret_rule`)."""
    use_module(module)  # a build through docker buildx runs the CLI with the module's run_command
    params = dict(module.params)
    try:
        source = validate(params)
    except ValueError as exc:
        outcome.fail(str(exc))
        return
    client = client_factory(module)
    task = ImageTask(params, client, outcome)
    try:
        result = task.run(source)
    except BuildFailure as exc:
        outcome.fail("build of %s failed at %s: %s" % (params["name"], exc.step or "(before the first step)", exc.message),
                     failed_step=exc.step, build_output=exc.output)
        return
    except (ValueError, ContextError, ArchiveError, ImageError) as exc:
        outcome.fail(str(exc))
        return
    outcome.result.update(result)
    if result.get("image") is not None:  # the last build step's Cmd holds the build args
        module.protect_values(inspect_secrets(result["image"], module.secret_rule))
        outcome.result["image"] = mask_inspect(result["image"], module.secret_rule)
    outcome.result["api_requests"] = getattr(client, "request_count", None)
    outcome.exit()


__all__ = ["image_options", "run_image_module", "DIGEST_LABEL"]
