"""The host-side reader of the container_plan action, against a fake engine on a unix socket (no Docker):
the engine's JSON as it answers, null for 404, a clear exit for any other answer or no engine,
and the socket chosen as a shipped module would (docker_host, DOCKER_HOST, the default)."""

from __future__ import annotations

import http.server
import json
import os
import socketserver
import tempfile
import threading
import urllib.parse

import pytest

from ansible_collections.goship.containers.plugins.plugin_utils.read_engine_state import read_env_file, read_state, socket_path

ANSWERS = {
    "/containers/web/json": (200, {"Id": "c0ffee", "Name": "/web"}),
    "/images/shop:1.4.3/json": (200, {"Id": "sha256:1c07", "RepoTags": ["shop:1.4.3"]}),
    "/images/registry.example/team/shop:2/json": (200, {"Id": "sha256:2d18"}),
    "/images/broken:1/json": (500, {"message": "layer store corrupt"}),
    "/version": (200, {"ApiVersion": "1.41"}),
}


class FakeEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        if self.path.startswith("/containers/json?"):  # the list by name: one leftover of an interrupted run
            name = json.loads(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["filters"][0])["name"][0]
            status, body = 200, [{"Id": "d1", "Names": ["/%s" % name]}, {"Id": "d2", "Names": ["/0123456789ab_%s" % name]}]
        else:
            status, body = ANSWERS.get(self.path, (404, {"message": "No such object"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def address_string(self):
        return "unix"

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(name="engine")
def fake_engine():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "docker.sock")
        server = FakeEngine(path, Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield path
        server.shutdown()
        server.server_close()


def test_the_engines_own_json_and_null_for_404(engine):
    state = read_state("web", "shop:1.4.3", engine)
    assert state == {"listed": [{"Id": "d1", "Names": ["/web"]}, {"Id": "d2", "Names": ["/0123456789ab_web"]}],
                     "container": {"Id": "c0ffee", "Name": "/web"},
                     "image": {"Id": "sha256:1c07", "RepoTags": ["shop:1.4.3"]},
                     "version": {"ApiVersion": "1.41"}, "requests": 4}
    gone = read_state("gone", "", engine)
    assert (gone["container"], gone["image"], gone["requests"]) == (None, None, 3)
    assert read_state("gone", "registry.example/team/shop:2", engine)["image"] == {"Id": "sha256:2d18"}
    # the containers whose namespaces the task shares (container:NAME): their IDs
    assert read_state("gone", "", engine, peers=["web", "gone"])["peers"] == {"web": "c0ffee", "gone": None}


def test_another_answer_or_no_engine_exits_with_the_reason(engine):
    with pytest.raises(SystemExit, match="GET /images/broken:1/json: the engine answered 500 .*layer store corrupt"):
        read_state("web", "broken:1", engine)
    with pytest.raises(SystemExit, match="cannot read the Docker engine at /nonexistent.sock"):
        read_state("web", "", "/nonexistent.sock")


@pytest.mark.parametrize("given, env, expected", [
    ("/run/given.sock", "unix:///run/env.sock", "/run/given.sock"),
    ("", "unix:///run/user/1000/docker.sock", "/run/user/1000/docker.sock"),
    ("", None, "/var/run/docker.sock"),
])
def test_the_socket_as_a_shipped_module_would_choose_it(monkeypatch, given, env, expected):
    if env is None:
        monkeypatch.delenv("DOCKER_HOST", raising=False)
    else:
        monkeypatch.setenv("DOCKER_HOST", env)
    assert socket_path(given) == expected


def test_a_tcp_docker_host_is_refused(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.0.0.5:2376")
    with pytest.raises(SystemExit, match="DOCKER_HOST on this host is tcp://10.0.0.5:2376"):
        socket_path("")


def test_the_env_file_is_read_on_the_host_as_the_module_reads_it(tmp_path, monkeypatch):
    (tmp_path / "app.env").write_text("MODE=a\n# comment\n", encoding="utf-8")
    monkeypatch.setenv("GS_ENV_DIR", str(tmp_path))
    assert read_env_file("$GS_ENV_DIR/app.env") == {"path": str(tmp_path / "app.env"), "text": "MODE=a\n# comment\n"}
    assert read_env_file(str(tmp_path / "missing.env")) == {"path": str(tmp_path / "missing.env"),
                                                            "error": "No such file or directory"}
