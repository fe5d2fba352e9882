"""The repository of an image reference (plugins/filter/image_reference.py), as the engine lists it."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.goship.containers.plugins.filter.image_reference import image_repository

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize("reference, repository", [
    ("shop/web:1.4", "shop/web"),
    ("shop/web", "shop/web"),
    ("goship-fleet/app:2", "goship-fleet/app"),
    ("shop/web:1.4@" + DIGEST, "shop/web"),
    ("shop/web@" + DIGEST, "shop/web"),
    # a registry's port is not a tag
    ("registry.example.com:5000/shop/web", "registry.example.com:5000/shop/web"),
    ("registry.example.com:5000/shop/web:1.4", "registry.example.com:5000/shop/web"),
    ("127.0.0.1:5055/gs/app:3@" + DIGEST, "127.0.0.1:5055/gs/app"),
    ("localhost/app:1", "localhost/app"),
    # Docker Hub's names in the short form the engine lists them in
    ("docker.io/library/busybox:1.36", "busybox"),
    ("index.docker.io/library/busybox", "busybox"),
    ("docker.io/shop/web:1", "shop/web"),
    ("docker.io/library/nested/name:1", "library/nested/name"),
    ("busybox:latest", "busybox"),
])
def test_repository_without_tag_or_digest(reference, repository):
    assert image_repository(reference) == repository


@pytest.mark.parametrize("bad", ["", " shop/web", None, 3, ":1", DIGEST])
def test_refuses_what_is_not_a_reference(bad):
    with pytest.raises(AnsibleFilterError, match="image_repository"):
        image_repository(bad)
