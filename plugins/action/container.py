# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs goship.containers.container in the Ansible worker when it may (see plugin_utils/in_worker.py).

With ``plan_on_controller`` (check mode only) the module is not shipped at all: a few stdlib lines
(plugin_utils/read_engine_state.py) read the container's and the image's inspect JSON on the host
over the task's connection, and the module plans against that state (``observed_state``) in a child
of this worker. A fleet's "is every host current?" probe then costs each host one short command,
not a Python start with ansible-core imported.
"""
from __future__ import annotations

import json
import os
import shlex
import typing as t

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.goship.containers.plugins.plugin_utils.in_worker import InWorkerModuleAction, display, get_module_encoder

_READER = os.path.join(os.path.dirname(os.path.dirname(__file__)), "plugin_utils", "read_engine_state.py")


class ActionModule(InWorkerModuleAction):
    module = "container"

    def run(self, tmp=None, task_vars=None):
        if not boolean(self._task.args.get("plan_on_controller", False), strict=False) or not self._task.args.get("name"):
            return super().run(tmp, task_vars)
        task_vars = task_vars or {}
        if not self._task.check_mode:
            return {"failed": True, "msg": "plan_on_controller: the task only plans, so it must run in check mode (check_mode: true)"}
        if get_module_encoder is None:  # ansible-core < 2.19: the module plans on the host instead
            display.vvv("goship: plan_on_controller needs ansible-core 2.19; the module plans on the host")
            return super().run(tmp, task_vars)
        result = super(InWorkerModuleAction, self).run(tmp, task_vars)  # pylint: disable=bad-super-call  # ActionBase's checks only
        command = self._reader_command(task_vars)
        if isinstance(command, dict):
            return command
        display.vvv("goship: goship.containers.container plans on the controller, reading the engine on the host")
        read = self._low_level_execute_command(command, sudoable=True)
        try:
            state = json.loads(read.get("stdout", ""))
        except ValueError:
            state = None
        if read.get("rc") != 0 or not isinstance(state, dict):
            # over SSH with a tty the reader's message is in stdout, and stderr has SSH's own lines
            why = " ".join(part.strip() for part in (read.get("stdout") or "", read.get("stderr") or "") if part.strip())
            why = why or "rc=%s" % read.get("rc")
            return dict(result, failed=True, msg="plan_on_controller: reading the engine on the host failed: %s" % why)
        module_args = {key: value for key, value in self._task.args.items() if key != "plan_on_controller"}
        module_args["observed_state"] = state
        result.update(self.run_in_worker(module_args, task_vars))
        return result

    def _reader_command(self, task_vars: dict[str, t.Any]) -> t.Union[str, dict[str, t.Any]]:
        """The shell line that prints the engine state on the host, or a failed result saying why not."""
        args = self._task.args
        # no docker_host: the reader takes the host's DOCKER_HOST, as the shipped module would
        host = str(args.get("docker_host") or args.get("docker_url") or "unix://")
        if not host.startswith("unix://"):
            return {"failed": True, "msg": "plan_on_controller reads the engine over its unix socket; docker_host %s is not one" % host}
        interpreter = str(self._templar.template(task_vars.get("ansible_python_interpreter") or ""))
        if not interpreter or interpreter.startswith("auto"):
            interpreter = str((task_vars.get("ansible_facts") or {}).get("discovered_interpreter_python") or "python3")
        with open(_READER, encoding="utf-8") as handle:
            source = handle.read()
        image = "" if args.get("state") == "absent" else str(args.get("image") or "")
        return " ".join(shlex.quote(word) for word in (interpreter, "-I", "-S", "-c", source, str(args["name"]), image, host[len("unix://"):]))
