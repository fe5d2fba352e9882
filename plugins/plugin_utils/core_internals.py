# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every ansible-core internal this collection relies on, in one file.

The in-worker path (plugin_utils/in_worker.py) runs a module's main() in a fork of the Ansible
worker. Most of it goes through public interfaces: the module reads its arguments as JSON on
stdin and prints its result as JSON on stdout (what `python -m <module>` does when a module is
debugged), and the action plugin API (`_execute_module`, `_task`, `_templar`, `_connection`)
does the rest. What has no public form is here, one function each:

- `add_module_keys`: ActionBase._update_module_args, the `_ansible_*` arguments (check mode, diff,
  no_log, verbosity, tmpdir...) every module reads.
- `encode_module_args`: the JSON a shipped module reads (2.19 added serialization profiles).
- `as_target_host`: `ansible.module_utils._internal.is_controller` (2.19+): on the controller,
  module_utils send warnings to the display instead of into the module's result.
- `module_args_unread`: `basic._ANSIBLE_ARGS`, which must be unset for the module to read stdin.
- `module_result`: ActionBase._parse_returned_data, whose signature and return type changed in
  2.19 and again in 2.21, then the cleanup `_execute_module` does.
- the preload (plugins/action/__init__.py): the plugin loader imports the action package in the
  main ansible-playbook process when it resolves a task's action, before workers fork.

tests/unit/plugins/plugin_utils/test_core_internals.py checks each of them, and `./scripts/test
unit` runs it on every ansible-core meta/runtime.yml admits (2.18 to 2.21). An ansible-core
outside TESTED_CORE ships every module as usual (`in_worker_supported`): a new ansible-core can
make the modules slower, never break them.
"""

from __future__ import annotations

import json
import typing as t

from ansible.release import __version__ as _core_version

TESTED_CORE = ((2, 18), (2, 21))  # oldest and newest ansible-core the unit tests run on
PROFILE = "legacy"  # the serialization profile this collection's modules use (the default)


def core_version() -> tuple[int, int]:
    major, minor = _core_version.split(".")[:2]
    return int(major), int(minor)


def in_worker_supported() -> t.Optional[str]:
    """None when this ansible-core is one the in-worker path is tested on, else why not."""
    low, high = TESTED_CORE
    if low <= core_version() <= high:
        return None
    return "ansible-core %s is outside the versions the in-worker path is tested on (%d.%d to %d.%d)" % (
        _core_version, low[0], low[1], high[0], high[1])


def add_module_keys(action: t.Any, module_name: str, module_args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> None:
    """Add the `_ansible_*` arguments a shipped module would get (check mode, diff, no_log, ...)."""
    action._update_module_args(module_name, module_args, task_vars)


def encode_module_args(module_args: dict[str, t.Any]) -> bytes:
    """The JSON a shipped module reads on stdin: {"ANSIBLE_MODULE_ARGS": ...}, vaulted values
    decrypted and tagged values plain, as ansible-core encodes them for a module."""
    payload = {"ANSIBLE_MODULE_ARGS": module_args}
    if core_version() < (2, 19):
        from ansible.module_utils.common.json import AnsibleJSONEncoder

        return json.dumps(payload, cls=AnsibleJSONEncoder, vault_to_text=True).encode("utf-8")
    from ansible.module_utils.common.json import Direction, get_module_encoder

    return json.dumps(payload, cls=get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)).encode("utf-8")


def as_target_host() -> None:
    """In the forked child, before the module runs: make module_utils behave as on a managed host,
    so `warn()` and `deprecate()` go into the module's result (ansible-core 2.18 has no switch)."""
    if core_version() >= (2, 19):
        from ansible.module_utils import _internal

        _internal.is_controller = False


def module_args_unread() -> bool:
    """True when `AnsibleModule` in this process will read its arguments from stdin: nothing
    loaded module arguments into it before (the worker never does; a stale value would be used)."""
    from ansible.module_utils import basic

    return getattr(basic, "_ANSIBLE_ARGS", None) is None


def module_result(action: t.Any, res: dict[str, t.Any]) -> dict[str, t.Any]:
    """The module's rc/stdout/stderr → the task result, exactly as `_execute_module` makes it:
    parsed with the module's serialization profile, internal keys removed, stdout/stderr lines."""
    if core_version() < (2, 19):
        parsed = action._parse_returned_data(res)
    else:
        parsed = action._parse_returned_data(res, PROFILE)
    if not isinstance(parsed, dict):  # 2.21: a result object
        parsed.remove_internal_keys()
        return parsed.as_result_dict(for_round_trip=True)
    from ansible.vars.clean import remove_internal_keys

    parsed.pop("_ansible_suppress_tmpdir_delete", None)
    remove_internal_keys(parsed)
    for stream in ("stdout", "stderr"):
        if stream in parsed and f"{stream}_lines" not in parsed:
            parsed[f"{stream}_lines"] = (parsed[stream] or "").splitlines()
    return parsed
