"""Build-context digest: exactly the sent files count, each by path, mode, content, link target."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images import context as context_module
from ansible_collections.goship.containers.plugins.module_utils.images.context import (
    BuildContext, ContextError, HashCache, build_inputs_digest,
)


@pytest.fixture()
def ctx(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY . /\n")
    (tmp_path / "app.txt").write_text("one\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("x\n")
    (tmp_path / "debug.log").write_text("noise\n")
    (tmp_path / ".dockerignore").write_text("*.log\nDockerfile\n")
    return tmp_path


def digest(path, **kw):
    return build_inputs_digest(BuildContext(str(path)), kw.get("args", {}), kw.get("target"), kw.get("labels", {}))


def test_entries_follow_dockerignore_and_keep_the_dockerfile(ctx):
    paths = [e.path for e in BuildContext(str(ctx)).entries()]
    assert paths == [".dockerignore", "Dockerfile", "app.txt", "sub", "sub/x.txt"]


def test_digest_changes_with_content_mode_links_and_names(ctx):
    first = digest(ctx)
    assert digest(ctx) == first
    (ctx / "debug.log").write_text("ignored change\n")
    assert digest(ctx) == first
    (ctx / "app.txt").write_text("two\n")
    changed = digest(ctx)
    assert changed != first
    (ctx / "app.txt").write_text("one\n")
    assert digest(ctx) == first
    os.chmod(ctx / "app.txt", 0o755)
    assert digest(ctx) != first
    os.chmod(ctx / "app.txt", 0o644)
    os.utime(ctx / "app.txt", (1, 1))             # mtimes do not count
    assert digest(ctx) == first
    os.symlink("app.txt", ctx / "link")
    with_link = digest(ctx)
    assert with_link != first
    os.unlink(ctx / "link")
    os.symlink("sub/x.txt", ctx / "link")
    assert digest(ctx) != with_link
    os.unlink(ctx / "link")
    (ctx / "empty").mkdir()
    assert digest(ctx) != first


def test_digest_covers_args_target_labels(ctx):
    base = digest(ctx)
    assert digest(ctx, args={"A": "1"}) != base
    assert digest(ctx, args={"A": "1"}) != digest(ctx, args={"A": "2"})
    assert digest(ctx, target="prod") != base
    assert digest(ctx, labels={"a": "b"}) != base
    (ctx / "Dockerfile").write_text("FROM scratch\n")
    assert digest(ctx) != base


def test_dockerfile_outside_the_context_is_sent_under_a_content_name(ctx, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "Dockerfile.prod"
    other.write_text("FROM scratch\n")
    context = BuildContext(str(ctx), str(other))
    assert context.dockerfile_name.startswith(".dockerfile.")
    buffer = io.BytesIO()
    context.write_tar(buffer)
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as archive:
        names = archive.getnames()
        assert context.dockerfile_name in names
        assert "debug.log" not in names
        member = archive.getmember("app.txt")
        assert (member.uid, member.gid) == (0, 0)


def test_errors_name_the_option(tmp_path):
    with pytest.raises(ContextError, match="^path:"):
        BuildContext(str(tmp_path / "missing"))
    with pytest.raises(ContextError, match="^dockerfile:"):
        BuildContext(str(tmp_path))
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("[oops\n")
    with pytest.raises(ContextError, match="dockerignore"):
        BuildContext(str(tmp_path))


def test_hash_cache_reuses_only_unchanged_files(ctx, tmp_path_factory, monkeypatch):
    monkeypatch.setattr(HashCache, "RACY_SECONDS", -60)    # files just written count as settled
    cache = str(tmp_path_factory.mktemp("cache"))
    old = 1_000_000_000
    plain = BuildContext(str(ctx)).digest()
    assert BuildContext(str(ctx)).digest(cache) == plain
    assert os.listdir(cache)
    reads = []
    monkeypatch.setattr(context_module, "_hash_file", lambda path: reads.append(path) or "x")
    assert BuildContext(str(ctx)).digest(cache) == plain   # from the cache: no file read
    assert reads == []
    monkeypatch.undo()
    monkeypatch.setattr(HashCache, "RACY_SECONDS", -60)
    (ctx / "app.txt").write_text("two\n")                  # same size, new content
    os.utime(ctx / "app.txt", (old, old))                  # mtime restored; ctime still moved
    assert BuildContext(str(ctx)).digest(cache) == BuildContext(str(ctx)).digest() != plain


def test_hash_cache_survives_garbage(ctx, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    BuildContext(str(ctx)).digest(str(cache))
    for name in os.listdir(cache):
        (cache / name).write_text("{not json")
    assert BuildContext(str(ctx)).digest(str(cache)) == BuildContext(str(ctx)).digest()
