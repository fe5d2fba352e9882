# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Docker Engine API proxy on a unix socket that counts the HTTP requests passing through.

Point a tool at it with DOCKER_HOST=unix://<listen path>. Each request's headers are parsed and
its body skipped (Content-Length or chunked), so uploads are not mistaken for requests; after a
protocol upgrade (attach, exec start) the connection is relayed as raw bytes.

As a library (what the benchmarks do):

    from apiproxy import ApiProxy
    proxy = ApiProxy("/tmp/x/docker.sock")      # starts serving in background threads
    proxy.reset(); ...run the tool...; print(proxy.count, proxy.requests)
    proxy.close()

As a command (prints one line per request, and the total on Ctrl-C / SIGTERM):

    python3 benchmarks/apiproxy.py /tmp/x/docker.sock [--upstream /var/run/docker.sock]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
from typing import Callable, Optional

DEFAULT_UPSTREAM = "/var/run/docker.sock"


class _RequestCounter:
    """Incremental parser of the client → engine byte stream of one connection."""

    def __init__(self, on_request: Callable[[str], None]) -> None:
        self.on_request = on_request
        self.buffer = b""
        self.body_left = 0
        self.chunked = False
        self.raw = False

    def feed(self, data: bytes) -> None:
        if self.raw:
            return
        self.buffer += data
        while self.buffer and not self.raw:
            if self.body_left:
                step = min(self.body_left, len(self.buffer))
                self.buffer = self.buffer[step:]
                self.body_left -= step
            elif self.chunked:
                if not self._skip_chunk():
                    return
            elif not self._read_head():
                return

    def _skip_chunk(self) -> bool:
        line_end = self.buffer.find(b"\r\n")
        if line_end < 0:
            return False
        size = int(self.buffer[:line_end].split(b";")[0].strip() or b"0", 16)
        if size == 0:  # last chunk; trailers are not used by Docker clients
            if len(self.buffer) < line_end + 4:
                return False
            self.buffer = self.buffer[line_end + 4:]
            self.chunked = False
            return True
        self.buffer = self.buffer[line_end + 2:]
        self.body_left = size + 2  # the chunk and its CRLF
        return True

    def _read_head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = self.buffer[:end].decode("latin-1")
        self.buffer = self.buffer[end + 4:]
        lines = head.split("\r\n")
        headers = {}
        for line in lines[1:]:
            key, _sep, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        self.on_request(lines[0].rsplit(" ", 1)[0])  # "GET /v1.41/containers/x/json"
        if headers.get("upgrade") or "upgrade" in headers.get("connection", "").lower():
            self.raw = True
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            self.chunked = True
        else:
            self.body_left = int(headers.get("content-length") or 0)
        return True


class ApiProxy:
    """Serves `path`, forwards every connection to `upstream`, counts requests."""

    def __init__(self, path: str, upstream: str = DEFAULT_UPSTREAM,
                 on_request: Optional[Callable[[str], None]] = None) -> None:
        self.path = path
        self.upstream = upstream
        self.count = 0
        self.requests: list[str] = []
        self._on_request = on_request
        self._lock = threading.Lock()
        if os.path.exists(path):
            os.unlink(path)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(path)
        self._server.listen(128)
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.count = 0
            self.requests = []

    def close(self) -> None:
        self._server.close()
        if os.path.exists(self.path):
            os.unlink(self.path)

    def _record(self, request: str) -> None:
        with self._lock:
            self.count += 1
            self.requests.append(request)
        if self._on_request:
            self._on_request(request)

    def _accept(self) -> None:
        while True:
            try:
                client = self._server.accept()[0]
            except OSError:
                return
            engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                engine.connect(self.upstream)
            except OSError:
                client.close()
                continue
            counter = _RequestCounter(self._record)
            pair = _Pair(client, engine)
            threading.Thread(target=self._pump, args=(client, engine, counter.feed, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(engine, client, None, pair), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket, observe: Optional[Callable[[bytes], None]],
              pair: "_Pair") -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if observe:
                    observe(data)
                target.sendall(data)
            # an end of input is passed on as one (an exec's stdin closed by the client), and the
            # other direction keeps flowing until it ends too
            try:
                target.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        except OSError:
            pair.abort()
        finally:
            pair.done()


class _Pair:
    """The two sockets of one relayed connection: closed when both directions have ended."""

    def __init__(self, client: socket.socket, engine: socket.socket) -> None:
        self.sockets = (client, engine)
        self.ended = 0
        self.lock = threading.Lock()

    def abort(self) -> None:
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def done(self) -> None:
        with self.lock:
            self.ended += 1
            if self.ended < 2:
                return
        for sock in self.sockets:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("listen", help="unix socket path to serve")
    parser.add_argument("--upstream", default=DEFAULT_UPSTREAM)
    args = parser.parse_args()
    proxy = ApiProxy(args.listen, args.upstream, on_request=lambda r: print(r, flush=True))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    proxy.close()
    print("total %d requests" % proxy.count, file=sys.stderr)


if __name__ == "__main__":
    main()
