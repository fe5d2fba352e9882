"""The deploy lock on its host (plugins/plugin_utils/deploy_lock_host.py), in a temporary directory:
taking is atomic and records the owner with the host's time, a held lock is reported and left alone,
release and break act only on the owner the caller saw, a break is logged, and the script answers
one JSON document (or a clear exit) when run as the action plugin runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from ansible_collections.goship.containers.plugins.plugin_utils import deploy_lock_host as host

ME = {"id": "2026-12-03T10:00:00Z-100", "user": "ci", "controller": "ctl", "pid": 100, "playbook": "/p.yml"}
OTHER = {"id": "run-elsewhere", "user": "alice", "controller": "ops-laptop", "pid": 4242}


@pytest.fixture(name="lock")
def lock_path(tmp_path):
    return str(tmp_path / "var" / "lib" / "goship" / "deploy.lock")


def test_take_creates_parent_and_owner_with_host_time(lock):
    answer = host.handle({"op": "take", "path": lock, "owner": ME})
    assert answer["taken"] and answer["exists"]
    with open(os.path.join(lock, "owner.json"), encoding="utf-8") as handle:
        owner = json.load(handle)
    assert owner == answer["owner"]
    assert {k: owner[k] for k in ME} == ME
    assert owner["epoch"] == int(answer["now"]) and owner["started"].endswith("Z")
    assert os.listdir(os.path.dirname(lock)) == ["deploy.lock"]  # no staging directory left


def test_held_lock_is_reported_not_touched(lock):
    host.handle({"op": "take", "path": lock, "owner": OTHER})
    before = open(os.path.join(lock, "owner.json"), encoding="utf-8").read()
    answer = host.handle({"op": "take", "path": lock, "owner": ME})
    assert not answer["taken"] and answer["owner"]["id"] == "run-elsewhere"
    assert open(os.path.join(lock, "owner.json"), encoding="utf-8").read() == before


def test_empty_or_ownerless_lock_directory_counts_as_held(lock):
    os.makedirs(lock)  # e.g. made by hand, or by a writer that died before its owner file
    answer = host.handle({"op": "take", "path": lock, "owner": ME})
    assert not answer["taken"] and answer["exists"] and answer["owner"] is None and answer["mtime"]
    assert os.listdir(lock) == []


def test_concurrent_takers_exactly_one_wins(lock):
    os.makedirs(os.path.dirname(lock))
    results = []
    barrier = threading.Barrier(8)

    def taker(number):
        barrier.wait()
        results.append(host.handle({"op": "take", "path": lock, "owner": dict(ME, id="run-%d" % number)}))

    threads = [threading.Thread(target=taker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if r["taken"]]
    assert len(winners) == 1
    assert host.read(lock)["owner"]["id"] == winners[0]["owner"]["id"]
    assert sorted(os.listdir(os.path.dirname(lock))) == ["deploy.lock"]


def test_release_only_the_owner_seen(lock):
    taken = host.handle({"op": "take", "path": lock, "owner": OTHER})["owner"]
    answer = host.handle({"op": "release", "path": lock, "expect": dict(taken, id="someone-else")})
    assert not answer["released"] and os.path.isdir(lock)
    answer = host.handle({"op": "release", "path": lock, "expect": taken})
    assert answer["released"] and not os.path.exists(lock)
    assert os.listdir(os.path.dirname(lock)) == []
    assert not host.handle({"op": "release", "path": lock, "expect": taken})["released"]


def test_break_replaces_the_stale_owner_and_logs_it(lock, tmp_path):
    stale = host.handle({"op": "take", "path": lock, "owner": OTHER})["owner"]
    audit_log = str(tmp_path / "log" / "deploy.log")
    audit = {"event": "stale_lock_taken_over", "run": ME["id"], "stale_holder": stale}
    answer = host.handle({"op": "break", "path": lock, "expect": stale, "owner": ME, "audit_log": audit_log, "audit": audit})
    assert answer["broken"] and answer["taken"] and answer["owner"]["id"] == ME["id"]
    assert host.read(lock)["owner"]["id"] == ME["id"]
    lines = [json.loads(line) for line in open(audit_log, encoding="utf-8")]
    assert lines == [answer["audit"]] and lines[0]["stale_holder"]["id"] == "run-elsewhere" and lines[0]["time"]
    assert oct(os.stat(audit_log).st_mode & 0o777) == "0o644"


def test_break_of_a_lock_that_changed_meanwhile_does_nothing(lock, tmp_path):
    seen = host.handle({"op": "take", "path": lock, "owner": OTHER})["owner"]
    audit_log = str(tmp_path / "deploy.log")
    answer = host.handle({"op": "break", "path": lock, "expect": dict(seen, epoch=1), "owner": ME,
                          "audit_log": audit_log, "audit": {"event": "x"}})
    assert not answer["broken"] and not answer["taken"] and answer["owner"] == seen
    assert not os.path.exists(audit_log)


def test_break_of_an_ownerless_lock(lock):
    os.makedirs(lock)
    answer = host.handle({"op": "break", "path": lock, "expect": None, "owner": ME})
    assert answer["broken"] and answer["taken"]


def test_relative_path_refused(lock):
    with pytest.raises(ValueError, match="absolute"):
        host.handle({"op": "read", "path": "deploy.lock"})


def test_run_as_the_action_plugin_runs_it(lock):
    source = open(host.__file__, encoding="utf-8").read()
    run = subprocess.run([sys.executable, "-I", "-S", "-c", source, json.dumps({"op": "take", "path": lock, "owner": ME})],
                         capture_output=True, text=True, check=True)
    assert json.loads(run.stdout)["taken"]
    run = subprocess.run([sys.executable, "-I", "-S", "-c", source, json.dumps({"op": "read", "path": "relative"})],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1 and "deploy lock: path must be absolute" in run.stderr


def test_release_by_run_id(lock):
    host.handle({"op": "take", "path": lock, "owner": OTHER})
    answer = host.handle({"op": "release", "path": lock, "expect_id": ME["id"]})
    assert not answer["released"] and answer["owner"]["id"] == "run-elsewhere" and os.path.isdir(lock)
    host.handle({"op": "release", "path": lock, "expect": host.read(lock)["owner"]})
    host.handle({"op": "take", "path": lock, "owner": ME})
    answer = host.handle({"op": "release", "path": lock, "expect_id": ME["id"]})
    assert answer["released"] and answer["owner"]["id"] == ME["id"] and not os.path.exists(lock)
