# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Limits the engine accepts and discards because its host's kernel lacks the feature (a blkio
weight without the blkio weight controller, a swap limit without swap accounting, ...).

The engine keeps 0 (or its "unset" value) and says so only in the Warnings of the create or update
that asked for the limit ("Your kernel does not support Block I/O weight or the cgroup is not
mounted. Weight discarded."); some engines also list it in GET /info's Warnings ("No blkio weight
support"), others (Debian's 20.10 here) do not. Comparing the task's value with the engine's would
then change the container on every run, in vain. So the engine's reported value is the truth:

- each registry entry names the words of those warnings (`Option.engine_warnings`);
- when a create or update answers with such a warning, the module passes it on as a task warning
  and remembers it for that engine and kernel (`DiscardRecord`, a small JSON file on the managed
  host, as the build records are), since a warning is all the engine ever says about it;
- when a later plan finds such an option different, one GET /info request gives the engine's ID,
  kernel and warnings, and the options the engine is known to discard there are compared with
  the value it kept (task_plan.plan_from_inspect's `engine_kept`), with a task warning.

A kernel upgrade (another KernelVersion) forgets the record.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS, OPTIONS_BY_NAME

RECORD_DIRS = ("/var/lib/goship/engine-discards", os.path.join("~", ".cache", "goship", "engine-discards"))
_WORDS = {option.name: option.engine_warnings for option in OPTIONS if option.engine_warnings}


def discardable(differences: Iterable[str]) -> list[str]:
    """The options among `differences` that an engine may discard on a host lacking the feature."""
    return [name for name in differences if name in _WORDS]


def discarded_by(warnings: Optional[Iterable[str]], names: Optional[Iterable[str]] = None) -> dict[str, str]:
    """{option: the warning that says the engine discards it} for the options (all, or `names`)
    whose words appear in `warnings` (of GET /info, or of a create or update answer)."""
    found = {}
    for name in (names if names is not None else _WORDS):
        for warning in warnings or ():
            if any(words in str(warning) for words in _WORDS.get(name, ())):
                found[name] = str(warning).strip()
                break
    return found


class DiscardRecord:
    """What one engine (by its /info ID) on one kernel was seen to discard, kept in a file."""

    def __init__(self, info: dict[str, Any], dirs: Iterable[str] = RECORD_DIRS) -> None:
        self.engine = str(info.get("ID") or "").replace(":", "-").replace("/", "-")
        self.kernel = str(info.get("KernelVersion") or "")
        self.dirs = [os.path.expanduser(path) for path in dirs]

    def _paths(self) -> list[str]:
        return [os.path.join(path, self.engine + ".json") for path in self.dirs] if self.engine else []

    def known(self) -> dict[str, str]:
        """{option: warning} recorded for this engine and kernel ({} when nothing is)."""
        texts = []
        for path in self._paths():
            try:
                with open(path, encoding="utf-8") as handle:
                    texts.append(handle.read())
            except OSError:
                continue
        return self.known_in(texts)

    def known_in(self, texts: Iterable[Optional[str]]) -> dict[str, str]:
        """known() from the record files' texts, in RECORD_DIRS order (None: no file), as the
        container_plan action reads them on the host."""
        for text in texts:
            try:
                data = json.loads(text) if text else None
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("kernel") == self.kernel and isinstance(data.get("options"), dict):
                return {str(k): str(v) for k, v in data["options"].items() if k in OPTIONS_BY_NAME}
        return {}

    def file_name(self) -> str:
        return self.engine + ".json" if self.engine else ""

    def remember(self, found: dict[str, str]) -> bool:
        """Add `found` to the record (in the first folder that can be written). False when none can:
        then only the task's warning tells (a re-run compares again)."""
        if not found or not self.engine:
            return False
        options = dict(self.known(), **found)
        for path in self._paths():
            try:
                os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                temporary = path + ".tmp%d" % os.getpid()
                with open(temporary, "w", encoding="utf-8") as handle:
                    json.dump({"kernel": self.kernel, "options": options}, handle, sort_keys=True)
                os.replace(temporary, path)
                return True
            except OSError:
                continue
        return False


def kept_by_engine(info: dict[str, Any], maybe: Iterable[str], record_texts: Optional[Iterable[Optional[str]]] = None
                   ) -> dict[str, str]:
    """{option: warning} among `maybe` (discardable differences) that this engine (GET /info) is
    known to discard: from its record (read here, or `record_texts` read on the host) or its
    /info Warnings."""
    record = DiscardRecord(info)
    known = record.known() if record_texts is None else record.known_in(record_texts)
    found = dict(known, **discarded_by(info.get("Warnings")))
    return {option: found[option] for option in maybe if option in found}
