# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `image` module's work: validate → observe/plan → apply, for every source and state."""

from __future__ import annotations

import os
import re
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
    is_image_id,
    normalise_reference,
    pull_image,
    push_image,
    remote_digest,
    remove_image,
    split_reference,
    summary,
    tag_image,
)

from ansible_collections.goship.containers.plugins.module_utils.secrets import inspect_secrets, mask_inspect

SOURCES = ("build", "load", "pull", "local")
BUILD_OPTIONS = ("path", "dockerfile", "args", "secret_args", "target", "labels", "network", "cache_from",
                 "etc_hosts", "shm_size", "container_limits")
_DIGEST_REF = re.compile(r"^(.+)@(sha256:[0-9a-f]{64})$")
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
        pull=dict(type="raw", default=False),  # a bool; community.docker's {platform} (compat.py)
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


def _validate_name(params: Dict[str, Any], source: str) -> None:
    """`name`: repository[:tag]; an image ID for state=absent and source=local; repo@sha256:… for
    source=pull; none at all only for a load of every image of an archive (image_load)."""
    name = params.get("name")
    if name is None:
        if source != "load":
            raise ValueError("name: required")
        return
    if is_image_id(name):
        if source not in ("absent", "local"):
            raise ValueError("name: an image ID names an image only with state=absent or source=local"
                             " (source is %s); give a repository:tag" % source)
        if params.get("push") and not params.get("repositories"):
            raise ValueError("push: an image ID cannot be pushed; give repository to tag and push it")
        return
    digest = _DIGEST_REF.match(name)
    if digest:
        if source != "pull":
            raise ValueError("name: a digest reference (%s) is only pulled (source=pull)" % name)
        split_reference(digest.group(1), "name")
        if params.get("push") and not params.get("repositories"):
            raise ValueError("push: a digest reference cannot be pushed; give repository to tag and push it")
        return
    params["name"] = normalise_reference(name, "name")


def validate(params: Dict[str, Any]) -> str:
    """Reject bad input before any engine call; returns the source. Raises ValueError naming the option."""
    source = "absent" if params["state"] == "absent" else _source(params)
    _validate_name(params, source)
    params["extra_tags"] = [normalise_reference(t, "extra_tags[%d]" % i) for i, t in enumerate(params["extra_tags"])]
    if params.get("archive_names"):
        params["archive_names"] = [n if is_image_id(n) else normalise_reference(n, "names[%d]" % i)
                                   for i, n in enumerate(params["archive_names"])]
    repositories = params.get("repositories") or []
    params["repositories"] = [normalise_reference(r, "repository" if len(repositories) == 1 else "repository[%d]" % i)
                              for i, r in enumerate(repositories)]
    if source == "absent":
        return "absent"
    if source == "build" and not params.get("path"):
        raise ValueError("path: required when source=build")
    if source != "build":
        for option in BUILD_OPTIONS:
            if params.get(option) or (option == "shm_size" and params.get(option) is not None):
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
        if self.params.get("repositories"):
            self._repositories(image_id)
        if self.params.get("archive_path"):
            self._save(image_id)
        if self.params.get("push"):
            self._push(image_id)
        image = inspect_image(self.client, image_id) if image_id else None
        self.result["image"] = image
        self.result["image_id"] = image_id
        if source != "build" and self.name is not None:
            self.outcome.set_diff(self.outcome.before or None, summary(image))
        return self.result

    # --- state=absent -------------------------------------------------------------------
    def _absent(self) -> None:
        current = inspect_image(self.client, self.name)
        # remove by name only: an ID that merely shares the name's repository is not touched
        if current is not None and (self.name in (current.get("RepoTags") or []) or current.get("Id") == self.name):
            answer = self.outcome.apply("remove %s" % self.name, lambda: remove_image(
                self.client, self.name, self.params["force"], self.params.get("prune", True)))
            for key, entry in (("deleted", "Deleted"), ("untagged", "Untagged")):
                self.result[key] = [item[entry] for item in answer or [] if item.get(entry)]
        self.result.setdefault("deleted", [])
        self.result.setdefault("untagged", [])
        self.outcome.set_diff(summary(current), None)
        self.result["image_before"] = current
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
            builder=p.get("builder") or "auto", extra_hosts=p.get("etc_hosts") or {}, shm_size=p.get("shm_size"),
            container_limits=p.get("container_limits") or {}, rm=p.get("rm") is not False,
            use_config_proxy=p.get("use_config_proxy") is not False,
        )
        built = ensure_built(self.client, request, self.check_mode)
        self.outcome.actions.extend(built.actions)
        self.outcome.changed = self.outcome.changed or built.changed
        self.outcome.set_diff(built.before, built.after)
        self.result.update(build_skipped=built.build_skipped, build_digest=built.digest,
                           build_log=built.build_log[-40:], builder=built.builder, build_record=built.build_record)
        if not built.build_skipped and not self.check_mode:
            self.result["stdout"] = "\n".join(built.build_log)  # community.docker's key: the whole output
        return built.image_id

    def _load(self) -> Optional[str]:
        path = self.params["load_path"]
        images = read_manifest(path, "load_path")
        ids = [image.image_id for image in images]
        wanted = self._archive_target(images) if self.name is not None else None
        before = inspect_image(self.client, self.name) if self.name is not None else None
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
        if self.name is not None and not (loading and self.check_mode and self.name in archived_tags):
            self._ensure_tag(self.name, wanted)
        self.result["archive_image_ids"] = ids
        if self.name is None:  # every image of the archive (image_load): their names and inspect data
            self.result["image_names"] = sorted(archived_tags) + [i.image_id for i in images if not i.repo_tags]
            found = [inspect_image(self.client, image_id) for image_id in ids]
            self.result["images"] = [image for image in found if image is not None]
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
        if before is not None and "@" in self.name:  # a digest names exactly one image: it is there
            return before_id
        if self.check_mode and before is not None and self._registry_serves(self.name, before):
            return before_id  # the registry serves the image the engine has: a pull would change nothing
        changed_before = self.outcome.changed
        self.outcome.apply("pull %s" % self.name, lambda: pull_image(self.client, self.name))
        if self.check_mode:
            return before_id
        after = inspect_image(self.client, self.name)
        after_id = after.get("Id") if after else None
        self.outcome.changed = changed_before or after_id != before_id
        return after_id

    def _registry_serves(self, name: str, image: Dict[str, Any]) -> bool:
        remote = remote_digest(self.client, name)
        return bool(remote) and "%s@%s" % (name.rsplit(":", 1)[0], remote) in (image.get("RepoDigests") or [])

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

    def _repositories(self, image_id: Optional[str]) -> None:
        """Tag the image as each of `repositories`. A name that points at another image is moved, or
        kept with existing_images=keep (community.docker's force_tag=false / existing_images)."""
        tagged: List[str] = []
        for name in self.params["repositories"]:
            current = inspect_image(self.client, name)
            if image_id is not None and current is not None and current.get("Id") == image_id:
                continue
            if current is not None and self.params.get("existing_images") == "keep":
                if self.params.get("kept_hint"):
                    self.outcome.module.warn("%s points at another image (%s) and is kept: %s" % (
                        name, current["Id"][7:19], self.params["kept_hint"]))
                continue
            if image_id is None:  # check mode, before a build: its ID is not known yet
                self.outcome.apply("tag the built image as %s" % name)
            else:
                self.outcome.apply("tag %s as %s" % (image_id[7:19], name),
                                   lambda n=name: tag_image(self.client, image_id, n))
            tagged.append(name)
        self.result["tagged_images"] = tagged

    def _save(self, image_id: Optional[str]) -> None:
        path = self.params["archive_path"]
        file_mode = archive_file_mode(path, self.params.get("mode"))
        names = self.params.get("archive_names") or [self.name] + self.params["extra_tags"]
        ids = [image_id]
        if self.params.get("archive_names"):  # several images (image_export): each must be on the engine
            found = [inspect_image(self.client, name) for name in names]
            for index, image in enumerate(found):
                if image is None:
                    raise ImageError("names[%d]: no local image %s" % (index, names[index]))
            ids = [image["Id"] for image in found]
            self.result["images"] = found
        force = self.params.get("force_archive", self.params["force"])
        if None not in ids and all(archive_holds(path, i) for i in ids) and not force:
            self.result["archive_written"] = False
            current = stat.S_IMODE(os.stat(path).st_mode)
            if current != file_mode:
                self.outcome.apply("set the mode of %s to %04o (it is %04o)" % (path, file_mode, current),
                                   lambda: os.chmod(path, file_mode))
            return
        self.outcome.apply("save %s to %s (mode %04o)" % (", ".join(names), path, file_mode),
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
        for name in (self.params.get("repositories") or [self.name]) + self.params["extra_tags"]:
            remote = remote_digest(self.client, name) if image is not None else None
            if remote and "%s@%s" % (name.rsplit(":", 1)[0], remote) in repo_digests:
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
        first = next(iter(pushed), self.name)
        digest = (pushed.get(first) or {}).get("digest")
        self.result["repo_digest"] = "%s@%s" % (first.rsplit(":", 1)[0], digest) if digest else None


def _renamed(message: str, renames: Optional[Dict[str, str]]) -> str:
    for core, own in (renames or {}).items():
        if message.startswith(core + ":"):
            return own + message[len(core):]
    return message


def run_image_module(module: Any, client_factory: Any, outcome: Any, translate: Any = None,
                     reshape: Any = None, renames: Optional[Dict[str, str]] = None) -> None:
    """Entry point of plugins/modules/image*.py (a SecretAwareModule: `module.secret_rule`).
    `translate(params, warn)`: the core's options from the module's own (compat.py); `reshape(result)`
    renames or adds the module's return keys; `renames`: core option → the module's name for it, in
    error messages ("load_path: …" → "path: …")."""
    use_module(module)  # a build through docker buildx runs the CLI with the module's run_command
    try:
        params = translate(dict(module.params), module.warn) if translate else dict(module.params)
        source = validate(params)
    except ValueError as exc:
        outcome.fail(_renamed(str(exc), renames))
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
        outcome.fail(_renamed(str(exc), renames))
        return
    outcome.result.update(result)
    for key in ("image", "image_before"):  # the last build step's Cmd holds the build args
        if result.get(key) is not None:
            module.protect_values(inspect_secrets(result[key], module.secret_rule))
            outcome.result[key] = mask_inspect(result[key], module.secret_rule)
    if result.get("images"):
        for image in result["images"]:
            module.protect_values(inspect_secrets(image, module.secret_rule))
        outcome.result["images"] = [mask_inspect(image, module.secret_rule) for image in result["images"]]
    outcome.result["api_requests"] = getattr(client, "request_count", None)
    if reshape is not None:
        reshape(outcome.result)
    outcome.result.pop("image_before", None)  # the removed image: image_remove returns it as `image`
    outcome.exit()


__all__ = ["image_options", "run_image_module", "DIGEST_LABEL"]
