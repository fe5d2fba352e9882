# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Single values as users write them, read once for every module: strings, booleans, integers,
byte sizes, durations, one-of choices, and mappings with known keys. Each reader returns the
value in its normal form or raises an OptionError naming the path (`services.web.read_only`,
`healthcheck.interval`). The short syntaxes built from them are in containers/parse.py.

Also the string-map reading that networks, volumes and other objects with labels or driver
options all need (`string_map`).
"""

from __future__ import annotations

import re
import shlex
from typing import Any, Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.units import parse_duration_ns, parse_size_bytes


def fail(path: str, problem: str) -> Any:
    raise OptionError(path, problem)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def as_str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        fail(path, "must be a string, not %s" % type_name(value))
    return value


def as_scalar_str(value: Any, path: str) -> str:
    """A string; a number or boolean as YAML users wrote it (`5`, `1.5`, `true`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return as_str(value, path)


def as_bool(value: Any, path: str) -> bool:
    """true/false, and the strings Go's strconv.ParseBool takes (as Compose does)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "True", "TRUE", "1", "t", "T"):
        return True
    if isinstance(value, str) and value in ("false", "False", "FALSE", "0", "f", "F"):
        return False
    return fail(path, "must be a boolean (true or false), not %r" % (value,))


def parse_int(value: Any, path: str, minimum: Optional[int] = None) -> int:
    """An integer: a number, a whole float or a string of digits; never a boolean."""
    if isinstance(value, bool):
        fail(path, "must be an integer, not a boolean")
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
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


def parse_size(value: Any, path: str, allow_unlimited: bool = False) -> Optional[int]:
    """Bytes from 512m, 1g, 1.5GiB or a number (None stays None); `allow_unlimited`: -1 too."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        fail(path, "must be a byte size like 512m or 1g, not %s" % type_name(value))
    if allow_unlimited and str(value).strip() in ("-1", "unlimited"):
        return -1
    try:
        return parse_size_bytes(value)
    except ValueError as exc:
        return fail(path, str(exc))


def parse_duration(value: Any, path: str, minimum: Optional[int] = None) -> int:
    """Nanoseconds from 1m30s, 500ms or a number of seconds; `minimum` in nanoseconds."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        fail(path, "must be a duration like 30s or 1m30s, not %s" % type_name(value))
    try:
        duration = parse_duration_ns(value)
    except ValueError as exc:
        return fail(path, str(exc))
    if minimum is not None and duration < minimum:
        fail(path, "must not be negative" if minimum == 0 else "must be at least %dns" % minimum)
    return duration


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


def check_keys(value: dict[str, Any], path: str, allowed: Iterable[str]) -> None:
    """Only `allowed` keys, and extension keys (`x-...`) as Compose allows them everywhere."""
    allowed = tuple(allowed)
    for key in value:
        if key not in allowed and not (isinstance(key, str) and key.startswith("x-")):
            fail("%s.%s" % (path, key) if path else str(key),
                 "unknown key %r (allowed: %s)" % (key, ", ".join(sorted(allowed))))


def mapping_with(value: Any, path: str, allowed: Iterable[str]) -> dict[str, Any]:
    mapping = as_mapping(value, path)
    check_keys(mapping, path, allowed)
    return mapping


def string_map(option: str, value: Any) -> Optional[dict[str, str]]:
    """A dict of strings as the engine stores it (labels, driver options). Numbers and booleans are
    written the way YAML users expect (`true`, not `True`); nested values are refused, naming the key."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise OptionError(option, "expected a dictionary, got %s" % type(value).__name__)
    result: dict[str, str] = {}
    for key, item in value.items():
        if item is None or isinstance(item, (dict, list)):
            raise OptionError("%s.%s" % (option, key), "expected a string value, got %s" % type(item).__name__)
        result[str(key)] = str(item).lower() if isinstance(item, bool) else str(item)
    return result


def command_argv(option: str, value: Any) -> list[str]:
    """A command as the argv to run: a list is that argv, each item one argument as given (no
    shell splitting or joining: spaces and quotes inside an item stay); a string is split into
    arguments the way a shell does (shlex), though no shell runs it. Numbers become strings;
    nested values and an empty command are refused, naming the option."""
    if isinstance(value, (list, tuple)):
        argv = []
        for index, item in enumerate(value):
            if item is None or isinstance(item, (dict, list, tuple, bool)):
                raise OptionError("%s[%d]" % (option, index), "expected a string, got %s" % type(item).__name__)
            argv.append(str(item))
    elif isinstance(value, str):
        try:
            argv = shlex.split(value)
        except ValueError as exc:
            raise OptionError(option, str(exc))
    else:
        raise OptionError(option, "expected a string or a list of strings, got %s" % type(value).__name__)
    if not argv:
        raise OptionError(option, "the command is empty")
    return argv
