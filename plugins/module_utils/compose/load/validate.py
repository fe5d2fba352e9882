# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The value shapes only Compose has: `KEY=VALUE` lists that stand for mappings, lists of strings,
and string mappings. Single values (strings, booleans, integers, sizes, durations, choices) are
read by user_input.py, the short syntaxes by containers/parse.py: the same readers the other
modules use. Every error names the path (`services.web.labels.A: ...`).

Hand-written rather than driven by the JSON schema: the module runs them on every task and they
must stay fast. tests/compose_oracle holds them against the official schema.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.user_input import (
    as_list, as_mapping, as_scalar_str, as_str, fail, type_name,
)


def list_to_dict(value: Any, separator: str = "=") -> Any:
    """`["A=1", "B"]` → `{"A": "1", "B": None}`; other values are returned unchanged (validated later)."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return value
    result: dict[str, Optional[str]] = {}
    for item in value:
        key, sep, rest = item.partition(separator)
        result[key] = rest if sep else None
    return result


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
