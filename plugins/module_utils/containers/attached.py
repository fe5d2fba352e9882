# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`detach: false`: wait for the container this task started to exit and read its output.

A container with `auto_remove` is removed by the engine as soon as it exits, so reading its logs or
its exit status afterwards fails (404, or 409 while the removal is in progress). Both are therefore
read while it runs: the exit status by a wait for its removal (`condition=removed`, which the engine
answers with the exit status), started first, in a thread, and the output by following its logs
until it exits. What a container that exited and was removed before either request could not give
is said in `note`, never raised: the task's result stays clear about what it knows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class AttachedRun:
    status: Optional[int]  # the exit status; None when the engine could no longer tell it
    output: str
    note: str = ""  # why output or status is missing (a container removed before they were read)


def _gone(exc: BaseException) -> bool:
    """The engine's answer for a container removed (404) or being removed (409)."""
    code = getattr(getattr(exc, "response", None), "status_code", None)
    return code in (404, 409) or type(exc).__name__ == "NotFound"


def _follow_logs(client: Any, container_id: str) -> tuple[str, bool]:
    """The container's output until it exits; (text, False) when it was gone before it could be read."""
    chunks: list[bytes] = []
    try:
        for chunk in client.logs(container_id, stdout=True, stderr=True, stream=True, follow=True):
            chunks.append(chunk)
    except Exception as exc:  # noqa: BLE001 - only "gone" is expected; anything else is the engine's error
        if not _gone(exc):
            raise
        return b"".join(chunks).decode("utf-8", "replace"), False
    return b"".join(chunks).decode("utf-8", "replace"), True


class _RemovalWait(threading.Thread):
    """POST /containers/{id}/wait?condition=removed, in the background: the exit status of a
    container the engine removes when it exits."""

    def __init__(self, client: Any, container_id: str) -> None:
        super().__init__(daemon=True)
        self.client, self.container_id = client, container_id
        self.status: Optional[int] = None
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        try:
            self.status = self.client.wait(self.container_id, condition="removed").get("StatusCode")
        except Exception as exc:  # noqa: BLE001 - reported by run_attached
            self.error = exc


def run_attached(client: Any, container_id: str, auto_remove: bool, cleanup: bool) -> AttachedRun:
    """Wait for the started container to exit; its status and output. With `cleanup` (and no
    `auto_remove`), remove it afterwards."""
    if not auto_remove:
        output, _read = _follow_logs(client, container_id)
        status = client.wait(container_id).get("StatusCode")
        if cleanup:
            client.remove_container(container_id, force=True)
        return AttachedRun(status, output)
    waiter = _RemovalWait(client, container_id)
    waiter.start()
    output, read = _follow_logs(client, container_id)
    waiter.join()
    if waiter.error is not None and not _gone(waiter.error):
        raise waiter.error
    missing = [what for what, known in (("its output", read), ("its exit status", waiter.status is not None))
               if not known]
    note = ""
    if missing:
        note = ("container %s exited and the engine removed it (auto_remove) before %s could be read"
                % (container_id[:12], " and ".join(missing)))
    return AttachedRun(waiter.status, output, note)
