# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One writer per Compose project: a lock held while a run observes, plans and applies changes.

Two runs that change one project at the same moment each plan from the same observation and then
both act: each creates the project's networks (the engine allows two networks of one name, and
every later use of the name is "ambiguous"), or both replace the same container ("No such
container"). A run that is about to change a project therefore takes this lock, observes and plans
again under it, and applies; a second run waits (bounded), then plans from what the first one left,
which usually means it has nothing left to do.

The lock is an advisory `flock` on a file of the machine that runs the module, named after the
engine's ID (GET /info: one engine reached by socket or TCP is one engine) and the project:
- the kernel releases it when the process ends, however it ends: no stale lock after a killed run,
  no heartbeat, no clean-up;
- it costs no engine request beyond the engine ID, and writes nothing on the engine (check mode
  and no-op runs never take it);
- the file records who holds it (user, host, process, the run's task) and since when, so a run
  that gives up says "being changed by ... since ...".
An engine-side marker was rejected: the engine has no atomic named object outside Swarm except a
container name, which needs an image to create, and a marker left by a killed run would need an
expiry policy. What the file lock cannot see is a run on another machine against the same remote
engine (TCP or SSH); the project's own repairs cover what such a race leaves (duplicate networks are
merged by the next run, docs/compose.md), and fleets serialise their runs with `deploy_lock`.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import re
import socket
import tempfile
import time
from typing import Any, Callable, Optional

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX host: modules run on Linux here
    fcntl = None  # type: ignore[assignment]

# /run/lock is the FHS place for lock files (tmpfs, world-writable and sticky on Debian and
# Ubuntu, emptied at boot); elsewhere the temporary directory.
LOCK_DIRS = ("/run/lock", tempfile.gettempdir())
POLL_SECONDS = 0.2


class ProjectBusy(Exception):
    """Another run held the project's lock for longer than the run was willing to wait."""


def lock_path(engine_id: str, project: str, directories: tuple[str, ...] = LOCK_DIRS) -> str:
    """The lock file of `project` on the engine `engine_id`, in the first usable directory."""
    engine = re.sub(r"[^A-Za-z0-9]+", "", engine_id)[:16] or "engine"
    name = "goship-compose-%s-%s.lock" % (engine, re.sub(r"[^A-Za-z0-9_.-]+", "_", project))
    for directory in directories:
        if os.path.isdir(directory) and os.access(directory, os.W_OK | os.X_OK):
            return os.path.join(directory, name)
    raise ProjectBusy("no writable directory for the project lock (tried %s)" % ", ".join(directories))


def engine_id(client: Any) -> str:
    """The engine's ID (GET /info), else its address: what identifies the engine in the lock's name."""
    try:
        found = (client.info() or {}).get("ID")
    except Exception:  # noqa: BLE001 - an engine that refuses /info is still locked by address
        found = None
    return str(found or getattr(client, "base_url", "") or "engine")


def describe_holder(text: str) -> str:
    """'root@host1 pid 123 (task "Deploy") since 2026-12-03T10:00:00Z' from a lock file's content."""
    try:
        info = json.loads(text)
    except ValueError:
        return "an unknown holder (the lock file holds no owner record)"
    who = "%s@%s pid %s" % (info.get("user", "?"), info.get("host", "?"), info.get("pid", "?"))
    if info.get("what"):
        who += " (%s)" % info["what"]
    return "%s since %s" % (who, info.get("since", "an unknown time"))


class ProjectLock:
    """`with ProjectLock(path, project, timeout, what):` holds the project's lock; waits at most
    `timeout` seconds (0: not at all) for another holder, then raises ProjectBusy naming it."""

    def __init__(self, path: str, project: str, timeout: float, what: str = "",
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.path = path
        self.project = project
        self.timeout = timeout
        self.what = what
        self.waited = 0.0  # seconds spent waiting for another holder
        self._clock = clock
        self._sleep = sleep
        self._fd: Optional[int] = None

    def __enter__(self) -> "ProjectLock":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def acquire(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        fd = self._open()
        started = self._clock()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
            if self._clock() - started >= self.timeout:
                holder = self._holder(fd)
                os.close(fd)
                raise ProjectBusy("project %s is being changed by %s; waited %ds (lock_timeout) for it to finish;"
                                  " nothing was changed by this run (lock file %s)"
                                  % (self.project, holder, self.timeout, self.path))
            self._sleep(POLL_SECONDS)
        self.waited = self._clock() - started
        self._fd = fd
        self._write_owner(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # no owner record once free (the file itself stays: see below)
        except OSError:
            pass
        # The file is never unlinked: a waiter holding the old file's descriptor would lock a file
        # no longer in the directory while a third run creates and locks a new one.
        os.close(self._fd)  # closing releases the flock
        self._fd = None

    def _open(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:  # made by another user with a stricter umask: flock needs no write access
            return os.open(self.path, os.O_RDONLY)
        try:
            os.fchmod(fd, 0o666)  # runs as other users share the file
        except OSError:
            pass
        return fd

    def _write_owner(self, fd: int) -> None:
        record = {"user": _user(), "host": socket.gethostname(), "pid": os.getpid(), "what": self.what,
                  "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)
        except OSError:  # opened read-only: the lock holds, only its owner record is missing
            pass

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            return describe_holder(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
        except OSError:
            return "an unknown holder"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no name for the uid (containers)
        return str(os.getuid())
