# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""goship.containers.container_plan: what goship.containers.container would do, planned on the
controller from the engine state read on the managed host.

The host runs no module: plugin_utils/read_engine_state.py (a few stdlib lines, `python3 -I -S
-c`) prints the container's and the image's inspect JSON over the task's connection, and the plan
is made here by module_utils/containers/task_plan.py, the code the container module plans with.
A fleet's "is every host current?" probe then costs each host one short command, not a Python
start with ansible-core imported. Nothing is ever written, in or out of check mode.
"""
from __future__ import annotations

import json
import os
import shlex
import typing as t
from dataclasses import replace

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.goship.containers.plugins.module_utils.client import docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.containers.engine_discards import (
    RECORD_DIRS, discardable, kept_by_engine,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.options import CONTAINER_OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.replace import leftover_steps
from ansible_collections.goship.containers.plugins.module_utils.containers.peers import container_refs, with_container_ids
from ansible_collections.goship.containers.plugins.module_utils.containers.task_plan import (
    api_refusal_message, api_refusals, check_mode_result, container_task, task_secret_rule,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError
from ansible_collections.goship.containers.plugins.module_utils.secrets import (
    container_rule, env_file_values, inspect_secrets, maskable,
)

display = Display()
NAME = "goship.containers.container_plan"
_READER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "plugin_utils", "read_engine_state.py")


def no_log_values(argument_spec: dict[str, t.Any], args: dict[str, t.Any]) -> set[str]:
    """The values of the task's no_log options (secret_env), as AnsibleModule collects them."""
    found: set[str] = set()
    for name, option in argument_spec.items():
        value = args.get(name) if option.get("no_log") else None
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        found.update(str(item) for item in items if item not in (None, ""))
    return found


class ActionModule(ActionBase):
    _supports_check_mode = True  # it never writes: check mode changes nothing here

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        argument_spec = docker_argument_spec(**CONTAINER_OPTIONS)
        # the secrets rule the container module applies (module_utils/secrets.py): no_log option
        # values and secret-looking values never appear in what this action returns
        self._secrets = no_log_values(argument_spec, self._task.args)
        try:
            _validated, params = self.validate_argument_spec(argument_spec=argument_spec)
            rule = task_secret_rule(params)
            self._secrets |= maskable(rule.values(params.get("env")) + rule.values(params.get("labels")))
            task = container_task(params, rule=rule)  # every option checked before the host is asked anything
        except (AnsibleActionFail, ValueError) as exc:  # OptionError names the option
            return self._masked(dict(result, failed=True, msg=str(exc)))
        host = str(params.get("docker_host") or "unix://")  # no docker_host: the host's DOCKER_HOST, as the module
        if not host.startswith("unix://"):
            return dict(result, failed=True, msg="%s reads the engine over its unix socket; docker_host %s is not one" % (NAME, host))
        display.vvv("goship: %s reads the engine on the host and plans on the controller" % NAME)
        read = self._low_level_execute_command(self._reader_command(task, params, host, task_vars), sudoable=True)
        try:
            state = json.loads(read.get("stdout", ""))
        except ValueError:
            state = None
        if read.get("rc") != 0 or not isinstance(state, dict):
            # over SSH with a tty the reader's message is in stdout, and stderr has SSH's own lines
            why = " ".join(part.strip() for part in (read.get("stdout") or "", read.get("stderr") or "") if part.strip())
            why = why or "rc=%s" % read.get("rc")
            return self._masked(dict(result, failed=True, msg="%s: reading the engine on the host failed: %s" % (NAME, why)))
        try:
            result.update(self._plan(task, params, rule, state, lambda: self._read_info(params, host, task_vars)))
        except (OptionError, PlanError, ValueError) as exc:
            return self._masked(dict(result, failed=True, msg=str(exc)))
        return self._masked(result)

    def _read_info(self, params: dict[str, t.Any], host: str, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        """GET /info and the engine's discard records, read on the host (the reader's --info)."""
        words = (self._interpreter(task_vars), "-I", "-S", "-c", self._reader_source(), "--info",
                 host[len("unix://"):], str(params.get("timeout") or 60)) + RECORD_DIRS
        read = self._low_level_execute_command(" ".join(shlex.quote(word) for word in words), sudoable=True)
        try:
            found = json.loads(read.get("stdout", ""))
        except ValueError:
            found = None
        if read.get("rc") != 0 or not isinstance(found, dict):
            why = " ".join(part.strip() for part in (read.get("stdout") or "", read.get("stderr") or "") if part.strip())
            raise PlanError("", "%s: reading the engine's /info on the host failed: %s" % (NAME, why or read.get("rc")))
        return found

    def _plan(self, task: t.Any, params: dict[str, t.Any], rule: t.Any, state: dict[str, t.Any],
              read_info: t.Callable[[], dict[str, t.Any]]) -> dict[str, t.Any]:
        """The check-mode result of the container module for the state read on the host."""
        env_file = state.get("env_file")
        if env_file is not None:
            if "error" in env_file:
                raise OptionError("env_file", "cannot read %s: %s" % (env_file["path"], env_file["error"]))
            self._secrets |= maskable(rule.values(env_file_values(env_file["text"])))
            task = container_task(params, env_file["text"], rule)
        if task.spec is not None:  # container:NAME as the engine keeps it (container:<ID>), as the module does
            peers = state.get("peers") or {}
            task = replace(task, spec=with_container_ids(task.spec, peers.get))
        found, image = state.get("container"), state.get("image")
        seen = container_rule(rule, found)
        self._secrets |= maskable(inspect_secrets(found, seen) + inspect_secrets(image, seen))
        api_version = str(params.get("api_version") or "auto")
        if api_version == "auto":
            api_version = str((state.get("version") or {}).get("ApiVersion") or "1.41")
        refused = api_refusals(task, api_version)
        if refused:
            raise PlanError("", api_refusal_message(refused[0][0], refused[0][1], "unix://%s" % state.get("socket", ""), api_version))
        planned = check_mode_result(task, found, image, rule, diff=bool(self._task.diff))
        requests = state.get("requests", 0)
        maybe = discardable(planned["differences"])
        if maybe:  # a limit the engine may discard here differs: /info and the records, as the module asks
            engine = read_info()
            requests += engine.get("requests", 0)
            kept = kept_by_engine(engine.get("info") or {}, maybe, engine.get("records") or [])
            if kept:
                planned = check_mode_result(task, found, image, rule, diff=bool(self._task.diff),
                                            engine_kept=tuple(sorted(kept)))
                planned["warnings"] = ["%s: the engine discards it on this host (%s), so the container is compared with"
                                       " the value the engine kept" % item for item in sorted(kept.items())]
        # what an interrupted replacement left comes first, as in the module's check-mode run
        cleared = [text for text, _kind, _id in leftover_steps(state.get("listed") or [], str(params["name"]))]
        if cleared:
            planned["actions"] = cleared + list(planned.get("actions") or [])
            planned["changed"] = True
        planned["api_requests"] = requests
        return planned

    def _masked(self, result: dict[str, t.Any]) -> dict[str, t.Any]:
        """The result with every registered secret replaced, as AnsibleModule replaces no_log values."""
        return remove_values(result, self._secrets) if self._secrets else result

    def _reader_command(self, task: t.Any, params: dict[str, t.Any], host: str, task_vars: dict[str, t.Any]) -> str:
        """The shell line that prints the engine state on the host."""
        interpreter, source = self._interpreter(task_vars), self._reader_source()
        image = task.spec.image if task.spec is not None else ""
        # the raw value: ~ and variables in a path option mean the host's, so the reader expands them
        env_file = str(self._task.args.get("env_file") or "") if task.spec is not None else ""
        words = (interpreter, "-I", "-S", "-c", source, task.name, image, host[len("unix://"):],
                 str(params.get("timeout") or 60), env_file)
        peers = sorted(set(container_refs(task.spec).values())) if task.spec is not None else []
        if peers:  # container:NAME namespaces: the reader gives their IDs, as the module looks them up
            words += (",".join(peers),)
        return " ".join(shlex.quote(word) for word in words)

    def _interpreter(self, task_vars: dict[str, t.Any]) -> str:
        interpreter = str(self._templar.template(task_vars.get("ansible_python_interpreter") or ""))
        if not interpreter or interpreter.startswith("auto"):
            interpreter = str((task_vars.get("ansible_facts") or {}).get("discovered_interpreter_python") or "python3")
        return interpreter

    @staticmethod
    def _reader_source() -> str:
        with open(_READER, encoding="utf-8") as handle:
            return handle.read()
