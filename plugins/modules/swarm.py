#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm
short_description: Make a Docker engine a Swarm manager, join it to a swarm, or make it leave
version_added: 0.1.0
description:
  - Manages the Swarm membership of the engine at O(docker_host) through the Engine API
    (C(POST /swarm/init), C(POST /swarm/join), C(POST /swarm/leave)).
  - Idempotent. V(present) initialises a swarm only when the node is in none; a node that already
    manages a swarm is left as it is. V(join) joins only when the node is in no swarm; a node already
    in the swarm of O(remote_addrs) is left as it is. V(absent) leaves only when the node is in a swarm.
  - Changes the module will not make by itself fail with a message that says what to do. A worker
    cannot become a manager (promote it from a manager), a node in another swarm must leave first,
    a manager leaves only with O(force=true).
  - On a manager, returns the join tokens for the other nodes' V(join) tasks.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  state:
    description:
      - V(present) makes the node a manager of a swarm, initialising a new swarm if the node is in none.
      - V(join) joins the swarm of O(remote_addrs) with O(join_token); the token decides the role
        (worker or manager).
      - V(absent) makes the node leave its swarm.
    type: str
    default: present
    choices: [present, join, absent]
  advertise_addr:
    description:
      - Address (C(ip), C(ip:port) or an interface name such as C(eth0)) other nodes reach this node at.
      - Needed when the node has several addresses. Used by V(present) and V(join).
    type: str
  listen_addr:
    description:
      - Address the node listens on for swarm traffic. Used by V(present) and V(join).
    type: str
    default: 0.0.0.0:2377
  data_path_addr:
    description:
      - Address or interface for data traffic (overlay networks), when it differs from O(advertise_addr).
    type: str
  default_addr_pool:
    description:
      - Address pools (CIDR) for the swarm's overlay networks. Only with V(present), at init.
    type: list
    elements: str
  subnet_size:
    description:
      - Prefix length of the subnets carved from O(default_addr_pool). Only with V(present), at init.
    type: int
  remote_addrs:
    description:
      - Addresses (C(host:2377)) of one or more managers of the swarm to join. Required with V(join).
    type: list
    elements: str
  join_token:
    description:
      - The swarm's worker or manager join token (see RV(join_tokens)). Required with V(join).
    type: str
  force:
    description:
      - With V(absent), let a manager leave. For the last manager this destroys the swarm.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports the action it would take; no write request reaches the engine.
  diff_mode:
    support: full
    description: Shows the node's membership (state, role, address) before and after.
seealso:
  - module: goship.containers.stack
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: First manager
  goship.containers.swarm:
    state: present
    advertise_addr: eth0
  register: swarm_manager
  no_log: true  # the result carries the join tokens

- name: Workers join it
  goship.containers.swarm:
    state: join
    remote_addrs: ["{{ hostvars[groups['managers'][0]].ansible_host }}:2377"]
    join_token: "{{ hostvars[groups['managers'][0]].swarm_manager.join_tokens.worker }}"
    advertise_addr: eth0

- name: Leave
  goship.containers.swarm:
    state: absent
"""

RETURN = r"""
swarm:
  description:
    - The node's swarm membership after the run (in check mode, before it), from C(GET /info).
  returned: always
  type: dict
  contains:
    local_node_state:
      description: C(inactive), C(pending), C(active), C(error) or C(locked).
      type: str
    node_id:
      description: The node's ID in the swarm (empty when inactive).
      type: str
    node_addr:
      description: The address the node advertises.
      type: str
    is_manager:
      description: Whether the node is a manager.
      type: bool
    cluster_id:
      description: The swarm's ID (managers only).
      type: str
    remote_managers:
      description: Manager addresses known to the node.
      type: list
      elements: str
  sample:
    local_node_state: active
    node_id: jtnfjdwgswectilw16ur78qil
    node_addr: 172.28.0.2
    is_manager: true
    cluster_id: dnrvv0z6tt2u9e18urmb74llf
    remote_managers: ["172.28.0.2:2377"]
node:
  description:
    - The node object (C(GET /nodes/{id})) when the node is a manager; empty otherwise.
  returned: always
  type: dict
join_tokens:
  description:
    - The swarm's join tokens, when the node is a manager. B(Secrets)- register the result with
      C(no_log) or pass the tokens on without printing them.
  returned: when the node is a manager
  type: dict
  contains:
    worker:
      description: Token that joins a node as a worker.
      type: str
    manager:
      description: Token that joins a node as a manager.
      type: str
actions:
  description: What was done (or, in check mode, would be done), with the reason.
  returned: always
  type: list
  elements: str
  sample: ["init swarm (node is not in a swarm)"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, connect, docker_argument_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.swarm.node import (
    SWARM_OPTIONS, init_request, join_request, load_swarm_spec, node_state_from_info, plan_swarm,
)


def swarm_view(node):
    return dict(local_node_state=node.local_state, node_id=node.node_id, node_addr=node.node_addr,
                is_manager=node.is_manager, cluster_id=node.cluster_id, remote_managers=node.remote_managers)


def main():
    module = AnsibleModule(argument_spec=docker_argument_spec(**SWARM_OPTIONS), supports_check_mode=True)
    outcome = Outcome(module)
    try:
        spec = load_swarm_spec(module.params)
    except (OptionError, PlanError) as exc:
        module.fail_json(msg=str(exc))
    client = connect(module)
    outcome.watch(client)  # an init or join the engine refuses is no change (outcome.py)
    node = None
    try:
        node = node_state_from_info(client.info())
        tokens = client.inspect_swarm().get("JoinTokens", {}) if node.is_manager else {}
        plan = plan_swarm(spec, node, tokens)
    except (OptionError, PlanError) as exc:
        module.fail_json(msg=str(exc), swarm=swarm_view(node) if node else {})
    except APIError as exc:
        module.fail_json(msg="Reading the swarm state of %s failed: %s" % (client.base_url, exc))

    outcome.set_diff(node.view(), plan.after)
    if plan.action is not None:
        try:
            if plan.action == "init":
                outcome.apply(plan.sentence(), lambda: client.init_swarm(**init_request(spec)))
            elif plan.action == "join":
                outcome.apply(plan.sentence(), lambda: client.join_swarm(**join_request(spec)))
            else:
                outcome.apply(plan.sentence(), lambda: client.leave_swarm(force=spec.force))
        except APIError as exc:
            outcome.fail("%s failed: %s" % (plan.sentence(), exc.explanation or exc))
        if not outcome.check_mode:
            node = node_state_from_info(client.info())
            outcome.set_diff(outcome.before, node.view())
    result = dict(swarm=swarm_view(node), node={})
    if node.is_manager and node.local_state == "active":
        swarm = client.inspect_swarm()
        node_view = client.inspect_node(node.node_id)
        result["node"] = node_view
        result["swarm"]["cluster_id"] = swarm.get("ID", "")
        result["join_tokens"] = dict(worker=swarm["JoinTokens"]["Worker"], manager=swarm["JoinTokens"]["Manager"])
    outcome.exit(**result)


if __name__ == "__main__":
    main()
