# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a goship module inside the Ansible worker instead of shipping it as AnsiballZ.

Why: on a local connection a shipped module costs a zip build, a new Python, and the import of
the docker SDK on every task: about 0.4 s before the module asks the engine anything. When the
module would run on this very Python anyway (local connection, the controller's interpreter, no
become/async/environment), the worker forks a child that calls the module's ``main()`` with the
same arguments the shipped module would read, and parses its JSON like any module result.

The child is a fork so the module's global state (``basic._ANSIBLE_ARGS``, ``sys.exit``, stdout)
never leaks into the worker, and a crash in the module is a failed task, not a dead worker.
Anything else (SSH hosts, another interpreter, ansible-core < 2.19) takes the normal path.
"""
from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import sys
import tempfile
import traceback
import typing as t

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

try:  # serialization profiles arrived with ansible-core 2.19: they encode args as a module reads them
    from ansible.module_utils.common.json import Direction, get_module_encoder
except ImportError:  # pragma: no cover - older ansible-core always ships the module
    get_module_encoder = None  # type: ignore[assignment]

display = Display()

COLLECTION = "goship.containers"
PROFILE = "legacy"  # the serialization profile our modules declare (the default)


def encode_args(module_args: dict[str, t.Any]) -> bytes:
    """The JSON a shipped module would read on stdin."""
    encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
    return json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder).encode("utf-8")


def same_python(interpreter: str) -> bool:
    """True when ``interpreter`` is this process's Python: same bin folder (so the same venv) and
    the same binary. A venv python and its base python share the binary but not the packages."""
    path = interpreter if os.path.isabs(interpreter) else shutil.which(interpreter)
    if not path:
        return False
    return (os.path.dirname(os.path.abspath(path)) == os.path.dirname(os.path.abspath(sys.executable))
            and os.path.realpath(path) == os.path.realpath(sys.executable))


def _run_module_main(dotted_module: str, payload: bytes) -> int:
    """In the child: make ``basic`` read ``payload`` as its arguments, call main(), return its rc."""
    from ansible.module_utils import _internal, basic

    _internal.is_controller = False  # module_utils behave as on a target host
    basic._ANSIBLE_ARGS = payload
    basic._ANSIBLE_PROFILE = PROFILE
    try:
        importlib.import_module(dotted_module).main()
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BaseException:  # pylint: disable=broad-exception-caught
        traceback.print_exc()
        return 1
    return 0


def run_forked(dotted_module: str, payload: bytes) -> dict[str, t.Any]:
    """Run ``dotted_module.main()`` in a forked child; return rc/stdout/stderr as a shipped module
    run would give them to ``_parse_returned_data``."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        status = 0
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):  # anything writing to the real fds (subprocesses) stays quiet
                os.dup2(devnull, fd)
            sys.stdin = open(os.devnull, encoding="utf-8")  # pylint: disable=consider-using-with
            out, err = io.StringIO(), io.StringIO()
            sys.stdout, sys.stderr = out, err
            rc = _run_module_main(dotted_module, payload)
            report = json.dumps({"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()})
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(report.encode("utf-8"))
        except BaseException:  # pylint: disable=broad-exception-caught
            status = 70
        finally:
            os._exit(status)  # no atexit handlers of the worker, no flushing of its buffers
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        raw = pipe.read()
    os.waitpid(pid, 0)
    if not raw:
        return {"rc": 70, "stdout": "", "stderr": "goship: the in-worker module child died without a result"}
    res = json.loads(raw)
    res["stdout_lines"] = res["stdout"].splitlines()
    res["stderr_lines"] = res["stderr"].splitlines()
    return res


class InWorkerModuleAction(ActionBase):
    """Action plugin of a goship module; subclasses set ``module`` to the module's short name."""

    module = ""
    _supports_check_mode = True
    _supports_async = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        # The strategy loads each task's action class in the main ansible-playbook process (to read
        # BYPASS_HOST_LOOP) before it forks a worker per host. Importing the module here (with the
        # docker SDK and the collection's module_utils) does that work once, in the parent: every
        # worker, and every in-worker child, inherits it instead of importing again (about 0.15 s
        # of CPU per host and task). Best effort: a module that cannot import is shipped anyway.
        super().__init_subclass__(**kwargs)
        if cls.module and get_module_encoder is not None:
            try:
                importlib.import_module(f"ansible_collections.goship.containers.plugins.modules.{cls.module}")
            except Exception:  # pylint: disable=broad-exception-caught  # why_not_in_worker reports it
                pass

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        fqcn = f"{COLLECTION}.{self.module}"
        reason = self.why_not_in_worker(task_vars)
        if reason:
            display.vvv(f"goship: {fqcn} runs as a module: {reason}")
            wrap_async = bool(self._task.async_val) and not getattr(self._connection, "has_native_async", False)
            result = merge_hash(result, self._execute_module(module_name=fqcn, task_vars=task_vars,
                                                             wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        display.vvv(f"goship: {fqcn} runs in the worker")
        return merge_hash(result, self.run_in_worker(dict(self._task.args), task_vars))

    def run_in_worker(self, module_args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        """Run the module with ``module_args`` in a child of this worker; its parsed result."""
        self._update_module_args(f"{COLLECTION}.{self.module}", module_args, task_vars)
        scratch = tempfile.mkdtemp(prefix="goship-module-")  # the module's tmpdir, removed here
        module_args["_ansible_tmpdir"] = scratch
        try:
            res = run_forked(self.dotted_module, encode_args(module_args))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return self._module_result(res)

    @property
    def dotted_module(self) -> str:
        return f"ansible_collections.goship.containers.plugins.modules.{self.module}"

    def why_not_in_worker(self, task_vars: dict[str, t.Any]) -> str | None:
        """None when the module may run in the worker, else why it is shipped."""
        if not boolean(self._templar.template(task_vars.get("goship_in_worker", True)), strict=False):
            return "goship_in_worker is false"
        if get_module_encoder is None:
            return "ansible-core before 2.19"
        if getattr(self._connection, "transport", None) != "local":
            return "the connection is not local"
        if self._task.become or self._play_context.become:
            return "become is set"
        if self._task.async_val:
            return "async is set"
        if any(self._task.environment or []):
            return "the task sets an environment"
        interpreter = self._templar.template(task_vars.get("ansible_python_interpreter", ""))
        if not interpreter or not same_python(str(interpreter)):
            return f"ansible_python_interpreter ({interpreter or 'discovered'}) is not the controller's Python"
        try:
            importlib.import_module(self.dotted_module)
        except Exception as error:  # pylint: disable=broad-exception-caught
            return f"the module does not import here ({error})"
        return None

    def _module_result(self, res: dict[str, t.Any]) -> dict[str, t.Any]:
        """Parse the child's output exactly as a shipped module's (2.19 gives a dict, 2.21 an object)."""
        parsed = self._parse_returned_data(res, PROFILE)
        if isinstance(parsed, dict):
            from ansible.vars.clean import remove_internal_keys

            parsed.pop("_ansible_suppress_tmpdir_delete", None)
            remove_internal_keys(parsed)
            for stream in ("stdout", "stderr"):
                if stream in parsed and f"{stream}_lines" not in parsed:
                    parsed[f"{stream}_lines"] = (parsed[stream] or "").splitlines()
            return parsed
        parsed.remove_internal_keys()
        return parsed.as_result_dict(for_round_trip=True)
