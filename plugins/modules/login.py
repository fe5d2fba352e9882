#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: login
short_description: Log in to (or out of) a container registry in the managed host's Docker config
version_added: 0.1.0
description:
  - Like C(docker login) and C(docker logout), and a drop-in for C(community.docker.docker_login)
    (the same options and aliases).
  - The credentials are checked with the registry through the engine (C(POST /auth)) and written to
    the Docker config of the managed host - O(config_path), else C($DOCKER_CONFIG/config.json), else
    C(~/.docker/config.json) - or to the credential helper that file names for the registry
    (C(credHelpers), then C(credsStore)). Every other key of the file is kept; the file is written
    atomically with mode 0600.
  - The C(image), C(container) and C(compose) modules send these credentials with their pulls and
    pushes (the docker SDK reads the same file, found the same way; a O(config_path) elsewhere is
    read by them only through E(DOCKER_CONFIG)).
  - Idempotent - when the stored credentials equal the given ones, nothing is sent or written and the
    task reports no change. A refused login fails the task and writes nothing.
  - The password is never returned, shown in a diff or written anywhere but the Docker config (or
    its credential helper).
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  registry_url:
    description:
      - The registry, as C(host[:port]) or a URL. Docker Hub by default.
      - Stored under the key C(docker login) uses - C(host[:port]), or C(https://index.docker.io/v1/)
        for Docker Hub. An entry under another spelling of the same host is replaced.
    type: str
    default: https://index.docker.io/v1/
    aliases: [registry, url]
  username:
    description:
      - The registry account. Required with O(state=present).
    type: str
  password:
    description:
      - The account's password or access token. Required with O(state=present).
    type: str
  reauthorize:
    description:
      - Check the credentials with the registry even when the stored ones are equal. The task still
        reports a change only when the config changes.
    type: bool
    default: false
    aliases: [reauth]
  config_path:
    description:
      - The Docker config file to use. Defaults to C($DOCKER_CONFIG/config.json), else
        C(~/.docker/config.json), of the user the module runs as.
    type: path
    aliases: [dockercfg_path]
  state:
    description:
      - V(present) logs in; V(absent) logs out (removes the registry's entry and its secret in a
        credential helper). Logging out of a registry that is not there is no change.
    type: str
    default: present
    choices: [present, absent]
attributes:
  check_mode:
    support: full
    description:
      - When the credentials differ from the stored ones, they are still checked with the registry
        (C(POST /auth) stores nothing on the engine), so a wrong password fails in check mode too;
        nothing is written.
  diff_mode:
    support: full
    description: Shows the registry, user name, config file and credential store before and after; never the password.
notes:
  - docs/registries.md in the collection covers TLS registries, credential helpers and shipping through a registry.
seealso:
  - module: goship.containers.image
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: Log in to the team's registry (once per host; pulls of image, container and compose use it)
  goship.containers.login:
    registry_url: registry.example.com:5000
    username: deploy
    password: "{{ vault_registry_password }}"

- name: Log in with a config file of its own
  goship.containers.login:
    registry_url: registry.example.com:5000
    username: deploy
    password: "{{ vault_registry_password }}"
    config_path: /etc/goship/docker-config.json

- name: Log out
  goship.containers.login:
    registry_url: registry.example.com:5000
    state: absent
"""

RETURN = r"""
registry:
  description: The key the registry is stored under in the Docker config.
  returned: always
  type: str
  sample: registry.example.com:5000
config_path:
  description: The Docker config file read and written.
  returned: always
  type: str
  sample: /root/.docker/config.json
credentials_store:
  description: Where the secret is kept - C(config file), or the name of the credential helper.
  returned: always
  type: str
  sample: config file
login_result:
  description: The registry and user name logged in, and the registry's answer when it was asked.
  returned: when O(state=present)
  type: dict
  sample: {serveraddress: "registry.example.com:5000", username: deploy, status: "Login Succeeded"}
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["log in to registry.example.com:5000 as deploy"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import connect, docker_argument_spec
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.registry.login import login_options, run_login_module


def main():
    module = AnsibleModule(argument_spec=docker_argument_spec(**login_options()), supports_check_mode=True,
                           required_if=[("state", "present", ["username", "password"])])
    run_login_module(module, connect, Outcome(module))


if __name__ == "__main__":
    main()
