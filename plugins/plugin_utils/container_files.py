# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files into and out of a container through the Engine API's archive endpoints, for the connection
plugin: one file packed as a tar for PUT /containers/{id}/archive, and the one file unpacked from the
tar that GET /containers/{id}/archive streams.

The archive API reads and writes as root in the container, whatever user the commands run as; so
the tar carries the uid and gid the file must belong to (the connection's remote user), and the
mode of the local file. Only the file itself is in the tar, never its parent directories: the
engine would apply a directory entry's owner and mode to a directory that already exists.
Everything is streamed through a temporary file or straight to the destination, never held in
memory whole (a fetched file may be large)."""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
from typing import IO, Any, Iterable, Iterator, Mapping, Optional

# Go's os.FileMode bits, as the engine reports them in the X-Docker-Container-Path-Stat header
GO_MODE_DIR = 1 << 31
GO_MODE_SYMLINK = 1 << 27
MAX_LINK_HOPS = 20


class ContainerFileError(Exception):
    """A file cannot be put or fetched; the message names the path and why."""


def container_path(path: str, base: Optional[str]) -> str:
    """The absolute, normalised path in the container: a relative `path` is taken from `base` (the
    connection's working directory), else from the root, as the archive API itself does."""
    if not posixpath.isabs(path):
        path = posixpath.join(base if base and posixpath.isabs(base) else "/", path)
    normal = posixpath.normpath(path)
    return "/" + normal.lstrip("/")  # normpath keeps a leading "//"


def tar_of_file(in_path: str, name: str, uid: int, gid: int) -> IO[bytes]:
    """A temporary file holding a tar with the one regular file `in_path`, named `name`, owned by
    uid:gid, with the local file's permission bits and modification time; positioned at its start."""
    try:
        info_stat = os.stat(in_path)
    except OSError as exc:
        raise ContainerFileError("%s cannot be read: %s" % (in_path, exc.strerror or exc))
    if not stat.S_ISREG(info_stat.st_mode):
        raise ContainerFileError("%s is not a regular file" % in_path)
    info = tarfile.TarInfo(name)
    info.type = tarfile.REGTYPE
    info.size = info_stat.st_size
    info.mode = stat.S_IMODE(info_stat.st_mode)
    info.mtime = int(info_stat.st_mtime)
    info.uid, info.gid = uid, gid
    info.uname = info.gname = ""  # the engine takes the numeric IDs; a name could map differently inside
    spool = tempfile.TemporaryFile()
    try:
        with open(in_path, "rb") as source, tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as archive:
            archive.addfile(info, source)
    except OSError as exc:
        spool.close()
        raise ContainerFileError("%s cannot be read: %s" % (in_path, exc.strerror or exc))
    spool.seek(0)
    return spool


def is_symlink(path_stat: Mapping[str, Any]) -> bool:
    return bool(int(path_stat.get("mode") or 0) & GO_MODE_SYMLINK)


def is_directory(path_stat: Mapping[str, Any]) -> bool:
    return bool(int(path_stat.get("mode") or 0) & GO_MODE_DIR)


def link_destination(path: str, path_stat: Mapping[str, Any]) -> str:
    """Where the symbolic link at `path` points, as an absolute path in the container."""
    target = path_stat.get("linkTarget") or ""
    if not target:
        raise ContainerFileError("%s is a symbolic link without a target" % path)
    return container_path(target, posixpath.dirname(path))


class _ChunkReader:
    """A read()-able view of an iterator of byte chunks, for tarfile's streaming mode."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def extract_single_file(chunks: Iterable[bytes], out_path: str, source: str) -> int:
    """Write the regular file the archive stream `chunks` holds (the first entry) to `out_path`;
    its size. `source` names the file in messages."""
    try:
        with tarfile.open(fileobj=_ChunkReader(chunks), mode="r|") as archive:  # type: ignore[call-overload]
            member = archive.next()
            if member is None:
                raise ContainerFileError("the engine sent an empty archive for %s" % source)
            if not member.isfile():
                kind = "a directory" if member.isdir() else "not a regular file"
                raise ContainerFileError("%s is %s" % (source, kind))
            content = archive.extractfile(member)
            if content is None:  # pragma: no cover  # isfile() members always have content
                raise ContainerFileError("%s has no content in the archive" % source)
            with open(out_path, "wb") as out:
                shutil.copyfileobj(content, out, 1024 * 1024)
            return member.size
    except tarfile.TarError as exc:
        raise ContainerFileError("the archive the engine sent for %s cannot be read: %s" % (source, exc))
