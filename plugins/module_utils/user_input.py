# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module's input parsing shares: the two error kinds and the string-map reading that
networks, volumes and other objects with labels or driver options all need."""

from __future__ import annotations

from typing import Any, Optional


class OptionError(ValueError):
    """Invalid user input; the message starts with the option (or option path) at fault."""


class PlanError(ValueError):
    """The desired state cannot be reached without a step the user did not allow."""


def string_map(option: str, value: Any) -> Optional[dict[str, str]]:
    """A dict of strings as the engine stores it (labels, driver options). Numbers and booleans are
    written the way YAML users expect (`true`, not `True`); nested values are refused, naming the key."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise OptionError("%s: expected a dictionary, got %s" % (option, type(value).__name__))
    result: dict[str, str] = {}
    for key, item in value.items():
        if item is None or isinstance(item, (dict, list)):
            raise OptionError("%s.%s: expected a string value, got %s" % (option, key, type(item).__name__))
        result[str(key)] = str(item).lower() if isinstance(item, bool) else str(item)
    return result
