# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one action plugin every module runs through, end to end on the ansible-core this test runs
on (scripts/test unit: 2.18 to 2.21): meta/runtime.yml's routing, module_defaults (per module and
per action group), the in-worker path and the shipped one giving the same results, check mode,
no_log, warnings, failures, short names through the `collections` keyword. No Docker: a test
module is added to a copy of the collection; the real host_info only fails to connect."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))  # .../ansible_collections/goship/containers
FAKE_MODULE = os.path.join(HERE, "..", "plugin_utils", "fake_module.py")
NO_ENGINE = "unix:///nonexistent/gs-unit-runner.sock"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/goship.containers.docker:
      docker_host: %(no_engine)s
    goship.containers.gs_fake:
      name: from-module-defaults
  tasks:
    - goship.containers.gs_fake: {}
      register: in_worker
    - goship.containers.gs_fake: {}
      vars: {goship_in_worker: false}
      register: shipped
    - goship.containers.gs_fake: {secret: hunter2}
      check_mode: true
      register: checked
    - gs_fake: {name: short, warn: true}
      collections: [goship.containers]
      register: short
    - goship.containers.gs_fake: {fail: true}
      register: failed
      ignore_errors: true
    - goship.containers.gs_fake: {crash: true}
      register: crashed
      ignore_errors: true
    - goship.containers.host_info: {}
      vars: {goship_in_worker: "{{ item }}"}
      loop: [true, false]
      register: no_engine
      ignore_errors: true
    - goship.containers.module_runner: {}
      register: runner_itself
      ignore_errors: true
    - ansible.builtin.debug:
        msg:
          gs_results: "{{ dict(in_worker=in_worker, shipped=shipped, checked=checked, short=short, failed=failed,
                          crashed=crashed, no_engine=no_engine.results, runner_itself=runner_itself) }}"
"""


@pytest.fixture(name="run", scope="module")
def run_playbook(tmp_path_factory):
    """Run PLAYBOOK with this Python's ansible-core on a copy of the collection holding gs_fake."""
    root = tmp_path_factory.mktemp("runner")
    tree = root / "ansible_collections" / "goship" / "containers"
    tree.mkdir(parents=True)
    for part in ("plugins", "meta"):
        shutil.copytree(os.path.join(COLLECTION, part), tree / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(os.path.join(COLLECTION, "galaxy.yml"), tree / "galaxy.yml")
    with open(FAKE_MODULE, encoding="utf-8") as handle:
        (tree / "plugins" / "modules" / "gs_fake.py").write_text(handle.read() + "\n\nif __name__ == '__main__':\n    main()\n")
    runtime = yaml.safe_load((tree / "meta" / "runtime.yml").read_text())
    runtime["plugin_routing"]["modules"]["gs_fake"] = {"action_plugin": "goship.containers.module_runner"}
    (tree / "meta" / "runtime.yml").write_text(yaml.safe_dump(runtime))
    (root / "play.yml").write_text(PLAYBOOK % {"no_engine": NO_ENGINE})
    (root / "ansible.cfg").write_text("[defaults]\n")  # none of the checkout's settings
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(root), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_STDOUT_CALLBACK="oneline", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_NOCOLOR="1",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_HOME=str(root / "home"), ANSIBLE_CONFIG=str(root / "ansible.cfg"))
    done = subprocess.run([sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
                           "-e", "ansible_python_interpreter=" + sys.executable, "-vvv", str(root / "play.yml")],
                          cwd=root, env=env, capture_output=True, text=True, check=False, timeout=300)
    lines = [line for line in done.stdout.splitlines() if '"gs_results"' in line]
    assert done.returncode == 0 and lines, done.stdout[-4000:] + done.stderr[-4000:]
    return json.loads(lines[-1].split("=>", 1)[1])["msg"]["gs_results"], done.stdout


def test_per_module_defaults_reach_the_module_both_ways(run):
    results = run[0]
    for name in ("in_worker", "shipped"):
        assert results[name]["name"] == "from-module-defaults" and results[name]["changed"] is True


def test_the_in_worker_path_and_the_shipped_one_are_taken_as_told(run):
    stdout = run[1]
    assert "goship: goship.containers.gs_fake runs in the worker" in stdout
    assert "goship: goship.containers.gs_fake runs as a module: goship_in_worker is false" in stdout


def test_check_mode_and_no_log(run):
    checked = run[0]["checked"]
    assert checked["changed"] is False and checked["check_mode"] is True
    assert checked["secret_seen"] != "hunter2"  # masked, as a shipped module's output is


def test_a_short_name_through_the_collections_keyword_and_its_warning(run):
    results, stdout = run
    assert results["short"]["name"] == "short"
    assert "the module warns about short" in stdout  # shown to the user as a module's warning


def test_failures(run):
    results = run[0]
    assert results["failed"]["failed"] is True and results["failed"]["msg"] == "asked to fail for from-module-defaults"
    assert results["crashed"]["failed"] is True and "RuntimeError: the module crashed" in results["crashed"]["module_stderr"]


def test_group_defaults_reach_a_real_module_both_ways(run):
    in_worker, shipped = run[0]["no_engine"]
    for result in (in_worker, shipped):
        assert result["failed"] is True and "Cannot reach the Docker daemon at %s" % NO_ENGINE in result["msg"]
    assert in_worker["msg"] == shipped["msg"]


def test_the_runner_is_not_a_task(run):
    runner = run[0]["runner_itself"]
    assert runner["failed"] is True and "is not a task of its own" in runner["msg"]


def test_every_module_is_routed_through_the_runner():
    """A module with code is routed to module_runner in meta/runtime.yml, and is in the `docker`
    action group; the only action files are the runner and the action-only modules (a module's
    own ten-line action file would bypass the routing)."""
    runtime = yaml.safe_load(open(os.path.join(COLLECTION, "meta", "runtime.yml")).read())
    routing = runtime["plugin_routing"]["modules"]
    actions = {name[:-3] for name in os.listdir(os.path.join(COLLECTION, "plugins", "action")) if name.endswith(".py")}
    action_only = actions - {"__init__", "module_runner"}
    modules = {name[:-3] for name in os.listdir(os.path.join(COLLECTION, "plugins", "modules"))
               if name.endswith(".py") and name != "__init__.py"} - {"module_runner"} - action_only
    assert action_only == {"container_plan", "deploy_lock"}
    unrouted = sorted(m for m in modules if routing.get(m, {}).get("action_plugin") != "goship.containers.module_runner")
    assert not unrouted, "not routed to module_runner in meta/runtime.yml: %s" % unrouted
    assert not sorted(modules - set(runtime["action_groups"]["docker"]))
