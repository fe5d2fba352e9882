# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired stack + observed services/networks → a plan: a pure value, a list of actions with reasons.

A service is unchanged when BOTH hold:
- its `io.goship.stack.spec-hash` label equals the hash of the desired spec (catches everything the
  file changed, removals included), and
- the engine's current spec satisfies every value of the desired spec (catches changes made behind
  our back, such as `docker service update --image`). The engine adds defaults of its own (Isolation,
  Runtime, RestartPolicy...), so only the keys we set are compared; maps we set (labels, options,
  sysctls) and lists are compared whole.
The engine stores network attachments by network ID: observed specs are translated back to names
(`normalise_observed_spec`) before comparing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.swarm.service_spec import SPEC_HASH_LABEL, TASK_HASH_LABEL

# Maps whose keys are user data: compared whole (extra keys on the engine side are a difference).
WHOLE_MAPS = ("Labels", "Options", "Sysctls", "DriverOpts")
MAX_REASONS = 4


@dataclass
class StackAction:
    kind: str  # create-network | create-service | update-service | remove-service | remove-network
    name: str
    reason: str
    spec: Optional[dict[str, Any]] = None  # create: the request; update: the new ServiceSpec
    object_id: Optional[str] = None
    version: Optional[int] = None
    rolling: bool = False  # the update changes tasks (TaskTemplate or EndpointSpec): a rolling update

    def sentence(self) -> str:
        verb, what = self.kind.split("-", 1)
        return "%s %s %s (%s)" % (verb, what, self.name, self.reason)

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.kind, "name": self.name, "reason": self.reason}


@dataclass
class StackPlan:
    actions: list[StackAction] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)


def normalise_observed_spec(spec: dict[str, Any], network_names: dict[str, str]) -> dict[str, Any]:
    """A copy of an engine ServiceSpec with network IDs in TaskTemplate.Networks turned into names."""
    out = copy.deepcopy(spec)
    for attachment in (out.get("TaskTemplate") or {}).get("Networks") or []:
        target = attachment.get("Target")
        attachment["Target"] = network_names.get(target, target)
    return out


def spec_differences(desired: Any, actual: Any, path: str = "", key: str = "") -> list[str]:
    """Paths where `actual` does not satisfy `desired` (see the module docstring for the rules)."""
    if isinstance(desired, dict):
        if not isinstance(actual, dict):
            return [path or "."]
        if key in WHOLE_MAPS:
            return [] if desired == actual else [path]
        out: list[str] = []
        for name, value in desired.items():
            out.extend(spec_differences(value, actual.get(name), _join(path, name), name))
        return out
    if isinstance(desired, list):
        if not isinstance(actual, list) or len(actual) != len(desired):
            return [path]
        out = []
        for index, (want, have) in enumerate(zip(desired, actual)):
            out.extend(spec_differences(want, have, "%s[%d]" % (path, index), key))
        return out
    if desired == actual:
        return []
    # JSON gives floats where we may hold ints (MaxFailureRatio 0 vs 0.0): compare as numbers.
    if isinstance(desired, (int, float)) and isinstance(actual, (int, float)) and not isinstance(desired, bool):
        return [] if float(desired) == float(actual) else [path]
    return [path]


def _join(path: str, name: str) -> str:
    return "%s.%s" % (path, name) if path else name


def projection(desired: Any, actual: Any, key: str = "") -> Any:
    """`actual` restricted to the keys of `desired` (what a diff shows as 'before')."""
    if isinstance(desired, dict) and isinstance(actual, dict) and key not in WHOLE_MAPS:
        return {name: projection(value, actual.get(name), name) for name, value in desired.items()
                if name in actual}
    if isinstance(desired, list) and isinstance(actual, list) and len(desired) == len(actual):
        return [projection(w, h, key) for w, h in zip(desired, actual)]
    return actual


def _describe(paths: list[str], desired: dict[str, Any], actual: dict[str, Any]) -> str:
    shown = []
    for path in paths[:MAX_REASONS]:
        want, have = _lookup(desired, path), _lookup(actual, path)
        if ".Env[" in path or "Labels" in path:  # may be secrets (module_utils/secrets.py): the path only
            shown.append(path)
        elif isinstance(want, (str, int, float)) and isinstance(have, (str, int, float, type(None))):
            shown.append("%s: %s -> %s" % (path, have, want))
        else:
            shown.append(path)
    more = len(paths) - MAX_REASONS
    return "; ".join(shown) + (" and %d more" % more if more > 0 else "")


def _lookup(value: Any, path: str) -> Any:
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def plan_service(name: str, desired: dict[str, Any], observed: Optional[dict[str, Any]]) -> Optional[StackAction]:
    """The action for one service, or None when it is as desired. `observed`: normalised engine object."""
    if observed is None:
        return StackAction("create-service", name, "service does not exist", spec=desired)
    actual = observed["Spec"]
    paths = spec_differences(_without_hash_labels(desired), _without_hash_labels(actual))
    have_hash = (actual.get("Labels") or {}).get(SPEC_HASH_LABEL)
    if not paths and have_hash == desired["Labels"][SPEC_HASH_LABEL]:
        return None
    if not paths:
        reason = "the stack file changed: spec hash %s -> %s" % (
            (have_hash or "none")[:12], desired["Labels"][SPEC_HASH_LABEL][:12])
    else:
        reason = _describe(paths, desired, actual)
    rolling = bool(spec_differences(desired.get("TaskTemplate"), actual.get("TaskTemplate"), "TaskTemplate")
                   or spec_differences(desired.get("EndpointSpec"), actual.get("EndpointSpec"), "EndpointSpec")
                   or (actual.get("Labels") or {}).get(TASK_HASH_LABEL) != desired["Labels"][TASK_HASH_LABEL])
    if set(desired["Mode"]) != set(actual.get("Mode") or {}):
        return StackAction("replace-service", name, "the service mode cannot change in place: " + reason,
                           spec=desired, object_id=observed["ID"])
    return StackAction("update-service", name, reason, spec=desired, object_id=observed["ID"],
                       version=observed["Version"]["Index"], rolling=rolling)


def _without_hash_labels(spec: dict[str, Any]) -> dict[str, Any]:
    labels = {k: v for k, v in (spec.get("Labels") or {}).items() if k not in (SPEC_HASH_LABEL, TASK_HASH_LABEL)}
    return dict(spec, Labels=labels)


def plan_stack(
    desired_networks: dict[str, dict[str, Any]],
    desired_services: dict[str, dict[str, Any]],
    observed_networks: dict[str, dict[str, Any]],
    observed_services: dict[str, dict[str, Any]],
    prune: bool,
) -> StackPlan:
    """Actions in order: create networks, create/update services, remove services, remove networks.

    observed_networks: engine name → network (the stack's own and any the desired services need);
    observed_services: engine name → service with its Spec normalised, only the stack's services.
    """
    plan = StackPlan()
    for name, request in desired_networks.items():
        if name not in observed_networks:
            plan.actions.append(StackAction("create-network", name, "network does not exist", spec=request))
    for name, spec in desired_services.items():
        observed = observed_services.get(name)
        action = plan_service(name, spec, observed)
        plan.after[name] = spec
        if observed is not None:
            plan.before[name] = projection(spec, observed["Spec"])
        if action is None:
            plan.unchanged.append(name)
        else:
            plan.actions.append(action)
    if prune:
        for name in sorted(set(observed_services) - set(desired_services)):
            observed = observed_services[name]
            plan.before[name] = observed["Spec"]
            plan.actions.append(StackAction("remove-service", name, "no longer in the project",
                                            object_id=observed["ID"]))
        for name in sorted(set(observed_networks) - set(desired_networks)):
            network = observed_networks[name]
            if network.get("Labels", {}).get("com.docker.stack.namespace") is None:
                continue  # an external network the project uses: never ours to remove
            plan.actions.append(StackAction("remove-network", name, "no longer used by the project",
                                            object_id=network["Id"]))
    return plan


def plan_removal(observed_networks: dict[str, dict[str, Any]], observed_services: dict[str, dict[str, Any]]) -> StackPlan:
    """state=absent: every service of the stack, then its networks (volumes stay, as with docker stack rm)."""
    plan = StackPlan()
    for name in sorted(observed_services):
        plan.before[name] = observed_services[name]["Spec"]
        plan.actions.append(StackAction("remove-service", name, "state is absent",
                                        object_id=observed_services[name]["ID"]))
    for name in sorted(observed_networks):
        plan.actions.append(StackAction("remove-network", name, "state is absent",
                                        object_id=observed_networks[name]["Id"]))
    return plan
