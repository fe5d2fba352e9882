# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which images a set of build inputs made: a small record on the host, not a label on the image.

A label on the image made the build-inputs digest part of the image config, so any change of the
digest (an unused file added to the context) changed the image ID and recreated every container on
it, although the builder's layers were all the same. The record keeps the digest beside the engine
instead: one small JSON file per digest, listing the image IDs those inputs built (on any engine the
host talks to; an ID only counts when the engine asked has it).

Where: ``/var/lib/goship/build-records`` for root, else ``$XDG_STATE_HOME/goship/build-records``
(``~/.local/state/goship/build-records``). The record is a shortcut, never the truth: when it is
lost or unwritable, a build with the builder's warm cache decides (the same layers and config keep
the current image ID). Files are written atomically; records unused for RETENTION_DAYS are dropped.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from typing import List, Optional

SCHEME = "goship-build-record-v1"
MAX_IDS = 4            # IDs kept per digest: one per engine the host builds on, in practice
RETENTION_DAYS = 180
ROOT_DIRECTORY = "/var/lib/goship/build-records"


def default_directory() -> Optional[str]:
    """The record directory for the user running the module (None: no usable home)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return ROOT_DIRECTORY
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    if not base or base.startswith("~"):
        return None
    return os.path.join(base, "goship", "build-records")


class BuildRecords:
    """digest -> image IDs, one file per digest. Every failure to read or write is ignored: the
    caller then builds, and the builder's cache gives the same image when nothing relevant changed."""

    def __init__(self, directory: Optional[str] = None) -> None:
        self.directory = directory if directory is not None else default_directory()
        self.write_error: Optional[str] = None

    def path_for(self, digest: str) -> Optional[str]:
        if not self.directory:
            return None
        hex_part = digest.split(":", 1)[-1]
        if not hex_part or not all(c in "0123456789abcdef" for c in hex_part):
            return None
        return os.path.join(self.directory, hex_part + ".json")

    def image_ids(self, digest: str) -> List[str]:
        """The image IDs these inputs built, newest first ([] when unknown)."""
        path = self.path_for(digest)
        if path is None:
            return []
        try:
            with open(path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return []
        if not isinstance(data, dict) or data.get("scheme") != SCHEME or data.get("digest") != digest:
            return []
        ids = data.get("image_ids")
        return [i for i in ids if isinstance(i, str) and i.startswith("sha256:")] if isinstance(ids, list) else []

    def knows(self, digest: str, image_id: str) -> bool:
        return bool(image_id) and image_id in self.image_ids(digest)

    def remember(self, digest: str, image_id: str, name: str = "") -> bool:
        """Record that `digest` built `image_id` (first in the list). False when it could not be written
        (`write_error` says why); the next run then builds with a warm cache instead."""
        path = self.path_for(digest)
        if path is None:
            self.write_error = "no record directory"
            return False
        ids = [image_id] + [i for i in self.image_ids(digest) if i != image_id]
        body = dict(scheme=SCHEME, digest=digest, image_ids=ids[:MAX_IDS], name=name, recorded=int(time.time()))
        try:
            os.makedirs(self.directory, mode=0o755, exist_ok=True)  # type: ignore[arg-type]
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".record-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(body, out, sort_keys=True)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except OSError as exc:
            self.write_error = "%s: %s" % (self.directory, exc)
            return False
        self._prune()
        return True

    def _prune(self) -> None:
        """Drop records not written for RETENTION_DAYS; scans at most once a day (a marker's mtime)."""
        marker = os.path.join(str(self.directory), ".pruned")
        now = time.time()
        try:
            if now - os.stat(marker).st_mtime < 86400:
                return
        except OSError:
            pass
        limit = now - RETENTION_DAYS * 86400
        try:
            with open(marker, "w", encoding="utf-8"):
                pass
            for entry in os.scandir(str(self.directory)):
                if entry.name.endswith(".json") and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
        except OSError:
            return
