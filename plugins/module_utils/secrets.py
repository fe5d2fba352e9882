# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which values are secrets, and how they are kept out of everything a module returns, diffs,
fails with or logs. The rule (docs/secrets.md):

1. Values of options marked ``no_log`` (``secret_env``, ``secret_args``, ``secret_build_env``,
   ``join_token``) never appear: Ansible masks them everywhere, whatever their length.
2. In the key/value maps that reach the engine (environment variables, labels, build args), a
   value is a secret when its key looks secret (:func:`looks_secret`), when the task lists the key
   in ``sensitive_keys``, or when the key came through a ``secret_*`` option. The password of a URL
   (``scheme://user:password@host``) is a secret in any value.
3. Every such map the collection returns or diffs shows a secret value as :data:`MASK`, whatever
   its length (:meth:`SecretRule.mask`). Values of at least :data:`MIN_MASKED_LENGTH` characters
   are also registered in ``module.no_log_values`` (:func:`protect`), so Ansible replaces them as
   substrings anywhere in the result: command output, build logs, engine errors, the invocation.
   Shorter values, and the words true/false/yes/no/on/off, are not: masking every ``1`` or ``true``
   of a result would garble it, and no real secret is that short.
4. Error messages about such values name the key and the type, never the value.

Pure functions (no Ansible import): unit-tested in tests/unit/module_utils/test_secrets.py.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Iterable, Mapping, Optional

MASK = "********"  # what Ansible itself puts in place of a no_log value inside a string
CHANGED_MASK = "******** (changed)"  # a diff's "after" for a secret whose value changed
MIN_MASKED_LENGTH = 6
_NOT_SECRETS = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})

# Anywhere in the name (case-insensitive): distinctive enough not to match ordinary settings.
SECRET_NAME_PARTS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "APIKEY",
                     "API_KEY", "PRIVATE_KEY", "PRIVATEKEY", "ACCESS_KEY", "ACCESSKEY", "BASICAUTH")
# Only as a whole word of the name (words are separated by _ - . or /): PASS would match PASSIVE
# or BYPASS, AUTH would match AUTHOR.
SECRET_NAME_WORDS = ("PASS", "PWD", "AUTH", "AUTHORIZATION")
# A name that only points at a secret (Docker's *_FILE convention) holds a path, not the secret;
# and PWD alone is the shell's working directory.
NOT_SECRET_SUFFIXES = ("_FILE",)
NOT_SECRET_NAMES = ("PWD",)

_WORD_SPLIT = re.compile(r"[_\-./]+")
_URL_PASSWORD = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/@:]*:([^\s/@]+)@")


def looks_secret(name: Any) -> bool:
    """True when a variable, label or build arg name looks like it holds a secret."""
    upper = str(name).upper()
    if upper in NOT_SECRET_NAMES or upper.endswith(NOT_SECRET_SUFFIXES):
        return False
    if any(part in upper for part in SECRET_NAME_PARTS):
        return True
    return any(word in SECRET_NAME_WORDS for word in _WORD_SPLIT.split(upper))


def url_passwords(text: str) -> list[str]:
    """The passwords of the URLs in `text` (`postgres://app:PASSWORD@db/app`)."""
    return _URL_PASSWORD.findall(text)


def _mask_url_passwords(text: str) -> str:
    return _URL_PASSWORD.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)] + MASK + "@", text)


def _pairs(mapping: Any) -> list[tuple[str, Any]]:
    """(name, value) of a map or of a `KEY=VALUE` list (the engine's Env form, Compose's list
    form); anything else (a wrong type, still to be refused by validation) has none."""
    if isinstance(mapping, Mapping):
        return [(str(key), value) for key, value in mapping.items()]
    if isinstance(mapping, (list, tuple)):
        pairs = []
        for item in mapping:
            if isinstance(item, str):
                key, sep, value = item.partition("=")
                pairs.append((key, value if sep else None))
        return pairs
    return []


def _leaves(value: Any) -> list[str]:
    """Every scalar inside `value` as text (a secret given with the wrong type is still a secret)."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, Mapping):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, (list, tuple, set)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [str(value)]


class SecretRule:
    """Which names of one object's maps hold secrets: the built-in pattern, the task's
    `sensitive_keys` (exact names or shell-style patterns, case-insensitive), and `secret_names`
    (names given through a `secret_*` option, or recorded on the object by an earlier run)."""

    def __init__(self, sensitive_keys: Iterable[Any] = (), secret_names: Iterable[Any] = ()) -> None:
        self.sensitive_keys = tuple(str(key).upper() for key in sensitive_keys or () if key is not None)
        self.secret_names = frozenset(str(name) for name in secret_names or ())

    def with_names(self, names: Iterable[Any]) -> "SecretRule":
        return SecretRule(self.sensitive_keys, self.secret_names | {str(name) for name in names or ()})

    def is_secret(self, name: Any) -> bool:
        text = str(name)
        if text in self.secret_names or looks_secret(text):
            return True
        upper = text.upper()
        return any(fnmatch.fnmatchcase(upper, pattern) for pattern in self.sensitive_keys)

    def listed(self, names: Iterable[Any]) -> list[str]:
        """The names among `names` that are secret by the task's own choice (secret_* options and
        sensitive_keys), not by the built-in pattern: what an object records for later runs."""
        return sorted({str(name) for name in names if self.is_secret(name) and not looks_secret(name)})

    def values(self, mapping: Any) -> list[str]:
        """The secret values of a map (or KEY=VALUE list): values of secret names, and URL passwords."""
        found: list[str] = []
        for key, value in _pairs(mapping):
            if self.is_secret(key):
                found.extend(_leaves(value))
            elif isinstance(value, str):
                found.extend(url_passwords(value))
        return found

    def mask_value(self, key: Any, value: Any) -> Any:
        if value is None:
            return None
        if self.is_secret(key):
            return MASK
        if isinstance(value, str):
            return _mask_url_passwords(value)
        return value

    def mask(self, mapping: Any) -> Any:
        """A copy of a map (or KEY=VALUE list) with each secret value shown as MASK; other types as given."""
        if isinstance(mapping, Mapping):
            return {key: self.mask_value(key, value) for key, value in mapping.items()}
        if isinstance(mapping, (list, tuple)):
            masked = []
            for item in mapping:
                if isinstance(item, str) and "=" in item:
                    key, _sep, value = item.partition("=")
                    masked.append("%s=%s" % (key, self.mask_value(key, value)))
                else:
                    masked.append(item)
            return type(mapping)(masked) if isinstance(mapping, tuple) else masked
        return mapping

    def mask_pair(self, before: Any, after: Any) -> tuple[Any, Any]:
        """Both sides of a diff of one map: a secret that changed shows as CHANGED_MASK after."""
        masked_before, masked_after = self.mask(before), self.mask(after)
        if isinstance(before, Mapping) and isinstance(after, Mapping) and isinstance(masked_after, dict):
            for key, value in after.items():
                if key in before and before[key] != value and masked_after.get(key) == MASK:
                    masked_after[key] = CHANGED_MASK
        return masked_before, masked_after


def maskable(values: Iterable[Any]) -> set[str]:
    """The values worth masking as substrings everywhere (see the module docstring, point 3)."""
    found = set()
    for value in values:
        for text in (value, value.strip()) if isinstance(value, str) else ():
            if len(text) >= MIN_MASKED_LENGTH and text.lower() not in _NOT_SECRETS:
                found.add(text)
    return found


def protect(module: Any, values: Iterable[Any]) -> None:
    """Register `values` with the AnsibleModule: exit_json and fail_json mask them everywhere."""
    module.no_log_values.update(maskable(values))


# The names a container's own task made secret (secret_env, sensitive_keys), recorded on it so a
# later run (the old value in a diff), container_exec and container_info mask them too.
SECRET_KEYS_LABEL = "io.goship.masked-keys"


def recorded_names(inspect: Optional[Mapping[str, Any]]) -> list[str]:
    labels = ((inspect or {}).get("Config") or {}).get("Labels") or {}
    text = labels.get(SECRET_KEYS_LABEL) if isinstance(labels, Mapping) else None
    return [name for name in str(text or "").split(",") if name]


def container_rule(rule: SecretRule, inspect: Optional[Mapping[str, Any]]) -> SecretRule:
    """`rule` plus the names recorded on the container `inspect` describes."""
    return rule.with_names(recorded_names(inspect))


def env_file_values(text: str) -> dict[str, str]:
    """KEY=VALUE lines of an env file, leniently (the strict parser reports errors; this one only
    finds what to protect before it runs)."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value
    return values


def _build_args_count(cmd: Any) -> int:
    """The classic builder runs a RUN step that sees N build args as Cmd ["|N", "K=V" x N, ...];
    an image's ContainerConfig keeps the last one."""
    if isinstance(cmd, list) and cmd and isinstance(cmd[0], str) and re.fullmatch(r"\|\d+", cmd[0]):
        return min(int(cmd[0][1:]), len(cmd) - 1)
    return 0


def mask_inspect(inspect: Optional[Mapping[str, Any]], rule: SecretRule) -> Any:
    """Inspect data (a container's, an image's) with Config.Env and Config.Labels masked, and
    ContainerConfig's too, with the build args of an image's last RUN step."""
    if not isinstance(inspect, Mapping):
        return inspect
    masked = dict(inspect)
    for section in ("Config", "ContainerConfig"):
        config = masked.get(section)
        if isinstance(config, Mapping):
            config = dict(config)
            for key in ("Env", "Labels"):
                if config.get(key):
                    config[key] = rule.mask(config[key])
            count = _build_args_count(config.get("Cmd"))
            if count:
                config["Cmd"] = config["Cmd"][:1] + rule.mask(config["Cmd"][1:count + 1]) + config["Cmd"][count + 1:]
            masked[section] = config
    return masked


def inspect_secrets(inspect: Optional[Mapping[str, Any]], rule: SecretRule) -> list[str]:
    """The secret values of inspect data (see mask_inspect)."""
    found: list[str] = []
    for section in ("Config", "ContainerConfig"):
        config = (inspect or {}).get(section) or {}
        if isinstance(config, Mapping):
            found.extend(rule.values(config.get("Env")))
            found.extend(rule.values(config.get("Labels")))
            count = _build_args_count(config.get("Cmd"))
            found.extend(rule.values(config["Cmd"][1:count + 1]) if count else [])
    return found


def _swarm_parts(spec: Any) -> list[tuple[Mapping[str, Any], str]]:
    """(dict, key) of a Swarm ServiceSpec's maps: its labels, its container's labels and env."""
    if not isinstance(spec, Mapping):
        return []
    parts: list[tuple[Mapping[str, Any], str]] = [(spec, "Labels")]
    container = (spec.get("TaskTemplate") or {}).get("ContainerSpec") if isinstance(spec.get("TaskTemplate"), Mapping) else None
    if isinstance(container, Mapping):
        parts += [(container, "Env"), (container, "Labels")]
    return parts


def swarm_spec_secrets(spec: Any, rule: SecretRule) -> list[str]:
    return [value for holder, key in _swarm_parts(spec) for value in rule.values(holder.get(key))]


def mask_swarm_spec(spec: Any, rule: SecretRule) -> Any:
    """A Swarm ServiceSpec (or the part of one a diff shows) with env and labels masked."""
    if not isinstance(spec, Mapping):
        return spec
    masked = dict(spec)
    if masked.get("Labels") is not None:
        masked["Labels"] = rule.mask(masked["Labels"])
    template = masked.get("TaskTemplate")
    if isinstance(template, Mapping) and isinstance(template.get("ContainerSpec"), Mapping):
        container = dict(template["ContainerSpec"])
        for key in ("Env", "Labels"):
            if container.get(key) is not None:
                container[key] = rule.mask(container[key])
        masked["TaskTemplate"] = dict(template, ContainerSpec=container)
    return masked


# --- Compose-shaped dicts: a `definition` option, `docker compose config` output, a service's
# --- canonical form in a diff. Secret/config contents are secrets whatever their key.

_SERVICE_MAPS = ("environment", "labels")


def mask_service(service: Any, rule: SecretRule) -> Any:
    """One Compose service (raw or normalised) with environment, labels and build args masked."""
    if not isinstance(service, Mapping):
        return service
    masked = dict(service)
    for key in _SERVICE_MAPS:
        if key in masked:
            masked[key] = rule.mask(masked[key])
    build = masked.get("build")
    if isinstance(build, Mapping) and "args" in build:
        masked["build"] = dict(build, args=rule.mask(build["args"]))
    return masked


def mask_service_pair(before: Any, after: Any, rule: SecretRule) -> tuple[Any, Any]:
    """The two sides of a Compose service's diff (whole services, or just the settings that
    changed): masked as mask_service, with a secret that changed shown as CHANGED_MASK after."""
    masked_before, masked_after = mask_service(before, rule), mask_service(after, rule)
    if isinstance(before, Mapping) and isinstance(after, Mapping) and isinstance(masked_after, dict):
        for key in _SERVICE_MAPS:
            if key in before and key in after:
                masked_after[key] = rule.mask_pair(before[key], after[key])[1]
        old_build, new_build = before.get("build"), after.get("build")
        if isinstance(old_build, Mapping) and isinstance(new_build, Mapping) and "args" in old_build and "args" in new_build:
            masked_after["build"] = dict(masked_after["build"], args=rule.mask_pair(old_build["args"], new_build["args"])[1])
    return masked_before, masked_after


def service_secrets(service: Any, rule: SecretRule) -> list[str]:
    if not isinstance(service, Mapping):
        return []
    found = [value for key in _SERVICE_MAPS for value in rule.values(service.get(key))]
    build = service.get("build")
    if isinstance(build, Mapping):
        found.extend(rule.values(build.get("args")))
    return found


def mask_compose(config: Any, rule: SecretRule) -> Any:
    """A Compose-shaped dict with every service masked and the content of inline secrets and
    configs replaced by MASK."""
    if not isinstance(config, Mapping):
        return config
    masked = dict(config)
    services = masked.get("services")
    if isinstance(services, Mapping):
        masked["services"] = {name: mask_service(service, rule) for name, service in services.items()}
    for section in ("secrets", "configs"):
        items = masked.get(section)
        if isinstance(items, Mapping):
            masked[section] = {name: (dict(item, content=MASK) if isinstance(item, Mapping) and item.get("content") is not None
                                      else item) for name, item in items.items()}
    return masked


def compose_secrets(config: Any, rule: SecretRule) -> list[str]:
    """The secret values of a Compose-shaped dict (see mask_compose)."""
    if not isinstance(config, Mapping):
        return []
    found: list[str] = []
    services = config.get("services")
    if isinstance(services, Mapping):
        for service in services.values():
            found.extend(service_secrets(service, rule))
    for section in ("secrets", "configs"):
        items = config.get(section)
        if isinstance(items, Mapping):
            for item in items.values():
                if isinstance(item, Mapping):
                    found.extend(_leaves(item.get("content")))
    return found


def project_secrets(project: Any, rule: SecretRule) -> list[str]:
    """The secrets of a loaded Compose project (compose/model.py's Project): services' environment
    (env files and interpolation resolved), labels and build args with secret names, and the values
    of top-level secrets and configs given by `environment` or `content`. (`file` ones are
    bind-mounted, never read by the module.)"""
    found = compose_secrets(project.to_config(), rule)
    for item in list(project.secrets.values()) + list(project.configs.values()):
        found.extend(value for value in (item.value, item.content) if value)
    return found
