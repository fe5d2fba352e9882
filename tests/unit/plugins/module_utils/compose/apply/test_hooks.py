# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lifecycle hooks run as execs with the hook's settings; a failing hook fails the run naming it,
with its output's tail and never its environment. (tests/integration/targets/compose runs them on
the engine: gs-conform-.)"""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import hooks
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ApplyContext, ExecOptions
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project


class FakeClient:
    def __init__(self, exit_codes=(0,), running=True):
        self.calls = []
        self.exit_codes = list(exit_codes)
        self.running = running

    def exec_create(self, container, cmd, **kwargs):
        self.calls.append(("create", container, cmd, kwargs))
        return {"Id": "exec%d" % len(self.calls)}

    def exec_start(self, exec_id, tty=False):
        return b"line one\nSECRET-FREE failure detail\n"

    def exec_inspect(self, exec_id):
        return {"ExitCode": self.exit_codes.pop(0) if self.exit_codes else 0}

    def inspect_container(self, container):
        return {"State": {"Running": self.running}}


def _context(client, **service):
    project = load_project("/srv", environ={}, definition={"services": {"web": dict({"image": "x"}, **service)}})
    return ApplyContext(client, project, desired_project(project), ExecOptions(), lambda _: None)


def test_post_start_runs_each_hook_with_its_settings():
    client = FakeClient()
    hooks.post_start(_context(client, post_start=[
        {"command": "chown -R 1001 /data", "user": "root", "privileged": True, "working_dir": "/data",
         "environment": {"A": "1"}}, {"command": ["true"]}]), "web", "c0ffee")
    assert [c[2] for c in client.calls] == [["chown", "-R", "1001", "/data"], ["true"]]
    assert client.calls[0][3] == {"stdout": True, "stderr": True, "tty": False, "privileged": True, "user": "root",
                                  "environment": {"A": "1"}, "workdir": "/data"}


def test_a_failing_hook_names_service_hook_and_output_never_the_environment():
    client = FakeClient(exit_codes=(0, 3))
    context = _context(client, pre_stop=[{"command": "true"}, {"command": "sh -c 'exit 3'",
                                                               "environment": {"TOKEN": "canary-5f1e"}}])
    with pytest.raises(ExecutionError) as error:
        hooks.pre_stop(context, "web", "c0ffee")
    message = str(error.value)
    assert message.startswith("services.web.pre_stop[1]: the hook 'sh -c exit 3' exited with code 3 in container c0ffee")
    assert "failure detail" in message and "canary-5f1e" not in message and "\n" not in message


def test_pre_stop_needs_a_running_container_and_services_without_hooks_cost_nothing():
    stopped = FakeClient(running=False)
    hooks.pre_stop(_context(stopped, pre_stop=[{"command": "true"}]), "web", "c0ffee")
    assert stopped.calls == []
    plain = FakeClient()
    hooks.post_start(_context(plain), "web", "c0ffee")
    hooks.pre_stop(_context(plain), "web", "c0ffee")
    assert plain.calls == []


def test_a_hook_the_runtime_could_not_start_says_why():
    client = FakeClient(exit_codes=(126,))
    with pytest.raises(ExecutionError, match=r"exited with code 126 in container c0ffee \(the command could not be run"):
        hooks.post_start(_context(client, post_start=[{"command": "true", "user": "nobody-here"}]), "web", "c0ffee")
