# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny SecretAwareModule for test_secret_module: returns the raw values of its env in several
places (the way a module's result can hold them: inspect data, command output, a diff, an error)."""
from __future__ import annotations

from ansible_collections.goship.containers.plugins.module_utils.secret_module import (
    SecretAwareModule, sensitive_keys_option,
)


def main() -> None:
    module = SecretAwareModule(
        argument_spec={"env": {"type": "dict"}, "secret_env": {"type": "dict", "no_log": True},
                       "sensitive_keys": sensitive_keys_option(), "fail": {"type": "bool", "default": False},
                       "later": {"type": "str"}, "build": {"type": "dict"}},
        supports_check_mode=True, maps={"env": "secret_env", "build.args": None},
    )
    env = dict(module.params["env"] or {}, **(module.params["secret_env"] or {}))
    if module.params["later"]:  # a value learnt after the arguments (an env file's content)
        module.protect_map({"LATER_TOKEN": module.params["later"]})
        env["LATER_TOKEN"] = module.params["later"]
    entries = ["%s=%s" % item for item in sorted(env.items())]
    output = "\n".join(entries)  # what `env` in the container would print
    if module.params["fail"]:
        module.fail_json(msg="the engine said: %s" % output)
    module.exit_json(changed=True, container={"Config": {"Env": module.secret_rule.mask(entries)}},
                     output=output, diff={"before": {}, "after": {"env": module.secret_rule.mask(env)}})
