# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's side of goship.containers.deploy_lock: who this run is, and whether a lock
found on the lock host is free, this run's own, held by a live run, or stale.

Pure functions over plain values (unit-tested); the action plugin does the I/O.
"""
from __future__ import annotations

import os
import pwd
import socket
import subprocess
import time
import typing as t

FREE, OWN, LIVE, STALE = "free", "own", "live", "stale"


def _process_start(pid: int) -> t.Optional[float]:
    """Epoch seconds at which process ``pid`` started, or None when it cannot be told."""
    try:  # Linux: field 22 of /proc/PID/stat, in clock ticks since boot
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/stat", encoding="ascii") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime "))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        pass
    try:  # BSD, macOS: ps prints the start time as ctime() does
        out = subprocess.run(["ps", "-o", "lstart=", "-p", str(pid)], capture_output=True, text=True,
                             timeout=5, check=True, env=dict(os.environ, LC_ALL="C")).stdout
        return time.mktime(time.strptime(" ".join(out.split()), "%a %b %d %H:%M:%S %Y"))
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def run_identity(playbook_pid: int, playbooks: t.Sequence[str], run_id: t.Optional[str] = None) -> dict[str, t.Any]:
    """This run as the lock records it. ``playbook_pid`` is the ansible-playbook process (an action
    plugin runs in a worker forked from it). Its id, the process's start time and pid, is the same
    in every task of the run, so a later task knows the lock as its own. An explicit ``run_id``
    names a run that outlives one process (a pipeline of several playbooks): no pid is recorded,
    and only the age can make such a lock stale."""
    if run_id:
        pid: t.Optional[int] = None
        identity = run_id
    else:
        pid = playbook_pid
        started = _process_start(pid)
        identity = "%s-%d" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)) if started else "pid", pid)
    return {
        "id": identity,
        "user": pwd.getpwuid(os.getuid()).pw_name,
        "controller": socket.gethostname(),
        "pid": pid,
        "playbook": " ".join(os.path.abspath(p) for p in playbooks),
    }


def process_runs_ansible(pid: int) -> bool:
    """True while ``pid`` is an Ansible process on this machine (a reused pid is not one)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            argv = handle.read().split(b"\0")
        return any(os.path.basename(arg).startswith(b"ansible") for arg in argv[:3])
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            return False
    except OSError:
        return True  # it exists but is not ours to read: assume alive
    try:  # no /proc (macOS, BSD): the pid's existence is all we can tell
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def judge(found: dict[str, t.Any], me: dict[str, t.Any], stale_after: int,
          alive: t.Callable[[int], bool] = process_runs_ansible) -> dict[str, t.Any]:
    """Verdict on a lock as read on its host (``found``: exists, owner, mtime, now).

    status: free | own (this run's id) | live | stale. A lock is stale when it is older than
    ``stale_after`` seconds (0: never by age), or when it was taken from this controller by a
    process that no longer runs Ansible. A lock without a readable owner is aged by its mtime."""
    if not found.get("exists"):
        return {"status": FREE, "stale_by": None, "age": None}
    owner = found.get("owner") or {}
    since = owner.get("epoch")
    if not isinstance(since, (int, float)):
        since = found.get("mtime") or found["now"]
    age = max(0, int(found["now"] - since))
    if owner.get("id") is not None and owner.get("id") == me["id"]:
        return {"status": OWN, "stale_by": None, "age": age}
    if stale_after > 0 and age > stale_after:
        return {"status": STALE, "stale_by": "age", "age": age}
    pid = owner.get("pid")
    if owner.get("controller") == me["controller"] and isinstance(pid, int) and pid > 0 and not alive(pid):
        return {"status": STALE, "stale_by": "process", "age": age}
    return {"status": LIVE, "stale_by": None, "age": age}


def who(owner: t.Optional[dict[str, t.Any]]) -> str:
    """'alice@ops-laptop (run ID, pid 4242) since 2026-01-02T03:04:05Z' for messages."""
    if not owner:
        return "an unknown holder (the lock has no readable owner.json)"
    details = ["run %s" % owner.get("id", "?")]
    if owner.get("pid"):
        details.append("pid %s" % owner["pid"])
    if owner.get("playbook"):
        details.append("playbook %s" % owner["playbook"])
    return "%s@%s (%s) since %s" % (owner.get("user", "?"), owner.get("controller", "?"), ", ".join(details),
                                    owner.get("started", "?"))


def stale_why(verdict: dict[str, t.Any], owner: t.Optional[dict[str, t.Any]], stale_after: int) -> str:
    if verdict["stale_by"] == "process":
        return "its run is gone (no Ansible process %s on this controller)" % (owner or {}).get("pid")
    return "it is %d s old, older than stale_after (%d s)" % (verdict["age"], stale_after)
