# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks for single Compose values: each returns the value in its normal form or raises a
ComposeError naming the path (`services.web.read_only: must be a boolean ...`).

Hand-written rather than driven by the JSON schema: the module runs them on every task and they
must stay fast. tests/compose_oracle holds them against the official schema.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.units import parse_duration_ns, parse_size_bytes


def fail(path: str, message: str) -> Any:
    raise ComposeError(path, message)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def list_to_dict(value: Any, separator: str = "=") -> Any:
    """`["A=1", "B"]` → `{"A": "1", "B": None}`; other values are returned unchanged (validated later)."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return value
    result: dict[str, Optional[str]] = {}
    for item in value:
        key, sep, rest = item.partition(separator)
        result[key] = rest if sep else None
    return result


def as_str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        fail(path, "must be a string, not %s" % type_name(value))
    return value


def as_scalar_str(value: Any, path: str) -> str:
    """Strings, numbers and booleans as Compose prints them in string contexts."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    return as_str(value, path)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "True", "TRUE", "1", "t", "T"):
        return True
    if isinstance(value, str) and value in ("false", "False", "FALSE", "0", "f", "F"):
        return False
    return fail(path, "must be a boolean (true or false), not %r" % (value,))


def as_int(value: Any, path: str, minimum: Optional[int] = None) -> int:
    if isinstance(value, bool):
        fail(path, "must be an integer, not a boolean")
    if isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value.strip()):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        fail(path, "must be an integer, not %r" % (value,))
    if minimum is not None and value < minimum:
        fail(path, "must be %d or more, not %d" % (minimum, value))
    return value


def as_float(value: Any, path: str) -> float:
    if isinstance(value, bool):
        fail(path, "must be a number, not a boolean")
    try:
        return float(value)
    except (TypeError, ValueError):
        return fail(path, "must be a number, not %r" % (value,))


def as_duration(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        fail(path, "must be a duration like 30s or 1m30s, not %s" % type_name(value))
    try:
        return parse_duration_ns(value)
    except ValueError as exc:
        return fail(path, str(exc))


def as_size(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        fail(path, "must be a byte size like 512m or 1g, not %s" % type_name(value))
    try:
        return parse_size_bytes(value)
    except ValueError as exc:
        return fail(path, str(exc))


def as_enum(value: Any, path: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        fail(path, "must be one of %s, not %r" % (", ".join(allowed), value))
    return value


def as_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        fail(path, "must be a list, not %s" % type_name(value))
    return value


def as_mapping(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        fail(path, "must be a mapping, not %s" % type_name(value))
    return value


def as_str_list(value: Any, path: str, scalars: bool = False, one: bool = False) -> list[str]:
    """A list of strings (`one`: a single string is accepted too)."""
    if one and isinstance(value, str):
        return [value]
    convert = as_scalar_str if scalars else as_str
    return [convert(item, "%s[%d]" % (path, i)) for i, item in enumerate(as_list(value, path))]


def as_str_dict(value: Any, path: str, keep_none: bool = False) -> dict[str, Any]:
    """A mapping (or `KEY=VALUE` list) of scalars as strings; None stays None when `keep_none`."""
    value = list_to_dict(value)
    if isinstance(value, list):
        fail(path, "must be a mapping or a list of KEY=VALUE strings")
    result: dict[str, Any] = {}
    for key, item in as_mapping(value, path).items():
        where = "%s.%s" % (path, key)
        if item is None:
            result[key] = None if keep_none else ""
        elif isinstance(item, (dict, list)):
            fail(where, "must be a string, number or boolean, not %s" % type_name(item))
        else:
            result[key] = as_scalar_str(item, where)
    return result


def check_keys(value: dict[str, Any], path: str, allowed: Any) -> None:
    for key in value:
        if key not in allowed and not (isinstance(key, str) and key.startswith("x-")):
            fail("%s.%s" % (path, key) if path else str(key),
                 "unknown key %r (allowed: %s)" % (key, ", ".join(sorted(allowed))))


def mapping_with(value: Any, path: str, allowed: Any) -> dict[str, Any]:
    mapping = as_mapping(value, path)
    check_keys(mapping, path, allowed)
    return mapping
