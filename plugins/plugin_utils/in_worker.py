# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a goship module inside the Ansible worker instead of shipping it as AnsiballZ.

Why: on a local connection a shipped module costs a zip build, a new Python, and the import of
the docker SDK on every task: about 0.4 s before the module asks the engine anything. When the
module would run on this very Python anyway (local connection, the controller's interpreter, no
become/async/environment), the worker forks a child that calls the module's ``main()``.

The child talks to the module as a shipped module is talked to: the arguments arrive as JSON on
stdin (``{"ANSIBLE_MODULE_ARGS": ...}``, the input `python -m <module>` reads), the result is the
JSON the module prints on stdout. The few ansible-core internals this needs are in
core_internals.py, tested on every ansible-core the collection admits. The child is a fork so the
module's global state, ``sys.exit`` and output never leak into the worker, and a crash in the
module is a failed task, not a dead worker.
"""
from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import sys
import traceback
import typing as t

from ansible_collections.goship.containers.plugins.plugin_utils import core_internals

COLLECTION = "goship.containers"
MODULES_PACKAGE = "ansible_collections.goship.containers.plugins.modules"


def dotted_module(fqcn: str) -> str:
    """goship.containers.X → the Python module that holds X's main()."""
    return "%s.%s" % (MODULES_PACKAGE, fqcn.rsplit(".", 1)[-1])


def same_python(interpreter: str) -> bool:
    """True when ``interpreter`` is this process's Python: same bin folder (so the same venv) and
    the same binary. A venv python and its base python share the binary but not the packages."""
    path = interpreter if os.path.isabs(interpreter) else shutil.which(interpreter)
    if not path:
        return False
    return (os.path.dirname(os.path.abspath(path)) == os.path.dirname(os.path.abspath(sys.executable))
            and os.path.realpath(path) == os.path.realpath(sys.executable))


def preload_modules() -> None:
    """Import every module of the collection (with the docker SDK) in this process.

    Called from plugins/action/__init__.py, which the plugin loader imports in the main
    ansible-playbook process while it reads the playbook, before any worker is forked: each
    worker, and each in-worker child, inherits these imports instead of paying them per host and
    task (about 0.15 s of CPU). Best effort: a module that cannot import is shipped anyway."""
    if core_internals.in_worker_supported() is not None:
        return
    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "modules")
    try:
        names = sorted(name[:-3] for name in os.listdir(folder) if name.endswith(".py") and name != "__init__.py")
    except OSError:
        return
    for name in names:
        try:
            importlib.import_module("%s.%s" % (MODULES_PACKAGE, name))
        except Exception:  # pylint: disable=broad-exception-caught  # why_not_in_worker reports it
            pass


def _run_module_main(module: str, payload: bytes) -> int:
    """In the child: give ``payload`` to the module on stdin, call main(), return its rc."""
    sys.argv = [module]  # no argument: AnsibleModule reads its JSON from stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(payload), encoding="utf-8")
    core_internals.as_target_host()
    try:
        importlib.import_module(module).main()
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BaseException:  # pylint: disable=broad-exception-caught
        traceback.print_exc()
        return 1
    return 0


def run_forked(module: str, payload: bytes) -> dict[str, t.Any]:
    """Run ``module.main()`` in a forked child with ``payload`` on its stdin; return rc/stdout/stderr
    as running a shipped module gives them."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        status = 0
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):  # anything writing to the real fds (subprocesses) stays quiet
                os.dup2(devnull, fd)
            out, err = io.StringIO(), io.StringIO()
            sys.stdout, sys.stderr = out, err
            rc = _run_module_main(module, payload)
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


def why_not_in_worker(action: t.Any, fqcn: str, task_vars: dict[str, t.Any]) -> t.Optional[str]:
    """None when the module may run in the worker, else why it is shipped. ``action`` is the
    action plugin running the task."""
    from ansible.module_utils.parsing.convert_bool import boolean

    if not boolean(action._templar.template(task_vars.get("goship_in_worker", True)), strict=False):
        return "goship_in_worker is false"
    unsupported = core_internals.in_worker_supported()
    if unsupported:
        return unsupported
    if getattr(action._connection, "transport", None) != "local":
        return "the connection is not local"
    if action._task.become or action._play_context.become:
        return "become is set"
    if action._task.async_val:
        return "async is set"
    if any(action._task.environment or []):
        return "the task sets an environment"
    interpreter = action._templar.template(task_vars.get("ansible_python_interpreter", ""))
    if not interpreter or not same_python(str(interpreter)):
        return f"ansible_python_interpreter ({interpreter or 'discovered'}) is not the controller's Python"
    if not core_internals.module_args_unread():
        return "module arguments were already loaded in this process"
    try:
        importlib.import_module(dotted_module(fqcn))
    except Exception as error:  # pylint: disable=broad-exception-caught
        return f"the module does not import here ({error})"
    return None
