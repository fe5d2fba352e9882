# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The values of a service's settings, as a diff shows them, with every secret masked.

Each container records its service's canonical form in the label `io.goship.compose.values`
(`recorded_values`), so the diff of a later run shows each changed setting before (from that
label, read by the containers list call every run makes anyway: no extra request) and after (from
the project), in Compose's long syntax: environment as a map, ports and volumes as entries.

Secrets never reach the label in clear: the values of secret names in `environment` and `labels`
(the task's SecretRule), and any string that holds a known secret value (the project's secrets
and configs given by environment or content, URL passwords) are recorded as a token, MASK plus
eight hex digits of the value's sha256, so a diff can say a secret changed without showing it.
(Whoever can read a container's labels can read its environment in clear through inspect.)
`shown_pair` turns tokens into MASK, and into CHANGED_MASK on the after side when it changed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Mapping, Optional

from ansible_collections.goship.containers.plugins.module_utils.secrets import CHANGED_MASK, MASK, SecretRule, maskable, url_passwords

TOKEN_PREFIX = MASK + "#"
_SECRET_MAPS = ("environment", "labels")


def token(value: str) -> str:
    return TOKEN_PREFIX + hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]


def _is_token(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def _scrub(value: Any, secrets: frozenset[str], substrings: tuple[str, ...]) -> Any:
    """Every string leaf that is, or holds, a secret becomes its token."""
    if isinstance(value, str):
        if value in secrets or url_passwords(value) or any(s in value for s in substrings):
            return token(value)
        return value
    if isinstance(value, Mapping):
        return {k: _scrub(v, secrets, substrings) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v, secrets, substrings) for v in value]
    return value


def masked_canonical(canonical: Mapping[str, Any], rule: Optional[SecretRule] = None,
                     secret_values: Iterable[str] = ()) -> dict[str, Any]:
    """The canonical form with every secret as a token (see the module docstring)."""
    rule = rule or SecretRule()
    known = frozenset(v for v in secret_values if isinstance(v, str) and v)
    substrings = tuple(sorted(maskable(known), key=len, reverse=True))
    out: dict[str, Any] = {}
    for key, value in canonical.items():
        if key in _SECRET_MAPS and isinstance(value, Mapping):
            value = {name: (token(str(item)) if item is not None and rule.is_secret(name) else item)
                     for name, item in value.items()}
        out[key] = _scrub(value, known, substrings)
    return out


def recorded_values(canonical: Mapping[str, Any], rule: Optional[SecretRule] = None,
                    secret_values: Iterable[str] = ()) -> str:
    """The label text: the masked canonical form as compact JSON (sorted keys)."""
    return json.dumps(masked_canonical(canonical, rule, secret_values), sort_keys=True, separators=(",", ":"))


def parse_values(text: Optional[str]) -> Optional[dict[str, Any]]:
    """The recorded values, or None for a container made without the label (or a damaged one)."""
    if not text:
        return None
    try:
        values = json.loads(text)
    except ValueError:
        return None
    return values if isinstance(values, dict) else None


def _shown(value: Any, rule: SecretRule, key: Optional[str] = None) -> Any:
    if _is_token(value):
        return MASK
    if isinstance(value, Mapping):
        return {k: (MASK if v is not None and key in _SECRET_MAPS and rule.is_secret(k) else _shown(v, rule))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v, rule) for v in value]
    return value


def _changed_secrets(before: Any, after: Any, shown: Any) -> Any:
    """`shown` (the after side) with CHANGED_MASK where a masked value differs from before."""
    if isinstance(after, Mapping) and isinstance(shown, dict):
        old = before if isinstance(before, Mapping) else {}
        return {k: _changed_secrets(old.get(k), after[k], v) if k in old else v for k, v in shown.items()}
    if isinstance(after, list) and isinstance(shown, list) and isinstance(before, list) and len(before) == len(after):
        return [_changed_secrets(b, a, s) for b, a, s in zip(before, after, shown)]
    if shown == MASK and before != after:
        return CHANGED_MASK
    return shown


def shown_pair(before: Mapping[str, Any], after: Mapping[str, Any], keys: Iterable[str],
               rule: Optional[SecretRule] = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values of `keys` before and after, as a diff shows them (absent: None). The current
    rule masks too, so a name made secret after the container was created is masked on both sides."""
    rule = rule or SecretRule()
    old = {key: _shown(before.get(key), rule, key) for key in keys}
    new = {key: _changed_secrets(before.get(key), after.get(key), _shown(after.get(key), rule, key)) for key in keys}
    return old, new
