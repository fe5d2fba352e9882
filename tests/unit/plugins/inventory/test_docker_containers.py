"""The docker_containers inventory plugin run by ansible-inventory against a fake engine on a unix
socket (no Docker): hosts, their variables, Compose and label groups, constructed's compose, groups
and keyed_groups, filters, strict, inspect only when used, and engine data never templated."""

from __future__ import annotations

import http.server
import json
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

COLLECTIONS_ROOT = Path(__file__).resolve().parents[7]  # .../ansible_collections/goship/containers/tests/unit/plugins/inventory

CONTAINERS = [
    {"Id": "a" * 64, "Names": ["/shop-web-1"], "Image": "shop/web:2", "ImageID": "sha256:1", "State": "running",
     "Status": "Up 2 minutes", "Created": 1, "Ports": [{"IP": "127.0.0.1", "PrivatePort": 22, "PublicPort": 2201, "Type": "tcp"}],
     "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "web",
                "com.docker.compose.container-number": "1", "tier": "front"},
     "HostConfig": {"NetworkMode": "shop_default"}, "NetworkSettings": {"Networks": {"shop_default": {"IPAddress": "172.30.0.2"}}}},
    {"Id": "b" * 64, "Names": ["/shop-db-1"], "Image": "postgres:16", "ImageID": "sha256:2", "State": "running",
     "Status": "Up 2 minutes", "Created": 2, "Ports": [],
     "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "db",
                "com.docker.compose.container-number": "1", "tier": "back",
                "note": "{{ lookup('pipe', 'echo INJECTED') }}"},
     "HostConfig": {"NetworkMode": "shop_default"}, "NetworkSettings": {"Networks": {"shop_default": {"IPAddress": "172.30.0.3"}}}},
    {"Id": "c" * 64, "Names": ["/lonely"], "Image": "busybox", "ImageID": "sha256:3", "State": "exited",
     "Status": "Exited (0) 1 hour ago", "Created": 3, "Ports": [], "Labels": {},
     "HostConfig": {"NetworkMode": "default"}, "NetworkSettings": {"Networks": {}}},
]


class FakeEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    requests: list[str] = []


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        url = urlparse(self.path)
        path = url.path.split("/", 2)[2] if url.path.startswith("/v1.") else url.path.lstrip("/")
        self.server.requests.append(path)
        if path == "version":
            body = {"ApiVersion": "1.41", "MinAPIVersion": "1.12", "Version": "20.10.24"}
        elif path == "containers/json":
            body = [c for c in CONTAINERS if "all=1" in (url.query or "") or c["State"] == "running"]
        elif path.startswith("containers/") and path.endswith("/json"):
            cid = path.split("/")[1]
            body = {"Id": cid, "Config": {"User": "app" if cid.startswith("a") else ""}, "HostConfig": {"Memory": 0}}
        else:
            body = {"message": "not here"}
        data = json.dumps(body).encode()
        self.send_response(200 if "message" not in body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def address_string(self):
        return "unix"

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(name="engine", scope="module")
def fake_engine():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "docker.sock")
        server = FakeEngine(path, Handler)
        server.requests = []
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server, path
        server.shutdown()
        server.server_close()


def inventory(engine, tmp_path, config: str, expect_failure: bool = False) -> dict:
    server, socket_path = engine
    server.requests.clear()
    source = tmp_path / "shop.docker.yml"
    source.write_text("plugin: goship.containers.docker_containers\ndocker_host: unix://%s\n%s" % (socket_path, config))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT), ANSIBLE_HOME=str(tmp_path / "home"),
               ANSIBLE_INVENTORY_UNPARSED_FAILED="true", ANSIBLE_NOCOLOR="1", ANSIBLE_INVENTORY_ENABLED="goship.containers.docker_containers")
    run = subprocess.run([sys.executable, "-m", "ansible.cli.inventory", "-i", str(source), "--list", "--export"],
                         env=env, capture_output=True, text=True, check=False, cwd=str(tmp_path))
    if expect_failure:
        assert run.returncode != 0, run.stdout
        return {"stderr": " ".join(run.stderr.split())}  # ansible-core 2.18 wraps warnings at a terminal width
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def host_vars(data: dict, host: str) -> dict:
    return plain(data["_meta"]["hostvars"][host])


def plain(value):
    """The JSON without ansible-inventory's markers of untrusted strings ({"__ansible_unsafe": "x"})."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def members(data: dict, group: str) -> list[str]:
    return sorted(data.get(group, {}).get("hosts", []))


def test_hosts_groups_and_variables(engine, tmp_path):
    data = inventory(engine, tmp_path, """
group_by_labels: [tier]
keyed_groups:
  - key: docker_state
    prefix: state
groups:
  databases: "'postgres' in docker_image"
strict: false
compose:
  app_port: docker_ports | map(attribute='host_port') | select('defined') | first | default(0)
  tier_upper: docker_labels.tier.upper()
""")
    hostvars = data["_meta"]["hostvars"]
    assert sorted(hostvars) == ["lonely", "shop-db-1", "shop-web-1"]
    assert members(data, "compose_shop") == ["shop-db-1", "shop-web-1"]
    assert members(data, "compose_shop_web") == ["shop-web-1"]
    assert members(data, "label_tier_back") == ["shop-db-1"]
    assert members(data, "state_running") == ["shop-db-1", "shop-web-1"]
    assert members(data, "state_exited") == ["lonely"]
    assert members(data, "databases") == ["shop-db-1"]
    web = host_vars(data, "shop-web-1")
    assert web["ansible_connection"] == "goship.containers.docker" and web["ansible_host"] == "shop-web-1"
    assert web["ansible_docker_docker_host"].startswith("unix://")  # the daemon of this file, for the connection
    assert "ansible_docker_api_version" not in web and "ansible_docker_timeout" not in web  # defaults are not passed
    assert web["docker_compose_service"] == "web" and web["docker_compose_number"] == 1
    # ansible-core 2.19 and later keep the expression's type; 2.18 templates it to a string
    assert web["app_port"] in (2201, "2201") and web["tier_upper"] == "FRONT"
    assert "tier_upper" not in host_vars(data, "lonely")  # no tier label, not strict: skipped, not an error
    assert "docker_inspect" not in web
    # the engine's data is never a template: the label is kept as it is, not run, and marked untrusted
    assert hostvars["shop-db-1"]["docker_labels"]["note"] == {"__ansible_unsafe": "{{ lookup('pipe', 'echo INJECTED') }}"}
    # no expression uses docker_inspect: one list request (and the version), no inspect
    assert not [r for r in engine[0].requests if r.startswith("containers/") and r != "containers/json"]


def test_filters_first_match_decides(engine, tmp_path):
    data = inventory(engine, tmp_path, """
filters:
  - exclude: not docker_running
  - include: inventory_hostname.startswith('shop-')
  - exclude: true
""")
    assert sorted(data["_meta"]["hostvars"]) == ["shop-db-1", "shop-web-1"]


def test_a_broken_filter_fails_naming_it(engine, tmp_path):
    result = inventory(engine, tmp_path, "filters:\n  - include: docker_running\n  - exclude: no_such_var.attr\n",
                       expect_failure=True)
    assert "filters[1].exclude: cannot be evaluated for container" in result["stderr"]
    result = inventory(engine, tmp_path, "filters:\n  - keep: true\n", expect_failure=True)
    assert "filters[0]: must have exactly one key, include or exclude" in result["stderr"]


def test_inspect_only_when_used_and_verbose_output(engine, tmp_path):
    data = inventory(engine, tmp_path, """
keyed_groups:
  - key: docker_inspect.Config.User
    prefix: user
    default_value: root
""")
    assert members(data, "user_app") == ["shop-web-1"]
    assert "docker_inspect" not in host_vars(data, "shop-web-1")  # used, not shown
    assert len([r for r in engine[0].requests if r.startswith("containers/") and r != "containers/json"]) == 3
    data = inventory(engine, tmp_path, "verbose_output: true\n")
    assert host_vars(data, "shop-web-1")["docker_inspect"]["Config"]["User"] == "app"


def test_strict_makes_a_failing_expression_an_error(engine, tmp_path):
    result = inventory(engine, tmp_path, "strict: true\ncompose:\n  x: docker_labels.tier.upper()\n", expect_failure=True)
    assert "Could not set x for host lonely" in result["stderr"]


def test_ssh_connection_type_running_only_no_compose_groups(engine, tmp_path):
    data = inventory(engine, tmp_path, "connection_type: ssh\ninclude_stopped: false\ngroup_by_compose: false\n")
    assert sorted(data["_meta"]["hostvars"]) == ["shop-db-1", "shop-web-1"]
    assert "compose_shop" not in data
    web = host_vars(data, "shop-web-1")
    assert (web["ansible_host"], web["ansible_port"]) == ("127.0.0.1", 2201)
    assert "ansible_connection" not in web and "ansible_docker_docker_host" not in web
    assert "ansible_host" not in data["_meta"]["hostvars"]["shop-db-1"]  # no published SSH port


def test_an_unreachable_daemon_fails_naming_it(tmp_path):
    source = tmp_path / "x.docker.yml"
    source.write_text("plugin: goship.containers.docker_containers\ndocker_host: unix:///tmp/gs-no-such-engine.sock\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT), ANSIBLE_HOME=str(tmp_path / "home"),
               ANSIBLE_INVENTORY_UNPARSED_FAILED="true", ANSIBLE_INVENTORY_ENABLED="goship.containers.docker_containers")
    run = subprocess.run([sys.executable, "-m", "ansible.cli.inventory", "-i", str(source), "--list"],
                         env=env, capture_output=True, text=True, check=False)
    assert run.returncode != 0
    assert "Cannot reach the Docker daemon at unix:///tmp/gs-no-such-engine.sock" in run.stderr
