"""The connection plugin's file transfer helpers (no Docker): the tar put into a container holds
the one file with its mode, the remote user's IDs and no parent directory; a fetched archive is
unpacked to the destination from chunks of any size; links and directories are told apart by the
engine's stat header; paths are made absolute as the archive API takes them."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from ansible_collections.goship.containers.plugins.plugin_utils.container_files import (
    GO_MODE_DIR, GO_MODE_SYMLINK, ContainerFileError, container_path, extract_single_file, is_directory,
    is_symlink, link_destination, tar_of_file)


def chunked(data: bytes, size: int):
    return (data[i:i + size] for i in range(0, len(data), size))


def test_tar_of_file_holds_only_the_file_with_owner_and_mode(tmp_path):
    source = tmp_path / "module.py"
    source.write_bytes(b"print('hello')\n" * 1000)
    os.chmod(source, 0o750)
    with tar_of_file(str(source), "AnsiballZ_ping.py", 1000, 1001) as spool:
        with tarfile.open(fileobj=spool) as archive:
            members = archive.getmembers()
            assert [m.name for m in members] == ["AnsiballZ_ping.py"]
            member = members[0]
            assert member.isfile()
            assert (member.uid, member.gid, member.mode) == (1000, 1001, 0o750)
            assert (member.uname, member.gname) == ("", "")
            assert member.mtime == int(source.stat().st_mtime)
            assert archive.extractfile(member).read() == source.read_bytes()


def test_tar_of_file_names_a_missing_or_special_source(tmp_path):
    with pytest.raises(ContainerFileError, match="missing.txt cannot be read"):
        tar_of_file(str(tmp_path / "missing.txt"), "x", 0, 0)
    with pytest.raises(ContainerFileError, match="is not a regular file"):
        tar_of_file(str(tmp_path), "x", 0, 0)


@pytest.mark.parametrize("chunk_size", [1, 7, 512, 10_000, 1 << 20])
def test_put_then_fetch_round_trip_in_chunks_of_any_size(tmp_path, chunk_size):
    payload = os.urandom(300_000) + b"end"
    source = tmp_path / "payload.bin"
    source.write_bytes(payload)
    with tar_of_file(str(source), "payload.bin", 0, 0) as spool:
        archive = spool.read()
    out = tmp_path / "fetched.bin"
    assert extract_single_file(chunked(archive, chunk_size), str(out), "/srv/payload.bin") == len(payload)
    assert out.read_bytes() == payload


def test_an_empty_file_round_trips(tmp_path):
    source = tmp_path / "empty"
    source.write_bytes(b"")
    with tar_of_file(str(source), "empty", 0, 0) as spool:
        archive = spool.read()
    out = tmp_path / "out"
    assert extract_single_file([archive], str(out), "/empty") == 0
    assert out.read_bytes() == b""


def _archive(*members: tarfile.TarInfo, content: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(content) if member.isfile() else None)
    return buffer.getvalue()


def test_fetching_a_directory_or_link_entry_is_refused_by_name(tmp_path):
    directory = tarfile.TarInfo("etc")
    directory.type = tarfile.DIRTYPE
    with pytest.raises(ContainerFileError, match="^/etc is a directory$"):
        extract_single_file([_archive(directory)], str(tmp_path / "x"), "/etc")
    link = tarfile.TarInfo("link")
    link.type, link.linkname = tarfile.SYMTYPE, "target"
    with pytest.raises(ContainerFileError, match="^/link is not a regular file$"):
        extract_single_file([_archive(link)], str(tmp_path / "x"), "/link")
    assert not (tmp_path / "x").exists()


def test_an_empty_or_broken_archive_is_an_error_not_an_empty_file(tmp_path):
    with pytest.raises(ContainerFileError, match="empty archive for /f"):
        extract_single_file([_archive()], str(tmp_path / "x"), "/f")
    with pytest.raises(ContainerFileError, match="cannot be read"):
        extract_single_file([b"this is not a tar archive" * 40], str(tmp_path / "x"), "/f")


def test_the_engine_stat_header_tells_links_and_directories():
    assert is_symlink({"mode": GO_MODE_SYMLINK | 0o777, "linkTarget": "x"})
    assert not is_symlink({"mode": 0o644})
    assert is_directory({"mode": GO_MODE_DIR | 0o755})
    assert not is_directory({"mode": 0o644})
    assert not is_symlink({}) and not is_directory({})


@pytest.mark.parametrize("path, target, expected", [
    ("/tmp/link.bin", "/home/app/big.bin", "/home/app/big.bin"),
    ("/etc/alternatives/python", "../../usr/bin/python3", "/usr/bin/python3"),
    ("/srv/current", "releases/42", "/srv/releases/42"),
])
def test_link_destination_is_absolute_from_the_link_directory(path, target, expected):
    assert link_destination(path, {"mode": GO_MODE_SYMLINK, "linkTarget": target}) == expected


def test_a_link_without_target_is_an_error():
    with pytest.raises(ContainerFileError, match="without a target"):
        link_destination("/x", {"mode": GO_MODE_SYMLINK})


@pytest.mark.parametrize("path, base, expected", [
    ("/root/.ansible/tmp/x.py", None, "/root/.ansible/tmp/x.py"),
    ("//srv//app/../app/conf", None, "/srv/app/conf"),
    ("conf/app.ini", None, "/conf/app.ini"),
    ("conf/app.ini", "/srv/app", "/srv/app/conf/app.ini"),
    ("conf/app.ini", "relative/base", "/conf/app.ini"),
    ("/abs", "/srv/app", "/abs"),
])
def test_container_path(path, base, expected):
    assert container_path(path, base) == expected
