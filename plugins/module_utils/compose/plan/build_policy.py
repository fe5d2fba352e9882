# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a service's image is built this run, for each value of the `build` option."""

from __future__ import annotations

from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredService


def build_reason(service: DesiredService, build: str, fresh: bool, missing: bool) -> str:
    """Why the image is built ("" when it is not). `fresh`: a container or the build record proves
    the image was built from the current inputs; `missing`: no image of that name on the engine.

    `auto` builds when the inputs are not proven (their digest). `policy` is `docker compose up`
    without --build / --no-build (docker_compose_v2's default): build when the image is missing,
    and every time for a service with `pull_policy: build`; changed inputs are not looked at.
    `never` and `always` say it all."""
    if build == "always":
        return "build: always"
    if build == "auto" and not fresh:
        return "no image yet" if missing else "build inputs changed (digest %s)" % (service.build_digest or "")[:12]
    if build == "policy":
        if service.pull_policy == "build":
            return "pull_policy: build"
        if missing:
            return "no image yet"
    return ""
