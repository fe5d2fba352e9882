# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin every module of this collection runs through.

meta/runtime.yml routes each module here (`plugin_routing: modules: X: action_plugin:`), so there
is no action plugin file per module. On a local connection with the controller's own Python the
module runs in a fork of this worker (plugin_utils/in_worker.py); anywhere else it is shipped as
AnsiballZ, as ansible-core's `normal` action plugin would ship it. `-vvv` says which, and why.
"""
from __future__ import annotations

import shutil
import tempfile

from ansible.plugins.action import ActionBase
from ansible.plugins.loader import module_loader
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.goship.containers.plugins.plugin_utils import core_internals
from ansible_collections.goship.containers.plugins.plugin_utils.in_worker import (
    COLLECTION, dotted_module, run_forked, why_not_in_worker,
)

display = Display()
RUNNER = f"{COLLECTION}.module_runner"


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        fqcn = self._module_fqcn()
        if not fqcn.startswith(COLLECTION + ".") or fqcn == RUNNER:
            msg = (f"{RUNNER} runs the modules of {COLLECTION} (meta/runtime.yml routes them to it);"
                   f" it is not a task of its own: name a module instead ({fqcn})")
            return dict(result, failed=True, msg=msg)
        reason = why_not_in_worker(self, fqcn, task_vars)
        if reason:
            display.vvv(f"goship: {fqcn} runs as a module: {reason}")
            wrap_async = bool(self._task.async_val) and not getattr(self._connection, "has_native_async", False)
            result = merge_hash(result, self._execute_module(module_name=fqcn, task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        display.vvv(f"goship: {fqcn} runs in the worker")
        return merge_hash(result, self._run_in_worker(fqcn, dict(self._task.args), task_vars))

    def _module_fqcn(self) -> str:
        """The module this task names, fully qualified (the task may use a short name with the
        `collections` keyword; ansible-core 2.18 sets resolved_action to this plugin, not the module)."""
        context = module_loader.find_plugin_with_context(self._task.action, collection_list=self._task.collections)
        return str(context.resolved_fqcn if context.resolved else self._task.action)

    def _run_in_worker(self, fqcn: str, module_args: dict, task_vars: dict) -> dict:
        """Run the module with ``module_args`` in a child of this worker; its parsed result."""
        core_internals.add_module_keys(self, fqcn, module_args, task_vars)
        scratch = tempfile.mkdtemp(prefix="goship-module-")  # the module's tmpdir, removed here
        module_args["_ansible_tmpdir"] = scratch
        try:
            res = run_forked(dotted_module(fqcn), core_internals.encode_module_args(module_args))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return core_internals.module_result(self, res)
