# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny AnsibleModule for test_in_worker: echoes its input, fails or crashes when asked."""
from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    module = AnsibleModule(
        argument_spec={"name": {"type": "str", "required": True}, "secret": {"type": "str", "no_log": True},
                       "fail": {"type": "bool", "default": False}, "crash": {"type": "bool", "default": False},
                       "noisy": {"type": "bool", "default": False},
                       "warn": {"type": "bool", "default": False}},
        supports_check_mode=True,
    )
    if module.params["noisy"]:
        os.write(1, b"written straight to fd 1\n")
        print("printed before the result")
    if module.params["warn"]:
        module.warn(f"the module warns about {module.params['name']}")
    if module.params["crash"]:
        raise RuntimeError("the module crashed")
    if module.params["fail"]:
        module.fail_json(msg=f"asked to fail for {module.params['name']}")
    module.exit_json(changed=not module.check_mode, name=module.params["name"],
                     check_mode=module.check_mode, secret_seen=module.params["secret"])
