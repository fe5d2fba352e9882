"""The snapshot client: answers the planner's inspect calls from engine JSON read elsewhere,
refuses snapshots of another container or image, and any call it cannot answer (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.client import NotFound
from ansible_collections.goship.containers.plugins.module_utils.engine_snapshot import (
    SnapshotClient, SnapshotError, image_matches,
)

IMAGE = {"Id": "sha256:1c07fdf6c0b6aa" + "0" * 50, "RepoTags": ["shop:1.4.3", "busybox:latest"],
         "RepoDigests": ["shop@sha256:" + "f" * 64]}
CONTAINER = {"Id": "8e1792f3c801" + "a" * 52, "Name": "/shop", "Image": IMAGE["Id"]}


def client(container=None, image=None, version=None, name="shop", ref="shop:1.4.3", absent=False):
    if not absent:
        container, image = container or CONTAINER, image or IMAGE
    return SnapshotClient({"container": container, "image": image, "version": version}, name, ref)


def test_answers_the_inspect_calls_from_the_snapshot():
    snap = client(version={"ApiVersion": "1.43"})
    assert snap.inspect_container("shop") is CONTAINER
    assert snap.inspect_container(CONTAINER["Id"]) is CONTAINER
    assert snap.inspect_image("shop:1.4.3") is IMAGE
    assert snap.api_version == "1.43" and snap.api_version_tuple == (1, 43)
    assert snap.request_count == 0


def test_null_is_the_engines_404():
    snap = client(absent=True)
    with pytest.raises(NotFound):
        snap.inspect_container("shop")
    with pytest.raises(NotFound):
        snap.inspect_image("shop:1.4.3")


def test_without_a_version_the_oldest_supported_api_is_assumed():
    assert client().api_version == "1.41"


@pytest.mark.parametrize("snapshot, message", [
    ({"container": None, "images": {}}, "unknown key(s) images"),
    ({"container": "running"}, "observed_state.container: must be"),
    ({"container": dict(CONTAINER, Name="/other")}, "observed_state.container is other, not container shop"),
    ({"image": dict(IMAGE, RepoTags=["other:1"])}, "observed_state.image is other:1, not image shop:1.4.3"),
])
def test_refuses_a_snapshot_that_does_not_fit(snapshot, message):
    with pytest.raises(SnapshotError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SnapshotClient(snapshot, "shop", "shop:1.4.3")


def test_refuses_what_it_cannot_answer():
    snap = client()
    with pytest.raises(SnapshotError, match="holds image shop:1.4.3, not other:2"):
        snap.inspect_image("other:2")
    with pytest.raises(SnapshotError, match="holds container shop, not web"):
        snap.inspect_container("web")
    with pytest.raises(SnapshotError, match="planning needed create_container"):
        snap.create_container_from_config({}, name="shop")


@pytest.mark.parametrize("reference, expected", [
    ("shop:1.4.3", True),
    ("busybox", True),
    ("docker.io/library/busybox", True),
    ("docker.io/library/busybox:latest", True),
    ("shop@sha256:" + "f" * 64, True),
    ("1c07fdf6c0b6", True),
    ("sha256:1c07fdf6c0b6aa", True),
    ("shop", False),
    ("shop:1.4.2", False),
    ("2c07fdf6c0b6", False),
])
def test_image_matches(reference, expected):
    assert image_matches(IMAGE, reference) is expected
