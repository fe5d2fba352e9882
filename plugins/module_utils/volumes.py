# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `volume` module's core: options → VolumeSpec, inspect data → VolumeState, then a plan.

A volume's driver, options and labels are fixed at creation, and recreating a volume destroys its
data. So a difference is, by default (recreate=never), left alone, as community.docker's
docker_volume does: the plan names what differs (`differences`, and the module warns), and changes
nothing. Everything up to `plan_volume` is pure and unit-tested without Docker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compare import differs
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError
from ansible_collections.goship.containers.plugins.module_utils.user_input import string_map

VOLUME_OPTIONS: dict[str, dict[str, Any]] = dict(
    name=dict(type="str", required=True, aliases=["volume_name"]),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    driver=dict(type="str", default="local"),
    driver_options=dict(type="dict"),
    labels=dict(type="dict"),
    recreate=dict(type="str", default="never", choices=["never", "options-changed", "always"]),
)

# What the engine accepts as a local volume name (it says so in its own error message).
LOCAL_VOLUME_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")


@dataclass
class VolumeSpec:
    """What the user asked for; `None` means "not specified" and is not compared."""

    name: str
    state: str = "present"
    driver: str = "local"
    driver_options: Optional[dict[str, str]] = None
    labels: Optional[dict[str, str]] = None
    recreate: str = "never"


def load_volume_spec(params: dict[str, Any]) -> VolumeSpec:
    name = (params.get("name") or "").strip()
    driver = (params.get("driver") or "").strip()
    if not name:
        raise OptionError("name", "must not be empty")
    if not driver:
        raise OptionError("driver", "must not be empty")
    if driver == "local" and not LOCAL_VOLUME_NAME.match(name):
        raise OptionError(
            "name", "%r is not a valid local volume name (letters, digits, '_', '.', '-'; at least two characters,"
            " the first a letter or digit)" % name
        )
    return VolumeSpec(
        name=name,
        state=params.get("state") or "present",
        driver=driver,
        driver_options=string_map("driver_options", params.get("driver_options")),
        labels=string_map("labels", params.get("labels")),
        recreate=params.get("recreate") or "never",
    )


@dataclass
class VolumeState:
    name: str
    driver: str
    driver_options: dict[str, str]
    labels: dict[str, str]

    def to_view(self) -> dict[str, Any]:
        return dict(
            name=self.name, driver=self.driver,
            driver_options=dict(sorted(self.driver_options.items())), labels=dict(sorted(self.labels.items())),
        )


def volume_state_from_inspect(data: dict[str, Any]) -> VolumeState:
    return VolumeState(
        name=data["Name"],
        driver=data.get("Driver") or "",
        driver_options=dict(data.get("Options") or {}),
        labels=dict(data.get("Labels") or {}),
    )


def volume_differences(spec: VolumeSpec, state: VolumeState) -> list[str]:
    """Options whose actual value differs; the local driver keeps options and labels exactly as given."""
    found = []
    if differs(spec.driver, state.driver):
        found.append("driver")
    if differs(spec.driver_options, state.driver_options, "strict", "dict"):
        found.append("driver_options")
    if differs(spec.labels, state.labels, "strict", "dict"):
        found.append("labels")
    return found


def desired_state(spec: VolumeSpec, state: Optional[VolumeState]) -> VolumeState:
    """The volume to create: options not set keep the old volume's values (on recreate)."""
    keep = state if state is not None and state.driver == spec.driver else None
    return VolumeState(
        name=spec.name,
        driver=spec.driver,
        driver_options=dict(spec.driver_options if spec.driver_options is not None else (keep.driver_options if keep else {})),
        labels=dict(spec.labels if spec.labels is not None else (state.labels if state else {})),
    )


@dataclass
class VolumePlan:
    name: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (kind, reason): create / remove
    differences: list[str] = field(default_factory=list)
    create: Optional[VolumeState] = None
    before: Optional[dict[str, Any]] = None
    after: Optional[dict[str, Any]] = None
    kept: str = ""  # recreate=never kept a volume that differs: what differs and how to replace it

    @property
    def actions(self) -> list[str]:
        return ["%s volume %s (%s)" % (kind, self.name, reason) for kind, reason in self.steps]


def _difference_text(names: list[str], spec: VolumeSpec, state: VolumeState) -> str:
    wanted = desired_state(spec, state)
    return "; ".join(
        "%s: %r wanted, %r found" % (name, getattr(wanted, name), getattr(state, name)) for name in names
    )


def plan_volume(spec: VolumeSpec, state: Optional[VolumeState], users: list[str]) -> VolumePlan:
    """The steps from `state` (None: no such volume) to `spec`; `users` are the containers using it.

    With recreate=never a differing volume is left as it is (the plan has its `differences` and no
    step). Raises PlanError, before anything is written, when the volume would have to be removed
    while containers still use it (the engine refuses that).
    """
    plan = VolumePlan(name=spec.name)
    plan.before = state.to_view() if state is not None else None
    if spec.state == "absent":
        if state is not None:
            _refuse_if_used(spec.name, users, "remove it")
            plan.steps.append(("remove", "state=absent"))
        return plan
    if state is None:
        plan.create = desired_state(spec, None)
        plan.steps.append(("create", "volume does not exist"))
    else:
        plan.differences = volume_differences(spec, state)
        reason = None
        if spec.recreate == "always":
            reason = "recreate=always"
        elif plan.differences:
            if spec.recreate == "never":
                plan.kept = "volume %s exists with different options (%s); its data is kept (recreate=never): set " \
                            "recreate=options-changed to replace it with an empty volume, or change the task to " \
                            "match" % (spec.name, _difference_text(plan.differences, spec, state))
                plan.after = state.to_view()
                return plan
            reason = "recreate=options-changed, changed: %s" % ", ".join(plan.differences)
        if reason:
            _refuse_if_used(spec.name, users, "recreate it")
            plan.create = desired_state(spec, state)
            plan.steps += [("remove", reason), ("create", reason)]
    target = plan.create or state
    plan.after = target.to_view() if target is not None else None
    return plan


def _refuse_if_used(name: str, users: list[str], what: str) -> None:
    if users:
        raise PlanError(
            "", "volume %s is used by container(s) %s; remove those containers before you %s"
            % (name, ", ".join(sorted(users)), what)
        )
