"""archive_path's permissions: the umask by default, ansible's file modes when `mode` is given."""

from __future__ import annotations

import io
import os
import stat
import tarfile

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images.archive import archive_file_mode, save_archive


@pytest.fixture
def umask077():
    old = os.umask(0o077)
    yield
    os.umask(old)


class SavingClient:
    """get_image answers a tiny tar, as GET /images/{name}/get streams one."""

    def get_image(self, _name):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            data = b"[]"
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        return [buf.getvalue()]


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_a_new_archive_follows_the_umask(tmp_path, umask077):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    save_archive(SavingClient(), ["img:1"], str(private / "a.tar"))
    assert mode_of(private / "a.tar") == 0o600


def test_a_rewritten_archive_keeps_its_mode(tmp_path, umask077):
    path = tmp_path / "a.tar"
    path.write_bytes(b"old")
    os.chmod(str(path), 0o640)
    save_archive(SavingClient(), ["img:1"], str(path))
    assert mode_of(path) == 0o640 and path.read_bytes() != b"old"


def test_a_given_mode_is_set_before_the_file_takes_its_name(tmp_path, umask077):
    path = tmp_path / "a.tar"
    save_archive(SavingClient(), ["img:1"], str(path), archive_file_mode(str(path), "0604"))
    assert mode_of(path) == 0o604


@pytest.mark.parametrize("given, existing, wanted", [
    ("0640", None, 0o640),
    ("640", None, 0o640),
    (0o600, None, 0o600),
    ("u=rw,g=r,o=", None, 0o640),
    ("g+r", 0o600, 0o640),
    ("o-r", 0o644, 0o640),
    (None, 0o640, 0o640),
    (None, None, 0o600),  # umask 077
])
def test_archive_file_mode_takes_ansible_file_modes(tmp_path, umask077, given, existing, wanted):
    path = tmp_path / "a.tar"
    if existing is not None:
        path.write_bytes(b"")
        os.chmod(str(path), existing)
    assert archive_file_mode(str(path), given) == wanted


@pytest.mark.parametrize("given", ["u=rwz", "0o999", "99999", 0o100644, True, ["0644"]])
def test_archive_file_mode_refuses_what_is_no_file_mode(tmp_path, given):
    with pytest.raises(ValueError, match="^mode: "):
        archive_file_mode(str(tmp_path / "a.tar"), given)
