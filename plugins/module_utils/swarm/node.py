# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `swarm` module's core: a node's membership (init / join / leave) as desired state → plan.

The observed state comes from one call, GET /info (`Swarm`: LocalNodeState, NodeID, NodeAddr,
ControlAvailable, RemoteManagers, Cluster), plus GET /swarm for the join tokens on a manager.
Idempotency rules:
- state=present: a manager of any swarm is done; an inactive node initialises a swarm; a worker
  fails (it cannot become a manager by itself: promote it from a manager).
- state=join: an inactive node joins; a node already in the swarm of `remote_addrs` (one of them
  is among its RemoteManagers) is done; in another swarm it fails and names it. When the node is
  a manager, the join token tells the wanted role and a role mismatch fails (promote/demote).
- state=absent: an active (or pending / errored) node leaves; an inactive one is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError

SWARM_OPTIONS: dict[str, dict[str, Any]] = dict(
    state=dict(type="str", default="present", choices=["present", "join", "absent"]),
    advertise_addr=dict(type="str"),
    listen_addr=dict(type="str", default="0.0.0.0:2377"),
    data_path_addr=dict(type="str"),
    default_addr_pool=dict(type="list", elements="str"),
    subnet_size=dict(type="int"),
    remote_addrs=dict(type="list", elements="str"),
    join_token=dict(type="str", no_log=True),
    force=dict(type="bool", default=False),
)

ACTIVE = "active"
INACTIVE = "inactive"


@dataclass
class SwarmSpec:
    state: str
    advertise_addr: Optional[str] = None
    listen_addr: str = "0.0.0.0:2377"
    data_path_addr: Optional[str] = None
    default_addr_pool: list[str] = field(default_factory=list)
    subnet_size: Optional[int] = None
    remote_addrs: list[str] = field(default_factory=list)
    join_token: Optional[str] = None
    force: bool = False


@dataclass
class NodeState:
    """What GET /info says about the node's swarm membership."""
    local_state: str
    node_id: str = ""
    node_addr: str = ""
    is_manager: bool = False
    remote_managers: list[str] = field(default_factory=list)  # "addr:port"
    cluster_id: str = ""

    def view(self) -> dict[str, Any]:
        """The before/after shown in diff mode."""
        if self.local_state == INACTIVE:
            return {"state": INACTIVE}
        return {"state": self.local_state, "role": "manager" if self.is_manager else "worker",
                "node_addr": self.node_addr}


@dataclass
class SwarmPlan:
    action: Optional[str] = None  # init | join | leave | None
    reason: str = ""
    after: dict[str, Any] = field(default_factory=dict)

    def sentence(self) -> str:
        return "%s swarm (%s)" % (self.action, self.reason)


def load_swarm_spec(params: dict[str, Any]) -> SwarmSpec:
    spec = SwarmSpec(
        state=params["state"], advertise_addr=params.get("advertise_addr"),
        listen_addr=params.get("listen_addr") or "0.0.0.0:2377", data_path_addr=params.get("data_path_addr"),
        default_addr_pool=list(params.get("default_addr_pool") or []), subnet_size=params.get("subnet_size"),
        remote_addrs=list(params.get("remote_addrs") or []), join_token=params.get("join_token"),
        force=bool(params.get("force")),
    )
    if spec.state == "join":
        if not spec.remote_addrs:
            raise OptionError("remote_addrs", "required with state=join (the address of a manager, host:2377)")
        if not spec.join_token:
            raise OptionError("join_token", "required with state=join (the worker or manager token of the swarm)")
        if not spec.join_token.startswith("SWMTKN-1-"):
            raise OptionError("join_token", "not a swarm join token (they start with SWMTKN-1-)")
    elif spec.remote_addrs or spec.join_token:
        raise OptionError("remote_addrs, join_token", "only used with state=join")
    if spec.state != "present" and (spec.default_addr_pool or spec.subnet_size):
        raise OptionError("default_addr_pool, subnet_size", "only used with state=present (swarm init)")
    if spec.subnet_size is not None and not 16 <= spec.subnet_size <= 30:
        raise OptionError("subnet_size", "must be between 16 and 30, got %d" % spec.subnet_size)
    return spec


def node_state_from_info(info: dict[str, Any]) -> NodeState:
    swarm = info.get("Swarm") or {}
    return NodeState(
        local_state=swarm.get("LocalNodeState") or INACTIVE,
        node_id=swarm.get("NodeID") or "",
        node_addr=swarm.get("NodeAddr") or "",
        is_manager=bool(swarm.get("ControlAvailable")),
        remote_managers=[m.get("Addr", "") for m in swarm.get("RemoteManagers") or []],
        cluster_id=((swarm.get("Cluster") or {}).get("ID")) or "",
    )


def _host(addr: str) -> str:
    """The host part of host:port, [v6]:port or a bare host."""
    if addr.startswith("["):
        return addr[1:].split("]", 1)[0]
    return addr.rsplit(":", 1)[0] if addr.count(":") == 1 else addr


def same_swarm(spec: SwarmSpec, node: NodeState) -> bool:
    managers = {_host(m) for m in node.remote_managers}
    return any(_host(addr) in managers for addr in spec.remote_addrs)


def token_role(token: str, tokens: dict[str, str]) -> Optional[str]:
    if token == tokens.get("Manager"):
        return "manager"
    if token == tokens.get("Worker"):
        return "worker"
    return None


def plan_swarm(spec: SwarmSpec, node: NodeState, join_tokens: Optional[dict[str, str]] = None) -> SwarmPlan:
    """The one action (or none) that brings the node to `spec`; raises PlanError when it must not."""
    state = node.local_state
    if state in ("locked",):
        raise PlanError("", "the node's swarm is locked: unlock it (docker swarm unlock) first")
    if spec.state == "absent":
        if state == INACTIVE:
            return SwarmPlan(None, "not in a swarm", node.view())
        if node.is_manager and not spec.force:
            raise PlanError(
                "force", "the node is a swarm manager; leaving can break the swarm's quorum. Demote it first,"
                " or set force=true (for the last manager this destroys the swarm)")
        return SwarmPlan("leave", "state is absent, node is %s" % state, {"state": INACTIVE})
    if state in ("pending", "error"):
        raise PlanError("", "the node's swarm state is %s: leave with state=absent force=true and retry" % state)
    if spec.state == "present":
        if state == INACTIVE:
            return SwarmPlan("init", "node is not in a swarm",
                             {"state": ACTIVE, "role": "manager", "node_addr": spec.advertise_addr or "auto"})
        if not node.is_manager:
            raise PlanError("", "state=present needs a manager, but this node is a worker of a swarm"
                            " (managers: %s): promote it from a manager" % ", ".join(node.remote_managers))
        return SwarmPlan(None, "already a swarm manager", node.view())
    # join
    if state == INACTIVE:
        return SwarmPlan("join", "node is not in a swarm", {
            "state": ACTIVE, "role": token_role_hint(spec.join_token or ""), "remote_addrs": spec.remote_addrs})
    if not same_swarm(spec, node):
        raise PlanError(
            "remote_addrs", "the node is already in another swarm (managers: %s); leave it first (state=absent)"
            % ", ".join(node.remote_managers))
    if node.is_manager and join_tokens:
        wanted = token_role(spec.join_token or "", join_tokens)
        if wanted == "worker":
            raise PlanError("join_token", "is the worker token, but the node is already a manager of"
                            " this swarm: demote it from a manager (docker node demote)")
        if wanted is None:
            raise PlanError("join_token", "is not a current token of the swarm this node is in")
    return SwarmPlan(None, "already in the swarm of %s" % ", ".join(spec.remote_addrs), node.view())


def token_role_hint(token: str) -> str:
    """Tokens do not say their role; the diff says 'as the token says'."""
    return "as the join token says" if token else "unknown"


def init_request(spec: SwarmSpec) -> dict[str, Any]:
    """Keyword arguments of APIClient.init_swarm for `spec` (only what the user set)."""
    out: dict[str, Any] = {"listen_addr": spec.listen_addr}
    if spec.advertise_addr:
        out["advertise_addr"] = spec.advertise_addr
    if spec.data_path_addr:
        out["data_path_addr"] = spec.data_path_addr
    if spec.default_addr_pool:
        out["default_addr_pool"] = spec.default_addr_pool
    if spec.subnet_size is not None:
        out["subnet_size"] = spec.subnet_size
    return out


def join_request(spec: SwarmSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"remote_addrs": spec.remote_addrs, "join_token": spec.join_token,
                           "listen_addr": spec.listen_addr}
    if spec.advertise_addr:
        out["advertise_addr"] = spec.advertise_addr
    if spec.data_path_addr:
        out["data_path_addr"] = spec.data_path_addr
    return out
