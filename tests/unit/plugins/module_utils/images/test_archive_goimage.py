"""docker-save manifests, and the Go image's deterministic assembly (no Go, no Docker needed)."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images.archive import (
    ArchiveError, archive_holds, read_manifest,
)
from ansible_collections.goship.containers.plugins.module_utils.file_tar import FileEntry
from ansible_collections.goship.containers.plugins.module_utils.images.goimage import (
    GoImageError, GoImageRequest, _healthcheck, image_archive, source_files, validate,
)


def write_tar(path, members):
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_manifest_legacy_and_oci_paths(tmp_path):
    manifest = [{"Config": "a" * 64 + ".json", "RepoTags": ["x:1"], "Layers": []},
                {"Config": "blobs/sha256/" + "b" * 64, "RepoTags": None, "Layers": []}]
    write_tar(tmp_path / "a.tar", {"manifest.json": json.dumps(manifest).encode()})
    images = read_manifest(str(tmp_path / "a.tar"))
    assert [i.image_id for i in images] == ["sha256:" + "a" * 64, "sha256:" + "b" * 64]
    assert images[0].repo_tags == ["x:1"]
    assert archive_holds(str(tmp_path / "a.tar"), "sha256:" + "b" * 64)
    assert not archive_holds(str(tmp_path / "a.tar"), "sha256:" + "c" * 64)
    assert not archive_holds(str(tmp_path / "missing.tar"), "sha256:" + "a" * 64)


def test_manifest_errors_name_the_option(tmp_path):
    write_tar(tmp_path / "b.tar", {"other": b"x"})
    with pytest.raises(ArchiveError, match="^load_path:"):
        read_manifest(str(tmp_path / "b.tar"))
    (tmp_path / "c.tar").write_text("not a tar")
    with pytest.raises(ArchiveError, match="^load_path:"):
        read_manifest(str(tmp_path / "c.tar"))


def go_module(tmp_path):
    (tmp_path / "go.mod").write_text("module x\n\ngo 1.19\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    return tmp_path


def request(tmp_path, **kw):
    req = GoImageRequest(name="gs-goimg-unit:1", source=str(go_module(tmp_path)), **kw)
    validate(req)
    return req


def test_image_archive_is_deterministic_and_loadable_shape(tmp_path):
    req = request(tmp_path, exposed_ports=["8080"], env={"A": "1"},
                  healthcheck={"test": ["/app", "healthcheck"], "interval": "1s", "retries": 3},
                  files=[FileEntry("/etc/app/config", b"k=v\n", 0o600, 65532, 65532)])
    id1, tar1 = image_archive(req, "amd64", b"\x7fELF binary", "sha256:d")
    id2, tar2 = image_archive(req, "amd64", b"\x7fELF binary", "sha256:d")
    assert (id1, tar1) == (id2, tar2)
    assert image_archive(req, "amd64", b"\x7fELF other", "sha256:d")[0] != id1
    with tarfile.open(fileobj=io.BytesIO(tar1)) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        config = json.loads(archive.extractfile(manifest[0]["Config"]).read())
        layer = tarfile.open(fileobj=archive.extractfile(manifest[0]["Layers"][0]))
        members = {m.name: m for m in layer.getmembers()}
    assert manifest[0]["RepoTags"] == ["gs-goimg-unit:1"]
    assert config["config"]["User"] == "65532:65532"
    assert config["config"]["ExposedPorts"] == {"8080/tcp": {}}
    assert config["config"]["Healthcheck"] == {"Test": ["CMD", "/app", "healthcheck"], "Interval": 10 ** 9, "Retries": 3}
    assert config["config"]["Labels"]["goship.go.digest"] == "sha256:d"
    assert config["created"] == "1970-01-01T00:00:00Z"
    assert members["app"].mode == 0o755 and members["app"].uid == 0 and members["app"].mtime == 0
    assert members["etc/app/config"].uid == 65532 and members["etc/app/config"].mode == 0o600
    assert members["tmp"].mode == 0o1777
    assert "nonroot:x:65532:65532" in layer_text(tar1, "etc/passwd")
    assert list(members) == sorted(members)


def layer_text(tar_bytes, name):
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        layer = tarfile.open(fileobj=archive.extractfile(manifest[0]["Layers"][0]))
        return layer.extractfile(name).read().decode()


@pytest.mark.parametrize("spec, message", [
    ({"test": ["CMD-SHELL", "curl x"]}, "healthcheck.test"),
    ({"test": "/app"}, "healthcheck.test"),
    ({"test": ["/app"], "interval": "soon"}, "healthcheck.interval"),
    ({"test": ["/app"], "retries": "x"}, "healthcheck.retries"),
])
def test_healthcheck_is_exec_form(spec, message):
    with pytest.raises(GoImageError, match=message):
        _healthcheck(spec)


def test_validation_names_options(tmp_path):
    go_module(tmp_path)
    with pytest.raises(GoImageError, match=r"^exposed_ports\[0\]"):
        validate(GoImageRequest(name="a:1", source=str(tmp_path), exposed_ports=["http"]))
    with pytest.raises(GoImageError, match="^binary_path"):
        validate(GoImageRequest(name="a:1", source=str(tmp_path), binary_path="app"))
    with pytest.raises(GoImageError, match="^package"):
        validate(GoImageRequest(name="a:1", source=str(tmp_path), package="../x"))
    with pytest.raises(GoImageError, match="^source"):
        validate(GoImageRequest(name="a:1", source=str(tmp_path / "nope")))


def test_source_files_pick_what_changes_the_binary(tmp_path):
    go_module(tmp_path)
    (tmp_path / "main_test.go").write_text("package main\n")
    (tmp_path / "README.md").write_text("docs\n")
    (tmp_path / "testdata").mkdir()
    (tmp_path / "testdata" / "x.go").write_text("package x\n")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "embed.go").write_text("package web\n\n//go:embed static\nvar fs string\n")
    (tmp_path / "web" / "static").mkdir()
    (tmp_path / "web" / "static" / "index.html").write_text("<html>\n")
    names = sorted(p[len(str(tmp_path)) + 1:] for p in source_files(str(tmp_path)))
    assert names == ["go.mod", "main.go", "web/embed.go", "web/static/index.html"]
