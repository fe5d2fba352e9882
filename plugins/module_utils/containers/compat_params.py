# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""community.docker's docker_container switches that change how other options read: applied to
the module's params before they are parsed (task_plan.container_task), so the registry entries
see the values the switch means.

- `command_handling: compatibility`: a list `command` is joined with spaces and split again as a
  shell does; an empty `command` or `entrypoint` is "not set".
- `container_default_behavior: compatibility`: the options that used to have defaults get them.
- `kill_signal` without `force_kill` is never used (a stop sends the container's stop signal):
  said in a warning rather than accepted silently.
"""

from __future__ import annotations

from typing import Any

# community.docker's defaults before its 3.0.0 (container_default_behavior=compatibility)
OLD_DEFAULTS = {
    "auto_remove": False, "init": False, "interactive": False, "memory": "0", "paused": False,
    "privileged": False, "read_only": False, "tty": False,
}


def with_compat_switches(params: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`params` as the switches mean them, and the warnings the task gives about them."""
    params = dict(params)
    warnings: list[str] = []
    if params.get("command_handling") == "compatibility":
        command = params.get("command")
        if command in ("", []):
            params["command"] = None
        elif isinstance(command, list):
            params["command"] = " ".join(str(part) for part in command)
        if params.get("entrypoint") == []:
            params["entrypoint"] = None
    if params.get("container_default_behavior") == "compatibility":
        for name, value in OLD_DEFAULTS.items():
            if params.get(name) is None:
                params[name] = value
    if params.get("kill_signal") and not params.get("force_kill"):
        warnings.append("kill_signal: used only with force_kill=true (a stop sends the container's stop signal, "
                        "stop_signal), as in community.docker")
    return params, warnings
