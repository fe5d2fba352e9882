# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`SecretAwareModule`: an AnsibleModule that applies the secrets rule (module_utils/secrets.py)
to its own key/value options from the moment its arguments are parsed, so nothing it returns,
fails with or logs holds a secret, even when it fails before its own code runs:

- the values of secret names in `maps` (options such as `env`, `labels`, `args`) and of the
  `compose` option (a Compose definition) are registered in `no_log_values` before the
  invocation is logged (AnsibleModule logs it to syslog/journald at the end of __init__);
- the `invocation` it returns (always on ansible-core 2.19, with INJECT_INVOCATION on 2.21)
  shows those maps masked whatever the values' length;
- the module's code adds what it learns later (an env file's content, a container's current
  environment) with `protect_map` / `protect_values`, and masks the maps it returns with
  `secret_rule`.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Mapping, Optional

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.goship.containers.plugins.module_utils.secrets import (
    SECRET_KEYS_LABEL, SecretRule, compose_secrets, mask_compose, protect,
)


def sensitive_keys_option() -> dict[str, Any]:
    """The argument spec of `sensitive_keys` (the name says key, its values are names, not secrets)."""
    return dict(type="list", elements="str", default=[], no_log=False)


def _nested(params: Mapping[str, Any], option: str) -> Any:
    """params["build"]["args"] for "build.args" (a map inside a dict option); None when absent."""
    value: Any = params
    for part in option.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


class SecretAwareModule(AnsibleModule):
    """`maps`: option name → the name of its no_log twin (`env` → `secret_env`) or None; a dotted
    name (`build.args`) is a map inside a dict option. `compose`: the option holding a Compose
    definition, if any."""

    def __init__(self, *args: Any, maps: Optional[Mapping[str, Optional[str]]] = None,
                 compose: Optional[str] = None, **kwargs: Any) -> None:
        self._secret_maps = dict(maps or {})
        self._secret_compose = compose
        self._secrets_guarded = False
        self.secret_rule = SecretRule()
        super().__init__(*args, **kwargs)
        self._guard_params()

    # --- what the module learns ---------------------------------------------------------------
    def protect_values(self, values: Iterable[Any]) -> None:
        protect(self, values)

    def protect_map(self, mapping: Any, rule: Optional[SecretRule] = None) -> None:
        protect(self, (rule or self.secret_rule).values(mapping))

    def masked_labels(self, labels: Any) -> Any:
        """An object's labels (a list entry's), masked; the names a container recorded count too."""
        if not isinstance(labels, Mapping):
            return labels
        rule = self.secret_rule.with_names(str(labels.get(SECRET_KEYS_LABEL) or "").split(","))
        self.protect_map(labels, rule)
        return rule.mask(labels)

    def _guard_params(self) -> None:
        """Build the rule from the options and register their secrets; safe on unvalidated params."""
        params = getattr(self, "params", None)
        if self._secrets_guarded or not isinstance(params, dict):
            return
        names: set[str] = set()
        for twin in self._secret_maps.values():
            if twin and isinstance(params.get(twin), Mapping):
                names.update(str(key) for key in params[twin])
        sensitive = params.get("sensitive_keys")
        sensitive = [key for key in sensitive if isinstance(key, str)] if isinstance(sensitive, list) else []
        self.secret_rule = SecretRule(sensitive, names)
        for option in self._secret_maps:
            self.protect_map(_nested(params, option))
        if self._secret_compose:
            self.protect_values(compose_secrets(params.get(self._secret_compose), self.secret_rule))
        self._secrets_guarded = True

    def masked_params(self) -> dict[str, Any]:
        """The module's arguments as the invocation shows them: secret values of the maps masked
        (no_log options are masked by Ansible itself)."""
        params = dict(getattr(self, "params", None) or {})
        for option in self._secret_maps:
            if "." in option:
                outer, inner = option.split(".", 1)
                if isinstance(params.get(outer), Mapping) and _nested(params, option) is not None:
                    params[outer] = dict(params[outer], **{inner: self.secret_rule.mask(_nested(params, option))})
            elif params.get(option) is not None:
                params[option] = self.secret_rule.mask(params[option])
        if self._secret_compose and params.get(self._secret_compose) is not None:
            params[self._secret_compose] = mask_compose(copy.deepcopy(params[self._secret_compose]), self.secret_rule)
        return params

    # --- AnsibleModule hooks ------------------------------------------------------------------
    def _log_invocation(self) -> None:  # called by __init__ (unless no_log) before our own code runs
        self._guard_params()
        super()._log_invocation()

    def exit_json(self, **kwargs: Any) -> Any:  # pylint: disable=arguments-differ
        self._guard_params()
        kwargs.setdefault("invocation", {"module_args": self.masked_params()})
        return super().exit_json(**kwargs)

    def fail_json(self, msg: str, **kwargs: Any) -> Any:  # pylint: disable=arguments-differ
        self._guard_params()
        kwargs.setdefault("invocation", {"module_args": self.masked_params()})
        return super().fail_json(msg, **kwargs)
