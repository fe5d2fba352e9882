"""The exec connection of the connection plugin over a real socket pair standing in for the engine
(no Docker): frames demultiplexed into stdout and stderr, stdin written then closed, and privilege
escalation answered once (success marker stripped, a refused password, a silent command, one that
ends early), as Ansible's local connection does."""

from __future__ import annotations

import socket
import ssl
import struct
import threading

import pytest

from ansible_collections.goship.containers.plugins.plugin_utils.exec_stream import (
    STDERR, STDOUT, Become, BecomeError, ExecStream, ExecStreamError, exchange)


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


class FakeEngine:
    """The engine's end of one exec: `script(sock, received)` writes frames and reads stdin."""

    def __init__(self, script):
        self.client, self.server = socket.socketpair()
        self.received = bytearray()
        self.thread = threading.Thread(target=self._run, args=(script,), daemon=True)
        self.thread.start()

    def _run(self, script):
        try:
            script(self)
        finally:
            self.server.close()

    def read_line(self) -> bytes:
        while b"\n" not in self.received:
            chunk = self.server.recv(4096)
            if not chunk:
                break
            self.received += chunk
        line, _newline, rest = bytes(self.received).partition(b"\n")
        self.received = bytearray(rest)
        return line

    def read_to_eof(self) -> bytes:
        while True:
            chunk = self.server.recv(65536)
            if not chunk:
                return bytes(self.received)
            self.received += chunk

    def stream(self) -> ExecStream:
        return ExecStream(self.client.makefile("rb"), self.client)


def become(password=b"secret", prompt=True, timeout=5.0):
    marker = b"BECOME-SUCCESS-abc"
    return Become(
        check_success=lambda out: any(marker in line.rstrip() for line in out.splitlines(True)),
        check_prompt=(lambda out: any(line.strip().startswith(b"[sudo] password:") for line in out.splitlines())) if prompt else None,
        password=password, success_marker=marker, prompt=b"[sudo] password:", timeout=timeout)


def test_frames_are_demultiplexed_in_order():
    def script(engine):
        engine.server.sendall(frame(STDOUT, b"out 1\n") + frame(STDERR, b"err 1\n") + frame(STDOUT, b"out 2\n"))

    engine = FakeEngine(script)
    assert exchange(engine.stream(), None, None, stdin_attached=False) == (b"out 1\nout 2\n", b"err 1\n")


def test_a_frame_split_across_writes_and_an_empty_frame():
    def script(engine):
        data = frame(STDOUT, b"x" * 100_000) + frame(STDERR, b"")
        for i in range(0, len(data), 999):
            engine.server.sendall(data[i:i + 999])

    engine = FakeEngine(script)
    assert exchange(engine.stream(), None, None, stdin_attached=False) == (b"x" * 100_000, b"")


def test_stdin_is_written_then_closed_and_the_process_sees_its_end():
    def script(engine):
        data = engine.read_to_eof()  # returns only once the client shut its writing half
        engine.server.sendall(frame(STDOUT, b"got %d bytes" % len(data)))

    engine = FakeEngine(script)
    payload = b"#!/usr/bin/python3\n" + b"a" * 200_000
    assert exchange(engine.stream(), payload, None, stdin_attached=True) == (b"got %d bytes" % len(payload), b"")
    assert bytes(engine.received) == payload


def test_output_ending_inside_a_frame_is_an_error():
    def script(engine):
        engine.server.sendall(frame(STDOUT, b"complete") + struct.pack(">BxxxL", STDOUT, 50) + b"partial")

    engine = FakeEngine(script)
    with pytest.raises(ExecStreamError, match="inside a frame"):
        exchange(engine.stream(), None, None, stdin_attached=False)


def test_sudo_password_is_sent_once_then_the_module_and_the_marker_is_stripped():
    def script(engine):
        engine.server.sendall(frame(STDERR, b"[sudo] password:"))
        assert engine.read_line() == b"secret"
        engine.server.sendall(frame(STDOUT, b"BECOME-SUCCESS-abc\n"))
        module = engine.read_to_eof()
        engine.server.sendall(frame(STDOUT, b'{"module_bytes": %d}\n' % len(module)))

    engine = FakeEngine(script)
    out, err = exchange(engine.stream(), b"print()\n" * 10, become(), stdin_attached=True)
    assert out == b'{"module_bytes": 80}\n'
    assert err == b""


def test_become_without_a_password_waits_for_the_marker_only():
    def script(engine):
        engine.server.sendall(frame(STDOUT, b"BECOME-SUCCESS-abc\nuid=0(root)\n"))

    engine = FakeEngine(script)
    assert exchange(engine.stream(), None, become(prompt=False), stdin_attached=False) == (b"uid=0(root)\n", b"")


def test_a_refused_password_fails_naming_it_with_the_output():
    def script(engine):
        engine.server.sendall(frame(STDERR, b"[sudo] password:"))
        engine.read_line()
        engine.server.sendall(frame(STDERR, b"Sorry, try again.\n[sudo] password:"))
        engine.read_line()  # what the client sends after giving up: nothing, then the end

    engine = FakeEngine(script)
    stream = engine.stream()
    with pytest.raises(BecomeError, match="password was refused") as info:
        exchange(stream, None, become(password=b"wrong"), stdin_attached=True)
    assert "Sorry, try again." in str(info.value)
    assert "wrong" not in str(info.value)  # the password itself is never in a message
    stream.close()


def test_a_command_that_ends_before_escalating_is_reported():
    def script(engine):
        engine.server.sendall(frame(STDERR, b"/bin/sh: 1: sudo: not found\n"))

    engine = FakeEngine(script)
    with pytest.raises(BecomeError, match="ended before it succeeded") as info:
        exchange(engine.stream(), None, become(prompt=False), stdin_attached=False)
    assert "sudo: not found" in str(info.value)


def test_silence_times_out_instead_of_hanging():
    release = threading.Event()

    def script(engine):
        release.wait(10)

    engine = FakeEngine(script)
    stream = engine.stream()
    try:
        with pytest.raises(BecomeError, match=r"timed out: no sign of its password prompt or success within 0.3s"):
            exchange(stream, None, become(timeout=0.3), stdin_attached=True)
    finally:
        release.set()
        stream.close()


def test_stdin_cannot_be_closed_over_tls():
    left, right = socket.socketpair()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).wrap_socket(left, server_hostname="engine", do_handshake_on_connect=False)
    stream = ExecStream(None, tls)
    try:
        assert not stream.can_close_stdin
        with pytest.raises(ExecStreamError, match="TLS"):
            stream.close_stdin()
        with pytest.raises(ExecStreamError, match="pipelining is not possible"):
            exchange(stream, b"data", None, stdin_attached=True)
    finally:
        tls.close()
        right.close()
