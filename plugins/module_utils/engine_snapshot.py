# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine state read elsewhere, served as a read-only client, so a module can plan against it.

Why: a fleet's no-op run asks every host "would the deploy change anything?". Shipping a module
to each host costs a Python start with ansible-core imported there (about 0.45 s of CPU per host).
Reading the engine's own inspect JSON on the host (plugins/plugin_utils/read_engine_state.py, a few
stdlib lines over the API socket) and planning on the controller gives the same verdict from the
same data: `SnapshotClient` answers the inspect calls the planner makes from that JSON, and any
other call (a write, or a read the snapshot lacks) fails loudly instead of guessing.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.client import NotFound

# The keys of `observed_state`: each holds the engine's answer to one GET, or None for a 404.
SNAPSHOT_KEYS = ("container", "image", "version")


class SnapshotError(RuntimeError):
    """The planner asked for something the snapshot does not hold: the module must fail."""


def image_matches(image: dict[str, Any], reference: str) -> bool:
    """Does the inspect data `image` answer to `reference` (a tag, a digest or an ID)?"""
    image_id = str(image.get("Id", ""))
    if reference.startswith("sha256:") or len(reference) >= 12 and all(c in "0123456789abcdef" for c in reference):
        if image_id.rsplit(":", maxsplit=1)[-1].startswith(reference.rsplit(":", maxsplit=1)[-1]):
            return True
    names = set(image.get("RepoTags") or []) | set(image.get("RepoDigests") or [])
    short = reference
    for prefix in ("docker.io/library/", "docker.io/"):
        if short.startswith(prefix):
            short = short[len(prefix):]
            break
    last = short.rsplit("/", 1)[-1]
    return short in names or ("@" not in last and ":" not in last and short + ":latest" in names)


class SnapshotClient:
    """The subset of EngineClient the container planner reads, answered from a snapshot.

    `container` and `image` are the engine's inspect JSON (GET /containers/{name}/json and
    GET /images/{ref}/json) or None when the engine answered 404; `version` is GET /version."""

    check_mode = True

    def __init__(self, snapshot: dict[str, Any], container_name: str, image_ref: Optional[str]) -> None:
        unknown = sorted(set(snapshot) - set(SNAPSHOT_KEYS))
        if unknown:
            raise SnapshotError("observed_state: unknown key(s) %s (expected %s)" % (", ".join(unknown), ", ".join(SNAPSHOT_KEYS)))
        for key in SNAPSHOT_KEYS:
            if snapshot.get(key) is not None and not isinstance(snapshot[key], dict):
                raise SnapshotError("observed_state.%s: must be the engine's inspect JSON object or null" % key)
        self._container = snapshot.get("container")
        self._image = snapshot.get("image")
        self._name = container_name
        self._image_ref = image_ref
        # A snapshot of another container or image would plan the wrong thing: refuse it.
        if self._container is not None and not self._matches_container(container_name):
            raise SnapshotError("observed_state.container is %s, not container %s"
                                % (self._container.get("Name", "?").lstrip("/"), container_name))
        if self._image is not None and image_ref and not image_matches(self._image, image_ref):
            raise SnapshotError("observed_state.image is %s, not image %s"
                                % (", ".join(self._image.get("RepoTags") or []) or self._image.get("Id", "?"), image_ref))
        version = snapshot.get("version") or {}
        # No version read: assume the oldest API the collection supports, so options that need a
        # newer one are refused rather than planned for an engine that may not have them.
        self.api_version = str(version.get("ApiVersion") or "1.41")
        self.base_url = "observed_state"
        self.request_count = 0

    @property
    def api_version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.api_version.split(".") if part.isdigit())

    def inspect_container(self, name: str) -> dict[str, Any]:
        if name != self._name and not self._matches_container(name):
            raise SnapshotError("observed_state holds container %s, not %s" % (self._name, name))
        if self._container is None:
            raise NotFound("No such container: %s (observed_state)" % name)
        return self._container

    def inspect_image(self, reference: str) -> dict[str, Any]:
        if reference != self._image_ref:
            raise SnapshotError("observed_state holds image %s, not %s" % (self._image_ref, reference))
        if self._image is None:
            raise NotFound("No such image: %s (observed_state)" % reference)
        return self._image

    def _matches_container(self, name: str) -> bool:
        container = self._container or {}
        return name in (container.get("Name", "").lstrip("/"), container.get("Id"))

    def __getattr__(self, attribute: str) -> Any:
        # Every other client call would need the engine itself: refuse it by name.
        raise SnapshotError("observed_state: planning needed %s, which a snapshot cannot answer" % attribute)
