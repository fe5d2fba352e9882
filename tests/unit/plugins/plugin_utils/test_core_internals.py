# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ansible-core internals the in-worker path relies on (plugin_utils/core_internals.py), each
checked against the ansible-core this test runs on. scripts/test unit runs it on every version
meta/runtime.yml admits (2.18 to 2.21): a new ansible-core that moves one of them fails here.
The action plugin around them is tested end to end by tests/unit/plugins/action/test_module_runner.py."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types

from ansible.plugins.action import ActionBase

from ansible_collections.goship.containers.plugins.plugin_utils import core_internals
from ansible_collections.goship.containers.plugins.plugin_utils.in_worker import run_forked

FAKE = "ansible_collections.goship.containers.tests.unit.plugins.plugin_utils.fake_module"
# .build/ansible_collections/goship/containers/tests/unit/plugins/plugin_utils → .build
COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[".."] * 7))


class ParsingAction(ActionBase):
    """An action plugin with only what result parsing reads (no task, connection or loader)."""

    def __init__(self) -> None:  # pylint: disable=super-init-not-called
        self._used_interpreter = None
        self._task = types.SimpleNamespace(action="goship.containers.fake", resolved_action=None)

    def run(self, tmp=None, task_vars=None):
        raise NotImplementedError


def module_output(**params) -> dict:
    return run_forked(FAKE, core_internals.encode_module_args(params))


def test_this_ansible_core_is_one_the_in_worker_path_is_tested_on():
    assert core_internals.in_worker_supported() is None


def test_an_untested_ansible_core_ships_the_modules(monkeypatch):
    monkeypatch.setattr(core_internals, "_core_version", "2.99.0")
    assert "ansible-core 2.99.0 is outside the versions the in-worker path is tested on" in core_internals.in_worker_supported()


def test_a_module_result_as_execute_module_makes_it():
    result = core_internals.module_result(ParsingAction(), module_output(name="web", _ansible_check_mode=True))
    assert result["changed"] is False and result["name"] == "web" and result["check_mode"] is True
    # internal keys removed, as _execute_module removes them (it keeps _ansible_parsed for the executor)
    assert not [key for key in result if key.startswith("_ansible_") and key != "_ansible_parsed"]


def test_a_module_warning_reaches_the_result():
    result = core_internals.module_result(ParsingAction(), module_output(name="web", warn=True))
    assert "the module warns about web" in json.dumps(result.get("warnings"), default=str)


def test_a_failed_module_and_a_crash():
    failed = core_internals.module_result(ParsingAction(), module_output(name="web", fail=True))
    assert failed["failed"] is True and failed["msg"] == "asked to fail for web"
    crashed = core_internals.module_result(ParsingAction(), module_output(name="web", crash=True))
    assert crashed["failed"] is True and "RuntimeError: the module crashed" in crashed["module_stderr"]


def test_stdout_lines_as_for_a_shipped_module():
    res = {"rc": 0, "stdout": json.dumps({"changed": False, "stdout": "a\nb", "stderr": ""}), "stderr": ""}
    result = core_internals.module_result(ParsingAction(), res)
    assert result["stdout_lines"] == ["a", "b"] and result["stderr_lines"] == []


def test_module_arguments_are_unread_in_a_controller_process():
    assert core_internals.module_args_unread()


def test_resolving_a_task_imports_the_action_package_in_that_process():
    # The preload (plugins/action/__init__.py) depends on this: reading a task that names one of
    # the collection's modules imports the package of its action plugin in the reading process
    # (the main ansible-playbook process), and with it the modules. A fresh interpreter, so
    # nothing is imported beforehand.
    script = textwrap.dedent("""
        import json, sys
        from ansible.plugins.loader import init_plugin_loader
        init_plugin_loader([sys.argv[1]])
        from ansible.parsing.mod_args import ModuleArgsParser
        before = "ansible_collections.goship.containers.plugins.action" in sys.modules
        action = ModuleArgsParser({"goship.containers.container": {"name": "web"}}).parse()[0]
        print(json.dumps(dict(before=before, action=action, modules=sorted(
            name.rsplit(".", 1)[-1] for name in sys.modules
            if name.startswith("ansible_collections.goship.containers.plugins.modules.")))))
    """)
    run = subprocess.run([sys.executable, "-c", script, COLLECTIONS_ROOT], capture_output=True, text=True, check=False,
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false"))
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["before"] is False and seen["action"] == "goship.containers.container"
    assert {"container", "compose", "host_info"} <= set(seen["modules"])
