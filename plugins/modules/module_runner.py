#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: module_runner
short_description: The action plugin every module of this collection runs through (not a task of its own)
version_added: 0.1.0
description:
  - Documents where the collection's modules run; a task naming C(goship.containers.module_runner)
    itself fails. The collection's C(meta/runtime.yml) routes every module to this action plugin.
  - When the module would run on the controller's own Python anyway - a local connection,
    C(ansible_python_interpreter) in the same bin folder as the running Ansible, no C(become),
    C(async) or task C(environment) - the module's C(main) function runs in a fork of the Ansible worker,
    with its arguments and result passed as JSON exactly as for a shipped module. That skips the
    module payload build, a new Python and the import of the Docker SDK on every task.
  - Everywhere else (SSH hosts, another interpreter, become) the module is shipped to the host
    as usual.
  - Set the variable C(goship_in_worker=false) (any variable scope) to ship the modules always.
    With C(-vvv) each task says which way it ran and why.
  - The worker path is used on the ansible-core versions this collection's tests run on (2.18 to
    2.21); a newer ansible-core ships every module until the collection is tested on it.
options: {}
attributes:
  check_mode:
    support: full
    description: Each module's own check mode applies.
  diff_mode:
    support: full
    description: Each module's own diff mode applies.
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Ship every module of the collection, even on the controller's own Python
  hosts: localhost
  vars:
    goship_in_worker: false
  tasks:
    - name: Runs as a shipped module
      goship.containers.host_info:
"""

RETURN = r"""
"""
