# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The text level of Compose: YAML as Compose reads it, `${VAR}` interpolation, `.env` files.

PyYAML is needed on the managed host (ansible-core depends on it, so it is normally there); when
it is missing, parse_yaml raises a ComposeError saying so instead of failing at import.
"""

from __future__ import annotations

import re
import traceback
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.load import bounds
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError

try:
    import yaml
    HAS_YAML = True
    YAML_IMPORT_ERROR: Optional[str] = None
except ImportError:
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()

# ---------------------------------------------------------------- YAML without the 1.1 traps

if HAS_YAML:
    _BaseLoader: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # libyaml when available
else:
    _BaseLoader = object


class Reset:
    """A value tagged `!reset`: removes what earlier files set."""

    def __init__(self, value: Any) -> None:
        self.value = value


class Override:
    """A value tagged `!override`: replaces what earlier files set instead of merging with it."""

    def __init__(self, value: Any) -> None:
        self.value = value


_INT = re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = frozenset(("true", "True", "TRUE", "false", "False", "FALSE"))
_TAG = "tag:yaml.org,2002:"


class ComposeYamlLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML 1.2 core schema scalars (as Go's yaml.v3 reads them) and Compose's merge tags.

    Only true/false are booleans (`yes`, `on` stay strings), there are no sexagesimal numbers
    (`22:22` stays a string) and no timestamps. `resolve` is a direct table lookup instead of
    PyYAML's generic resolver list: it runs for every scalar, and this keeps parsing fast.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                if value in _NULLS:
                    return _TAG + "null"
                if value in _BOOLS:
                    return _TAG + "bool"
                if value[0] in "-+0123456789.":
                    if _INT.match(value):
                        return _TAG + "int"
                    if _FLOAT.match(value):
                        return _TAG + "float"
                if value == "<<":
                    return _TAG + "merge"
            return _TAG + "str"
        if kind is yaml.SequenceNode:
            return _TAG + "seq"
        return _TAG + "map"


def _construct_int(loader: Any, node: Any) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text.startswith(("0o", "0x", "0b")):
        return sign * int(text, 0)
    if len(text) > 1 and text.startswith("0") and re.fullmatch(r"[0-7]+", text):
        return sign * int(text, 8)  # Go reads a leading 0 as octal (file modes: 0440)
    return sign * int(text)


def _construct_float(loader: Any, node: Any) -> float:
    text = loader.construct_scalar(node).replace("_", "").lower()
    if text.endswith("inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    return float(text)


def _construct_mapping(loader: Any, node: Any) -> dict[Any, Any]:
    # Keys written twice in one mapping are an error (as in Compose); keys a `<<` merge brings in
    # are overridden by the mapping's own keys.
    seen: set[Any] = set()
    for pair in node.value:
        key_node = pair[0]
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
            continue
        if key_node.value in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping key %r already defined" % (key_node.value,), key_node.start_mark)
        seen.add(key_node.value)
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (bool, int, float)) or key is None:
            key = key_node.value  # Compose keys are strings: `80: ...`, `yes: ...`
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a string", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_tagged(wrapper: type) -> Callable[[Any, Any], Any]:
    def construct(loader: Any, node: Any) -> Any:
        if isinstance(node, yaml.MappingNode):
            value: Any = _construct_mapping(loader, node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_scalar(node)
            value = None if value in ("", "null", "~") else value
        return wrapper(value)
    return construct


if HAS_YAML:
    ComposeYamlLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    ComposeYamlLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
    ComposeYamlLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
    ComposeYamlLoader.add_constructor("!reset", _construct_tagged(Reset))
    ComposeYamlLoader.add_constructor("!override", _construct_tagged(Override))


def parse_yaml_documents(text: str, source: str) -> list[Any]:
    """Parse a Compose file's documents (a file may hold several, merged in order as with several
    files), within load/bounds.py's limits; errors name the file and line."""
    if not HAS_YAML:
        raise ComposeError(source, "reading Compose files needs PyYAML on the managed host (python3 -m pip "
                           "install PyYAML), or pass the project inline with `definition`")
    bounds.check_size(text, source)
    try:
        if bounds.depth_may_exceed(text):  # measured before libyaml's recursive composer sees it
            bounds.check_depth_events(yaml.parse(text, Loader=ComposeYamlLoader), source)
        loader = ComposeYamlLoader(text)
        try:
            documents = []
            walk = bounds.needs_graph_check(text)
            while loader.check_node():
                node = loader.get_node()
                if walk:
                    bounds.check_node_graph(node, source)
                documents.append(loader.construct_document(node))
            return documents
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = " (line %d, column %d)" % (mark.line + 1, mark.column + 1) if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ComposeError(source, "invalid YAML%s: %s" % (where, " ".join(str(problem).split())))
    except RecursionError:  # the pure-Python parser (no libyaml) recurses per level
        raise ComposeError(source, "values nest too deeply to read; refused")


def parse_yaml(text: str, source: str) -> Any:
    """One Compose document (None for an empty text); several documents are merged by the loader
    (load/files.py), so this is for callers that want exactly one."""
    documents = parse_yaml_documents(text, source)
    if len(documents) > 1:
        raise ComposeError(source, "expected one YAML document, found %d" % len(documents))
    return documents[0] if documents else None


# ---------------------------------------------------------------- interpolation

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")


def interpolate_string(text: str, lookup: Callable[[str], Optional[str]], path: str) -> str:
    """Substitute `$VAR`, `${VAR}`, `${VAR:-d}`, `-`, `:?`, `?`, `:+`, `+` and `$$` in `text`."""
    if "$" not in text:
        return text
    return _interpolate(text, 0, lookup, path, nested=0)[0]


def _interpolate(text: str, pos: int, lookup: Callable[[str], Optional[str]], path: str,
                 nested: int) -> tuple[str, int]:
    """Expand from `pos` until the end (or, when nested, an unmatched `}`); return (text, end).
    `nested`: how many `${...}` this part is inside (bounded: each level is two Python frames)."""
    if nested > bounds.MAX_INTERPOLATION_NESTING:
        raise ComposeError(path, "interpolation nests deeper than %d levels of ${...}; refused"
                           % bounds.MAX_INTERPOLATION_NESTING)
    out: list[str] = []
    length = len(text)
    while pos < length:
        char = text[pos]
        if nested and char == "}":
            return "".join(out), pos
        if char != "$":
            out.append(char)
            pos += 1
            continue
        nxt = text[pos + 1] if pos + 1 < length else ""
        if nxt == "$":
            out.append("$")
            pos += 2
        elif nxt == "{":
            value, pos = _braced(text, pos + 2, lookup, path, nested)
            out.append(value)
        else:
            match = _NAME.match(text, pos + 1)
            if match:
                out.append(lookup(match.group()) or "")
                pos = match.end()
            else:  # `$5`, `$ `, a trailing `$`: a literal dollar, as in Compose
                out.append("$")
                pos += 1
    if nested:
        raise ComposeError(path, "invalid interpolation format in %s: missing '}'" % _quoted(text))
    return "".join(out), pos


def _quoted(text: str) -> str:
    """A value quoted in a message: repr (one line), shortened when long."""
    return repr(text) if len(text) <= 80 else repr(text[:77]) + "..."


def _braced(text: str, pos: int, lookup: Callable[[str], Optional[str]], path: str,
            nested: int) -> tuple[str, int]:
    match = _NAME.match(text, pos)
    if not match:
        raise ComposeError(path, "invalid interpolation format in %s: expected a variable name after '${'" % _quoted(text))
    name = match.group()
    pos = match.end()
    if text.startswith("}", pos):
        return lookup(name) or "", pos + 1
    if pos >= len(text):
        raise ComposeError(path, "invalid interpolation format in %s: missing '}'" % _quoted(text))
    for operator in (":-", ":?", ":+", "-", "?", "+"):
        if text.startswith(operator, pos):
            break
    else:
        raise ComposeError(path, "invalid interpolation format in %s: unexpected %r after ${%s"
                           % (_quoted(text), text[pos:pos + 1] or "end of text", name))
    argument, end = _interpolate(text, pos + len(operator), lookup, path, nested=nested + 1)
    value = lookup(name)
    is_set = value is not None
    is_full = bool(value)
    if operator in (":-", "-"):
        result = value if (is_full if operator == ":-" else is_set) else argument
    elif operator in (":?", "?"):
        if not (is_full if operator == ":?" else is_set):
            raise ComposeError(path, "required variable %s is missing a value%s"
                               % (name, ": " + argument if argument else ""))
        result = value
    else:
        result = argument if (is_full if operator == ":+" else is_set) else ""
    return result or "", end + 1


def interpolate(value: Any, lookup: Callable[[str], Optional[str]], path: str) -> Any:
    """Interpolate every string value (not keys) of a parsed document."""
    if isinstance(value, str):
        return interpolate_string(value, lookup, path)
    if isinstance(value, dict):
        return {k: interpolate(v, lookup, _join(path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, lookup, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
    if isinstance(value, (Reset, Override)):
        return type(value)(interpolate(value.value, lookup, path))
    return value


def _join(path: str, key: Any) -> str:
    return "%s.%s" % (path, key) if path else str(key)


# ---------------------------------------------------------------- .env files

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([^=\s#]+)\s*(?:=(.*))?$")
_DQ_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "$": "$"}


def parse_env_file(path: str, lookup: Optional[Callable[[str], Optional[str]]] = None,
                   error_path: str = "") -> dict[str, Optional[str]]:
    """Read a dotenv file: KEY=VALUE lines, `export`, comments, quotes, `${VAR}` in unquoted and
    double-quoted values (resolved against earlier lines, then `lookup`). A bare KEY means the value
    comes from `lookup` (None when unset)."""
    text = bounds.read_text(path, error_path or path, "env file")
    result: dict[str, Optional[str]] = {}

    def resolve(name: str) -> Optional[str]:
        if name in result and result[name] is not None:
            return result[name]
        return lookup(name) if lookup else None

    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if not match:
            raise ComposeError(error_path or path, "invalid line %d in env file %s: %r" % (index, path, line))
        key, raw = match.group(1), match.group(2)
        if raw is None:
            result[key] = lookup(key) if lookup else None
            continue
        raw = raw.strip()
        where = "%s (line %d)" % (path, index)
        if raw[:1] in ("'", '"'):
            quote = raw[0]
            body = raw[1:]
            while quote not in _unescaped_tail(body, quote) and index < len(lines):
                body += "\n" + lines[index]  # multi-line quoted value
                index += 1
            end = _closing_quote(body, quote)
            if end < 0:
                raise ComposeError(error_path or path, "unterminated quote in env file %s" % where)
            body = body[:end]
            if quote == '"':
                body = re.sub(r"\\(.)", lambda m: _DQ_ESCAPES.get(m.group(1), "\\" + m.group(1)), body)
                body = interpolate_string(body, resolve, error_path or where) if "$" in body else body
            result[key] = body
        else:
            value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
            result[key] = interpolate_string(value, resolve, error_path or where)
    return result


def _unescaped_tail(body: str, quote: str) -> str:
    return body if _closing_quote(body, quote) < 0 else quote


def _closing_quote(body: str, quote: str) -> int:
    index = 0
    while index < len(body):
        if body[index] == "\\" and quote == '"':
            index += 2
            continue
        if body[index] == quote:
            return index
        index += 1
    return -1
