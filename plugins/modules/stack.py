#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Draft: owned by the Swarm engineer (issue 7, Swarm section); work in progress.

from __future__ import annotations

DOCUMENTATION = r"""
module: stack
short_description: Swarm stack (draft, work in progress)
version_added: 0.1.0
description:
  - Draft placeholder; the full module follows.
extends_documentation_fragment:
  - goship.containers.docker
options: {}
author:
  - goship.containers contributors
"""

EXAMPLES = r"""
- name: Draft
  goship.containers.stack: {}
"""

RETURN = r"""
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import docker_argument_spec


def main():
    module = AnsibleModule(argument_spec=docker_argument_spec(), supports_check_mode=True)
    module.fail_json(msg="goship.containers.stack is not implemented yet")


if __name__ == "__main__":
    main()
