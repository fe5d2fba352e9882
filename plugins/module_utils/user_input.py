# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The string-map reading that networks, volumes and other objects with labels or driver options
all need."""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


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
