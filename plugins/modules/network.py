#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: network
short_description: Manage Docker networks and the containers connected to them
version_added: 0.1.0
description:
  - Create, recreate and remove Docker networks, and connect or disconnect containers.
  - The Engine API cannot change a network's options after creation. When one of the options
    O(driver), O(driver_options), O(ipam_config), O(ipam_driver), O(ipam_driver_options), O(internal),
    O(attachable), O(enable_ipv6), O(labels), O(scope), O(config_only) or O(config_from) differs from
    the existing network, the network is recreated. Every container attached to it is
    disconnected first and, unless O(connected) with O(appends=false) leaves it out, reconnected to
    the new network with the same aliases (and static addresses that still fit the new subnets).
  - On a recreate, options that are not set keep the old network's values, so a recreate changes
    only what the task asks to change.
  - If the engine rejects the new network during a recreate, the old network is created again and
    its containers reconnected before the module fails.
  - Options that are not set are never compared with the existing network.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  name:
    description:
      - Name of the network.
    type: str
    required: true
    aliases: [network_name]
  state:
    description:
      - V(present) creates the network or makes it match the options.
      - V(absent) removes it. Containers still attached are disconnected first (they keep running), as
        community.docker's docker_network does.
    type: str
    default: present
    choices: [present, absent]
  driver:
    description:
      - Network driver, such as V(bridge), V(macvlan) or V(overlay).
      - When not set, a new network uses V(bridge) and an existing network's driver is not compared.
    type: str
  driver_options:
    description:
      - Driver options, such as C(com.docker.network.bridge.enable_icc).
      - Only the options listed here are compared; options a driver adds by itself are accepted.
        To drop an option, recreate the network (remove it, then create it).
      - Boolean values are written as V(true)/V(false), numbers as decimal strings.
    type: dict
  ipam_config:
    description:
      - IP address pools of the network.
      - For each IP version (IPv4, IPv6) that appears here, the network's pools of that version must
        be exactly these. Pools of a version not listed are left to the engine.
      - Within a pool, fields not set (O(ipam_config[].gateway) and so on) are the engine's choice and
        not compared.
      - An empty list is the same as not setting the option.
    type: list
    elements: dict
    suboptions:
      subnet:
        description:
          - Subnet in CIDR notation, such as V(172.30.0.0/24) or V(fd00:1::/64). Host bits must be zero.
        type: str
        required: true
      gateway:
        description:
          - Gateway address, inside O(ipam_config[].subnet).
        type: str
      iprange:
        description:
          - Range (CIDR) inside O(ipam_config[].subnet) from which container addresses are allocated.
        type: str
        aliases: [ip_range]
      aux_addresses:
        description:
          - Addresses the engine must not hand out to containers, as a mapping of host name to IP address
            inside O(ipam_config[].subnet).
        type: dict
  internal:
    description:
      - Restrict external access to the network.
      - When not set, a new network is not internal and an existing network is not compared.
    type: bool
  attachable:
    description:
      - Allow standalone containers to attach to a swarm-scoped (overlay) network.
      - When not set, a new network is not attachable and an existing network is not compared.
    type: bool
  enable_ipv6:
    description:
      - Enable IPv6 on the network. Unless the daemon has IPv6 default address pools, give an IPv6
        subnet in O(ipam_config).
      - When not set, a new network has no IPv6 and an existing network is not compared.
    type: bool
  labels:
    description:
      - Labels of the network. When set, the network's labels must be exactly these.
    type: dict
  ipam_driver:
    description:
      - IPAM driver of the network, such as V(default) (the engine's built-in driver) or an IPAM plugin.
      - When not set, a new network uses V(default) and an existing network's IPAM driver is not compared.
      - A driver the engine does not have makes the engine refuse the create; on a recreate the old
        network is put back.
    type: str
  ipam_driver_options:
    description:
      - Options of the IPAM driver. When set, the network's IPAM options must be exactly these (as
        community.docker compares them); V({}) asks for none.
    type: dict
  scope:
    description:
      - Scope of the network. Docker networks are V(local) unless created on a swarm manager.
      - V(swarm) and V(global) need an engine that is a swarm manager; on any other engine the task
        fails naming O(scope) before any change.
      - When not set, a new network has its driver's scope and an existing network is not compared.
    type: str
    choices: [local, global, swarm]
  config_only:
    description:
      - Create a config-only network. It holds configuration (O(ipam_config), O(ipam_driver),
        O(ipam_driver_options), O(driver_options), O(labels), O(enable_ipv6)) for other networks
        created from it with O(config_from); containers cannot be connected to it. The engine reports
        its driver as V(null) and its scope as V(local).
      - O(driver) (other than V(null)), O(internal), O(attachable), O(scope) other than V(local) and
        O(connected) are refused with O(config_only=true).
      - The engine refuses to remove a config-only network while networks created from it exist, so
        a change that recreates it, or O(state=absent), fails naming those networks before any change.
      - When not set, an existing network is not compared.
    type: bool
  config_from:
    description:
      - Name of a config-only network (O(config_only=true)) to take the configuration from, that is its IPAM
        pools and driver, IPAM and driver options, labels and O(enable_ipv6).
      - The engine refuses those options on a network created from another one, so setting one of them
        with O(config_from) fails naming it; set them on the config-only network.
      - The network named here must exist and be config-only, or the task fails before any change.
      - V('') asks for a network that is not created from a config-only network.
      - When not set, an existing network is not compared.
    type: str
  connected:
    description:
      - Containers (names or IDs) that must be connected to the network. They must exist.
      - With O(appends=false), containers attached to the network but not listed are disconnected.
      - When not set, the containers attached to the network are left as they are.
    type: list
    elements: str
    aliases: [containers]
  appends:
    description:
      - Only connect the containers in O(connected); never disconnect other containers.
    type: bool
    default: false
  force:
    description:
      - Accepted for community.docker's docker_network tasks, where it recreates the network with
        O(state=present). Here a network is recreated when one of its options differs, and only then, so
        O(force=true) with O(state=present) changes nothing and the task warns saying so. With
        O(state=absent) attached containers are disconnected with or without it.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Plans and reports the actions; no write request reaches the engine.
  diff_mode:
    support: full
    description: Shows the network (options and connected containers) before and after.
notes:
  - Containers that are stopped but attached to the network count as attached.
seealso:
  - module: goship.containers.volume
  - module: goship.containers.host_info
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: A bridge network with a fixed subnet
  goship.containers.network:
    name: backend
    ipam_config:
      - subnet: 172.30.10.0/24
        gateway: 172.30.10.1
    labels:
      app: shop

- name: Connect two containers, keep the others that are attached
  goship.containers.network:
    name: backend
    connected: [api, worker]
    appends: true

- name: Exactly these containers on an internal network
  goship.containers.network:
    name: db-net
    internal: true
    connected: [api, postgres]

- name: A config-only network holds the addresses ...
  goship.containers.network:
    name: shop-config
    config_only: true
    ipam_config:
      - subnet: 172.30.20.0/24

- name: ... and another network is created from it
  goship.containers.network:
    name: shop-net
    config_from: shop-config

- name: Remove a network, disconnecting what is still attached
  goship.containers.network:
    name: backend
    state: absent
"""

RETURN = r"""
differences:
  description:
    - The options in which the existing network differs from the task (and for which it was, or in check mode
      would be, recreated), such as C(ipam_config) or C(labels). Empty for a new or a matching network.
  returned: always
  type: list
  elements: str
  sample: [labels]
network:
  description:
    - The network as the engine reports it (C(GET /networks/{id})) after the run.
    - In check mode, the network as it is before the run. Empty when the network does not exist.
  returned: always
  type: dict
  sample:
    Name: backend
    Id: 0b9c7dbe1d8f6c1f4e1f0a4b5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8
    Driver: bridge
    Internal: false
    IPAM:
      Driver: default
      Config: [{Subnet: 172.30.10.0/24, Gateway: 172.30.10.1}]
    Labels: {app: shop}
    Containers: {}
actions:
  description: What was done (or, in check mode, would be done), one sentence per API action, with the reason.
  returned: always
  type: list
  elements: str
  sample:
    - "create network backend (network does not exist)"
    - "connect container api to network backend (listed in connected)"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, NotFound, connect, docker_argument_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.networks.apply import apply_network_plan
from ansible_collections.goship.containers.plugins.module_utils.networks.observed import (
    attached_containers, check_engine_can_create, config_dependents, find_network, network_state_from_inspect,
    resolve_containers,
)
from ansible_collections.goship.containers.plugins.module_utils.networks.plan import network_differences, plan_network
from ansible_collections.goship.containers.plugins.module_utils.networks.spec import (
    NETWORK_OPTIONS, load_network_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError


def main():
    module = AnsibleModule(argument_spec=docker_argument_spec(**NETWORK_OPTIONS), supports_check_mode=True)
    outcome = Outcome(module)
    try:
        spec = load_network_spec(module.params)
    except OptionError as exc:
        module.fail_json(msg=str(exc))
    if spec.force and spec.state == "present":
        module.warn("force: a network is recreated when one of its options differs (and only then), so force=true "
                    "with state=present does not recreate it on every run as community.docker's docker_network does")
    client = connect(module)
    outcome.watch(client)  # a create the engine refuses is no change (outcome.py)
    try:
        listed = find_network(client, spec.name)
        state = network_state_from_inspect(listed) if listed else None
        need_containers = bool(spec.connected) or (state is not None and (
            spec.state == "absent" or spec.connected is not None or network_differences(spec, state)))
        containers = client.containers(all=True) if need_containers else []
        attached = attached_containers(containers, state) if state is not None else []
        wanted = resolve_containers("connected", spec.connected, containers) if spec.connected else []
        plan = plan_network(spec, state, attached, wanted, config_dependents(client, state))
        check_engine_can_create(client, plan.config)
    except (OptionError, PlanError) as exc:
        module.fail_json(msg=str(exc))
    except APIError as exc:
        module.fail_json(msg="Reading network %s failed: %s" % (spec.name, exc))

    outcome.set_diff(plan.before, plan.after)
    try:
        apply_network_plan(client, plan, outcome.apply)
    except APIError as exc:
        outcome.fail("%s failed: %s" % (outcome.failed_step("network"), exc.explanation or exc))

    network = {}
    if outcome.check_mode or not outcome.changed:
        network = client.inspect_network(state.id) if state is not None else {}
    elif spec.state == "present":
        try:
            network = client.inspect_network(spec.name)
        except NotFound:
            network = {}
    outcome.exit(network=network, differences=list(plan.differences))


if __name__ == "__main__":
    main()
