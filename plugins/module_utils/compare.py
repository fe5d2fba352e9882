# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comparing a desired value with the engine's actual one, by comparison mode.

Modes (documented for users in each module that exposes `comparisons`):
- ``strict``: the actual value must equal the desired one.
- ``ignore``: the option is never compared.
- ``allow_more_present``: for dicts, every desired key must be present with the desired value and
  extra keys are allowed; for lists and sets, every desired item must be present and extra items
  are allowed. For scalars it is the same as ``strict``.

A desired value of ``None`` means "not specified by the user" and never differs.
Kinds: ``value`` (scalar or ordered list, compared as is), ``set`` (list compared ignoring order
and duplicates), ``dict``.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

COMPARISON_MODES = ("strict", "ignore", "allow_more_present")
KINDS = ("value", "set", "dict")


def _hashable(item: Any) -> Any:
    if isinstance(item, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in item.items()))
    if isinstance(item, (list, tuple)):
        return tuple(_hashable(v) for v in item)
    return item


def differs(desired: Any, actual: Any, mode: str = "strict", kind: str = "value") -> bool:
    """True when `actual` does not satisfy `desired` under `mode` for a value of `kind`."""
    if mode not in COMPARISON_MODES:
        raise ValueError("unknown comparison mode %r (expected one of %s)" % (mode, ", ".join(COMPARISON_MODES)))
    if kind not in KINDS:
        raise ValueError("unknown comparison kind %r" % kind)
    if mode == "ignore" or desired is None:
        return False
    if kind == "dict":
        actual = actual or {}
        if mode == "allow_more_present":
            return any(key not in actual or actual[key] != value for key, value in desired.items())
        return dict(desired) != dict(actual)
    if kind == "set":
        want = {_hashable(v) for v in desired}
        have = {_hashable(v) for v in (actual or [])}
        return not want <= have if mode == "allow_more_present" else want != have
    if mode == "allow_more_present" and isinstance(desired, list):
        have_list = [_hashable(v) for v in (actual or [])]
        return any(_hashable(v) not in have_list for v in desired)
    return desired != actual


def changed_options(
    desired: dict[str, Any],
    actual: dict[str, Any],
    kinds: Optional[dict[str, str]] = None,
    modes: Optional[dict[str, str]] = None,
    default_mode: str = "strict",
) -> list[str]:
    """Names of the options in `desired` whose actual value differs, in the order given."""
    kinds = kinds or {}
    modes = modes or {}
    return [
        name for name, value in desired.items()
        if differs(value, actual.get(name), modes.get(name, default_mode), kinds.get(name, "value"))
    ]


def diff_view(names: Iterable[str], values: dict[str, Any]) -> dict[str, Any]:
    """The subset of `values` shown in a before/after diff (only what the user specified)."""
    return {name: values.get(name) for name in names}
