# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`docker save` archives: which image IDs they hold, loading them, writing them.

Identity is the image ID (the sha256 of the image config), read from the archive's manifest.json,
so an archive is streamed to an engine only when the engine lacks one of its images, and written
only when the file on disk does not already hold the image.
"""

from __future__ import annotations

import json
import os
import stat
import tarfile
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import APIError
from ansible_collections.goship.containers.plugins.module_utils.images.store import ImageError, inspect_image


@dataclass
class ArchivedImage:
    image_id: str                      # "sha256:<hex>"
    repo_tags: List[str] = field(default_factory=list)


class ArchiveError(ValueError):
    """The file is not a readable `docker save` archive; `option` names the module option."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__("%s: %s" % (option, message))
        self.option = option


def read_manifest(path: str, option: str = "load_path") -> List[ArchivedImage]:
    """The images of a `docker save` archive (plain or compressed tar), from its manifest.json."""
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise ArchiveError(option, "%s has no manifest.json" % path)
            manifest = json.loads(member.read().decode("utf-8"))
    except KeyError:
        raise ArchiveError(option, "%s has no manifest.json: not a docker save archive" % path)
    except (OSError, tarfile.TarError, ValueError) as exc:
        if isinstance(exc, ArchiveError):
            raise
        raise ArchiveError(option, "cannot read %s as a docker save archive: %s" % (path, exc))
    if not isinstance(manifest, list) or not manifest:
        raise ArchiveError(option, "%s: manifest.json lists no images" % path)
    images = []
    for entry in manifest:
        config = str(entry.get("Config") or "")
        hex_id = os.path.basename(config)
        if hex_id.endswith(".json"):
            hex_id = hex_id[:-5]
        if len(hex_id) != 64:
            raise ArchiveError(option, "%s: manifest entry has no image config (%r)" % (path, config))
        images.append(ArchivedImage("sha256:" + hex_id, list(entry.get("RepoTags") or [])))
    return images


def archive_holds(path: str, image_id: str) -> bool:
    """True when `path` is a readable archive that contains image `image_id`."""
    if not os.path.isfile(path):
        return False
    try:
        return any(image.image_id == image_id for image in read_manifest(path, "archive_path"))
    except ArchiveError:
        return False  # an unreadable file is simply rewritten


def load_archive(client: Any, path: str) -> List[str]:
    """Stream the archive to the engine; the engine's messages, or ImageError."""
    messages: List[str] = []
    try:
        with open(path, "rb") as handle:
            for chunk in client.load_image(handle):
                if not isinstance(chunk, dict):
                    continue
                if chunk.get("error"):
                    detail = (chunk.get("errorDetail") or {}).get("message") or chunk["error"]
                    raise ImageError("loading %s failed: %s" % (path, detail))
                if chunk.get("stream"):
                    messages.append(str(chunk["stream"]).strip())
    except APIError as exc:
        raise ImageError("loading %s failed: %s" % (path, getattr(exc, "explanation", exc)))
    return messages


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def archive_file_mode(path: str, mode: Any = None) -> int:
    """The permissions the archive file gets. `mode` as ansible's file modules take it: an octal
    string (`"0640"`), a number (`0o640`) or symbolic (`"u=rw,g=r,o="`, applied to the file's
    current mode). Without it, an existing file keeps its mode and a new one gets 0666 less the
    umask, as any new file. Raises ValueError naming `mode` when it is no file mode."""
    try:
        current: Optional[int] = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        current = None
    if mode is None:
        return current if current is not None else 0o666 & ~_umask()
    if isinstance(mode, bool) or not isinstance(mode, (int, str)):
        raise ValueError("mode: expected an octal string, a number or a symbolic mode, got %s" % type(mode).__name__)
    if isinstance(mode, int):
        wanted = mode
    else:
        try:
            wanted = int(mode, 8)
        except ValueError:
            base = current if current is not None else 0o666 & ~_umask()
            try:
                wanted = AnsibleModule._symbolic_mode_to_octal(  # pylint: disable=protected-access  # ansible's own parser of file modes
                    os.stat_result((stat.S_IFREG | base,) + (0,) * 9), mode)
            except Exception as exc:  # noqa: BLE001 - ansible raises ValueError or KeyError
                raise ValueError("mode: %r is not an octal or symbolic file mode (%s)" % (mode, exc))
    if wanted != stat.S_IMODE(wanted):
        raise ValueError("mode: %r holds more than permission bits" % (mode,))
    return wanted


def save_archive(client: Any, names: List[str], path: str, file_mode: Optional[int] = None) -> None:
    """Write `docker save` of `names` to `path` atomically (a temporary file renamed into place),
    with permissions `file_mode` (default: archive_file_mode(path)) set before the file takes its
    name, so it is never readable by more than asked."""
    if file_mode is None:
        file_mode = archive_file_mode(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ImageError("archive_path: directory %s does not exist" % directory)
    handle, temporary = tempfile.mkstemp(prefix=".goship-save-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                for chunk in _save_stream(client, names):
                    out.write(chunk)
            except APIError as exc:
                raise ImageError("saving %s failed: %s" % (", ".join(names), getattr(exc, "explanation", exc)))
        os.chmod(temporary, file_mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _save_stream(client: Any, names: List[str]) -> Any:
    if len(names) == 1:
        return client.get_image(names[0])
    # several images in one archive: GET /images/get?names=a&names=b
    response = client._get(client._url("/images/get"), params={"names": names}, stream=True)
    client._raise_for_status(response)
    return client._stream_raw_result(response, 2 * 1024 * 1024, False)


def missing_images(client: Any, images: List[ArchivedImage]) -> List[ArchivedImage]:
    """The archived images the engine does not have (one inspect per image ID)."""
    return [image for image in images if inspect_image(client, image.image_id) is None]


def tags_to_fix(client: Any, images: List[ArchivedImage]) -> Dict[str, str]:
    """Tags from the manifest that do not point at their archived image: {tag: image_id}."""
    fixes: Dict[str, str] = {}
    for image in images:
        for tag in image.repo_tags:
            current: Optional[Dict[str, Any]] = inspect_image(client, tag)
            if current is None or current.get("Id") != image.image_id:
                fixes[tag] = image.image_id
    return fixes
