# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lifecycle hooks: a service's `post_start` commands run in each container this run starts, its
`pre_stop` commands in each running container this run stops (stop, remove, recreate), as
`docker compose up/stop/down` runs them: an exec in the container with the hook's user,
privileges, working directory and environment, waited for. A hook that exits non-zero fails the
run naming the service, the hook and the last lines of its output (never its environment, which
may hold secrets). Exec is in every engine API this collection speaks, so hooks need no version.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ApplyContext
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError

OUTPUT_TAIL_LINES = 5
OUTPUT_TAIL_CHARS = 600
# What the runtime's own exit codes mean (the hook never ran): said, since its output is then empty.
_HINTS = {126: " (the command could not be run: not executable, or the hook's user does not exist in the image)",
          127: " (the command was not found in the container)"}


def has_hooks(context: ApplyContext, service: str, kind: str) -> bool:
    if context.project is None:  # state=absent by project name only: no definition, no hooks to run
        return False
    found = context.project.services.get(service)
    return bool(found is not None and found.extra.get(kind))


def post_start(context: ApplyContext, service: str, container_id: str) -> None:
    _run(context, service, container_id, "post_start")


def pre_stop(context: ApplyContext, service: str, container_id: str) -> None:
    """Only in a running container (an exec needs one): a stopped or missing container has nothing to run in."""
    if not has_hooks(context, service, "pre_stop"):
        return
    try:
        running = bool(context.client.inspect_container(container_id)["State"].get("Running"))
    except Exception:  # gone already: nothing to run the hook in
        return
    if running:
        _run(context, service, container_id, "pre_stop")


def _run(context: ApplyContext, service: str, container_id: str, kind: str) -> None:
    if not has_hooks(context, service, kind):
        return
    model = context.project.services[service]
    for index, hook in enumerate(model.extra[kind]):
        where = "services.%s.%s[%d]" % (service, kind, index)
        environment = {k: v for k, v in (hook.get("environment") or {}).items() if v is not None}
        try:
            created = context.client.exec_create(
                container_id, list(hook["command"]), stdout=True, stderr=True, tty=bool(model.tty),
                privileged=bool(hook.get("privileged")), user=hook.get("user") or "",
                environment=environment or None, workdir=hook.get("working_dir"))
            output = context.client.exec_start(created["Id"], tty=bool(model.tty))
            code = context.client.exec_inspect(created["Id"]).get("ExitCode")
        except Exception as exc:
            raise ExecutionError("%s: the hook could not run in container %s: %s" % (where, container_id[:12], exc))
        if code != 0:
            raise ExecutionError("%s: the hook %s exited with code %s in container %s%s%s"
                                 % (where, _command(hook["command"]), code, container_id[:12], _HINTS.get(code, ""),
                                    _tail(output)))


def _command(command: list[str]) -> str:
    text = " ".join(command)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _tail(output: Any) -> str:
    if isinstance(output, bytes):
        output = output.decode("utf-8", "replace")
    lines = [line for line in str(output or "").splitlines() if line.strip()][-OUTPUT_TAIL_LINES:]
    text = " | ".join(lines)[-OUTPUT_TAIL_CHARS:]
    return "; its last output: %s" % text if text else ""
