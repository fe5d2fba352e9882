# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The container_plan action end to end on the ansible-core this test runs on (scripts/test unit:
2.18 to 2.21): a playbook reads a fake engine on a unix socket (no Docker) through the stdlib
reader and plans on the controller; the verdicts, the refusals and the API requests. The same
plans against the real engine are compared with the container module's in the container
integration target."""
from __future__ import annotations

import json
import os
import socketserver
import subprocess
import sys
import threading

import pytest

from ansible_collections.goship.containers.tests.unit.plugins.module_utils.containers.test_plan import (
    CONTAINER, IMAGE, PARAMS,
)
from ansible_collections.goship.containers.tests.unit.plugins.plugin_utils.test_read_engine_state import Handler

COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[".."] * 7))
ANSWERS = {
    "/containers/web/json": (200, CONTAINER),
    "/images/app:1/json": (200, IMAGE),
    "/version": (200, {"ApiVersion": "1.41", "Version": "20.10.24"}),
}

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    web: %(params)s
  module_defaults:
    group/goship.containers.docker:
      docker_host: unix://%(socket)s
  tasks:
    - goship.containers.container_plan: "{{ web }}"
      register: current
    - goship.containers.container_plan: "{{ web | combine({'env': {'MODE': 'dev'}}) }}"
      register: env_differs
      diff: true
    - goship.containers.container_plan: "{{ web | combine({'env': {'MODE': 'dev'}}) }}"
      register: in_check_mode
      check_mode: true
    - goship.containers.container_plan: "{{ web | combine({'name': 'gone'}) }}"
      register: missing
    - goship.containers.container_plan: {name: web, state: absent}
      register: absent
    - goship.containers.container_plan: "{{ web | combine(item) }}"
      loop:
        - {memory: lots}
        - {docker_host: "tcp://127.0.0.1:2375"}
        - {api_version: "1.24"}
        - {docker_host: "unix:///nonexistent/gs-unit-plan.sock"}
      register: refused
      ignore_errors: true
    - ansible.builtin.debug:
        msg:
          gs_results: "{{ dict(current=current, env_differs=env_differs, in_check_mode=in_check_mode, missing=missing,
                          absent=absent, refused=refused.results) }}"
"""


class FakeEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class EngineHandler(Handler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        status, body = ANSWERS.get(self.path, (404, {"message": "No such object"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(name="run", scope="module")
def run_playbook(tmp_path_factory):
    root = tmp_path_factory.mktemp("plan")
    socket_path = str(root / "docker.sock")
    server = FakeEngine(socket_path, EngineHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (root / "play.yml").write_text(PLAYBOOK % {"params": json.dumps(PARAMS), "socket": socket_path})
        (root / "ansible.cfg").write_text("[defaults]\n")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
                   ANSIBLE_STDOUT_CALLBACK="oneline", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_HOME=str(root / "home"),
                   ANSIBLE_CONFIG=str(root / "ansible.cfg"))
        done = subprocess.run([sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
                               "-e", "ansible_python_interpreter=" + sys.executable, str(root / "play.yml")],
                              cwd=root, env=env, capture_output=True, text=True, check=False, timeout=300)
    finally:
        server.shutdown()
        server.server_close()
    lines = [line for line in done.stdout.splitlines() if '"gs_results"' in line]
    assert done.returncode == 0 and lines, done.stdout[-4000:] + done.stderr[-4000:]
    return json.loads(lines[-1].split("=>", 1)[1])["msg"]["gs_results"]


def test_a_current_container(run):
    current = run["current"]
    assert current["changed"] is False and current["actions"] == [] and current["differences"] == []
    assert current["container"] == CONTAINER and current["api_requests"] == 4


def test_drift_in_and_out_of_check_mode_with_its_diff(run):
    for result in (run["env_differs"], run["in_check_mode"]):
        assert result["changed"] is True and result["actions"] == ["recreate (env differs)", "start (state is started)"]
    diff = run["env_differs"]["diff"]
    assert diff["before"]["env"]["MODE"] == "prod" and diff["after"]["env"]["MODE"] == "dev"
    assert "diff" not in run["in_check_mode"]


def test_a_missing_container_and_state_absent(run):
    assert run["missing"]["actions"] == ["create (container does not exist)", "start (state is started)"]
    assert run["missing"]["container"] == {}
    assert run["absent"]["actions"] == ["remove (state is absent)"] and run["absent"]["api_requests"] == 3


def test_refusals_name_what_is_wrong(run):
    memory, tcp, api, no_engine = run["refused"]
    assert memory["failed"] and memory["msg"].startswith("memory: ")
    assert tcp["failed"] and "docker_host tcp://127.0.0.1:2375 is not one" in tcp["msg"]
    assert api["failed"] and "Option init needs Docker Engine API 1.25 or newer" in api["msg"] and "speaks API 1.24" in api["msg"]
    assert no_engine["failed"] and "cannot read the Docker engine at /nonexistent/gs-unit-plan.sock" in no_engine["msg"]
