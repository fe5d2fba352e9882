# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import io
import tarfile

from ansible_collections.goship.containers.plugins.module_utils.file_tar import DirectoryEntry, FileEntry, files_tar


def members(data: bytes) -> list[tuple[str, str, int, int, int, bytes]]:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return [(m.name, "d" if m.isdir() else "f", m.mode, m.uid, m.gid,
                 archive.extractfile(m).read() if m.isfile() else b"") for m in archive.getmembers()]


def test_parents_are_added_sorted_and_owned_by_root():
    data = files_tar([FileEntry("/run/secrets/token", b"s3cret", 0o400, 1000, 1000), FileEntry("/etc/app.conf", b"x")])
    assert members(data) == [
        ("etc", "d", 0o755, 0, 0, b""),
        ("etc/app.conf", "f", 0o644, 0, 0, b"x"),
        ("run", "d", 0o755, 0, 0, b""),
        ("run/secrets", "d", 0o755, 0, 0, b""),
        ("run/secrets/token", "f", 0o400, 1000, 1000, b"s3cret"),
    ]


def test_given_directories_keep_their_mode_and_owner():
    directories = [DirectoryEntry("/tmp", 0o1777), DirectoryEntry("/home/nonroot", 0o700, 65532, 65532)]
    data = files_tar([FileEntry("/home/nonroot/.profile", b"")], directories)
    assert [(name, mode, uid) for name, _kind, mode, uid, _gid, _data in members(data)] == [
        ("home", 0o755, 0), ("home/nonroot", 0o700, 65532), ("home/nonroot/.profile", 0o644, 0), ("tmp", 0o1777, 0)]


def test_the_same_files_give_the_same_bytes_whatever_their_order():
    first = [FileEntry("/a/b", b"1"), FileEntry("/c", b"2", 0o600)]
    assert files_tar(first) == files_tar(list(reversed(first)))
