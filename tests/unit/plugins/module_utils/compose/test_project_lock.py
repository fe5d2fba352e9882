"""One writer per Compose project: the lock file, its owner record, the bounded wait (no Docker)."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose import lock as L


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_the_path_names_the_engine_and_the_project_in_the_first_writable_directory(tmp_path):
    path = L.lock_path("4UE5:6SVL:5PTH:22GO:BZRO:PH4W:ZHEB", "shop", ("/nonexistent", str(tmp_path)))
    assert path == str(tmp_path / "goship-compose-4UE56SVL5PTH22GO-shop.lock")
    assert L.lock_path("a", "x/../y", (str(tmp_path),)).endswith("goship-compose-a-x_.._y.lock")


def test_a_second_writer_waits_then_fails_naming_the_holder_and_since_when(tmp_path):
    path = str(tmp_path / "p.lock")
    with L.ProjectLock(path, "shop", 10, "goship.containers.compose state=present"):
        record = json.loads(open(path).read())
        assert record["pid"] == os.getpid() and record["what"] == "goship.containers.compose state=present"
        clock = Clock()
        second = L.ProjectLock(path, "shop", 3, clock=clock, sleep=clock.sleep)
        with pytest.raises(L.ProjectBusy) as caught:
            second.acquire()
        assert clock.now >= 3  # waited the whole lock_timeout, in polls
        message = str(caught.value)
        assert message.startswith("project shop is being changed by %s@" % record["user"])
        assert "pid %d (goship.containers.compose state=present) since %s" % (os.getpid(), record["since"]) in message
        assert "waited 3s (lock_timeout)" in message and "nothing was changed by this run" in message
    assert open(path).read() == ""  # released: no owner record left
    with L.ProjectLock(path, "shop", 0) as again:  # free: taken at once, even with no wait allowed
        assert again.waited < 1


def test_lock_timeout_zero_fails_at_once(tmp_path):
    path = str(tmp_path / "p.lock")
    with L.ProjectLock(path, "shop", 5):
        clock = Clock()
        with pytest.raises(L.ProjectBusy, match="waited 0s"):
            L.ProjectLock(path, "shop", 0, clock=clock, sleep=clock.sleep).acquire()
        assert clock.now == 0


def test_a_record_that_is_not_ours_still_names_something():
    assert L.describe_holder("") == "an unknown holder (the lock file holds no owner record)"
    assert L.describe_holder('{"user": "deploy", "host": "ci-1", "pid": 7, "since": "2026-12-03T10:00:00Z"}') == \
        "deploy@ci-1 pid 7 since 2026-12-03T10:00:00Z"


def test_the_engine_id_names_the_engine_else_its_address():
    class Engine:
        base_url = "http+docker://localhost"

        def __init__(self, info):
            self._info = info

        def info(self):
            if isinstance(self._info, Exception):
                raise self._info
            return self._info
    assert L.engine_id(Engine({"ID": "ABCD:EFGH"})) == "ABCD:EFGH"
    assert L.engine_id(Engine(RuntimeError("forbidden"))) == "http+docker://localhost"
