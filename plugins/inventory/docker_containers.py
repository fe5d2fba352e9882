# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: docker_containers
short_description: Docker containers as inventory hosts, grouped by Compose project, service and labels
version_added: 0.1.0
author:
  - goship.containers contributors (@goship)
description:
  - Makes each container of one Docker engine an inventory host, named after the container. The
    containers are read with one list request; they are inspected (one request each) only when
    O(verbose_output) is set or an expression uses C(docker_inspect).
  - Hosts are reached with the P(goship.containers.docker#connection) connection plugin (the
    engine's exec API, no SSH) with the daemon settings of this file, or over SSH when asked
    (O(connection_type)).
  - Containers of a Compose project (the C(com.docker.compose.*) labels that C(docker compose) and
    M(goship.containers.compose) write) are put in the groups C(compose_<project>) and
    C(compose_<project>_<service>); O(group_by_labels) adds groups by label values. O(compose),
    O(groups) and O(keyed_groups) work as in Ansible's constructed inventory, and O(filters) choose
    the containers.
  - 'Every host gets these variables: C(docker_id), C(docker_short_id), C(docker_name), C(docker_image)
    (the image as the container was created from it), C(docker_image_id), C(docker_command),
    C(docker_created) (seconds since the epoch), C(docker_state) (V(running), V(exited), V(created),
    V(paused), ...), C(docker_status) (as C(docker ps) shows it), C(docker_running), C(docker_labels),
    C(docker_networks) (network name to IP address), C(docker_network_mode), C(docker_ports) (a list of
    C(container_port), C(protocol), and C(host_ip), C(host_port) when published); for Compose containers
    C(docker_compose_project), C(docker_compose_service) and C(docker_compose_number); C(docker_stack) and
    C(docker_swarm_service) for Swarm tasks.'
  - The configuration file's name must end with C(docker.yml), C(docker.yaml), C(docker_containers.yml)
    or C(docker_containers.yaml).
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.plugins
  - ansible.builtin.constructed
options:
  plugin:
    description:
      - The name of this plugin; always V(goship.containers.docker_containers).
    type: str
    required: true
    choices: [goship.containers.docker_containers]
  connection_type:
    description:
      - How Ansible reaches the containers.
      - V(docker-api) sets C(ansible_connection) to P(goship.containers.docker#connection) and
        C(ansible_host) to the container's name. The containers need no SSH server.
      - V(ssh) sets C(ansible_host) and C(ansible_port) to where the container's O(private_ssh_port)
        is published on the engine's host (O(default_ip) when it is published on every address).
        Containers that do not publish it get neither, and a warning.
    type: str
    default: docker-api
    choices: [docker-api, ssh]
  configure_docker_daemon:
    description:
      - With O(connection_type=docker-api), give each host the daemon options set in this file
        (O(docker_host), TLS, O(api_version), O(timeout)) as the connection plugin's variables
        (C(ansible_docker_docker_host), C(ansible_docker_tls), ...), so its tasks reach the same engine.
      - Options left at their defaults are not passed; the connection plugin then resolves them
        (and the E(DOCKER_HOST) family of variables) itself.
    type: bool
    default: true
  include_stopped:
    description:
      - Include containers that are not running (created, exited, paused), as C(docker ps -a) does.
      - 'Tasks on a stopped container fail as unreachable; filter them out with
        V(false) or with O(filters) (C(exclude: not docker_running)).'
    type: bool
    default: true
  verbose_output:
    description:
      - Inspect every container (one request each) and give each host its inspect data, as the engine
        returns it, in the variable C(docker_inspect) (for example C(docker_inspect.Config.Env),
        C(docker_inspect.HostConfig.Memory)).
      - When V(false), containers are inspected only if O(compose), O(groups), O(keyed_groups) or
        O(filters) use C(docker_inspect); the data is then available to those expressions but not set
        as a variable.
    type: bool
    default: false
  group_by_compose:
    description:
      - Put each container of a Compose project in C(compose_<project>) and C(compose_<project>_<service>).
      - Characters that Ansible does not allow in group names (C(-), C(.)) become C(_) in these groups.
    type: bool
    default: true
  group_by_labels:
    description:
      - Label keys to group by. A container with label C(KEY=VALUE) goes in the group C(label_<KEY>_<VALUE>),
        characters not allowed in group names replaced by C(_) (C(com.example.tier=web) gives C(label_com_example_tier_web)).
    type: list
    elements: str
    default: []
  filters:
    description:
      - Which containers become hosts. A list of C(include) or C(exclude) entries, each a Jinja2
        condition on the host's variables (and C(inventory_hostname)), or V(true)/V(false).
      - 'The first entry whose condition holds decides; a container that no entry matches is included.
        End the list with C(exclude: true) to include only what the entries before it include.'
      - A condition that cannot be evaluated fails the inventory, whatever O(strict) says; a filter
        never guesses which hosts you meant.
    type: list
    elements: dict
    default: []
  private_ssh_port:
    description:
      - The container port SSH listens on, for O(connection_type=ssh).
    type: int
    default: 22
  default_ip:
    description:
      - The address for a port published on every address (C(0.0.0.0)), for O(connection_type=ssh).
    type: str
    default: 127.0.0.1
notes:
  - Coming from C(community.docker.docker_containers), the options are the same except C(add_legacy_groups)
    and C(connection_type=docker-cli), which this plugin does not have (use O(keyed_groups) on the
    variables above, and V(docker-api)). The inspect data is one variable, C(docker_inspect), instead of
    one variable per top-level key (C(docker_config) is C(docker_inspect.Config), C(docker_hostconfig)
    is C(docker_inspect.HostConfig)), and C(docker_name) has no leading C(/).
"""

EXAMPLES = r"""
# containers.docker.yml: every running container of the local engine, reached over the exec API
plugin: goship.containers.docker_containers
include_stopped: false

---
# A remote engine with TLS; its tasks go to the same engine (configure_docker_daemon)
plugin: goship.containers.docker_containers
docker_host: tcp://docker1.example.com:2376
validate_certs: true
ca_path: /etc/docker-certs/ca.pem
client_cert: /etc/docker-certs/cert.pem
client_key: /etc/docker-certs/key.pem

---
# Only the containers of the Compose project "shop", grouped by tier label and by state
plugin: goship.containers.docker_containers
filters:
  - include: docker_compose_project | default('') == 'shop'
  - exclude: true
group_by_labels: [tier]
keyed_groups:
  - key: docker_state
    prefix: state
groups:
  databases: "'postgres' in docker_image"
compose:
  ansible_user: "'app' if docker_compose_service == 'web' else 'root'"

---
# Containers that run sshd, reached over SSH on their published port
plugin: goship.containers.docker_containers
connection_type: ssh
filters:
  - include: docker_labels['role'] | default('') == 'ssh-host'
  - exclude: true
"""

from typing import Any

from ansible.errors import AnsibleParserError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

try:
    from ansible.template import trust_as_template  # noqa: F401  # pylint: disable=unused-import
    STRINGS_ARE_TEMPLATES = False  # ansible-core 2.19+: only strings tagged as trusted are templates
except ImportError:  # pragma: no cover  # ansible-core 2.18
    STRINGS_ARE_TEMPLATES = True

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, ClientSetupError, NotFound, open_client)
from ansible_collections.goship.containers.plugins.plugin_utils.container_inventory import (
    INSPECT_VAR, InventoryConfigError, accepted, compose_groups, connection_vars, host_vars, label_groups,
    needs_inspect, parse_filters)

display = Display()

DAEMON_OPTIONS = ("docker_host", "tls", "validate_certs", "ca_path", "client_cert", "client_key", "tls_hostname",
                  "api_version", "timeout")
DAEMON_DEFAULTS = {"api_version": "auto", "timeout": 60}
FILE_SUFFIXES = ("docker.yml", "docker.yaml", "docker_containers.yml", "docker_containers.yaml")


class InventoryModule(BaseInventoryPlugin, Constructable):
    """The containers of one engine as hosts."""

    NAME = "goship.containers.docker_containers"

    def verify_file(self, path: str) -> bool:
        return super().verify_file(path) and path.endswith(FILE_SUFFIXES)

    def _daemon_params(self) -> dict[str, Any]:
        return {name: self.get_option(name) for name in DAEMON_OPTIONS}

    def _daemon_vars(self) -> dict[str, Any]:
        """The daemon options set in the file, as the connection plugin's variables."""
        if self.get_option("connection_type") != "docker-api" or not self.get_option("configure_docker_daemon"):
            return {}
        return {"ansible_docker_%s" % name: value for name, value in self._daemon_params().items()
                if value is not None and value != DAEMON_DEFAULTS.get(name)}

    def _condition(self, condition: str, variables: dict[str, Any]) -> bool:
        self.templar.available_variables = variables
        if hasattr(self.templar, "evaluate_conditional"):  # ansible-core 2.19 and later
            return bool(self.templar.evaluate_conditional(condition))
        return boolean(self._compose(condition, variables), strict=False)  # pragma: no cover  # ansible-core 2.18

    def _accepted(self, filters: list[tuple[str, Any]], name: str, variables: dict[str, Any]) -> bool:
        scope = dict(variables, inventory_hostname=name)

        def evaluate(index: int, condition: str) -> bool:
            try:
                return self._condition(condition, scope)
            except Exception as exc:  # pylint: disable=broad-exception-caught  # any template error
                raise AnsibleParserError("filters[%d].%s: cannot be evaluated for container %s: %s"
                                         % (index, filters[index][0], name, exc))
        return accepted(filters, evaluate)

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        try:
            filters = parse_filters(self.get_option("filters"))
        except InventoryConfigError as exc:
            raise AnsibleParserError("%s: %s" % (path, exc))
        try:
            client = open_client(self._daemon_params())
        except ClientSetupError as exc:
            raise AnsibleParserError(str(exc))
        try:
            self._populate(client, filters)
        finally:
            client.close()

    def _populate(self, client: Any, filters: list[tuple[str, Any]]) -> None:
        strict = self.get_option("strict")
        verbose = self.get_option("verbose_output")
        inspect = needs_inspect(verbose, self.get_option("compose"), self.get_option("groups"),
                                self.get_option("keyed_groups"), self.get_option("filters"))
        connection_type = self.get_option("connection_type")
        daemon_vars = self._daemon_vars()
        try:
            containers = client.containers(all=self.get_option("include_stopped"))
        except APIError as exc:
            raise AnsibleParserError("Cannot list the containers of %s: %s" % (client.settings.host, exc))
        for entry in sorted(containers, key=lambda item: item.get("Names") or [item.get("Id")]):
            variables = host_vars(entry)
            name = variables["docker_name"]
            if inspect:
                try:
                    variables[INSPECT_VAR] = client.inspect_container(entry["Id"])
                except NotFound:
                    continue  # removed between the list and the inspect
                except APIError as exc:
                    raise AnsibleParserError("Cannot inspect container %s: %s" % (name, exc))
            reach = connection_vars(connection_type, variables, daemon_vars,
                                    self.get_option("private_ssh_port"), self.get_option("default_ip"))
            if connection_type == "ssh" and not reach:
                display.warning("Container %s does not publish port %s/tcp: it has no ansible_host for SSH"
                                % (name, self.get_option("private_ssh_port")))
            variables.update(reach)
            if STRINGS_ARE_TEMPLATES:
                variables = wrap_var(variables)  # names and labels come from the engine: never templates
            if not self._accepted(filters, name, variables):
                continue
            self._add(name, variables, verbose, strict)

    def _add(self, name: str, variables: dict[str, Any], verbose: bool, strict: bool) -> None:
        self.inventory.add_host(name)
        for key, value in variables.items():
            if key != INSPECT_VAR or verbose:
                self.inventory.set_variable(name, key, value)
        groups = []
        if self.get_option("group_by_compose"):
            groups += compose_groups(variables)
        groups += label_groups(variables["docker_labels"], self.get_option("group_by_labels") or ())
        for group in groups:
            self.inventory.add_group(group)
            self.inventory.add_child(group, name)
        self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
