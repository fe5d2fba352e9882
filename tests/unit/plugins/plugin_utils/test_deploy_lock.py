"""The controller's verdict on a lock (plugins/plugin_utils/deploy_lock.py): free, own, live or stale
(by age, or because its process on this controller is gone), and who this run is."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from ansible_collections.goship.containers.plugins.plugin_utils.deploy_lock import (
    judge,
    process_runs_ansible,
    run_identity,
    stale_why,
    who,
)

ME = {"id": "2026-12-03T10:00:00Z-100", "user": "ci", "controller": "ctl", "pid": 100}
NOW = 1_800_000_000.0


def found(owner=None, exists=True, mtime=NOW - 5):
    return {"exists": exists, "owner": owner, "mtime": mtime, "now": NOW}


def holder(**kw):
    return dict({"id": "other", "user": "alice", "controller": "ops-laptop", "pid": 4242, "started": "T", "epoch": int(NOW) - 10}, **kw)


def always(result):
    return lambda pid: result


def test_free_and_own():
    assert judge(found(exists=False, owner=None, mtime=None), ME, 3600)["status"] == "free"
    assert judge(found(holder(id=ME["id"])), ME, 3600) == {"status": "own", "stale_by": None, "age": 10}


def test_live_holder_elsewhere_is_never_judged_by_process():
    verdict = judge(found(holder()), ME, 3600, alive=always(False))
    assert verdict == {"status": "live", "stale_by": None, "age": 10}


def test_stale_by_age_whoever_holds_it():
    verdict = judge(found(holder(epoch=1000)), ME, 3600, alive=always(True))
    assert verdict["status"] == "stale" and verdict["stale_by"] == "age" and verdict["age"] == int(NOW) - 1000
    assert "older than stale_after (3600 s)" in stale_why(verdict, None, 3600)
    assert judge(found(holder(epoch=1000)), ME, 0, alive=always(True))["status"] == "live"  # 0: no age rule


def test_stale_when_this_controllers_process_is_gone():
    same_controller = holder(controller="ctl", pid=999)
    assert judge(found(same_controller), ME, 3600, alive=always(True))["status"] == "live"
    verdict = judge(found(same_controller), ME, 3600, alive=always(False))
    assert verdict["status"] == "stale" and verdict["stale_by"] == "process"
    assert "no Ansible process 999" in stale_why(verdict, same_controller, 3600)
    # a run_id lock records no pid: only its age counts
    assert judge(found(holder(controller="ctl", pid=None)), ME, 3600, alive=always(False))["status"] == "live"


def test_ownerless_lock_is_aged_by_its_mtime():
    assert judge(found(None, mtime=NOW - 30), ME, 3600)["status"] == "live"
    verdict = judge(found(None, mtime=NOW - 7200), ME, 3600)
    assert verdict["status"] == "stale" and verdict["age"] == 7200


def test_who_names_user_controller_run_pid_since():
    assert who(holder(started="2026-01-02T03:04:05Z")) == "alice@ops-laptop (run other, pid 4242) since 2026-01-02T03:04:05Z"
    assert who({"id": "x", "playbook": "/p.yml"}) == "?@? (run x, playbook /p.yml) since ?"
    assert "unknown holder" in who(None)


def test_run_identity_of_a_process():
    me = run_identity(os.getpid(), ["site.yml"])
    assert me["pid"] == os.getpid() and me["id"].endswith("-%d" % os.getpid()) and me["id"][:4].isdigit()
    assert me["controller"] == socket.gethostname() and me["playbook"] == os.path.abspath("site.yml")
    assert run_identity(os.getpid(), ["site.yml"])["id"] == me["id"]  # stable for the process
    named = run_identity(os.getpid(), [], run_id="pipeline-7")
    assert named["id"] == "pipeline-7" and named["pid"] is None


def test_process_runs_ansible():
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()", "ansible-playbook"], stdin=subprocess.PIPE)
    try:
        assert process_runs_ansible(os.getpid()) is ("ansible" in os.path.basename(sys.argv[0]))
        assert process_runs_ansible(child.pid) is False  # a python running something else
    finally:
        child.communicate(b"")
    assert process_runs_ansible(child.pid) is False  # gone
