"""A Go image's creation time from its sources: SOURCE_DATE_EPOCH, a clean git commit, the newest file."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images.source_date import image_created, rfc3339


def run(argv, cwd, env):
    done = subprocess.run(argv, cwd=cwd, env=dict(os.environ, **env), capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


def sources(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    files = []
    for name, stamp in (("go.mod", 1_700_000_000), ("main.go", 1_750_000_000)):
        path = root / name
        path.write_text("x\n")
        os.utime(path, (stamp, stamp))
        files.append(str(path))
    return str(root), files


def test_source_date_epoch_wins(tmp_path, monkeypatch):
    root, files = sources(tmp_path)
    assert image_created(root, files, {"SOURCE_DATE_EPOCH": "1767225600"}, run) == (1767225600, "SOURCE_DATE_EPOCH")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000")
    assert image_created(root, files, {}, run)[0] == 1000
    with pytest.raises(ValueError, match="^build_env.SOURCE_DATE_EPOCH: 'soon'"):
        image_created(root, files, {"SOURCE_DATE_EPOCH": "soon"}, run)


def test_newest_file_outside_git(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root, files = sources(tmp_path)
    assert image_created(root, files, {}, run) == (1_750_000_000, "the newest source file's modification time")
    assert rfc3339(1_750_000_000) == "2025-06-15T15:06:40Z"


@pytest.mark.skipif(not shutil.which("git"), reason="needs git")
def test_a_clean_git_work_tree_gives_the_commit_time(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root, files = sources(tmp_path)
    env = dict(GIT_AUTHOR_DATE="2026-10-01T12:00:00Z", GIT_COMMITTER_DATE="2026-10-01T12:00:00Z")
    for argv in (["git", "init", "-q"], ["git", "add", "."],
                 ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "x"]):
        assert run(argv, root, env)[0] == 0
    (tmp_path / "app" / "NOTES.md").write_text("not a source\n")   # untracked, not part of the image
    epoch, origin = image_created(root, files, {}, run)
    assert rfc3339(epoch) == "2026-10-01T12:00:00Z" and origin.startswith("git commit ")
    (tmp_path / "app" / "main.go").write_text("changed\n")          # what no commit holds
    assert image_created(root, files, {}, run)[1] == "the newest source file's modification time"
