# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parts of an image reference, for roles that must not take them apart with Jinja string chains."""
from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

# Docker Hub's names, which the engine lists in their short ("familiar") form: `busybox`, `shop/web`
_HUB_DOMAINS = ("docker.io", "index.docker.io", "registry-1.docker.io")


def image_repository(reference: t.Any) -> str:
    """The repository of an image reference, as the engine lists it in an image's RepoTags: without
    its tag or digest, Docker Hub's names in their familiar form.

    `shop/web:1.4` → `shop/web`; `registry.example.com:5000/shop/web:1.4@sha256:…` →
    `registry.example.com:5000/shop/web` (the port is not a tag); `docker.io/library/busybox:1.36`
    → `busybox`; `docker.io/shop/web` → `shop/web`."""
    if not isinstance(reference, str) or not reference.strip() or reference != reference.strip():
        raise AnsibleFilterError("image_repository: expected an image reference such as shop/web:1.4, got %r" % (reference,))
    if reference.startswith("sha256:"):
        raise AnsibleFilterError("image_repository: %r is an image ID, which has no repository" % (reference,))
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:  # a colon after the last slash starts the tag; one before it is a registry's port
        name = name[:colon]
    if not name:
        raise AnsibleFilterError("image_repository: %r names no repository" % (reference,))
    parts = name.split("/", 1)
    if len(parts) == 2 and parts[0] in _HUB_DOMAINS:
        rest = parts[1]
        name = rest[len("library/"):] if rest.startswith("library/") and rest.count("/") == 1 else rest
    return name


class FilterModule:
    def filters(self):
        return {"image_repository": image_repository}
