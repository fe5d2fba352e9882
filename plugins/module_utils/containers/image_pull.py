# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The image a container is created from, and whether to pull it first: community.docker
docker_container's `pull` (never | missing | always, or true = always, false = missing).

Deciding is pure (`pull_reason`); pulling is images/store.pull_image; `resolve_image` does both
for the `container` module, before any write call: it never pulls in check mode, and records a pull
as a change only when it brought another image.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.client import NotFound
from ansible_collections.goship.containers.plugins.module_utils.images.store import ImageError, pull_image
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

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
    Raises OptionError when the image can be neither found nor pulled: naming `pull` when the
    policy forbids the pull, `image` when an absent image ID cannot be pulled."""
    if is_image_id(reference):
        if local_image is None:
            raise OptionError("image", "%s is an image ID that is not present locally (an ID cannot be pulled)" % reference)
        return None
    if policy == "always":
        return "pull is always"
    if local_image is not None:
        return None
    if policy == "never":
        raise OptionError("pull", "is never and the image %s is not present locally" % reference)
    return "not present locally"


def check_mode_pull(reference: str, local_image: Optional[dict[str, Any]], policy: str,
                    check_mode_behavior: str = "image_not_present") -> Optional[str]:
    """The pull a check-mode run records, or None. Check mode never pulls: a missing image would be
    pulled (a change); a present one is assumed current unless pull_check_mode_behavior=always, as
    docker_container does. Raises OptionError like `pull_reason`."""
    reason = pull_reason(reference, local_image, policy)
    if reason is None or (local_image is not None and check_mode_behavior != "always"):
        return None
    return "pull %s (%s)" % (reference, reason)


def _local_image(client: Any, reference: str) -> Optional[dict[str, Any]]:
    try:
        return client.inspect_image(reference)
    except NotFound:
        return None


def resolve_image(client: Any, outcome: Any, reference: str, policy: str,
                  check_mode_behavior: str = "image_not_present",
                  platform: Optional[str] = None) -> Optional[dict[str, Any]]:
    """The image's inspect data once pulled as `pull` says (for `platform`, when given); None when
    it would be pulled (check mode). One inspect call when nothing is pulled. A failed pull fails the task (`outcome.fail`)
    with nothing changed. `outcome` is an outcome.Outcome: check_mode, apply(action), fail(msg)."""
    local = _local_image(client, reference)
    if outcome.check_mode:
        action = check_mode_pull(reference, local, policy, check_mode_behavior)
        if action:
            outcome.apply(action)
        return local
    reason = pull_reason(reference, local, policy)
    if reason is None:
        return local
    action = "pull %s (%s)" % (reference, reason)
    try:
        pull_image(client, reference, platform)
    except ImageError as exc:
        outcome.fail("image: %s (pulled because: %s); nothing was changed" % (exc, reason),
                     api_requests=getattr(client, "request_count", None))
        return None  # outcome.fail exits the module
    image = client.inspect_image(reference)
    if local is None or image["Id"] != local["Id"]:
        outcome.apply(action)  # recorded only when it brought a new image: an unchanged pull is no change
    return image
