# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input bounds of the loader: what a Compose file may cost before it is refused (issue 20).

A Compose file comes from the user, a repository or a template and is read on the managed host by a
module whose failure must be a one-line message naming the file and the key, never a traceback, a
hung task or an exhausted host. So, before and while parsing:
  - files are read as UTF-8 (a BOM, UTF-16 with a BOM, as Go's YAML reads them) with a size bound,
    and a byte that is not UTF-8 is reported by line and column (never echoed);
  - nesting depth is measured before the document is composed: libyaml's composer recurses in C and
    crashes the interpreter on ~100,000 levels, and everything after it recurses in Python;
  - aliases are expanded by count, not by memory: "billion laughs" (9 aliases of 9 aliases ...,
    a 1 KB file that `docker compose config` takes gigabytes to expand) is refused from the
    composed node graph, whose aliases are shared nodes, before any value is built;
  - an alias that contains itself and a lone surrogate from a `\\uD800` escape are refused, as Go's
    YAML refuses them.
The limits are far above any real project (a 500-service file nests 8 levels and holds ~20,000
values) and are named in the messages, so a refused file says which bound it crossed.
"""

from __future__ import annotations

import codecs
import re
from typing import Any, Iterator, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 100
MAX_VALUES = 200_000  # values after alias expansion, per document
MAX_INTERPOLATION_NESTING = 32  # ${A:-${B:-...}} levels

_SURROGATE = re.compile("[\ud800-\udfff]")


def _megabytes(size: int) -> str:
    return "%g MiB" % (size / 1024.0 / 1024.0)


def decode_text(data: bytes, source: str, what: str = "compose file") -> str:
    """Bytes → text: UTF-8 (a BOM is dropped) or UTF-16 with a BOM; anything else fails naming
    where the first bad byte is (its value in hex, never the surrounding text)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ComposeError(source, "%s starts with a UTF-16 byte order mark but is not valid UTF-16" % what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise ComposeError(source, "%s is not UTF-8 text: byte 0x%02x at line %d, column %d "
                           "(save it as UTF-8)" % (what, data[start], line, column))


def read_text(path: str, error_path: str, what: str = "compose file") -> str:
    """A file's text, read with the size bound (a FIFO or /dev/zero cannot hang or fill the host)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise ComposeError(error_path, "cannot read %s %s: %s" % (what, path, exc.strerror or exc))
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ComposeError(error_path, "%s %s is larger than %s; refused" % (what, path, _megabytes(MAX_DOCUMENT_BYTES)))
    return decode_text(data, error_path, what if error_path == path else "%s %s" % (what, path))


def check_size(text: str, source: str) -> None:
    if len(text) > MAX_DOCUMENT_BYTES:
        raise ComposeError(source, "the document is larger than %s; refused" % _megabytes(MAX_DOCUMENT_BYTES))


# ---------------------------------------------------------------- nesting, before composing

def depth_may_exceed(text: str) -> bool:
    """False when the text cannot nest deeper than MAX_DEPTH, by a bound that costs microseconds.

    A flow `[` or `{` opens at most two levels (a single-pair mapping inside a flow sequence opens
    one without a brace); a block level needs either more indentation or a compact `- `, `? ` or
    `: ` indicator on its line, and a sequence may sit at its parent key's indentation, hence the
    factor 2 on the widest line prefix. Most files pass here; the others are measured exactly.
    """
    flow = text.count("[") + text.count("{")
    if 2 * flow + 4 > MAX_DEPTH:
        return True
    widest = max((len(m) for m in re.findall(r"(?m)^[ \t\-?:]*", text)), default=0)
    return 2 * (flow + widest) + 4 > MAX_DEPTH


def check_depth_events(events: Iterator[Any], source: str) -> None:
    """Walk the parser's events (libyaml's parser is iterative) and fail at the first value deeper
    than MAX_DEPTH, naming the top-level key it is under and its line."""
    import yaml  # only reached when PyYAML is present (syntax.parse_yaml checks it first)

    depth = 0
    top_key: Optional[str] = None
    top_is_mapping = next_is_key = False
    for event in events:
        kind = type(event)
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            depth += 1
            if depth == 1:
                top_is_mapping, next_is_key, top_key = kind is yaml.MappingStartEvent, True, None
            if depth > MAX_DEPTH:
                raise ComposeError(source, "%svalues nest deeper than %d levels (line %d); refused"
                                   % (_under(top_key), MAX_DEPTH, event.start_mark.line + 1))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            depth -= 1
            if depth == 1 and top_is_mapping:  # a top-level key's value (or a complex key) is done
                next_is_key = not next_is_key
        elif depth == 1 and top_is_mapping and (kind is yaml.ScalarEvent or kind is yaml.AliasEvent):
            if next_is_key and kind is yaml.ScalarEvent:
                top_key = event.value
            next_is_key = not next_is_key


def _under(key: Optional[str]) -> str:
    return "under %s: " % key if key else ""


# ---------------------------------------------------------------- the composed graph

def _children(node: Any) -> list[Any]:
    """A composed node's children: sequence items, or mapping keys and values alternating."""
    value = node.value
    if isinstance(value, str):
        return []
    if node.id == "sequence":
        return value
    return [item for pair in value for item in pair]


def _path(stack: list[Any]) -> str:
    """The key path of the node on top of the walk's stack, for messages (labels made only here)."""
    text = ""
    for parent, _children_taken, position in stack[:-1]:
        if parent.id == "sequence":
            text += "[%d]" % (position - 1)
        else:
            key = parent.value[(position - 1) // 2][0]
            label = key.value if isinstance(key.value, str) else "<key>"
            text += "." + label if text else label
    return text if len(text) <= 120 else text[:117] + "..."


def needs_graph_check(text: str) -> bool:
    """Whether check_node_graph can find anything: aliases (`*`), `\\u` escapes (a lone surrogate),
    or more text than MAX_VALUES alias-free values could fill; most files have none of these."""
    return "*" in text or "\\u" in text or "\\U" in text or len(text) > 2 * MAX_VALUES


def check_node_graph(root: Any, source: str) -> None:
    """Size after alias expansion, self-containing aliases, depth and lone surrogates of a composed
    document, by one walk over its distinct nodes (an alias is the anchored node itself, so sizes
    are summed without building anything)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = {id(root)}
    shared = False
    stack: list[Any] = [[root, _children(root), 0]]  # node, its children, how many were taken
    while stack:
        top = stack[-1]
        node, children = top[0], top[1]
        while top[2] < len(children):
            child = children[top[2]]
            top[2] += 1
            key = id(child)
            if key in sizes:
                shared = True
                continue
            probe = stack + [[child, (), 0]]
            if key in on_path:
                raise ComposeError(source, "%s: an alias refers to the value that contains it (line %d); refused"
                                   % (_path(probe) or "the document", child.start_mark.line + 1))
            if child.id == "scalar" and child.style == '"' and _SURROGATE.search(child.value):
                raise ComposeError(source, "%s: invalid Unicode escape (a lone surrogate, line %d)"
                                   % (_path(probe), child.start_mark.line + 1))
            if len(stack) >= MAX_DEPTH:
                raise ComposeError(source, "%s: values nest deeper than %d levels (line %d); refused"
                                   % (_path(probe[:3]) or "the document", MAX_DEPTH, child.start_mark.line + 1))
            on_path.add(key)
            stack.append([child, _children(child), 0])
            break
        else:
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > MAX_VALUES:
                raise ComposeError(source, "%s: %s more than %d values (line %d); refused" % (
                    _path(stack) or "the document",
                    "YAML aliases expand this value to" if shared else "this value holds",
                    MAX_VALUES, node.start_mark.line + 1) + (" (an alias bomb?)" if shared else ""))
            sizes[id(node)] = size
            on_path.discard(id(node))
            stack.pop()


def check_value_tree(value: Any, source: str) -> None:
    """The same bounds for a project given as data (the `definition` option), walked iteratively."""
    count = 0
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, top = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise ComposeError(source, "the project holds more than %d values; refused" % MAX_VALUES)
        if depth > MAX_DEPTH:
            raise ComposeError(source, "%svalues nest deeper than %d levels; refused" % (_under(top), MAX_DEPTH))
        if isinstance(item, dict):
            for key, child in item.items():
                stack.append((child, depth + 1, top or str(key)))
        elif isinstance(item, (list, tuple)):
            for child in item:
                stack.append((child, depth + 1, top))
