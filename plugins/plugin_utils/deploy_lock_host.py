# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deploy lock on its host: a directory holding ``owner.json`` (who holds it and since when).

The deploy_lock action plugin runs this file on the lock host over the task's connection as
``python3 -I -S -c "<this file>" REQUEST_JSON`` and reads one JSON answer on stdout. Standard
library only, no Ansible on the host: one short command per step instead of a module run.

The lock appears atomically with its owner: the owner file is written into a fresh directory
beside the lock, which is then renamed to the lock path; a lock is removed by renaming it aside
first, so two runs releasing or breaking the same lock never both succeed. Times are the lock
host's clock, so every run judges a lock's age by the same clock whatever its controller's.

Requests (``op``): ``read``; ``take`` (``owner``); ``release`` (``expect``: the owner the caller
saw, or ``expect_id``: a run id; only that owner's lock is removed); ``break`` (``expect`` and ``owner``: replace that
owner's lock by a new one). ``audit_log`` and ``audit`` append one JSON line when a lock is
broken or released by force.
"""
import errno
import json
import os
import shutil
import sys
import tempfile
import time

OWNER_FILE = "owner.json"


def read(path):
    """The lock as it is now: whether it exists, its owner (None when the file is missing or
    unreadable: a lock written by hand, or by a writer that died half-way) and its mtime."""
    answer = {"now": time.time(), "exists": False, "owner": None, "mtime": None}
    try:
        answer["mtime"] = os.stat(path).st_mtime
    except FileNotFoundError:
        return answer
    answer["exists"] = True
    try:
        with open(os.path.join(path, OWNER_FILE), encoding="utf-8") as handle:
            owner = json.load(handle)
        answer["owner"] = owner if isinstance(owner, dict) else None
    except (OSError, ValueError):
        pass
    return answer


def stamp(owner, now):
    """The owner record as written: the caller's identity and the lock host's time."""
    record = dict(owner)
    record["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    record["epoch"] = int(now)
    return record


def take(path, owner):
    """Create the lock with ``owner`` unless a lock exists; answers what is there afterwards."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    if os.path.lexists(path):  # an empty directory would be replaced by the rename below
        return dict(read(path), taken=False)
    now = time.time()
    record = stamp(owner, now)
    staging = tempfile.mkdtemp(prefix=".%s.taking-" % os.path.basename(path), dir=parent)
    try:
        with open(os.path.join(staging, OWNER_FILE), "w", encoding="utf-8") as handle:
            json.dump(record, handle, sort_keys=True)
            handle.write("\n")
        os.chmod(staging, 0o755)
        os.rename(staging, path)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.ENOTDIR):
            return dict(read(path), taken=False)
        raise
    return {"now": now, "exists": True, "owner": record, "mtime": os.stat(path).st_mtime, "taken": True}


def owned_by(answer, expect, expect_id):
    """Whether the lock read in ``answer`` has the owner ``expect`` (the whole record the caller
    saw) or, with ``expect_id``, an owner with that run id."""
    if expect_id is not None:
        return (answer["owner"] or {}).get("id") == expect_id
    return answer["owner"] == expect


def remove(path, expect, expect_id=None):
    """Remove the lock if its owner is still the one expected; answers whether it did and what it found."""
    found = read(path)
    if not found["exists"] or not owned_by(found, expect, expect_id):
        return dict(found, removed=False)
    aside = "%s.removing-%d-%d" % (path, os.getpid(), int(found["now"] * 1000))
    try:
        os.rename(path, aside)
    except FileNotFoundError:  # another run removed it first
        return dict(read(path), removed=False)
    if not owned_by(read(aside), expect, expect_id):  # replaced between the read and the rename: put it back
        try:
            os.rename(aside, path)
        except OSError:
            pass
        return dict(read(path), removed=False)
    shutil.rmtree(aside, ignore_errors=True)
    return dict(found, removed=True)


def append_audit(audit_log, line):
    directory = os.path.dirname(os.path.abspath(audit_log))
    os.makedirs(directory, exist_ok=True)
    descriptor = os.open(audit_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")


def audited(request, answer, done_key):
    """Append the request's audit line (with the lock host's time) when ``done_key`` succeeded."""
    if answer.get(done_key) and request.get("audit_log") and request.get("audit"):
        line = dict(request["audit"], time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(answer["now"])))
        append_audit(request["audit_log"], line)
        answer["audit"] = line
    return answer


def handle(request):
    op, path = request.get("op"), request.get("path")
    if not path or not os.path.isabs(path):
        raise ValueError("path must be absolute, got %r" % (path,))
    if op == "read":
        return read(path)
    if op == "take":
        return take(path, request["owner"])
    if op == "release":
        answer = remove(path, request.get("expect"), request.get("expect_id"))
        answer["released"] = answer.pop("removed")
        return audited(request, answer, "released")
    if op == "break":
        answer = remove(path, request.get("expect"))
        if not answer.pop("removed"):
            return dict(answer, broken=False, taken=False)
        answer = dict(take(path, request["owner"]), broken=True)
        return audited(request, answer, "broken")
    raise ValueError("unknown op %r" % (op,))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: deploy_lock_host REQUEST_JSON")
    try:
        print(json.dumps(handle(json.loads(sys.argv[1]))))
    except (OSError, ValueError, KeyError) as exc:
        sys.exit("deploy lock: %s" % exc)
