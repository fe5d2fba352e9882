# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired spec + observed container → a plan: a pure list of steps, each with its reason.

What a difference costs is decided here, per option:
- `update`: the engine applies it in place (POST /containers/{id}/update): CPU (cpus, shares,
  period, quota, cpuset), block I/O weight, memory, pids, restart policy;
- `network`: connect / disconnect, no recreate;
- `recreate`: everything else (create the new container, then stop and remove the old one:
  replace.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compare import COMPARISON_MODES, KINDS, differs
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import ObservedContainer
from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import OWN
from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS, OPTIONS_BY_NAME
from ansible_collections.goship.containers.plugins.module_utils.containers.options_config import normal_network_mode
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import ContainerSpec, NetworkAttachment


@dataclass(frozen=True)
class CompareRule:
    field: str  # ContainerSpec attribute
    kind: str  # compare.KINDS
    mode: str  # default comparison mode
    cost: str  # update | recreate


# Module option name → how it is compared, from the registry (each entry's `compare`, `mode` and
# `update`), in registry order. Documented in the container module's `comparisons`.
COMPARE_RULES: dict[str, CompareRule] = {
    option.name: CompareRule(option.field, option.compare, option.mode, "update" if option.update else "recreate")
    for option in OPTIONS if option.compare in KINDS
}
# Options compared by their own logic: the image by ID, networks by membership.
SPECIAL_COMPARISONS = {option.name: option.mode for option in OPTIONS if option.compare == OWN}
COMPARISON_ALIASES = {alias: option.name for option in OPTIONS for alias in option.comparison_aliases}
# ContainerSpec field → its field in POST /containers/{id}/update
UPDATE_API_FIELDS = {option.field: option.update for option in OPTIONS if option.update and not option.update_value}


@dataclass(frozen=True)
class Step:
    kind: str  # pull, create, recreate, update, connect, disconnect, start, stop, restart, remove, pause, unpause
    reason: str
    network: Optional[NetworkAttachment] = None
    update: dict[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> str:
        target = " %s" % self.network.name if self.network else ""
        return "%s%s (%s)" % (self.kind, target, self.reason)


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    differences: tuple[str, ...] = ()
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    @property
    def kinds(self) -> list[str]:
        return [step.kind for step in self.steps]


def resolve_comparisons(user: Optional[dict[str, str]]) -> dict[str, str]:
    """Per-option modes: defaults, then '*' from the user, then the user's named options.
    Raises ValueError naming the bad entry."""
    modes = {name: rule.mode for name, rule in COMPARE_RULES.items()}
    modes.update(SPECIAL_COMPARISONS)
    user = dict(user or {})
    if "*" in user:
        star = user.pop("*")
        if star not in COMPARISON_MODES:
            raise ValueError("comparisons.*: %r is not one of %s" % (star, ", ".join(COMPARISON_MODES)))
        modes = {name: star for name in modes}
    for name, mode in user.items():
        key = COMPARISON_ALIASES.get(name, name)
        if key not in modes:
            raise ValueError("comparisons.%s: unknown option (known: %s)" % (name, ", ".join(sorted(modes))))
        if mode not in COMPARISON_MODES:
            raise ValueError("comparisons.%s: %r is not one of %s" % (name, mode, ", ".join(COMPARISON_MODES)))
        modes[key] = mode
    return modes


def view(value: Any) -> Any:
    """JSON-friendly form for diffs and results (fields not compared are not shown)."""
    if is_dataclass(value) and not isinstance(value, type):
        shown = ((f.name, getattr(value, f.name)) for f in fields(value) if f.compare)
        return {k: view(v) for k, v in shown if v not in (None, (), [], {})}
    if isinstance(value, (list, tuple)):
        return [view(v) for v in value]
    if isinstance(value, dict):
        return {str(k): view(v) for k, v in value.items()}
    return value


def _desired_view(desired: ContainerSpec, image_id: Optional[str]) -> dict[str, Any]:
    """What a new container will have: the image and every compared option that is set, so the
    diff of a create shows the container, not just that one appears."""
    shown: dict[str, Any] = {"image": image_id or desired.image}
    for option in COMPARE_RULES:
        value = OPTIONS_BY_NAME[option].value(desired)
        if value not in (None, (), [], {}):
            shown[option] = view(value)
    if desired.networks:
        shown["networks"] = view(desired.networks)
    return shown


def _network_steps(desired: ContainerSpec, observed: ObservedContainer, mode: str) -> list[Step]:
    if desired.networks is None or mode == "ignore":
        return []
    if normal_network_mode(desired.effective_network_mode) in ("host", "none"):
        return []
    have = {attachment.name: attachment for attachment in observed.spec.networks or ()}
    steps: list[Step] = []
    for want in desired.networks:
        current = have.get(want.name)
        if current is None:
            steps.append(Step("connect", "not connected", network=want))
            continue
        problems = []
        if not set(want.aliases) <= set(current.aliases):
            problems.append("aliases %s" % ", ".join(sorted(set(want.aliases) - set(current.aliases))))
        if want.ipv4_address and want.ipv4_address != current.ipv4_address:
            problems.append("ipv4_address")
        if want.ipv6_address and want.ipv6_address != current.ipv6_address:
            problems.append("ipv6_address")
        if set(want.links) != set(current.links) and (want.links or mode == "strict"):
            problems.append("links")
        if want.driver_opts != current.driver_opts and (want.driver_opts or mode == "strict"):
            problems.append("driver_opts")
        if want.mac_address and want.mac_address != current.mac_address:
            problems.append("mac_address")
        if want.gw_priority is not None and want.gw_priority != (current.gw_priority or 0):
            problems.append("gw_priority")
        if problems:
            steps.append(Step("disconnect", "endpoint differs: " + "; ".join(problems), network=want))
            steps.append(Step("connect", "endpoint differs: " + "; ".join(problems), network=want))
    if mode == "strict":
        wanted = {attachment.name for attachment in desired.networks}
        for name in sorted(set(have) - wanted):
            steps.append(Step("disconnect", "not in networks (comparisons: strict)", network=have[name]))
    return steps


def _endpoints_as_asked(have: Optional[tuple[NetworkAttachment, ...]],
                        want: tuple[NetworkAttachment, ...]) -> tuple[NetworkAttachment, ...]:
    """The container's endpoints for the diff: the MAC address the engine picked shows only where
    the task asks for one (it is not compared otherwise, and would read as removed)."""
    asked = {attachment.name for attachment in want if attachment.mac_address}
    return tuple(attachment if attachment.name in asked else replace(attachment, mac_address=None)
                 for attachment in have or ())


def _update_body(desired: ContainerSpec, observed: ObservedContainer, options: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in options:
        option = OPTIONS_BY_NAME[name]
        body[option.update] = (option.update_value(desired, observed) if option.update_value
                               else getattr(desired, option.field))
    memory = body.get("Memory")
    current_swap = observed.spec.memory_swap or 0
    if memory and "MemorySwap" not in body and memory > current_swap:
        # The engine refuses a memory limit above the current swap limit (0 when there was no
        # limit) unless the swap limit changes too: keep unlimited swap unlimited, else use the
        # default `docker run --memory` applies (swap = 2 × memory).
        body["MemorySwap"] = -1 if current_swap == -1 else 2 * memory
    return body


def _switches_cpu_limit(desired: ContainerSpec, observed: ObservedContainer) -> bool:
    """The engine limits CPUs either by NanoCpus or by a CFS period/quota and refuses to update a
    container from one to the other."""
    wants_quota = bool(desired.cpu_period or desired.cpu_quota)
    has_quota = bool(observed.spec.cpu_period or observed.spec.cpu_quota)
    return (wants_quota and bool(observed.spec.nano_cpus)) or (bool(desired.nano_cpus) and has_quota)


def image_name(reference: str) -> str:
    """An image reference as compared by image_name_mismatch: `:latest` when no tag nor digest is given."""
    last = reference.rsplit("/", 1)[-1]
    return reference if ":" in last or "@" in last else reference + ":latest"


def _is_image_id(reference: str) -> bool:
    text = reference[len("sha256:"):] if reference.startswith("sha256:") else reference
    return reference.startswith("sha256:") or (len(text) in (12, 64) and all(c in "0123456789abcdef" for c in text))


def plan_container(
    desired: Optional[ContainerSpec],
    observed: Optional[ObservedContainer],
    state: str,
    image_id: Optional[str] = None,
    comparisons: Optional[dict[str, str]] = None,
    recreate: bool = False,
    restart: bool = False,
    compare_image_name: bool = False,
    paused: Optional[bool] = None,
) -> Plan:
    """The steps that take `observed` (None: no container) to `desired` in `state`.
    `desired` has the image defaults merged (observed.with_image_defaults); `image_id` is the ID
    the image reference resolves to now (None: not present locally, to be pulled).
    `compare_image_name` (image_name_mismatch=recreate): a container made from the same image ID under
    another name is recreated too. `paused`: pause (True) or unpause (False) a running container."""
    if state == "absent":
        if observed is None:
            return Plan(())
        return Plan((Step("remove", "state is absent"),), before={"exists": True}, after={"exists": False})
    if desired is None:
        raise ValueError("a desired spec is required unless state is absent")
    modes = comparisons or resolve_comparisons(None)
    start_after = state in ("started", "healthy")
    if observed is None:
        steps = [Step("create", "container does not exist")]
        if start_after:
            steps.append(Step("start", "state is %s" % state))
            if paused:
                steps.append(Step("pause", "paused is true"))
        return Plan(tuple(steps), before={"exists": False},
                    after=dict(_desired_view(desired, image_id), exists=True, running=start_after))

    reasons: list[str] = []
    differences: list[str] = []
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if modes.get("image") != "ignore" and image_id != observed.image_id:
        reasons.append("image %s is %s, container has %s" % (
            desired.image, image_id[7:19] if image_id else "not present locally", observed.image_id[7:19]))
        differences.append("image")
        before["image"], after["image"] = observed.image_id, image_id or desired.image
    elif (compare_image_name and modes.get("image") != "ignore" and not _is_image_id(desired.image)
          and image_name(desired.image) != image_name(observed.spec.image or "")):
        reasons.append("image name %s differs from the container's %s (image_name_mismatch=recreate)" % (
            desired.image, observed.spec.image))
        differences.append("image_name")
        before["image_name"], after["image_name"] = observed.spec.image, desired.image
    update_options: list[str] = []
    for option, rule in COMPARE_RULES.items():
        entry = OPTIONS_BY_NAME[option]
        want, have = entry.value(desired), entry.value(observed.spec)
        if entry.normal is not None:
            want, have = entry.normal(want), entry.normal(have)
        if not differs(want, have, modes.get(option, rule.mode), rule.kind):
            continue
        differences.append(option)
        before[option], after[option] = view(have), view(want)
        if rule.cost == "update":
            update_options.append(option)
        else:
            reasons.append("%s differs" % option)
    if update_options and _switches_cpu_limit(desired, observed):
        reasons.append("cpus and cpu_period/cpu_quota replace each other (the engine cannot switch in place)")
    if recreate:
        reasons.insert(0, "recreate requested")

    steps: list[Step] = []
    if reasons:
        steps.append(Step("recreate", "; ".join(reasons)))
        if start_after or (state == "present" and observed.running):
            steps.append(Step("start", "recreated container was running" if state == "present" else "state is %s" % state))
            if paused or (paused is None and observed.status == "paused"):
                steps.append(Step("pause", "paused is true" if paused else "the recreated container was paused"))
        return Plan(tuple(steps), tuple(differences), before, after)

    if update_options:
        steps.append(Step("update", "%s differ%s" % (", ".join(update_options), "s" if len(update_options) == 1 else ""),
                          update=_update_body(desired, observed, update_options)))
    network_steps = _network_steps(desired, observed, modes.get("networks", "allow_more_present"))
    if network_steps:
        differences.append("networks")
        before["networks"] = view(_endpoints_as_asked(observed.spec.networks, desired.networks))
        after["networks"] = view(desired.networks)
    steps.extend(network_steps)
    if start_after and not observed.running:
        steps.append(Step("start", "container is %s, state is %s" % (observed.status, state)))
    elif start_after and restart:
        steps.append(Step("restart", "restart requested"))
    elif state == "stopped" and observed.running:
        steps.append(Step("stop", "container is %s, state is stopped" % observed.status))
    will_run = (start_after or observed.running) and not (state == "stopped" and observed.running)
    if will_run and paused is not None and paused != (observed.status == "paused"):
        steps.append(Step("pause" if paused else "unpause", "paused is %s" % str(paused).lower()))
        before["paused"], after["paused"] = not paused, paused
    if any(step.kind in ("start", "stop") for step in steps):
        before["running"] = observed.running
        after["running"] = not observed.running
    return Plan(tuple(steps), tuple(differences), before, after)
