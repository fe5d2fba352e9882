# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The newer service keys, read into the form `docker compose config` prints (issue 17): lifecycle
hooks (`post_start`, `pre_stop`), `develop` (watch rules), `models` and `provider`.

They live in Service.extra, already normalised. Hooks are run by apply/hooks.py; what the engine or
this collection cannot do (models, provider services, watching) is refused by
plan/engine_support.py when a deploy needs it, never while loading.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.load.validate import as_str_dict, as_str_list
from ansible_collections.goship.containers.plugins.module_utils.containers import parse
from ansible_collections.goship.containers.plugins.module_utils.user_input import (
    as_bool, as_enum, as_list, as_mapping, as_scalar_str, as_str, fail, mapping_with, type_name,
)

HOOK_KEYS = ("command", "user", "privileged", "working_dir", "environment")
WATCH_ACTIONS = ("rebuild", "sync", "restart", "sync+restart", "sync+exec")


def _own_keys(item: dict[str, Any], allowed: tuple[str, ...]) -> tuple[str, ...]:
    """`allowed` plus the item's x-* extension keys (kept as written, as the CLI keeps them)."""
    return allowed + tuple(k for k in item if isinstance(k, str) and k.startswith("x-"))


def parse_hook(value: Any, path: str, environ: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """One exec-based hook: command as a list (a string is split as a shell would), environment as
    a mapping (a bare KEY takes its value from the environment, else stays null)."""
    item = mapping_with(value, path, _own_keys(value if isinstance(value, dict) else {}, HOOK_KEYS))
    if item.get("command") is None:
        fail(path + ".command", "is required")
    hook: dict[str, Any] = {"command": list(parse.parse_command(item["command"], path + ".command") or [])}
    if not hook["command"]:
        fail(path + ".command", "must not be empty")
    for key in ("user", "working_dir"):
        if item.get(key) is not None:
            hook[key] = as_str(item[key], "%s.%s" % (path, key))
    if item.get("privileged") is not None:
        hook["privileged"] = as_bool(item["privileged"], path + ".privileged")
    if item.get("environment") is not None:
        env = as_str_dict(item["environment"], path + ".environment", keep_none=True)
        hook["environment"] = {k: (environ or {}).get(k) if v is None else v for k, v in env.items()}
    hook.update({k: v for k, v in item.items() if isinstance(k, str) and k.startswith("x-")})
    return hook


def parse_hooks(value: Any, path: str, environ: Optional[dict[str, str]] = None) -> list[dict[str, Any]]:
    return [parse_hook(item, "%s[%d]" % (path, index), environ) for index, item in enumerate(as_list(value, path))]


def parse_develop(value: Any, path: str) -> dict[str, Any]:
    """`develop`: watch rules with absolute paths (files.py made them so), `include`/`ignore` as
    lists and `exec` filled in (`{"command": null}` when absent), as the CLI prints them."""
    item = mapping_with(value, path, _own_keys(value if isinstance(value, dict) else {}, ("watch",)))
    develop: dict[str, Any] = {k: v for k, v in item.items() if k != "watch"}
    if item.get("watch") is None:
        return develop
    rules = []
    for index, raw in enumerate(as_list(item["watch"], path + ".watch")):
        where = "%s.watch[%d]" % (path, index)
        rule_item = mapping_with(raw, where, _own_keys(raw if isinstance(raw, dict) else {}, (
            "path", "action", "target", "ignore", "include", "exec", "initial_sync")))
        for required in ("path", "action"):
            if rule_item.get(required) is None:
                fail("%s.%s" % (where, required), "is required")
        rule: dict[str, Any] = {"path": as_str(rule_item["path"], where + ".path"),
                                "action": as_enum(rule_item["action"], where + ".action", WATCH_ACTIONS)}
        if rule_item.get("target") is not None:
            rule["target"] = as_str(rule_item["target"], where + ".target")
        if rule_item.get("exec") is not None:
            rule["exec"] = parse_hook(rule_item["exec"], where + ".exec")
        else:
            rule["exec"] = {"command": None}
        if rule["action"] == "sync+exec" and rule["exec"]["command"] is None:
            fail(where + ".exec", "is required for the sync+exec action")
        for key in ("ignore", "include"):
            if rule_item.get(key) is not None:
                rule[key] = as_str_list(rule_item[key], "%s.%s" % (where, key), one=True)
        if rule_item.get("initial_sync") is not None:
            rule["initial_sync"] = as_bool(rule_item["initial_sync"], where + ".initial_sync")
        rule.update({k: v for k, v in rule_item.items() if isinstance(k, str) and k.startswith("x-")})
        rules.append(rule)
    develop["watch"] = rules
    return develop


def parse_service_models(value: Any, path: str) -> dict[str, Optional[dict[str, str]]]:
    """`models: [llm]` or `models: {llm: {endpoint_var, model_var}}` → the mapping form."""
    if isinstance(value, list):
        return {as_str(name, "%s[%d]" % (path, index)): None for index, name in enumerate(value)}
    result: dict[str, Optional[dict[str, str]]] = {}
    for name, item in as_mapping(value, path).items():
        where = "%s.%s" % (path, name)
        if item is None:
            result[name] = None
            continue
        item = mapping_with(item, where, _own_keys(item if isinstance(item, dict) else {}, ("endpoint_var", "model_var")))
        result[name] = {k: as_str(v, "%s.%s" % (where, k)) if not k.startswith("x-") else v for k, v in item.items()}
    return result


def parse_provider(value: Any, path: str) -> dict[str, Any]:
    """`provider: {type, options}`; each option's value printed as a list of strings, as the CLI does."""
    item = mapping_with(value, path, _own_keys(value if isinstance(value, dict) else {}, ("type", "options")))
    if item.get("type") is None:
        fail(path + ".type", "is required")
    provider: dict[str, Any] = {"type": as_str(item["type"], path + ".type")}
    if item.get("options") is not None:
        options = {}
        for key, option in as_mapping(item["options"], path + ".options").items():
            where = "%s.options.%s" % (path, key)
            values = option if isinstance(option, list) else [option]
            for index, one in enumerate(values):
                if isinstance(one, (dict, list)) or one is None:
                    fail(where if not isinstance(option, list) else "%s[%d]" % (where, index),
                         "must be a string, number or boolean, not %s" % type_name(one))
            options[key] = [as_scalar_str(one, where) for one in values]
        provider["options"] = options
    provider.update({k: v for k, v in item.items() if isinstance(k, str) and k.startswith("x-")})
    return provider
