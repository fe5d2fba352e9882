# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every action handler of one apply run shares: the client, the project, the options, and
what the run learnt about images (their IDs and VOLUME declarations: one inspect per image)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.model import Project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredProject

POLL_SECONDS = 0.25


@dataclass(frozen=True)
class ExecOptions:
    wait: bool = False
    wait_timeout: int = 120
    stop_timeout: Optional[int] = None
    remove_volumes: bool = False
    working_dir: str = ""
    config_files: tuple[str, ...] = ()
    environment_file: Optional[str] = None


def explain(exc: BaseException) -> str:
    """The engine's own explanation of an API error, else the error's text."""
    return str(getattr(exc, "explanation", None) or exc)


class ApplyContext:
    def __init__(self, client: Any, project: Project, desired: DesiredProject, options: ExecOptions,
                 record: Callable[[str], None]) -> None:
        self.client = client
        self.project = project
        self.desired = desired
        self.options = options
        self.record = record
        self._image_ids: dict[str, str] = {}
        self._image_volumes: dict[str, list[str]] = {}
        self._image_health: dict[str, bool] = {}
        self._lock = threading.Lock()
        # service -> its update (apply/updates.py's ServiceUpdate), while its step runs
        self.updates: dict[str, Any] = {}
        self.base_labels = L.project_labels(project.name, options.working_dir, options.config_files,
                                            options.environment_file)

    def remember_image(self, reference: str, image_id: str) -> None:
        """An image this run built: its ID, without an inspect call."""
        with self._lock:
            self._image_ids[reference] = image_id

    def image_id(self, reference: str) -> str:
        with self._lock:
            known = self._image_ids.get(reference)
        if known:
            return known
        return self._inspect_image(reference)[0]

    def image_volumes(self, reference: str) -> list[str]:
        """The image's VOLUME declarations (one inspect per image and run)."""
        with self._lock:
            known = self._image_volumes.get(reference)
        if known is not None:
            return known
        return self._inspect_image(reference)[1]

    def image_has_healthcheck(self, reference: str) -> bool:
        """Whether the image declares a HEALTHCHECK (one inspect per image and run)."""
        with self._lock:
            known = self._image_health.get(reference)
        if known is not None:
            return known
        self._inspect_image(reference)
        with self._lock:
            return self._image_health[reference]

    def _inspect_image(self, reference: str) -> tuple[str, list[str]]:
        found = self.client.inspect_image(reference)
        config = found.get("Config") or {}
        volumes = sorted((config.get("Volumes") or {}).keys())
        test = (config.get("Healthcheck") or {}).get("Test") or []
        with self._lock:
            self._image_ids[reference] = found["Id"]
            self._image_volumes[reference] = volumes
            self._image_health[reference] = bool(test) and test[0] != "NONE"
        return found["Id"], volumes
