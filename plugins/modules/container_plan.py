#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_plan
short_description: What the container module would do, planned from the engine state read on the host
version_added: 0.1.0
description:
  - Takes the options of M(goship.containers.container) and reports what that module would do with
    them, without doing it - RV(actions), RV(differences), RV(container) and the diff are those
    a check-mode run of the module on the managed host reports, out-of-band drift included.
  - The managed host runs no module. A few lines of standard-library Python (C(python3 -I -S), no
    packages) read the container's and the image's inspect JSON, and the file in O(env_file), over
    the engine's unix socket; the plan is made on the controller by the code the container module
    plans with. Probing a fleet costs each host one short command instead of a module run.
  - Nothing is ever changed, in or out of check mode. C(changed) tells whether the container module
    would change something, as a check-mode run of it does; set C(changed_when) to taste.
  - Every option has the meaning it has in M(goship.containers.container). O(detach), O(cleanup),
    O(keep_volumes) and O(healthy_wait_timeout) change how a plan is applied, not the plan.
  - Secrets are kept out of the result as the container module keeps them out (docs/secrets.md) -
    values of O(secret_env), and values in O(env), O(env_file) and O(labels) (the container's
    current ones included) whose names look secret, are listed in O(sensitive_keys) or were
    recorded on the container by an earlier run, show as C(********).
  - The engine is read over its unix socket only - O(docker_host) when it is a C(unix://) URL
    (any other URL is refused), else the host's E(DOCKER_HOST) (which must be a unix socket too),
    else C(/var/run/docker.sock). The TLS options do not apply to a unix socket; O(api_version)
    and O(timeout) do.
  - This is an action plugin; the host needs a Python 3 interpreter
    (C(ansible_python_interpreter), else the discovered one, else C(python3)) and nothing else.
    Privilege escalation (C(become)) applies to the read.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
  - goship.containers.container
attributes:
  check_mode:
    support: full
    description: Plans in and out of check mode alike; it never writes.
  diff_mode:
    support: full
    description: The diff the container module shows for the same change.
seealso:
  - module: goship.containers.container
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Would a deploy change anything? No module runs on the host
  goship.containers.container_plan:
    name: shop
    image: shop:1.4.3
    state: healthy
    published_ports: ["127.0.0.1:8080:8080"]
    restart_policy: unless-stopped
  register: shop_plan
  changed_when: false

- name: Deploy only where something would change
  goship.containers.container:
    name: shop
    image: shop:1.4.3
    state: healthy
    published_ports: ["127.0.0.1:8080:8080"]
    restart_policy: unless-stopped
  when: shop_plan.actions | length > 0

- name: The image the container runs now (a rollback target)
  ansible.builtin.debug:
    msg: "{{ shop_plan.container.Image | default('no container') }}"
"""

RETURN = r"""
actions:
  description:
    - The steps the container module would take, each with its reason, in order (a pull first
      when check mode would record one). Empty when the container is as asked.
  returned: success
  type: list
  elements: str
  sample: ["recreate (env differs)", "start (state is healthy)"]
differences:
  description: The options whose value differs from the container's.
  returned: success
  type: list
  elements: str
  sample: ["env"]
container:
  description: The container's inspect data as the engine answers it now (empty when there is none, or with O(state=absent)).
  returned: success
  type: dict
  sample: {"Id": "8e1792f3c801...", "Name": "/shop", "Image": "sha256:1c07...", "State": {"Status": "running"}}
api_requests:
  description: Engine API requests made on the host (the container, the image, the version).
  returned: success
  type: int
  sample: 3
"""
