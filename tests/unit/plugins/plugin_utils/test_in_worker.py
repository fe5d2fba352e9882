# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-worker runner: arguments reach the module as a shipped module reads them (JSON on
stdin), results come back as a shipped module prints them, and nothing of the module's run leaks
into the worker. Runs on every ansible-core the collection admits (scripts/test unit)."""
from __future__ import annotations

import json
import os
import sys

from ansible.module_utils import basic
from ansible.plugins.action import ActionBase  # noqa: F401  # pylint: disable=unused-import  # this process is a controller, as the worker is

from ansible_collections.goship.containers.plugins.plugin_utils import core_internals
from ansible_collections.goship.containers.plugins.plugin_utils.in_worker import dotted_module, run_forked, same_python

FAKE = "ansible_collections.goship.containers.tests.unit.plugins.plugin_utils.fake_module"


def run(**params):
    res = run_forked(FAKE, core_internals.encode_module_args(params))
    return res, json.loads(res["stdout"].strip().splitlines()[-1]) if res["stdout"].strip() else None


def test_arguments_reach_the_module_and_the_result_comes_back():
    res, result = run(name="web", _ansible_check_mode=False)
    assert res["rc"] == 0
    assert result["changed"] is True and result["name"] == "web" and result["check_mode"] is False


def test_check_mode_and_no_log_are_honoured():
    res, result = run(name="web", secret="hunter2", _ansible_check_mode=True)
    assert res["rc"] == 0
    assert result["changed"] is False and result["check_mode"] is True
    assert "hunter2" not in res["stdout"]  # no_log values are masked in the module's own output


def test_fail_json_is_a_failed_result():
    res, result = run(name="web", fail=True)
    assert res["rc"] == 1
    assert result["failed"] is True and result["msg"] == "asked to fail for web"


def test_a_crash_is_rc_1_with_the_traceback_on_stderr():
    res, result = run(name="web", crash=True)
    assert res["rc"] == 1 and result is None
    assert "RuntimeError: the module crashed" in res["stderr"]


def test_bad_arguments_fail_naming_the_key():
    res, result = run(name="web", bogus=1)
    assert res["rc"] == 1 and "bogus" in result["msg"]


def test_module_output_never_reaches_the_workers_stdout(capfd):
    res, result = run(name="web", noisy=True)
    assert res["rc"] == 0 and result["name"] == "web"
    assert "printed before the result" in res["stdout"]
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_warning_goes_into_the_result_as_on_a_managed_host():
    res, result = run(name="web", warn=True)
    assert res["rc"] == 0
    assert "the module warns about web" in json.dumps(result.get("warnings"))


def test_the_worker_state_is_untouched():
    before = (list(sys.argv), sys.stdin, getattr(basic, "_ANSIBLE_ARGS", None))
    run(name="web")
    assert (list(sys.argv), sys.stdin, getattr(basic, "_ANSIBLE_ARGS", None)) == before
    assert core_internals.module_args_unread()


def test_same_python_means_same_venv_and_binary(tmp_path):
    assert same_python(sys.executable)
    assert same_python(os.path.join(os.path.dirname(sys.executable), os.path.basename(sys.executable)))
    other = tmp_path / "python3"
    other.symlink_to(os.path.realpath(sys.executable))  # same binary, another venv's bin folder
    assert not same_python(str(other))
    assert not same_python("/nonexistent/python3")
    assert not same_python("no-such-python-anywhere")


def test_module_names():
    assert dotted_module("goship.containers.container") == "ansible_collections.goship.containers.plugins.modules.container"
