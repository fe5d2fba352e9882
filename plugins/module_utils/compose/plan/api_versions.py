# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose settings the engine's API version lacks fail before any write, naming the path.

An engine silently ignores a field its API version does not know (a healthcheck start_interval
sent to API 1.41 is dropped), so a project would deploy without what it asks for. The same table
the `container` module uses (containers/api_versions.py) covers what a service maps to; the
Compose-only settings are listed here. Pure: the caller passes the negotiated API version.
"""

from __future__ import annotations

from typing import Callable

from ansible_collections.goship.containers.plugins.module_utils.compose.model import Project, Service
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import container_spec
from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_needing_newer_api

# container option (containers/api_versions.py) -> the service key a user writes
_SERVICE_KEY = {"volumes/mounts": "volumes", "stop_timeout": "stop_grace_period"}

# (path below services.<name>, first API version that has it, "does the service use it?")
_SERVICE_MINIMUM_API: tuple[tuple[str, str, Callable[[Service], bool]], ...] = (
    ("healthcheck.start_interval", "1.44",
     lambda s: s.healthcheck is not None and not s.healthcheck.disable and s.healthcheck.start_interval is not None),
)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(text).split(".") if part.isdigit())


def settings_needing_newer_api(project: Project, api_version: str) -> list[tuple[str, str]]:
    """(compose path, minimum API version) for every setting of the project `api_version` lacks."""
    have = _version(api_version)
    found: list[tuple[str, str]] = []
    for name in sorted(project.services):
        service = project.services[name]
        for path, minimum, used in _SERVICE_MINIMUM_API:
            if used(service) and have < _version(minimum):
                found.append(("services.%s.%s" % (name, path), minimum))
        spec = container_spec(project, service, 1, {}).spec
        for option, minimum in options_needing_newer_api(spec, api_version):
            setting = ("services.%s.%s" % (name, _SERVICE_KEY.get(option, option)), minimum)
            if setting not in found:  # named by both tables (healthcheck.start_interval): once
                found.append(setting)
    return found
