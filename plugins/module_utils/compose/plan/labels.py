# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The com.docker.compose.* label contract, in one place.

We label containers, networks and volumes exactly as Compose v2 does, so `docker compose ps`,
`ls`, `logs` and `down` see our projects as theirs. Two labels of our own (io.goship.compose.*)
carry what Compose does not record but we need to explain a recreate without an inspect call:
a short hash per top-level setting of the service, and the digest of a built image's inputs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Mapping, Optional

PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
CONTAINER_NUMBER = "com.docker.compose.container-number"
ONEOFF = "com.docker.compose.oneoff"
CONFIG_HASH = "com.docker.compose.config-hash"
WORKING_DIR = "com.docker.compose.project.working_dir"
CONFIG_FILES = "com.docker.compose.project.config_files"
ENVIRONMENT_FILE = "com.docker.compose.project.environment_file"
DEPENDS_ON = "com.docker.compose.depends_on"
IMAGE = "com.docker.compose.image"
VERSION = "com.docker.compose.version"
NETWORK = "com.docker.compose.network"
# On images Compose builds with the engine's classic builder (it adds it to build.labels).
IMAGE_BUILDER = "com.docker.compose.image.builder"
VOLUME = "com.docker.compose.volume"

SETTINGS = "io.goship.compose.settings"
# The service's settings with their values, secrets as tokens (plan/settings_values.py): the
# "before" of a later run's diff.
VALUES = "io.goship.compose.values"
BUILD_DIGEST = "io.goship.compose.build-digest"
# The digests of the secrets and configs copied into the container (service_spec.content_fingerprint):
# a rotated value recreates the container, though the config-hash is the same.
CONTENT = "io.goship.compose.content"
MANAGED_BY = "io.goship.compose.managed-by"
# On networks: the settings fingerprint of the network as created (what a change is detected by).
# Our own label, not Compose's config-hash: Compose hashes its Go structs, which we cannot
# reproduce, and a foreign hash there would make `docker compose up` recreate the network.
NETWORK_SETTINGS = "io.goship.compose.network-settings"

# The Compose release whose label contract we follow (the one the visibility tests run).
COMPOSE_VERSION = "2.40.3"
MANAGER = "goship.containers"


def project_filter(project: str, service: Optional[str] = None) -> dict[str, list[str]]:
    """The `filters` argument of a list call selecting the project's objects."""
    wanted = ["%s=%s" % (PROJECT, project)]
    if service is not None:
        wanted.append("%s=%s" % (SERVICE, service))
    return {"label": wanted}


def container_name(project: str, service: str, number: int) -> str:
    return "%s-%s-%d" % (project, service, number)


def short_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def settings_fingerprint(canonical: Mapping[str, Any]) -> str:
    """`key=hash,...` over the top-level keys of a service's canonical form (for 'what changed')."""
    return ",".join("%s=%s" % (key, short_hash(canonical[key])) for key in sorted(canonical))


def parse_settings(text: Optional[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        key, sep, value = item.partition("=")
        if sep:
            out[key] = value
    return out


def changed_settings(before: Optional[str], after: str) -> list[str]:
    """Top-level keys whose value differs between two fingerprints (added and removed keys too)."""
    old, new = parse_settings(before), parse_settings(after)
    return sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))


def format_depends_on(depends_on: Mapping[str, Any]) -> str:
    """`svc:condition:restart,...` as Compose writes it (objects with .condition and .restart)."""
    return ",".join(
        "%s:%s:%s" % (name, dep.condition, "true" if dep.restart else "false")
        for name, dep in sorted(depends_on.items())
    )


def project_labels(project: str, working_dir: str, config_files: Iterable[str],
                   environment_file: Optional[str] = None) -> dict[str, str]:
    labels = {
        PROJECT: project,
        WORKING_DIR: working_dir,
        CONFIG_FILES: ",".join(config_files),
        VERSION: COMPOSE_VERSION,
        ONEOFF: "False",
        MANAGED_BY: MANAGER,
    }
    if environment_file:
        labels[ENVIRONMENT_FILE] = environment_file
    return labels


def container_labels(base: Mapping[str, str], service: str, number: int, config_hash: str,
                     depends_on: str, image_id: str, settings: str,
                     build_digest: Optional[str] = None, values: Optional[str] = None,
                     content: Optional[str] = None) -> dict[str, str]:
    """The labels of one service container (`base` from project_labels)."""
    labels = dict(base)
    labels.update({
        SERVICE: service,
        CONTAINER_NUMBER: str(number),
        CONFIG_HASH: config_hash,
        DEPENDS_ON: depends_on,
        IMAGE: image_id,
        SETTINGS: settings,
    })
    if build_digest:
        labels[BUILD_DIGEST] = build_digest
    if values:
        labels[VALUES] = values
    if content:
        labels[CONTENT] = content
    return labels


def network_labels(project: str, key: str, user_labels: Mapping[str, str], settings: str = "") -> dict[str, str]:
    labels = dict(user_labels)
    labels.update({PROJECT: project, NETWORK: key, VERSION: COMPOSE_VERSION, MANAGED_BY: MANAGER})
    if settings:
        labels[NETWORK_SETTINGS] = settings
    return labels


def volume_labels(project: str, key: str, user_labels: Mapping[str, str]) -> dict[str, str]:
    labels = dict(user_labels)
    labels.update({PROJECT: project, VOLUME: key, VERSION: COMPOSE_VERSION, MANAGED_BY: MANAGER})
    return labels
