# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: docker
short_description: Run tasks in Docker containers over the Engine API
version_added: 0.1.0
author:
  - goship.containers contributors (@goship)
description:
  - Runs Ansible's commands and modules in a running container with the Engine API's exec, and
    copies files in and out with its archive endpoints, through the Docker SDK for Python on the
    controller. No docker CLI and no SSH server are needed; modules need a Python in the container,
    as over SSH (M(ansible.builtin.raw) does not).
  - The daemon is chosen with the same options and environment variables as the modules of this
    collection (O(docker_host), TLS, O(api_version), O(timeout)), given as host or group variables
    (C(ansible_docker_docker_host), C(ansible_docker_tls), ...).
  - A container that does not exist, is stopped or is paused makes the host unreachable, with a
    message saying which.
  - Privilege escalation (C(become)) works with the container's own tools. V(sudo) works with and
    without a password, pipelined or not; V(su) works with the target user's password (Ansible does
    not pipeline with V(su)). The password is written to the command's stdin, never put in its
    arguments or environment.
  - It is tested on a C(unix://) socket and on C(tcp://) with TLS. A C(ssh://) O(docker_host) goes
    through the Docker SDK's SSH transport (paramiko) and is not tested with this plugin.
  - With O(pipelining) on (it is off by default, as everywhere in Ansible), a module runs in one exec
    with its code on stdin; off, each module is copied into the container as a file first.
    Over a TLS connection stdin cannot be closed without ending the connection (Python's TLS sockets
    have no half-close), so the plugin does not pipeline there and copies each module as a file
    instead, whatever O(pipelining) says.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.plugins
  - goship.containers.docker.connection_vars
  - ansible.builtin.connection_pipelining
options:
  remote_addr:
    description:
      - Name or ID of the container.
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_docker_host
  remote_user:
    description:
      - The user commands run as in the container, as the exec's C(User) takes it (C(name),
        C(uid), C(name:group) or C(uid:gid)).
      - When not set, the user the container was created with (its image's C(USER) or C(--user)).
      - Files copied into the container (modules, M(ansible.builtin.copy) sources) belong to this
        user. The archive API itself reads and writes as root; M(ansible.builtin.fetch) first checks,
        as this user, that the file may be read, and refuses it otherwise.
    type: str
    vars:
      - name: ansible_user
      - name: ansible_docker_user
    ini:
      - section: defaults
        key: remote_user
    env:
      - name: ANSIBLE_REMOTE_USER
    cli:
      - name: user
    keyword:
      - name: remote_user
  working_dir:
    description:
      - The directory commands start in, and relative file paths are taken from.
      - When not set, commands start in the container's working directory and relative file paths
        are taken from C(/).
    type: str
    vars:
      - name: ansible_docker_working_dir
    env:
      - name: ANSIBLE_DOCKER_WORKING_DIR
    ini:
      - section: docker_connection
        key: working_dir
  extra_env:
    description:
      - Environment variables set for every command, in addition to the container's.
      - Values must be strings; quote numbers and booleans in YAML.
    type: dict
    vars:
      - name: ansible_docker_extra_env
  privileged:
    description:
      - Run commands with extended privileges (the exec's C(Privileged)). They can then act on
        the host; use with care.
    type: bool
    default: false
    vars:
      - name: ansible_docker_privileged
    env:
      - name: ANSIBLE_DOCKER_PRIVILEGED
    ini:
      - section: docker_connection
        key: privileged
  become_success_timeout:
    description:
      - Seconds to wait for privilege escalation to succeed (its password prompt answered and its
        success marker printed) before the task fails.
      - The command that follows is not limited in time.
    type: int
    default: 10
    vars:
      - name: ansible_docker_become_success_timeout
"""

EXAMPLES = r"""
# inventory.yml: two containers of this machine's engine and one of a remote engine with TLS
# all:
#   children:
#     app_containers:
#       hosts:
#         web-1:
#         web-2:
#           ansible_docker_working_dir: /srv/app
#       vars:
#         ansible_connection: goship.containers.docker
#         ansible_user: app
#     remote:
#       hosts:
#         db:
#           ansible_connection: goship.containers.docker
#           ansible_docker_docker_host: tcp://docker1.example.com:2376
#           ansible_docker_validate_certs: true
#           ansible_docker_ca_path: /etc/docker-certs/ca.pem
#           ansible_docker_client_cert: /etc/docker-certs/cert.pem
#           ansible_docker_client_key: /etc/docker-certs/key.pem

- name: Configure the application containers
  hosts: app_containers
  tasks:
    - name: Write the configuration as the app user
      ansible.builtin.template:
        src: app.conf.j2
        dest: /srv/app/app.conf
        mode: "0640"

    - name: Install a package as root, with sudo in the container
      ansible.builtin.command: apt-get install -y --no-install-recommends curl
      become: true

# A container that is not in the inventory, from a play on the controller
- name: Reach a container by name
  hosts: localhost
  tasks:
    - name: Read a file in the container gs-web
      ansible.builtin.slurp:
        src: /etc/os-release
      delegate_to: gs-web
      vars:
        ansible_connection: goship.containers.docker
"""

import os
import posixpath
import re
import time
from typing import Any, Optional

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, ClientSetupError, NotFound, open_client)
from ansible_collections.goship.containers.plugins.module_utils.connection import ConnectionOptionError, resolve
from ansible_collections.goship.containers.plugins.plugin_utils.container_files import (
    MAX_LINK_HOPS, ContainerFileError, container_path, extract_single_file, is_directory, is_symlink,
    link_destination, tar_of_file)
from ansible_collections.goship.containers.plugins.plugin_utils.exec_stream import (
    Become, BecomeError, ExecStream, ExecStreamError, exchange)

display = Display()

DAEMON_OPTIONS = ("docker_host", "tls", "validate_certs", "ca_path", "client_cert", "client_key", "tls_hostname",
                  "api_version", "timeout")
EXIT_CODE_WAIT_SECONDS = 30
_NUMERIC_USER = re.compile(r"^(\d+)(?::(\d+))?$")
_KINDS = (("boolean", bool), ("number", (int, float)), ("list", (list, tuple)), ("dict", dict))


class Connection(ConnectionBase):
    """Commands through the exec API, files through the archive API, of one container."""

    transport = "goship.containers.docker"
    has_pipelining = True
    has_tty = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client: Any = None
        self._owner_ids: dict[Optional[str], tuple[int, int]] = {}

    # --- options ----------------------------------------------------------------------------------

    def set_options(self, task_keys: Any = None, var_options: Any = None, direct: Any = None) -> None:
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        # stdin cannot be ended over TLS (see DOCUMENTATION): modules go as files there
        try:
            uses_tls = resolve(self._daemon_params()).tls
        except ConnectionOptionError:
            uses_tls = False  # the error is reported when connecting
        self.has_pipelining = not uses_tls

    def _daemon_params(self) -> dict[str, Any]:
        return {name: self.get_option(name) for name in DAEMON_OPTIONS}

    @property
    def _container(self) -> str:
        return self.get_option("remote_addr")

    def _daemon(self) -> str:
        return getattr(getattr(self._client, "settings", None), "host", None) or self.get_option("docker_host") or "the Docker daemon"

    # --- connecting -------------------------------------------------------------------------------

    def _connect(self) -> "Connection":
        super()._connect()
        if not self._connected:
            display.vvv("ESTABLISH DOCKER CONNECTION FOR USER: %s" % (self.get_option("remote_user") or "(the container's)"),
                        host=self._container)
            try:
                self._client = open_client(self._daemon_params())
            except ClientSetupError as exc:
                raise AnsibleConnectionFailure(str(exc))
            self._connected = True
        return self

    def _container_state(self) -> Optional[dict[str, Any]]:
        """The container's State from its inspect data; None when it does not exist."""
        try:
            return self._client.inspect_container(self._container).get("State") or {}
        except NotFound:
            return None

    def _missing(self) -> AnsibleConnectionFailure:
        return AnsibleConnectionFailure('container "%s" does not exist on %s' % (self._container, self._daemon()))

    def _container_problem(self, cause: Exception) -> AnsibleConnectionFailure:
        """Why the container cannot run a command: missing, stopped, paused (one inspect, on failure only)."""
        try:
            state = self._container_state()
        except APIError as exc:
            return AnsibleConnectionFailure('container "%s" cannot be inspected on %s: %s' % (self._container, self._daemon(), exc))
        if state is None:
            return self._missing()
        if state.get("Paused"):
            return AnsibleConnectionFailure('container "%s" is paused' % self._container)
        if not state.get("Running"):
            return AnsibleConnectionFailure('container "%s" is not running (%s, exit code %s)'
                                            % (self._container, state.get("Status"), state.get("ExitCode")))
        return AnsibleConnectionFailure('container "%s": %s' % (self._container, cause))

    # --- commands ---------------------------------------------------------------------------------

    def _become_exchange(self, cmd: str, sudoable: bool) -> Optional[Become]:
        # (not `_become`: Ansible looks up `_<plugin type>` on the connection to set the become plugin's options)
        become = self.become
        marker = getattr(become, "success", None) if become is not None else None
        if not (sudoable and marker and getattr(become, "_id", None) and marker in cmd):
            return None  # Ansible did not wrap this command in a become command
        prompt = become.prompt if become.expect_prompt() else None
        password = become.get_option("become_pass", playcontext=self._play_context) or ""
        return Become(
            check_success=become.check_success,
            check_prompt=become.check_password_prompt if prompt else None,
            password=to_bytes(password, errors="surrogate_or_strict"),
            success_marker=to_bytes(marker),
            prompt=to_bytes(prompt.strip()) if isinstance(prompt, (str, bytes)) else b"",
            timeout=max(1, self.get_option("become_success_timeout") or 10),
        )

    def _exec_environment(self) -> Optional[dict[str, str]]:
        extra = self.get_option("extra_env")
        if not extra:
            return None
        for key, value in extra.items():
            if not isinstance(value, str):
                # (Ansible may hand over its own subclasses of int, bool...: name the plain kind)
                kind = next((name for name, types in _KINDS if isinstance(value, types)), type(value).__name__)
                raise AnsibleConnectionFailure(
                    "extra_env.%s: %s is a %s, not a string: quote it in YAML (or convert it with | string)"
                    % (key, value, kind))
        return {str(key): str(value) for key, value in extra.items()}

    def _create_exec(self, argv: list[str], stdin: bool) -> str:
        try:
            return self._client.exec_create(
                self._container, argv, stdout=True, stderr=True, stdin=stdin, tty=False,
                privileged=bool(self.get_option("privileged")), user=self.get_option("remote_user") or "",
                environment=self._exec_environment(), workdir=self.get_option("working_dir") or None,
            )["Id"]
        except (NotFound, APIError) as exc:
            raise self._container_problem(exc)

    def _start_exec(self, exec_id: str) -> ExecStream:
        client = self._client
        try:
            # the SDK's exec_start(socket=True) returns the bare socket; bytes that came with the
            # response headers are in the response's buffer, so read from the response instead
            response = client._post_json(  # pylint: disable=protected-access
                client._url("/exec/{0}/start", exec_id),  # pylint: disable=protected-access
                headers={"Connection": "Upgrade", "Upgrade": "tcp"},
                data={"Tty": False, "Detach": False}, stream=True)
            sock = client._get_raw_response_socket(response)  # pylint: disable=protected-access  # raises for the status
        except APIError as exc:
            raise AnsibleConnectionFailure('container "%s": the command cannot be started: %s' % (self._container, exc))
        return ExecStream(response.raw._fp.fp, sock, keep_alive=response)  # pylint: disable=protected-access

    def _finished(self, exec_id: str) -> dict[str, Any]:
        """The exec's final state (ExitCode, Pid); the engine may record it a moment after the output ends."""
        deadline = time.monotonic() + EXIT_CODE_WAIT_SECONDS
        delay = 0.01
        while True:
            info = self._client.exec_inspect(exec_id)
            if not info.get("Running") and info.get("ExitCode") is not None:
                return info
            if time.monotonic() > deadline:
                raise AnsibleConnectionFailure('container "%s": the command\'s output ended, but the engine still reports'
                                               " it running after %ss" % (self._container, EXIT_CODE_WAIT_SECONDS))
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _not_started(self, argv: list[str], output: bytes) -> AnsibleConnectionFailure:
        """The engine could not start the process (it never had a PID): say what the settings were."""
        settings = ["user %s" % (self.get_option("remote_user") or "(the container's)")]
        if self.get_option("working_dir"):
            settings.append("working_dir %s" % self.get_option("working_dir"))
        if self.get_option("privileged"):
            settings.append("privileged")
        return AnsibleConnectionFailure('container "%s": the engine could not start %s (%s): %s'
                                        % (self._container, argv[0], ", ".join(settings),
                                           to_text(output, errors="surrogate_or_replace").strip() or "no reason given"))

    def exec_command(self, cmd: str, in_data: Optional[bytes] = None, sudoable: bool = True) -> tuple[int, bytes, bytes]:
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        argv = [self._play_context.executable or "/bin/sh", "-c", cmd]
        become = self._become_exchange(cmd, sudoable)
        stdin = in_data is not None or (become is not None and become.check_prompt is not None)
        notes = ", with stdin (%d bytes)" % len(in_data) if in_data is not None else ""
        notes += ", answering the become prompt" if become and become.check_prompt else ""
        display.vvv("EXEC %s%s" % (to_text(argv), notes), host=self._container)
        exec_id = self._create_exec(argv, stdin)
        stream = self._start_exec(exec_id)
        try:
            stdout, stderr = exchange(stream, in_data, become, stdin_attached=stdin)
        except BecomeError as exc:
            raise AnsibleError('container "%s": %s' % (self._container, exc))
        except (ExecStreamError, OSError) as exc:
            raise AnsibleConnectionFailure('container "%s": the command\'s connection failed: %s' % (self._container, exc))
        finally:
            stream.close()
        finished = self._finished(exec_id)
        if not finished.get("Pid"):
            raise self._not_started(argv, stdout + stderr)
        return int(finished["ExitCode"]), stdout, stderr

    # --- files ------------------------------------------------------------------------------------

    def _owner(self) -> tuple[int, int]:
        """uid and gid of the user commands run as, for the files put into the container."""
        user = self.get_option("remote_user")
        if user not in self._owner_ids:
            numeric = _NUMERIC_USER.match(user or "")
            if numeric and numeric.group(2):
                self._owner_ids[user] = int(numeric.group(1)), int(numeric.group(2))
            else:
                rc, out, err = self.exec_command("id -u && id -g", sudoable=False)
                lines = out.split()
                if rc != 0 or len(lines) != 2 or not all(line.isdigit() for line in lines):
                    raise AnsibleConnectionFailure(
                        'container "%s": the IDs of user %s cannot be found with `id` (rc %s): %s'
                        % (self._container, user or "(the container's)", rc, to_text(err or out).strip()))
                self._owner_ids[user] = int(lines[0]), int(lines[1])
                display.vvvv("PUT: files belong to uid %s gid %s" % self._owner_ids[user], host=self._container)
        return self._owner_ids[user]

    def put_file(self, in_path: str, out_path: str) -> None:
        super().put_file(in_path, out_path)
        target = container_path(out_path, self.get_option("working_dir"))
        display.vvv("PUT %s TO %s" % (in_path, target), host=self._container)
        if not os.path.exists(to_bytes(in_path, errors="surrogate_or_strict")):
            raise AnsibleFileNotFound("file or module does not exist: %s" % in_path)
        uid, gid = self._owner()
        directory = posixpath.dirname(target)
        try:
            with tar_of_file(in_path, posixpath.basename(target), uid, gid) as archive:
                self._client.put_archive(self._container, directory, archive)
        except ContainerFileError as exc:
            raise AnsibleError("Cannot copy into container \"%s\": %s" % (self._container, exc))
        except NotFound:
            if self._container_state() is None:
                raise self._missing()
            raise AnsibleError('Cannot copy %s into container "%s": directory %s does not exist there'
                               % (in_path, self._container, directory))
        except APIError as exc:
            raise AnsibleError('Cannot copy %s to %s in container "%s": %s' % (in_path, target, self._container, exc))

    def fetch_file(self, in_path: str, out_path: str) -> None:
        super().fetch_file(in_path, out_path)
        path = container_path(in_path, self.get_option("working_dir"))
        display.vvv("FETCH %s TO %s" % (path, out_path), host=self._container)
        for _hop in range(MAX_LINK_HOPS + 1):
            try:
                chunks, path_stat = self._client.get_archive(self._container, path)
            except NotFound:
                if self._container_state() is None:
                    raise self._missing()
                raise AnsibleFileNotFound('%s does not exist in container "%s"' % (path, self._container))
            except APIError as exc:
                raise AnsibleError('Cannot read %s in container "%s": %s' % (path, self._container, exc))
            if is_symlink(path_stat):
                for _chunk in chunks:  # the link's own tiny archive: read it so the connection is free
                    pass
                path = link_destination(path, path_stat)
                continue
            if is_directory(path_stat):
                raise AnsibleError('Cannot fetch %s from container "%s": it is a directory' % (path, self._container))
            try:
                extract_single_file(chunks, out_path, path)
            except ContainerFileError as exc:
                raise AnsibleError('Cannot fetch from container "%s": %s' % (self._container, exc))
            return
        raise AnsibleError('Cannot fetch %s from container "%s": more than %d symbolic links'
                           % (in_path, self._container, MAX_LINK_HOPS))

    # --- lifetime ---------------------------------------------------------------------------------

    def reset(self) -> None:
        self._owner_ids.clear()

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # pylint: disable=broad-exception-caught  # closing is best effort
                pass
            self._client = None
        self._connected = False
