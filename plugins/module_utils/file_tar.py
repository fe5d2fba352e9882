# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files made by the collection, packed as a tar: the secrets and configs compose copies into a
container before it starts, and the layer of a Dockerfile-less Go image. One format for both:
sorted entries, missing parent directories added (0755, root), mtime 0, so equal input gives equal
bytes (an image layer's digest depends on it)."""

from __future__ import annotations

import io
import posixpath
import tarfile
from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass
class FileEntry:
    """A regular file: absolute path in the container or image, content, mode and owner."""

    path: str
    content: bytes
    mode: int = 0o644
    uid: int = 0
    gid: int = 0


@dataclass
class DirectoryEntry:
    """A directory with its own mode or owner (others are created as 0755, root)."""

    path: str
    mode: int = 0o755
    uid: int = 0
    gid: int = 0


def files_tar(files: Iterable[FileEntry], directories: Optional[Iterable[DirectoryEntry]] = None) -> bytes:
    entries: dict[str, tuple[Optional[FileEntry], int, int, int]] = {}

    def add(path: str, entry: tuple[Optional[FileEntry], int, int, int]) -> None:
        entries[path] = entry
        parent = posixpath.dirname(path)
        while parent and parent not in entries:
            entries[parent] = (None, 0o755, 0, 0)
            parent = posixpath.dirname(parent)

    for directory in directories or ():
        add(directory.path.strip("/"), (None, directory.mode, directory.uid, directory.gid))
    for item in files:
        add(item.path.strip("/"), (item, item.mode, item.uid, item.gid))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(entries):
            item, mode, uid, gid = entries[path]
            info = tarfile.TarInfo(path)
            info.mode, info.uid, info.gid, info.mtime = mode, uid, gid, 0
            info.uname = info.gname = ""
            if item is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size = len(item.content)
                archive.addfile(info, io.BytesIO(item.content))
    return out.getvalue()
