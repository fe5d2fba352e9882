# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The image a container is created from, and whether to pull it first: community.docker
docker_container's `pull` (never | missing | always, or true = always, false = missing).

Deciding is pure (`pull_reason`); pulling is images/store.pull_image. The `container` module
decides before any write call, never pulls in check mode, and pulls before it plans against the
image.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from .parse import OptionError

PULL_POLICIES = ("never", "missing", "always")
PULL_CHECK_MODE_BEHAVIORS = ("image_not_present", "always")
_BOOLEAN_TEXT = {"true": "always", "yes": "always", "false": "missing", "no": "missing"}
_IMAGE_ID = re.compile(r"^(sha256:)?[0-9a-f]{12,64}$")


def parse_pull_policy(value: Any) -> str:
    """`pull` as the user wrote it → never | missing | always. Raises OptionError naming `pull`."""
    if isinstance(value, bool):
        return "always" if value else "missing"
    text = str(value).strip().lower()
    policy = _BOOLEAN_TEXT.get(text, text)
    if policy not in PULL_POLICIES:
        raise OptionError("pull", "%r is not one of never, missing, always (or a boolean)" % (value,))
    return policy


def is_image_id(reference: str) -> bool:
    """An image ID (full or short, with or without `sha256:`) names a local image: it cannot be pulled."""
    return bool(_IMAGE_ID.match(reference))


def pull_reason(reference: str, local_image: Optional[dict[str, Any]], policy: str) -> Optional[str]:
    """Why `reference` must be pulled before planning, or None to use the local image.
    Raises OptionError (naming `image`) when the image can be neither found nor pulled."""
    if is_image_id(reference):
        if local_image is None:
            raise OptionError("image", "%s is an image ID that is not present locally (an ID cannot be pulled)" % reference)
        return None
    if policy == "always":
        return "pull is always"
    if local_image is not None:
        return None
    if policy == "never":
        raise OptionError("image", "%s is not present locally and pull is never" % reference)
    return "not present locally"
