# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NetworkSpec + NetworkState → NetworkPlan: a pure value, a list of steps with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compare import differs
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.networks.observed import ContainerRef, NetworkState
from ansible_collections.goship.containers.plugins.module_utils.networks.spec import (
    CONFIG_ONLY_DRIVER, DEFAULT_DRIVER, IpamPool, NetworkSpec,
)


def _ipam_differs(desired: Optional[list[IpamPool]], actual: list[IpamPool]) -> bool:
    """Per IP version named in `desired`, the actual pools must be exactly the desired ones.

    IP versions the user did not mention are the engine's choice: with enable_ipv6 and only an
    IPv6 subnet given, the engine adds an IPv4 pool of its own, and that is not a difference.
    """
    if not desired:
        return False
    for version in {pool.version for pool in desired}:
        mine = [p for p in desired if p.version == version]
        theirs = [p for p in actual if p.version == version]
        if len(mine) != len(theirs):
            return True
        if not all(any(m.satisfied_by(t) for t in theirs) for m in mine):
            return True
    return False


def network_differences(spec: NetworkSpec, state: NetworkState) -> list[str]:
    """The fixed options whose actual value differs from what the user specified."""
    found = []
    if differs(spec.driver, state.driver):
        found.append("driver")
    # Drivers may add options of their own: only the options the user lists are compared.
    if differs(spec.driver_options, state.driver_options, "allow_more_present", "dict"):
        found.append("driver_options")
    if _ipam_differs(spec.ipam_config, state.ipam_config):
        found.append("ipam_config")
    for option in ("internal", "attachable", "enable_ipv6"):
        if differs(getattr(spec, option), getattr(state, option)):
            found.append(option)
    if differs(spec.labels, state.labels, "strict", "dict"):
        found.append("labels")
    if differs(spec.ipam_driver, state.ipam_driver):
        found.append("ipam_driver")
    # community.docker compares the IPAM driver's options as a whole: the default driver adds none
    if differs(spec.ipam_driver_options, state.ipam_options, "strict", "dict"):
        found.append("ipam_driver_options")
    for option in ("scope", "config_only", "config_from"):
        if differs(getattr(spec, option), getattr(state, option)):
            found.append(option)
    return found


@dataclass
class NetworkConfig:
    """Everything `POST /networks/create` needs, and the view diff mode shows."""

    name: str
    driver: str
    driver_options: dict[str, str]
    ipam_config: list[IpamPool]
    internal: bool
    attachable: bool
    enable_ipv6: bool
    labels: dict[str, str]
    ipam_driver: str = "default"
    ipam_options: dict[str, str] = field(default_factory=dict)
    scope: Optional[str] = None  # None: the driver's scope
    config_only: bool = False
    config_from: str = ""

    def to_view(self) -> dict[str, Any]:
        return dict(
            name=self.name,
            driver=self.driver,
            driver_options=dict(sorted(self.driver_options.items())),
            ipam_config=[pool.to_view() for pool in self.ipam_config],
            internal=self.internal,
            attachable=self.attachable,
            enable_ipv6=self.enable_ipv6,
            labels=dict(sorted(self.labels.items())),
            ipam_driver=self.ipam_driver,
            ipam_driver_options=dict(sorted(self.ipam_options.items())),
            scope=self.scope or "local",
            config_only=self.config_only,
            config_from=self.config_from,
        )


def config_from_state(state: NetworkState) -> NetworkConfig:
    return NetworkConfig(
        name=state.name, driver=state.driver, driver_options=dict(state.driver_options),
        ipam_config=list(state.ipam_config), internal=state.internal, attachable=state.attachable,
        enable_ipv6=state.enable_ipv6, labels=dict(state.labels), ipam_driver=state.ipam_driver,
        ipam_options=dict(state.ipam_options), scope=state.scope, config_only=state.config_only,
        config_from=state.config_from,
    )


def desired_config(spec: NetworkSpec, state: Optional[NetworkState]) -> NetworkConfig:
    """The network to create: the user's options, and for unset ones the old network's values
    (on recreate) or the engine defaults (on first creation)."""
    base = config_from_state(state) if state is not None else NetworkConfig(
        name=spec.name, driver=DEFAULT_DRIVER, driver_options={}, ipam_config=[], internal=False,
        attachable=False, enable_ipv6=False, labels={},
    )
    if spec.driver is not None:
        base.driver = spec.driver
    if spec.driver_options is not None:
        if state is not None and spec.driver is not None and spec.driver != state.driver:
            base.driver_options = {}  # the old driver's options mean nothing to the new one
        base.driver_options.update(spec.driver_options)
    for option in ("internal", "attachable", "enable_ipv6"):
        if getattr(spec, option) is not None:
            setattr(base, option, getattr(spec, option))
    if spec.ipam_config:
        # The user's pools replace the old ones of the same IP version; other versions carry over.
        versions = {pool.version for pool in spec.ipam_config}
        base.ipam_config = list(spec.ipam_config) + [p for p in base.ipam_config if p.version not in versions]
    if not base.enable_ipv6:
        base.ipam_config = [p for p in base.ipam_config if p.version == 4]
    if spec.labels is not None:
        base.labels = dict(spec.labels)
    if spec.ipam_driver is not None:
        base.ipam_driver = spec.ipam_driver
    if spec.ipam_driver_options is not None:
        base.ipam_options = dict(spec.ipam_driver_options)
    for option in ("scope", "config_only", "config_from"):
        if getattr(spec, option) is not None:
            setattr(base, option, getattr(spec, option))
    if base.config_only:
        base.driver, base.internal, base.attachable, base.scope = CONFIG_ONLY_DRIVER, False, False, None
    elif state is not None and state.config_only and spec.driver is None:
        base.driver = DEFAULT_DRIVER  # no longer config-only: the driver the engine had set no longer applies
    if base.config_from:
        # The old network's IPAM, options, labels and IPv6 were copied from its config-only network;
        # the engine refuses them in a request with ConfigFrom, and takes them from there again.
        base.ipam_config, base.ipam_driver, base.ipam_options = [], "default", {}
        base.driver_options, base.labels, base.enable_ipv6 = {}, {}, False
    base.name = spec.name
    return base


@dataclass
class Step:
    """One API action of a plan. `kind`: create, remove, connect, disconnect, reconnect."""

    kind: str
    reason: str
    container: Optional[ContainerRef] = None

    def describe(self, network: str) -> str:
        if self.container is None:
            return "%s network %s (%s)" % (self.kind, network, self.reason)
        preposition = "from" if self.kind == "disconnect" else "to"
        return "%s container %s %s network %s (%s)" % (self.kind, self.container.name, preposition, network, self.reason)


@dataclass
class NetworkPlan:
    name: str
    steps: list[Step] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    config: Optional[NetworkConfig] = None  # what create uses, when a step creates
    existing: Optional[NetworkConfig] = None  # the network as it is, to restore if a recreate fails
    before: Optional[dict[str, Any]] = None
    after: Optional[dict[str, Any]] = None

    @property
    def actions(self) -> list[str]:
        return [step.describe(self.name) for step in self.steps]


def _view(config: Optional[NetworkConfig], members: list[ContainerRef]) -> Optional[dict[str, Any]]:
    if config is None:
        return None
    view = config.to_view()
    view["connected"] = sorted(ref.name for ref in members)
    return view


def _final_members(spec: NetworkSpec, attached: list[ContainerRef], wanted: list[ContainerRef]) -> list[ContainerRef]:
    if spec.connected is None:
        return list(attached)
    if spec.appends:
        return list(attached) + [ref for ref in wanted if ref not in attached]
    return list(wanted)


def plan_network(
    spec: NetworkSpec,
    state: Optional[NetworkState],
    attached: list[ContainerRef],
    wanted: list[ContainerRef],
    dependents: Optional[list[str]] = None,
) -> NetworkPlan:
    """The steps from `state` (None: no such network) with `attached` containers to `spec`.

    `wanted` is spec.connected resolved to containers; `dependents` are the networks created from
    `state` when it is a config-only network (the engine refuses to remove it while they exist).
    """
    plan = NetworkPlan(name=spec.name)
    if state is not None:
        plan.existing = config_from_state(state)
        plan.before = _view(plan.existing, attached)
    if spec.state == "absent":
        if state is None:
            return plan
        _refuse_removal_with_dependents(spec.name, dependents, "state=absent")
        # as community.docker's docker_network: the containers still attached are disconnected (they
        # keep running), then the network is removed
        plan.steps += [Step("disconnect", "network is removed", ref) for ref in attached]
        plan.steps.append(Step("remove", "state=absent"))
        return plan

    members = _final_members(spec, attached, wanted)
    if state is None:
        plan.config = desired_config(spec, None)
        plan.steps.append(Step("create", "network does not exist"))
        plan.steps += [Step("connect", "listed in connected", ref) for ref in members]
    else:
        plan.differences = network_differences(spec, state)
        if plan.differences:
            reason = "changed: %s" % ", ".join(plan.differences)
            plan.config = desired_config(spec, state)
            _refuse_removal_with_dependents(spec.name, dependents, "the recreate for " + ", ".join(plan.differences))
            plan.steps += [Step("disconnect", "network is recreated", ref) for ref in attached]
            plan.steps.append(Step("remove", "recreate, " + reason))
            plan.steps.append(Step("create", "recreate, " + reason))
            plan.steps += [Step("reconnect", "was connected before the recreate", ref) for ref in members if ref in attached]
            plan.steps += [Step("connect", "listed in connected", ref) for ref in members if ref not in attached]
        else:
            plan.steps += [Step("connect", "listed in connected", ref) for ref in members if ref not in attached]
            plan.steps += [
                Step("disconnect", "not listed in connected and appends=false", ref)
                for ref in attached if ref not in members
            ]
    if plan.config is not None and plan.config.config_only and members:
        raise PlanError("config_only", "containers cannot be connected to a config-only network, and %s would stay "
                        "connected to %s; disconnect them first (connected: [] with appends=false)"
                        % (", ".join(ref.name for ref in members), spec.name))
    plan.after = _view(plan.config or plan.existing, members)
    return plan


def _refuse_removal_with_dependents(name: str, dependents: Optional[list[str]], why: str) -> None:
    if dependents:
        raise PlanError("name", "%s is a config-only network that %s %s created from (config_from); the engine "
                        "refuses to remove it, so %s cannot be done: remove %s first"
                        % (name, ", ".join(sorted(dependents)), "is" if len(dependents) == 1 else "are", why,
                           "it" if len(dependents) == 1 else "them"))
