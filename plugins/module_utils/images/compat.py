# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""community.docker's image option shapes, mapped onto the image core's own options (image_task.py).

`image` takes docker_image's options beside its own (a nested `build:`, `force_source`,
`force_absent`, `force_tag`, `repository`, `tag`, `pull:` as a dictionary); the split modules
(image_build, image_load, image_pull, image_push, image_tag, image_export, image_remove) take the
options of community.docker's modules of those names. Every function here returns the core's
parameters, before any engine call: a key given in both shapes, or one the core cannot apply, raises
ValueError naming it; a key accepted without an effect is passed to `warn` saying why.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.goship.containers.plugins.module_utils.images.image_task import image_options
from ansible_collections.goship.containers.plugins.module_utils.images.store import is_image_id
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.goship.containers.plugins.module_utils.user_input import parse_size

Warn = Callable[[str], None]

# build.<key> of docker_image → the image module's flat option and its default (given = not the default)
BUILD_FLAT = {
    "path": ("path", None), "dockerfile": ("dockerfile", None), "args": ("args", {}),
    "target": ("target", None), "network": ("network", None), "labels": ("labels", {}),
    "nocache": ("nocache", False), "pull": ("pull", False), "cache_from": ("cache_from", []),
    "http_timeout": ("build_timeout", 1800),
}
# build.<key> with no flat twin: the build containers' environment (BuildRequest's classic-only fields)
BUILD_ONLY = ("etc_hosts", "shm_size", "rm", "container_limits", "use_config_proxy")
PLATFORM_WHY = ("the engine here builds and pulls only its own platform and there is no registry with other"
                " platforms' images to test it; the option is refused rather than ignored")


def build_suboptions() -> Dict[str, Dict[str, Any]]:
    """The argument spec of `image`'s `build` (community.docker's keys; None = not given)."""
    return dict(
        path=dict(type="path", required=True), dockerfile=dict(type="str"), args=dict(type="dict"),
        target=dict(type="str"), network=dict(type="str"), labels=dict(type="dict"),
        nocache=dict(type="bool"), pull=dict(type="bool"), cache_from=dict(type="list", elements="str"),
        http_timeout=dict(type="int"), etc_hosts=dict(type="dict"), shm_size=dict(type="str"),
        rm=dict(type="bool"), use_config_proxy=dict(type="bool"), platform=dict(type="str"),
        container_limits=dict(type="dict", options=dict(
            memory=dict(type="str"), memswap=dict(type="str"), cpushares=dict(type="int"),
            cpusetcpus=dict(type="str"))),
    )


def compat_options() -> Dict[str, Dict[str, Any]]:
    """docker_image's options that `image` adds to its own."""
    return dict(
        build=dict(type="dict", options=build_suboptions()),
        force_source=dict(type="bool", default=False),
        force_absent=dict(type="bool", default=False),
        force_tag=dict(type="bool", default=False),
        repository=dict(type="str"),
        tag=dict(type="str"),
    )


def core_defaults() -> Dict[str, Any]:
    """Every core option at its default (what a split module leaves unset)."""
    return dict((key, spec.get("default")) for key, spec in image_options().items())


def with_tag(name: Optional[str], tag: Optional[str], warn: Warn, option: str = "name") -> Optional[str]:
    """community.docker's `tag`: added to a name without one; the name's own tag (or digest) wins."""
    if name is None or is_image_id(name) or "@" in name:
        if tag not in (None, "latest"):
            warn("tag: %s is not used: %s is %s" % (tag, option, "an image ID" if is_image_id(name) else "a digest reference"))
        return name
    if name.rfind(":") > name.rfind("/"):
        own = name[name.rfind(":") + 1:]
        if tag is not None and tag != own:
            warn("tag: %s is not used: %s carries its own tag %s (as in community.docker)" % (tag, option, own))
        return name
    return "%s:%s" % (name, tag or "latest")


def _effective_tag(name: Optional[str], tag: Optional[str]) -> str:
    if name and not is_image_id(name) and "@" not in name and name.rfind(":") > name.rfind("/"):
        return name[name.rfind(":") + 1:]
    return tag or "latest"


def _build_environment(core: Dict[str, Any], build: Dict[str, Any]) -> None:
    """build.etc_hosts, shm_size, rm, container_limits, use_config_proxy → the core's fields, checked."""
    hosts = build.get("etc_hosts")
    if hosts is not None:
        for host, address in hosts.items():
            if not isinstance(address, str) or not address:
                raise ValueError("build.etc_hosts.%s: must be an IP address or host-gateway" % host)
        core["etc_hosts"] = dict((str(k), v) for k, v in hosts.items())
    if build.get("shm_size") is not None:
        core["shm_size"] = parse_size(build["shm_size"], "build.shm_size")
    limits = build.get("container_limits") or {}
    converted: Dict[str, Any] = {}
    for key, value in limits.items():
        if value is None:
            continue
        if key in ("memory", "memswap"):
            value = parse_size(value, "build.container_limits.%s" % key, allow_unlimited=key == "memswap")
        converted[key] = value
    core["container_limits"] = converted
    for key in ("rm", "use_config_proxy"):
        if build.get(key) is not None:
            core[key] = build[key]


def image_params(params: Dict[str, Any], warn: Warn) -> Dict[str, Any]:
    """`image`'s parameters (its own and docker_image's) → the core's."""
    core = dict(params)
    build = core.pop("build", None)
    for key in ("force_source", "force_absent", "force_tag", "repository", "tag"):
        core.pop(key, None)
    pull = core.get("pull")
    if isinstance(pull, dict):  # docker_image's pull: {platform}
        unknown = sorted(set(pull) - {"platform"})
        if unknown:
            raise ValueError("pull.%s: unknown key (pull takes true/false, or community.docker's {platform})" % unknown[0])
        if pull.get("platform") is not None:
            raise ValueError("pull.platform: not supported: " + PLATFORM_WHY)
        core["pull"] = False
    else:
        try:
            core["pull"] = False if pull is None else boolean(pull)
        except TypeError:
            raise ValueError("pull: must be true/false (pull base images in a build), or community.docker's"
                             " {platform: ...}, not %r" % (pull,))
    if build is not None:
        if core.get("source") not in (None, "build"):
            raise ValueError("build: only used when source=build (source is %s)" % core["source"])
        if params["state"] == "absent":
            raise ValueError("build: only used with state=present")
        for key, value in sorted(build.items()):
            if value is None or key in BUILD_ONLY:
                continue
            if key == "platform":
                raise ValueError("build.platform: not supported: " + PLATFORM_WHY)
            flat, default = BUILD_FLAT[key]
            if core.get(flat) is not None and core.get(flat) != default:
                raise ValueError("build.%s: also given as %s; give it once" % (key, flat))
            core[flat] = value
        for key in ("args", "labels"):  # checked here to name the nested key (the core names args.X)
            for inner, value in (build.get(key) or {}).items():
                if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
                    raise ValueError("build.%s.%s: must be a string or number, got %s" % (
                        key, inner, "null" if value is None else type(value).__name__))
        _build_environment(core, build)
        core["source"] = "build"

    state, force = params["state"], params["force"]
    name = core["name"]
    core["name"] = with_tag(name, params.get("tag"), warn)
    if params.get("force_source"):
        if state == "absent":
            warn("force_source: has no effect with state=absent (force_absent forces the removal)")
        core["force"], core["force_archive"] = True, force
    if params.get("force_absent"):
        if state == "present":
            warn("force_absent: has no effect with state=present")
        else:
            core["force"] = True
    repository = params.get("repository")
    if repository:
        if state == "absent":
            raise ValueError("repository: only used with state=present")
        if is_image_id(repository):
            raise ValueError("repository: must be a repository[:tag], not an image ID")
        core["repositories"] = [with_tag(repository, _effective_tag(name, params.get("tag")), lambda _m: None)]
        core["existing_images"] = "overwrite" if params.get("force_tag") else "keep"
        core["kept_hint"] = "force_tag: true moves it (community.docker's default keeps an existing tag)"
    elif params.get("force_tag"):
        warn("force_tag: has no effect without repository (name and extra_tags are always moved to the image)")
    return core


def _split(name: Optional[str], tag: Optional[str], warn: Warn, **options: Any) -> Dict[str, Any]:
    core = core_defaults()
    core.update(options)
    core["name"] = with_tag(name, tag, warn)
    return core


def _refuse(option: str, value: Any, why: str) -> None:
    if value:
        raise ValueError("%s: not supported: %s" % (option, why))


def build_params(params: Dict[str, Any], warn: Warn) -> Dict[str, Any]:
    """image_build (community.docker's options, which build through buildx) → the core's build."""
    _refuse("platform", params.get("platform"), PLATFORM_WHY)
    _refuse("secrets", params.get("secrets"), "BuildKit secrets need docker buildx, which this collection runs"
            " only for Dockerfiles that need BuildKit and without secrets; pass the secret to the container")
    _refuse("outputs", params.get("outputs"), "the built image is tagged as name on the engine; write an archive"
            " with image_export and push with image_push")
    core = _split(params["name"], params.get("tag"), warn, source="build", path=params["path"],
                  dockerfile=params.get("dockerfile"), args=params.get("args") or {},
                  target=params.get("target"), labels=params.get("labels") or {}, network=params.get("network"),
                  pull=params["pull"], cache_from=params.get("cache_from") or [], nocache=params["nocache"],
                  rebuild=params["rebuild"], sensitive_keys=params.get("sensitive_keys") or [])
    _build_environment(core, dict(etc_hosts=params.get("etc_hosts"), shm_size=params.get("shm_size")))
    return core


def load_params(params: Dict[str, Any], warn: Warn) -> Dict[str, Any]:
    """image_load: every image of the archive `path`."""
    if not os.path.isfile(params["path"]):
        raise ValueError("path: %s does not exist" % params["path"])
    return _split(None, None, warn, source="load", load_path=params["path"])


def pull_params(params: Dict[str, Any], warn: Warn) -> Dict[str, Any]:
    """image_pull: `pull: always` asks the registry every run (a change only when the ID moved)."""
    _refuse("platform", params.get("platform"), PLATFORM_WHY)
    policy = "always" if params["pull"] == "always" else "missing"
    return _split(params["name"], params.get("tag"), warn, source="pull", pull_policy=policy)


def push_params(params: Dict[str, Any], warn: Warn) -> Dict[str, Any]:
    """image_push: a local image to its registry, idempotent by digest."""
    if is_image_id(params["name"]) or "@" in params["name"]:
        raise ValueError("name: give the repository:tag to push, not an image ID or digest")
    return _split(params["name"], params.get("tag"), warn, source="local", push=True)


def tag_params(params: Dict[str, Any], warn: Warn) -> Dict[str, Any]:
    """image_tag: name (or an image ID) tagged as each of `repository`."""
    tag = _effective_tag(params["name"], params.get("tag"))
    repositories: List[str] = []
    for index, repository in enumerate(params["repository"]):
        if is_image_id(repository):
            raise ValueError("repository[%d]: must be a repository[:tag], not an image ID" % index)
        repositories.append(with_tag(repository, tag, lambda _m: None))
    return _split(params["name"], params.get("tag"), warn, source="local", repositories=repositories,
                  existing_images=params["existing_images"])


def export_params(params: Dict[str, Any], warn: Warn) -> Dict[str, Any]:
    """image_export: one archive with every image of `names`."""
    _refuse("platform", params.get("platform"), PLATFORM_WHY)
    if not params.get("path"):
        raise ValueError("path: required (the archive to write)")
    names = [with_tag(name, params.get("tag"), warn, "names[%d]" % i) for i, name in enumerate(params["names"])]
    if not names:
        raise ValueError("names: give at least one image")
    for index, name in enumerate(names):
        if name and "@" in name:
            raise ValueError("names[%d]: give a repository:tag or an image ID, not a digest reference" % index)
    core = _split(names[0], None, warn, source="local", archive_path=params["path"], archive_names=names,
                  force_archive=params["force"])
    return core


def remove_params(params: Dict[str, Any], warn: Warn) -> Dict[str, Any]:
    """image_remove: the tag (or image ID) `name`; `prune` false keeps untagged parents."""
    return _split(params["name"], params.get("tag"), warn, state="absent", force=params["force"],
                  prune=params["prune"])


def returning(*keys: str, removed_as_image: bool = False) -> Callable[[Dict[str, Any]], None]:
    """A reshape for run_image_module: keep only `keys` (and api_requests) of the core's result; with
    `removed_as_image`, `image` is the image as it was before the removal (image_remove), {} if none."""
    def reshape(result: Dict[str, Any]) -> None:
        if removed_as_image:
            result["image"] = result.get("image_before") or {}
        for key in list(result):
            if key not in keys and key != "api_requests":
                del result[key]
    return reshape
