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

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Optional

from ..compare import COMPARISON_MODES, differs
from .anonymous_volumes import as_anonymous
from .observed import ObservedContainer
from .spec import ContainerSpec, NetworkAttachment


@dataclass(frozen=True)
class CompareRule:
    field: str  # ContainerSpec attribute
    kind: str  # compare.KINDS
    mode: str  # default comparison mode
    cost: str  # update | recreate


# Module option name → how it is compared. Documented in the container module's `comparisons`.
COMPARE_RULES: dict[str, CompareRule] = {
    "command": CompareRule("command", "value", "strict", "recreate"),
    "entrypoint": CompareRule("entrypoint", "value", "strict", "recreate"),
    "env": CompareRule("env", "dict", "strict", "recreate"),
    "labels": CompareRule("labels", "dict", "strict", "recreate"),
    "published_ports": CompareRule("published_ports", "set", "strict", "recreate"),
    "publish_all_ports": CompareRule("publish_all_ports", "value", "strict", "recreate"),
    "exposed_ports": CompareRule("exposed_ports", "set", "strict", "recreate"),
    "mounts": CompareRule("mounts", "set", "strict", "recreate"),
    "network_mode": CompareRule("network_mode", "value", "strict", "recreate"),
    "healthcheck": CompareRule("healthcheck", "value", "strict", "recreate"),
    "restart_policy": CompareRule("restart_policy", "value", "strict", "update"),
    "restart_retries": CompareRule("restart_retries", "value", "strict", "update"),
    "memory": CompareRule("memory", "value", "strict", "update"),
    "memory_reservation": CompareRule("memory_reservation", "value", "strict", "update"),
    "memory_swap": CompareRule("memory_swap", "value", "strict", "update"),
    "cpus": CompareRule("nano_cpus", "value", "strict", "update"),
    "cpu_shares": CompareRule("cpu_shares", "value", "strict", "update"),
    "pids_limit": CompareRule("pids_limit", "value", "strict", "update"),
    "log_driver": CompareRule("log_driver", "value", "strict", "recreate"),
    "log_options": CompareRule("log_options", "dict", "strict", "recreate"),
    "user": CompareRule("user", "value", "strict", "recreate"),
    "working_dir": CompareRule("working_dir", "value", "strict", "recreate"),
    "hostname": CompareRule("hostname", "value", "strict", "recreate"),
    "domainname": CompareRule("domainname", "value", "strict", "recreate"),
    "etc_hosts": CompareRule("etc_hosts", "dict", "strict", "recreate"),
    "dns_servers": CompareRule("dns_servers", "value", "strict", "recreate"),
    "dns_search_domains": CompareRule("dns_search", "value", "strict", "recreate"),
    "dns_opts": CompareRule("dns_opts", "set", "strict", "recreate"),
    "capabilities": CompareRule("cap_add", "set", "strict", "recreate"),
    "cap_drop": CompareRule("cap_drop", "set", "strict", "recreate"),
    "privileged": CompareRule("privileged", "value", "strict", "recreate"),
    "devices": CompareRule("devices", "set", "strict", "recreate"),
    "ulimits": CompareRule("ulimits", "set", "strict", "recreate"),
    "sysctls": CompareRule("sysctls", "dict", "strict", "recreate"),
    "read_only": CompareRule("read_only", "value", "strict", "recreate"),
    "init": CompareRule("init", "value", "strict", "recreate"),
    "security_opts": CompareRule("security_opts", "set", "strict", "recreate"),
    "shm_size": CompareRule("shm_size", "value", "strict", "recreate"),
    "stop_timeout": CompareRule("stop_timeout", "value", "strict", "recreate"),
    "stop_signal": CompareRule("stop_signal", "value", "strict", "recreate"),
    "auto_remove": CompareRule("auto_remove", "value", "strict", "recreate"),
    "tty": CompareRule("tty", "value", "strict", "recreate"),
    "interactive": CompareRule("stdin_open", "value", "strict", "recreate"),
    "cpu_period": CompareRule("cpu_period", "value", "strict", "update"),
    "cpu_quota": CompareRule("cpu_quota", "value", "strict", "update"),
    "cpuset_cpus": CompareRule("cpuset_cpus", "value", "strict", "update"),
    "cpuset_mems": CompareRule("cpuset_mems", "value", "strict", "update"),
    "blkio_weight": CompareRule("blkio_weight", "value", "strict", "update"),
    "device_read_bps": CompareRule("device_read_bps", "set", "strict", "recreate"),
    "device_write_bps": CompareRule("device_write_bps", "set", "strict", "recreate"),
    "device_read_iops": CompareRule("device_read_iops", "set", "strict", "recreate"),
    "device_write_iops": CompareRule("device_write_iops", "set", "strict", "recreate"),
    "oom_score_adj": CompareRule("oom_score_adj", "value", "strict", "recreate"),
    "oom_killer": CompareRule("oom_kill_disable", "value", "strict", "recreate"),
    "memory_swappiness": CompareRule("memory_swappiness", "value", "strict", "recreate"),
    "cgroup_parent": CompareRule("cgroup_parent", "value", "strict", "recreate"),
    "cgroupns_mode": CompareRule("cgroupns_mode", "value", "strict", "recreate"),
    "runtime": CompareRule("runtime", "value", "strict", "recreate"),
    "userns_mode": CompareRule("userns_mode", "value", "strict", "recreate"),
    "uts": CompareRule("uts_mode", "value", "strict", "recreate"),
    "ipc_mode": CompareRule("ipc_mode", "value", "strict", "recreate"),
    "pid_mode": CompareRule("pid_mode", "value", "strict", "recreate"),
    "groups": CompareRule("group_add", "set", "strict", "recreate"),
    "mac_address": CompareRule("mac_address", "value", "strict", "recreate"),
    "device_cgroup_rules": CompareRule("device_cgroup_rules", "set", "strict", "recreate"),
    "storage_opts": CompareRule("storage_opts", "dict", "strict", "recreate"),
    "volumes_from": CompareRule("volumes_from", "set", "strict", "recreate"),
}
# Options compared by their own logic: the image by ID, networks by membership.
SPECIAL_COMPARISONS = {"image": "strict", "networks": "allow_more_present"}
COMPARISON_ALIASES = {"volumes": "mounts", "tmpfs": "mounts", "ports": "published_ports", "expose": "exposed_ports",
                      "cap_add": "capabilities", "restart": "restart_policy"}
UPDATE_API_FIELDS = {
    "memory": "Memory", "memory_reservation": "MemoryReservation", "memory_swap": "MemorySwap",
    "nano_cpus": "NanoCpus", "cpu_shares": "CpuShares", "pids_limit": "PidsLimit",
    "cpu_period": "CpuPeriod", "cpu_quota": "CpuQuota", "cpuset_cpus": "CpusetCpus", "cpuset_mems": "CpusetMems",
    "blkio_weight": "BlkioWeight",
}


@dataclass(frozen=True)
class Step:
    kind: str  # pull, create, recreate, update, connect, disconnect, start, stop, restart, remove
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
    for option, rule in COMPARE_RULES.items():
        value = desired.effective_network_mode if option == "network_mode" else getattr(desired, rule.field)
        if value not in (None, (), [], {}):
            shown[option] = view(value)
    if desired.networks:
        shown["networks"] = view(desired.networks)
    return shown


def _normal_network_mode(mode: Optional[str]) -> Optional[str]:
    return "bridge" if mode == "default" else mode


def _network_steps(desired: ContainerSpec, observed: ObservedContainer, mode: str) -> list[Step]:
    if desired.networks is None or mode == "ignore":
        return []
    if _normal_network_mode(desired.effective_network_mode) in ("host", "none"):
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
        if problems:
            steps.append(Step("disconnect", "endpoint differs: " + "; ".join(problems), network=want))
            steps.append(Step("connect", "endpoint differs: " + "; ".join(problems), network=want))
    if mode == "strict":
        wanted = {attachment.name for attachment in desired.networks}
        for name in sorted(set(have) - wanted):
            steps.append(Step("disconnect", "not in networks (comparisons: strict)", network=have[name]))
    return steps


def _update_body(desired: ContainerSpec, observed: ObservedContainer, options: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for option in options:
        rule = COMPARE_RULES[option]
        if rule.field in UPDATE_API_FIELDS:
            body[UPDATE_API_FIELDS[rule.field]] = getattr(desired, rule.field)
    if "restart_policy" in options or "restart_retries" in options:
        name = desired.restart_policy or observed.spec.restart_policy or "no"
        policy: dict[str, Any] = {"Name": "" if name == "no" else name}
        if name == "on-failure":
            retries = desired.restart_retries if desired.restart_retries is not None else observed.spec.restart_retries
            policy["MaximumRetryCount"] = retries or 0
        body["RestartPolicy"] = policy
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


def plan_container(
    desired: Optional[ContainerSpec],
    observed: Optional[ObservedContainer],
    state: str,
    image_id: Optional[str] = None,
    comparisons: Optional[dict[str, str]] = None,
    recreate: bool = False,
    restart: bool = False,
) -> Plan:
    """The steps that take `observed` (None: no container) to `desired` in `state`.
    `desired` has the image defaults merged (observed.with_image_defaults); `image_id` is the ID
    the image reference resolves to now (None: not present locally, to be pulled)."""
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
    update_options: list[str] = []
    desired_mode = _normal_network_mode(desired.effective_network_mode)
    for option, rule in COMPARE_RULES.items():
        want = getattr(desired, rule.field)
        have = getattr(observed.spec, rule.field)
        if option == "network_mode":
            want, have = desired_mode, _normal_network_mode(have)
        elif option == "mounts":  # a volume handed on by a recreate is the anonymous one asked for
            want, have = as_anonymous(want), as_anonymous(have)
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
        return Plan(tuple(steps), tuple(differences), before, after)

    if update_options:
        steps.append(Step("update", "%s differ%s" % (", ".join(update_options), "s" if len(update_options) == 1 else ""),
                          update=_update_body(desired, observed, update_options)))
    network_steps = _network_steps(desired, observed, modes.get("networks", "allow_more_present"))
    if network_steps:
        differences.append("networks")
        before["networks"] = view(observed.spec.networks)
        after["networks"] = view(desired.networks)
    steps.extend(network_steps)
    if start_after and not observed.running:
        steps.append(Step("start", "container is %s, state is %s" % (observed.status, state)))
    elif start_after and restart:
        steps.append(Step("restart", "restart requested"))
    elif state == "stopped" and observed.running:
        steps.append(Step("stop", "container is %s, state is stopped" % observed.status))
    if any(step.kind in ("start", "stop") for step in steps):
        before["running"] = observed.running
        after["running"] = not observed.running
    return Plan(tuple(steps), tuple(differences), before, after)
