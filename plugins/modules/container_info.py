#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_info
short_description: State, health, resource limits and recent logs of Docker containers
version_added: 0.1.0
description:
  - With O(name), returns whether the container exists, its inspect data and a summary of its
    state, health and resource limits, and with O(logs=true) its recent log lines.
  - Without O(name), lists the containers matching O(labels) and O(filters) with short summaries
    from one list call.
  - Never changes anything.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  name:
    description: Name or ID of one container.
    type: str
  labels:
    description:
      - "Without O(name), list only containers with these labels: a mapping (C({app: shop}); a null
        value matches any value) or a list of C(key) / C(key=value) strings."
    type: raw
  filters:
    description:
      - Without O(name), further filters as C(docker ps --filter) takes them (C(status), C(name),
        C(ancestor), C(network) ...). Values are strings or lists of strings.
    type: dict
  sensitive_keys:
    description:
      - More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of
        environment variables and labels whose values are secrets.
      - Secret values show as C(********) in RV(container) (C(Config.Env), C(Config.Labels)) and in
        the summaries' labels - those whose names look secret (built in, as for
        M(goship.containers.container)'s O(goship.containers.container#module:sensitive_keys)),
        those listed here, and those the container's own M(goship.containers.container) task gave
        through C(secret_env) or C(sensitive_keys) (recorded in its C(io.goship.masked-keys) label).
      - Values of 6 characters or more (other than true, false, yes, no, on, off) are also masked in
        the log lines.
    type: list
    elements: str
    default: []
  all:
    description: Without O(name), list stopped containers too.
    type: bool
    default: true
  logs:
    description: With O(name), return the container's recent log lines in RV(stdout_lines) and RV(stderr_lines).
    type: bool
    default: false
  tail:
    description:
      - With O(logs=true), the number of most recent log lines to return; V(0) returns all.
      - The engine counts the lines of both streams together, so RV(stdout_lines) and
        RV(stderr_lines) hold at most O(tail) lines between them.
    type: int
    default: 100
  since:
    description:
      - With O(logs=true), only lines logged after this time, as a UNIX timestamp, a duration ago
        (C(10m), C(1h30m)) or an RFC 3339 time (C(2026-11-22T06:00:00Z)).
    type: str
  timestamps:
    description: With O(logs=true), prefix each line with its RFC 3339 timestamp.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
seealso:
  - module: goship.containers.container
  - module: goship.containers.container_exec
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Is the app there, and healthy?
  goship.containers.container_info:
    name: shop
  register: shop

- name: Fail unless it runs within its memory limit
  ansible.builtin.assert:
    that:
      - shop.exists
      - shop.summary.health == "healthy"
      - shop.summary.limits.memory == 134217728

- name: The last 20 log lines of the last ten minutes
  goship.containers.container_info:
    name: shop
    logs: true
    tail: 20
    since: 10m
  register: shop_logs

- name: Every container of the shop stack, running or not
  goship.containers.container_info:
    labels:
      com.example.stack: shop
  register: stack
"""

RETURN = r"""
exists:
  description: Whether the container named by O(name) exists.
  returned: when O(name) is given
  type: bool
container:
  description: The container's inspect data (empty when it does not exist).
  returned: when O(name) is given
  type: dict
summary:
  description: State, health and resource limits of the container (empty when it does not exist).
  returned: when O(name) is given
  type: dict
  contains:
    status:
      description: created, running, paused, restarting, removing, exited or dead.
      type: str
      returned: when the container exists
    health:
      description: starting, healthy or unhealthy; null without a healthcheck.
      type: str
      returned: when the container exists
    health_log:
      description: The last health check results (exit_code, output, end).
      type: list
      elements: dict
      returned: when the container exists
    limits:
      description:
        - memory, memory_reservation, memory_swap (bytes), cpus, cpu_shares, pids_limit, cpu_period,
          cpu_quota (microseconds), cpuset_cpus, cpuset_mems, blkio_weight, oom_score_adj, oom_kill_disable.
        - 0 (or an empty string) means unlimited or the engine's default.
      type: dict
      returned: when the container exists
    published_ports:
      description: Published ports, C(host_ip:host_port->container_port/protocol).
      type: list
      elements: str
      returned: when the container exists
  sample: {"name": "shop", "status": "running", "health": "healthy", "limits": {"memory": 134217728, "cpus": 0.5}}
stdout_lines:
  description: Recent lines the container wrote to stdout (all output for a TTY container).
  returned: when O(logs=true) and the container exists
  type: list
  elements: str
  sample: ["ENV LOG_LEVEL=info", "testapp 1 listening on :8080"]
stderr_lines:
  description: Recent lines the container wrote to stderr.
  returned: when O(logs=true) and the container exists
  type: list
  elements: str
containers:
  description: Summaries (id, name, image, status, running, health, labels, published_ports, networks) of the matching containers.
  returned: when O(name) is not given
  type: list
  elements: dict
"""

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, NotFound, connect, docker_argument_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.info import (
    label_filters, parse_since, split_lines, summary_from_inspect, summary_from_list,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule, sensitive_keys_option
from ansible_collections.goship.containers.plugins.module_utils.secrets import (
    container_rule, inspect_secrets, mask_inspect,
)

INFO_OPTIONS = dict(
    name=dict(type="str"),
    labels=dict(type="raw"),
    filters=dict(type="dict"),
    all=dict(type="bool", default=True),
    logs=dict(type="bool", default=False),
    tail=dict(type="int", default=100),
    since=dict(type="str"),
    timestamps=dict(type="bool", default=False),
    sensitive_keys=sensitive_keys_option(),
)


def _masked_summary(module, summary):
    return dict(summary, labels=module.masked_labels(summary["labels"])) if "labels" in summary else summary


def _logs(client, container, params, since):
    options = dict(timestamps=params["timestamps"], tail=params["tail"] if params["tail"] > 0 else "all")
    if since is not None:
        options["since"] = since
    tty = bool((container.get("Config") or {}).get("Tty"))
    stdout = client.logs(container["Id"], stdout=True, stderr=tty, **options)
    stderr = b"" if tty else client.logs(container["Id"], stdout=False, stderr=True, **options)
    return split_lines(stdout), split_lines(stderr)


def main():
    module = SecretAwareModule(argument_spec=docker_argument_spec(**INFO_OPTIONS), supports_check_mode=True)
    params = module.params
    try:
        since = parse_since(params["since"])
        if params["tail"] < 0:
            raise OptionError("tail", "must be 0 (all lines) or more")
        labels = params["labels"]
        if labels is not None and not isinstance(labels, (dict, list)):
            raise OptionError("labels", "expected a mapping or a list of key=value strings")
        filters = dict(params["filters"] or {})
        if labels:
            filters["label"] = label_filters(labels) + list(filters.get("label") or [])
    except OptionError as exc:
        module.fail_json(msg=str(exc))
    client = connect(module)
    try:
        if params["name"]:
            try:
                container = client.inspect_container(params["name"])
            except NotFound:
                module.exit_json(changed=False, exists=False, container={}, summary={})
            rule = container_rule(module.secret_rule, container)
            module.protect_values(inspect_secrets(container, rule))
            summary = _masked_summary(module, summary_from_inspect(container))
            result = dict(changed=False, exists=True, container=mask_inspect(container, rule), summary=summary)
            if params["logs"]:
                result["stdout_lines"], result["stderr_lines"] = _logs(client, container, params, since)
            module.exit_json(**result)
        listed = client.containers(all=params["all"], filters=filters or None)
        module.exit_json(changed=False, containers=[_masked_summary(module, summary_from_list(entry)) for entry in listed])
    except APIError as exc:
        module.fail_json(msg="Reading containers failed: %s" % exc)


if __name__ == "__main__":
    main()
