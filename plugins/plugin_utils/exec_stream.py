# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection of a started Docker exec, for the connection plugin: the engine's multiplexed
output frames to read, the process's stdin to write (a become password, a pipelined module) and
to close.

Without a TTY the engine sends each write of the process as a frame: an 8-byte header (stream 1 =
stdout, 2 = stderr; then the size) and the bytes. The frames are read from the HTTP response's
buffered reader, not from the bare socket: bytes that arrived with the response headers are
already in that buffer.

Closing stdin means shutting down the writing half of the connection. A TLS socket cannot do that
and keep reading (Python's SSLSocket has no half-close), so over TLS `can_close_stdin` is false and
the connection plugin does not pipeline (modules are copied as files instead)."""

from __future__ import annotations

import socket
import ssl
import struct
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

STDOUT, STDERR = 1, 2
_HEADER = struct.Struct(">BxxxL")


class ExecStreamError(Exception):
    """The exec's connection ended in the middle of a frame, or cannot do what was asked."""


class BecomeError(Exception):
    """Privilege escalation did not succeed; the message holds what the process printed."""


class ExecStream:
    """One exec's hijacked connection. `reader` is a buffered binary file (read(n) returns n bytes
    unless the stream ends); `sock` is the socket (or SocketIO, or SSH channel) under it."""

    def __init__(self, reader: Any, sock: Any, keep_alive: Any = None) -> None:
        self._reader = reader
        self._sock = getattr(sock, "_sock", sock)  # SocketIO wraps the socket of a unix connection
        self._keep_alive = keep_alive  # the HTTP response: when collected, it closes the connection

    @property
    def can_close_stdin(self) -> bool:
        if isinstance(self._sock, ssl.SSLSocket):
            return False
        return hasattr(self._sock, "shutdown_write") or hasattr(self._sock, "shutdown")

    def _read_exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self._reader.read(size - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def frame(self) -> Optional[tuple[int, bytes]]:
        """The next (stream, bytes) frame; None when the process's output has ended."""
        header = self._read_exactly(_HEADER.size)
        if not header:
            return None
        if len(header) < _HEADER.size:
            raise ExecStreamError("the exec's output ended inside a frame header")
        stream, size = _HEADER.unpack(header)
        data = self._read_exactly(size)
        if len(data) < size:
            raise ExecStreamError("the exec's output ended inside a frame (%d of %d bytes)" % (len(data), size))
        return stream, data

    def write(self, data: bytes) -> None:
        if hasattr(self._sock, "sendall"):
            self._sock.sendall(data)
        else:  # pragma: no cover  # objects without sendall (none known today) get plain writes
            self._sock.write(data)

    def close_stdin(self) -> None:
        if not self.can_close_stdin:
            raise ExecStreamError("stdin cannot be closed on a TLS connection without ending it")
        if hasattr(self._sock, "shutdown_write"):  # an SSH channel (ssh:// docker_host)
            self._sock.shutdown_write()
        else:
            self._sock.shutdown(socket.SHUT_WR)

    def set_timeout(self, seconds: Optional[float]) -> None:
        if hasattr(self._sock, "settimeout"):
            self._sock.settimeout(seconds)

    def close(self) -> None:
        for closable in (self._keep_alive, self._reader, self._sock):
            try:
                if closable is not None:
                    closable.close()
            except Exception:  # pylint: disable=broad-exception-caught  # closing is best effort
                pass


@dataclass
class Become:
    """What the exchange needs of Ansible's become plugin."""

    check_success: Callable[[bytes], bool]
    check_prompt: Optional[Callable[[bytes], bool]]  # None when no password is expected
    password: bytes
    success_marker: bytes
    prompt: bytes = b""
    timeout: float = 10.0


def _strip_through(marker: bytes, data: bytes) -> bytes:
    """`data` without everything up to and including the first `marker` and the blank after it."""
    if not marker:
        return data
    at = data.find(marker)
    if at < 0:
        return data
    return data[at + len(marker):].lstrip(b" \t\r\n")


def _escalate(stream: ExecStream, become: Become, out: bytearray, err: bytearray,
              clock: Callable[[], float]) -> None:
    """Read until the become plugin's success marker, answering one password prompt."""
    deadline = clock() + become.timeout
    prompt_seen_at = [0, 0]
    sent_password = False

    def failure(reason: str) -> BecomeError:
        text = reason
        for title, data in (("stdout", out), ("stderr", err)):
            if data:
                text += "\n>>> %s\n%s" % (title, data.decode("utf-8", "replace"))
        return BecomeError(text)

    def timed_out() -> BecomeError:
        waited = "its password prompt or success" if become.check_prompt and not sent_password else "its success"
        return failure("privilege escalation timed out: no sign of %s within %ss (become_success_timeout)"
                       % (waited, become.timeout))

    while not become.check_success(bytes(out)):
        if become.check_prompt is not None and (
                become.check_prompt(bytes(out[prompt_seen_at[0]:])) or become.check_prompt(bytes(err[prompt_seen_at[1]:]))):
            if sent_password:
                raise failure("privilege escalation failed: the become password was refused (it was asked for again)")
            prompt_seen_at = [len(out), len(err)]
            stream.write(become.password + b"\n")
            sent_password = True
        remaining = deadline - clock()
        if remaining <= 0:
            raise timed_out()
        stream.set_timeout(remaining)
        try:
            frame = stream.frame()
        except (socket.timeout, TimeoutError):
            raise timed_out()
        if frame is None:
            raise failure("privilege escalation failed: the command ended before it succeeded")
        (out if frame[0] == STDOUT else err).extend(frame[1])


def exchange(stream: ExecStream, in_data: Optional[bytes], become: Optional[Become],
             stdin_attached: bool, clock: Callable[[], float] = time.monotonic) -> tuple[bytes, bytes]:
    """Drive one exec: privilege escalation first (when `become`), then `in_data` written to stdin
    and stdin closed, then all output read. Returns (stdout, stderr), the escalation's own output
    (prompt, success marker) stripped as Ansible's local connection does."""
    out, err = bytearray(), bytearray()
    if become is not None:
        _escalate(stream, become, out, err, clock)
        out = bytearray(_strip_through(become.success_marker, bytes(out)))
        if become.check_prompt is not None:
            err = bytearray(_strip_through(become.prompt, bytes(err)))
    stream.set_timeout(None)  # the command itself may run as long as it needs, silently
    if in_data is not None:
        if not stream.can_close_stdin:
            raise ExecStreamError("data for stdin cannot be ended on this connection (TLS): pipelining is not possible")
        stream.write(in_data)
        stream.close_stdin()
    elif stdin_attached and stream.can_close_stdin:
        stream.close_stdin()  # the command sees end of input, as with the local and ssh connections
    while True:
        frame = stream.frame()
        if frame is None:
            return bytes(out), bytes(err)
        (out if frame[0] == STDOUT else err).extend(frame[1])
