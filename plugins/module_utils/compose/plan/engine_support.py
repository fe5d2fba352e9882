# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a deploy needs that this engine or this collection lacks: named before any write (issue 17).

The loader accepts every key `docker compose config` accepts, whatever the engine (compose_info
shows them, check mode plans them and warns); a deploy that needs one of these fails before its
first write, naming the service, the feature and what it would take:
  - `models` and `provider` services: set up by the Docker Model Runner or a `docker <type>` CLI
    plugin, which this collection does not drive;
  - `image` mounts: Docker Engine API 1.48 (Engine 28.0), and this collection does not create them;
  - build keys the builder here does not apply (the Engine API's classic build): BuildKit features
    such as entitlements, secrets, ssh, attestations, multi-platform, cache export.
Pure: the caller passes the negotiated API version and the services that will be built.
"""

from __future__ import annotations

from typing import Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import BuildConfig, Project

IMAGE_MOUNT_API = "1.48"

# BuildConfig fields the build step applies (compose/apply/resources.build → images/build.BuildRequest).
APPLIED_BUILD_KEYS = ("context", "dockerfile", "args", "target", "labels", "network", "pull", "cache_from",
                      "no_cache", "tags")
# The others, set: why they cannot be applied here.
_UNAPPLIED_BUILD_KEYS = {
    "dockerfile_inline": "an inline Dockerfile is not built here: write it to a file and use dockerfile",
    "cache_to": "cache export is a BuildKit feature (docker buildx)",
    "shm_size": "not passed to the build by this collection",
    "extra_hosts": "not passed to the build by this collection",
    "additional_contexts": "named build contexts are a BuildKit feature (docker buildx)",
    "platforms": "multi-platform builds are a BuildKit feature (docker buildx)",
    "privileged": "privileged builds are a BuildKit feature (docker buildx)",
    "isolation": "not passed to the build by this collection",
    "secrets": "build secrets are a BuildKit feature (docker buildx)",
    "ssh": "SSH agent forwarding is a BuildKit feature (docker buildx)",
    "ulimits": "not passed to the build by this collection",
    "entitlements": "entitlements are a BuildKit feature (docker buildx)",
    "provenance": "provenance attestations are a BuildKit feature (docker buildx)",
    "sbom": "SBOM attestations are a BuildKit feature (docker buildx)",
}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(text).split(".") if part.isdigit())


def unapplied_build_settings(name: str, build: BuildConfig) -> list[tuple[str, str]]:
    """(path, why) for every build key set on the service that the build here would not apply."""
    found = []
    for key, why in _UNAPPLIED_BUILD_KEYS.items():
        value = getattr(build, key)
        if value not in (None, False, [], {}, ""):
            found.append(("services.%s.build.%s" % (name, key), why))
    return found


def deploy_refusals(project: Project, api_version: str, built: Iterable[str] = (),
                    selected: Optional[Iterable[str]] = None) -> list[tuple[str, str]]:
    """(path, problem) for every feature the deploy of `selected` (default: all services) needs
    that the engine at `api_version` or this collection lacks; `built`: the services the plan builds."""
    found: list[tuple[str, str]] = []
    names = sorted(project.services if selected is None else set(selected) & set(project.services))
    for name in names:
        service = project.services[name]
        if "models" in service.extra:
            found.append(("services.%s.models" % name, "AI models need a model runner (Docker Model Runner, with "
                          "Docker Compose 2.38 or newer), which this collection does not drive"))
        provider = service.extra.get("provider")
        if provider is not None:
            found.append(("services.%s.provider" % name, "a provider service is set up by the `docker %s` CLI plugin, "
                          "which this collection does not run" % provider.get("type")))
        for index, mount in enumerate(service.volumes):
            if mount.type == "image":
                lacks = "" if api_version and _version(api_version) >= _version(IMAGE_MOUNT_API) else \
                    "; the daemon speaks API %s" % (api_version or "unknown")
                found.append(("services.%s.volumes[%d]" % (name, index), "an image mount needs Docker Engine API %s "
                              "(Engine 28.0) or newer%s, and this collection does not create image mounts yet"
                              % (IMAGE_MOUNT_API, lacks)))
    for name in sorted(set(built)):
        service = project.services.get(name)
        if service is not None and service.build is not None:
            found.extend(unapplied_build_settings(name, service.build))
    return found


def refusal_message(found: list[tuple[str, str]]) -> str:
    """One line: the first problem (its path is the error's), then the others with their paths."""
    return "; ".join(problem if index == 0 else "%s: %s" % (path, problem)
                     for index, (path, problem) in enumerate(found))
