# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's image store: names, inspect, tag, remove, pull and push, with errors that say why."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.goship.containers.plugins.module_utils.client import APIError, NotFound

_NAME_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?$")


class ImageError(Exception):
    """An engine operation on images failed; the message says which and why."""


def split_reference(name: str, option: str = "name") -> Tuple[str, str]:
    """'repo[:tag]' → (repo, tag), tag defaulting to 'latest'. Raises ValueError naming `option`."""
    if not name or name != name.strip():
        raise ValueError("%s: %r is not an image name" % (option, name))
    if "@" in name:
        raise ValueError("%s: %r is a digest reference; give a repository:tag" % (option, name))
    repo, tag = name, "latest"
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        repo, tag = name[:colon], name[colon + 1:]
    if not _TAG.match(tag):
        raise ValueError("%s: %r has an invalid tag %r" % (option, name, tag))
    parts = repo.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        if not _DOMAIN.match(parts[0]):
            raise ValueError("%s: %r has an invalid registry host %r" % (option, name, parts[0]))
        parts = parts[1:]
    for part in parts:
        if not _NAME_COMPONENT.match(part):
            raise ValueError("%s: %r is not a valid repository name (lowercase letters, digits and"
                             " separators . _ - only)" % (option, name))
    return repo, tag


IMAGE_ID = re.compile(r"^sha256:[0-9a-f]{64}$")


def is_image_id(name: Any) -> bool:
    """A full image ID (sha256:<64 hex>), which some options accept instead of a name."""
    return isinstance(name, str) and bool(IMAGE_ID.match(name))


def normalise_reference(name: str, option: str = "name") -> str:
    repo, tag = split_reference(name, option)
    return "%s:%s" % (repo, tag)


def inspect_image(client: Any, name: str) -> Optional[Dict[str, Any]]:
    """The image's inspect data, or None when the engine has no such image."""
    try:
        return client.inspect_image(name)
    except NotFound:
        return None


def find_by_label(client: Any, key: str, value: str) -> List[Dict[str, Any]]:
    """Images (dangling ones included) carrying label key=value, newest first. One list call."""
    found = client.images(filters={"label": "%s=%s" % (key, value)})
    return sorted(found, key=lambda item: item.get("Created", 0), reverse=True)


def summary(image: Optional[Dict[str, Any]], digest_label: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The few facts diff mode shows: ID, tags, and the build digest label when there is one."""
    if image is None:
        return None
    result: Dict[str, Any] = dict(id=image.get("Id"), tags=sorted(image.get("RepoTags") or []))
    if digest_label:
        labels = (image.get("Config") or {}).get("Labels") or {}
        result["build_digest"] = labels.get(digest_label)
    return result


def tag_image(client: Any, image_id: str, name: str) -> None:
    repo, tag = split_reference(name)
    try:
        client.tag(image_id, repo, tag, force=True)
    except APIError as exc:
        raise ImageError("tagging %s as %s failed: %s" % (image_id, name, _explain(exc)))


def remove_image(client: Any, name: str, force: bool, prune: bool = True) -> List[Dict[str, Any]]:
    """DELETE /images/{name}: the engine's answer, one {"Untagged": ...} or {"Deleted": ...} per
    entry. `prune` false keeps the untagged parent images (the engine's noprune)."""
    try:
        answer = client.remove_image(name, force=force, noprune=not prune)
    except NotFound:
        return []
    except APIError as exc:
        raise ImageError("removing %s failed: %s%s" % (
            name, _explain(exc), "" if force else " (force=true removes it anyway)"))
    return [entry for entry in (answer or []) if isinstance(entry, dict)]


def _stream_errors(stream: Any, aux: Optional[Dict[str, Any]] = None) -> Tuple[List[str], Optional[str]]:
    """(status lines, error or None) of a pull or push stream; `aux` collects the aux records (a push's
    manifest digest)."""
    log: List[str] = []
    for chunk in stream:
        if not isinstance(chunk, dict):
            continue
        if chunk.get("error"):
            detail = (chunk.get("errorDetail") or {}).get("message") or chunk["error"]
            return log, str(detail)
        if aux is not None and isinstance(chunk.get("aux"), dict):
            aux.update(chunk["aux"])
        status = chunk.get("status")
        if status:
            log.append("%s %s" % (chunk.get("id", ""), status) if chunk.get("id") else str(status))
    return log, None


def pull_image(client: Any, name: str, platform: Optional[str] = None) -> List[str]:
    """Pull `name` (repo[:tag] or repo@digest), for `platform` (os[/arch[/variant]]) when given; the
    streamed log, or ImageError with the registry's answer (some failures come as an HTTP error,
    others as an error line in the stream).
    Credentials: the docker SDK sends those of the Docker config (the `login` module's file, found
    through DOCKER_CONFIG or ~/.docker/config.json) for the image's registry."""
    repo, tag = name.split("@", 1) if "@" in name else split_reference(name)
    try:
        extra = {"platform": platform} if platform else {}
        log, error = _stream_errors(client.pull(repo, tag=tag, stream=True, decode=True, **extra))
    except APIError as exc:
        raise ImageError("pulling %s failed: %s" % (name, _explain(exc)))
    except Exception as exc:  # connection dropped mid-stream
        raise ImageError("pulling %s failed: %s" % (name, exc))
    if error:
        raise ImageError("pulling %s failed: %s" % (name, error))
    return log


def push_image(client: Any, name: str) -> Tuple[List[str], Optional[str]]:
    """Push `name` (credentials: the Docker config, as the docker SDK reads it); (the streamed log,
    the manifest digest the registry now serves), or ImageError with the registry's answer."""
    repo, tag = split_reference(name)
    aux: Dict[str, Any] = {}
    try:
        log, error = _stream_errors(client.push(repo, tag=tag, stream=True, decode=True), aux)
    except APIError as exc:
        raise ImageError("pushing %s failed: %s" % (name, _explain(exc)))
    except Exception as exc:
        raise ImageError("pushing %s failed: %s" % (name, exc))
    if error:
        raise ImageError("pushing %s failed: %s" % (name, error))
    return log, aux.get("Digest")


def remote_digest(client: Any, name: str) -> Optional[str]:
    """The manifest digest the registry holds for `name` (GET /distribution/{name}/json: the engine
    asks the registry, with the Docker config's credentials), or None when it has none or cannot
    be asked."""
    try:
        return (client.inspect_distribution(name).get("Descriptor") or {}).get("digest")
    except Exception:
        return None


def _explain(exc: Any) -> str:
    return str(getattr(exc, "explanation", None) or exc)
