#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_exec
short_description: Run a command in a running Docker container
version_added: 0.1.0
description:
  - Runs a command in a running container and returns its exit status, stdout and stderr.
  - A non-zero exit status fails the task (as for M(ansible.builtin.command)); use C(failed_when)
    to accept it.
  - Not idempotent; the task always reports a change. In check mode the command is not run and
    the task is skipped with a message saying so.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  container:
    description: Name or ID of the running container.
    type: str
    required: true
  argv:
    description: The command as a list of arguments (exec form, no shell).
    type: list
    elements: str
  command:
    description:
      - The command to run.
      - A list is run as that argv, each item one argument exactly as given (no shell splitting or
        joining; spaces and quotes inside an item stay), like O(argv).
      - A string is split into arguments the way a shell does (quotes group, backslashes escape),
        but no shell runs it; use C([sh, -c, "..."]) for pipes, redirections or variables.
    type: raw
  chdir:
    description: Working directory of the command.
    type: str
  env:
    description:
      - Environment variables for the command; values are converted to strings.
      - The values of variables whose names look secret (see O(sensitive_keys)) never appear in
        the result, errors or C(-vvv) output.
    type: dict
  secret_env:
    description:
      - Environment variables whose values are secrets, merged into O(env) (C(no_log) - Ansible
        masks every value in everything the task prints or returns). A name in both is an error.
    type: dict
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of
        variables in O(env) whose values are secrets. Names that look secret are built in, as
        for M(goship.containers.container)'s O(goship.containers.container#module:sensitive_keys).
      - The secrets of the container itself (its environment variables with such names, and those
        its M(goship.containers.container) task gave through C(secret_env) or C(sensitive_keys))
        are masked too - in RV(stdout) and RV(stderr) when they are 6 characters or longer, since
        a command such as C(env) prints them.
    type: list
    elements: str
    default: []
  user:
    description: User to run the command as, C(name), C(uid) or C(uid:gid).
    type: str
  stdin:
    description: Text written to the command's stdin, which is then closed.
    type: str
  stdin_add_newline:
    description: Append a newline to O(stdin).
    type: bool
    default: true
  strip_empty_ends:
    description: Remove trailing empty lines from RV(stdout) and RV(stderr).
    type: bool
    default: true
  tty:
    description: Allocate a pseudo-TTY (stderr is then merged into stdout).
    type: bool
    default: false
attributes:
  check_mode:
    support: partial
    description: In check mode the command is not run; the task is skipped.
    details: The command is never run in check mode, so its result cannot be predicted.
  diff_mode:
    support: none
    description: A command run has no before and after to show.
seealso:
  - module: goship.containers.container
  - module: goship.containers.container_info
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Ask the app for its health from inside
  goship.containers.container_exec:
    container: shop
    argv: [/shop, healthcheck]
  register: check

- name: Run a shell pipeline in a container that has a shell
  goship.containers.container_exec:
    container: tools
    argv: [sh, -c, "ls /data | wc -l"]

- name: A command given as a list runs as that argv; the message stays one argument
  goship.containers.container_exec:
    container: tools
    command: [/bin/echo, "two  spaces and 'quotes' kept"]

- name: A command given as a string is split like a shell splits it (no shell runs it)
  goship.containers.container_exec:
    container: tools
    command: touch "/data/a file"

- name: A non-zero exit status fails the task unless failed_when says otherwise
  goship.containers.container_exec:
    container: tools
    argv: [test, -f, /data/ready]
  register: ready
  failed_when: ready.rc not in [0, 1]
"""

RETURN = r"""
rc:
  description: Exit status of the command.
  returned: when the command ran
  type: int
  sample: 0
stdout:
  description: What the command wrote to stdout.
  returned: when the command ran
  type: str
stderr:
  description: What the command wrote to stderr (empty with O(tty=true)).
  returned: when the command ran
  type: str
stdout_lines:
  description: RV(stdout) split into lines.
  returned: when the command ran
  type: list
  elements: str
stderr_lines:
  description: RV(stderr) split into lines.
  returned: when the command ran
  type: list
  elements: str
"""

import socket
import time

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, NotFound, connect, docker_argument_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule
from ansible_collections.goship.containers.plugins.module_utils.secrets import container_rule, inspect_secrets
from ansible_collections.goship.containers.plugins.module_utils.user_input import command_argv

EXEC_OPTIONS = dict(
    container=dict(type="str", required=True),
    argv=dict(type="list", elements="str"),
    command=dict(type="raw"),
    chdir=dict(type="str"),
    env=dict(type="dict"),
    secret_env=dict(type="dict", no_log=True),
    sensitive_keys=dict(type="list", elements="str", default=[], no_log=False),
    user=dict(type="str"),
    stdin=dict(type="str"),
    stdin_add_newline=dict(type="bool", default=True),
    strip_empty_ends=dict(type="bool", default=True),
    tty=dict(type="bool", default=False),
)


def _run_with_stdin(client, exec_id, data, tty):
    """Start the exec on a raw socket, write stdin, close it, read the multiplexed output."""
    from docker.utils.socket import consume_socket_output, demux_adaptor, frames_iter

    sock = client.exec_start(exec_id, socket=True, tty=tty)
    raw = getattr(sock, "_sock", sock)
    try:
        raw.sendall(data)
        raw.shutdown(socket.SHUT_WR)
        frames = frames_iter(sock, tty)
        return consume_socket_output((demux_adaptor(*frame) for frame in frames), demux=True)
    finally:
        sock.close()


def _exit_code(client, exec_id):
    """The exit code can lag the end of the output by a moment; wait briefly for it."""
    for _attempt in range(50):
        info = client.exec_inspect(exec_id)
        if not info.get("Running") and info.get("ExitCode") is not None:
            return info["ExitCode"]
        time.sleep(0.05)
    return info.get("ExitCode")


def _text(data, strip):
    text = (data or b"").decode("utf-8", "replace")
    return text.rstrip("\r\n") if strip else text


def main():
    module = SecretAwareModule(
        argument_spec=docker_argument_spec(**EXEC_OPTIONS),
        mutually_exclusive=[("argv", "command")],
        required_one_of=[("argv", "command")],
        supports_check_mode=True,
        maps={"env": "secret_env"},
    )
    params = module.params
    option = "command" if params["command"] is not None else "argv"
    try:
        argv = command_argv(option, params[option])
    except OptionError as exc:
        module.fail_json(msg=str(exc))
    env = {}
    both = sorted(set(params["env"] or {}) & set(params["secret_env"] or {}))
    if both:
        module.fail_json(msg="secret_env.%s: is also in env; give each variable once" % both[0])
    for option in ("env", "secret_env"):
        for key, value in (params[option] or {}).items():
            if isinstance(value, (dict, list)):  # the value may be a secret: the type only
                module.fail_json(msg="%s.%s: expected a string, got %s" % (option, key, type(value).__name__))
            env[str(key)] = "" if value is None else str(value)
    if module.check_mode:
        module.exit_json(changed=False, skipped=True,
                         msg="container_exec does not run commands in check mode (the command is not idempotent)")

    client = connect(module)
    created = False  # nothing ran until the engine accepted the exec
    try:
        try:
            container = client.inspect_container(params["container"])
        except NotFound:
            module.fail_json(msg="container: %s does not exist" % params["container"])
        # its own secrets, which a command such as `env` prints
        module.protect_values(inspect_secrets(container, container_rule(module.secret_rule, container)))
        if not (container.get("State") or {}).get("Running"):
            module.fail_json(msg="container: %s is %s, not running" % (params["container"], container["State"].get("Status")))
        stdin = params["stdin"]
        exec_id = client.exec_create(
            container["Id"], argv, stdout=True, stderr=True, stdin=stdin is not None, tty=params["tty"],
            environment=env or None, workdir=params["chdir"], user=params["user"] or "",
        )["Id"]
        created = True
        if stdin is not None:
            data = (stdin + ("\n" if params["stdin_add_newline"] else "")).encode("utf-8")
            stdout, stderr = _run_with_stdin(client, exec_id, data, params["tty"])
        else:
            stdout, stderr = client.exec_start(exec_id, tty=params["tty"], demux=True)
        rc = _exit_code(client, exec_id)
    except APIError as exc:
        module.fail_json(msg="Running %s in %s failed: %s" % (argv[0], params["container"], exc), changed=created)
    out = _text(stdout, params["strip_empty_ends"])
    err = _text(stderr, params["strip_empty_ends"])
    result = dict(changed=True, rc=rc, stdout=out, stderr=err, stdout_lines=out.splitlines(), stderr_lines=err.splitlines())
    if rc != 0:
        # Ansible fails any result with a non-zero rc; say why. Use failed_when to accept it.
        module.fail_json(msg="%s exited with status %s" % (argv[0], rc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
