#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: volume
short_description: Manage Docker volumes without losing data by accident
version_added: 0.1.0
description:
  - Create and remove Docker volumes.
  - A volume's driver, driver options and labels cannot change after creation, and replacing a
    volume destroys its data. So when an existing volume differs from the task, the module by
    default (O(recreate=never)) leaves it as it is and reports no change, as community.docker's
    docker_volume does; it names each difference in RV(differences) and in a warning. It never
    destroys data unless O(recreate) asks for it.
  - A volume that containers use (running or stopped) is never removed or recreated; the module
    fails and names the containers before it changes anything.
extends_documentation_fragment:
  - goship.containers.docker
  - goship.containers.docker.modules
options:
  name:
    description:
      - Name of the volume.
    type: str
    required: true
    aliases: [volume_name]
  state:
    description:
      - V(present) creates the volume if it does not exist, and checks the options of an existing one.
      - V(absent) removes the volume and its data.
    type: str
    default: present
    choices: [present, absent]
  driver:
    description:
      - Volume driver.
    type: str
    default: local
  driver_options:
    description:
      - Driver options, such as C(type), C(device) and C(o) of the V(local) driver.
      - When set, the volume's options must be exactly these. When not set, they are not compared.
      - Boolean values are written as V(true)/V(false), numbers as decimal strings.
    type: dict
  labels:
    description:
      - Labels of the volume. When set, the volume's labels must be exactly these. When not set, they
        are not compared.
    type: dict
  recreate:
    description:
      - What to do when an existing volume differs from O(driver), O(driver_options) or O(labels).
      - V(never) leaves a volume that differs as it is (no change), and warns naming each difference.
      - V(options-changed) removes the volume (B(its data is lost)) and creates it with the new options.
      - V(always) removes and creates the volume on every run (B(its data is lost)); the task always reports a change.
    type: str
    default: never
    choices: [never, options-changed, always]
attributes:
  check_mode:
    support: full
    description: Plans and reports the actions; no write request reaches the engine.
  diff_mode:
    support: full
    description: Shows the volume (driver, driver options, labels) before and after.
seealso:
  - module: goship.containers.network
  - module: goship.containers.host_info
author:
  - goship.containers contributors (@goship)
"""

EXAMPLES = r"""
- name: A volume for database files
  goship.containers.volume:
    name: pgdata
    labels:
      app: shop

- name: A tmpfs-backed volume, replaced when its options change (its data is disposable)
  goship.containers.volume:
    name: scratch
    driver_options:
      type: tmpfs
      device: tmpfs
      o: size=64m
    recreate: options-changed

- name: Remove a volume and its data
  goship.containers.volume:
    name: scratch
    state: absent
"""

RETURN = r"""
volume:
  description:
    - The volume as the engine reports it (C(GET /volumes/{name})) after the run.
    - In check mode, the volume as it is before the run. Empty when the volume does not exist.
  returned: always
  type: dict
  sample:
    Name: pgdata
    Driver: local
    Mountpoint: /var/lib/docker/volumes/pgdata/_data
    Labels: {app: shop}
    Options: null
    Scope: local
differences:
  description: The options (C(driver), C(driver_options), C(labels)) in which the existing volume differs from the task.
  returned: always
  type: list
  elements: str
  sample: [labels]
actions:
  description: What was done (or, in check mode, would be done), one sentence per API action, with the reason.
  returned: always
  type: list
  elements: str
  sample: ["create volume pgdata (volume does not exist)"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.client import (
    APIError, NotFound, connect, docker_argument_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.volumes import (
    VOLUME_OPTIONS, OptionError, PlanError, load_volume_spec, plan_volume, volume_differences,
    volume_state_from_inspect,
)


def main():
    module = AnsibleModule(argument_spec=docker_argument_spec(**VOLUME_OPTIONS), supports_check_mode=True)
    outcome = Outcome(module)
    try:
        spec = load_volume_spec(module.params)
    except OptionError as exc:
        module.fail_json(msg=str(exc))
    client = connect(module)
    outcome.watch(client)  # a create the engine refuses is no change (outcome.py)
    try:
        try:
            current = client.inspect_volume(spec.name)
        except NotFound:
            current = None
        state = volume_state_from_inspect(current) if current else None
        removal_possible = state is not None and (
            spec.state == "absent" or spec.recreate == "always"
            or (spec.recreate == "options-changed" and volume_differences(spec, state)))
        users = []
        if removal_possible:
            users = [(c.get("Names") or ["/" + c["Id"][:12]])[0].lstrip("/")
                     for c in client.containers(all=True, filters={"volume": spec.name})]
        plan = plan_volume(spec, state, users)
    except (OptionError, PlanError) as exc:
        module.fail_json(msg=str(exc))
    except APIError as exc:
        module.fail_json(msg="Reading volume %s failed: %s" % (spec.name, exc))

    if plan.kept:
        module.warn(plan.kept)
    outcome.set_diff(plan.before, plan.after)
    try:
        for (kind, reason), action in zip(plan.steps, plan.actions):
            if kind == "remove":
                outcome.apply(action, lambda: client.remove_volume(spec.name))
            else:
                created = plan.create
                outcome.apply(action, lambda: client.create_volume(
                    name=created.name, driver=created.driver,
                    driver_opts=created.driver_options or None, labels=created.labels or None))
    except APIError as exc:
        outcome.fail("%s failed: %s" % (outcome.failed_step("volume"), exc.explanation or exc))

    volume = current or {}
    if outcome.changed and not outcome.check_mode:
        volume = client.inspect_volume(spec.name) if spec.state == "present" else {}
    outcome.exit(volume=volume, differences=list(plan.differences))


if __name__ == "__main__":
    main()
