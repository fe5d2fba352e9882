"""A service's update with Swarm's update_config: each batch ready (healthy) before the next,
failure_action pause | rollback | continue, max_failure_ratio, and replacements that join the
service's network aliases only once healthy (no Docker: an in-memory engine)."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import updates
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ExecOptions
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.executor import Executor
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedImage, ObservedNetwork, ObservedProject,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project

P = "p"
NET = P + "_default"


class NotFound(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.response = type("Response", (), {"status_code": 404})()


class FakeEngine:
    def __init__(self):
        self.containers = {}
        self.log = []  # (call, container name, detail)
        self._ids = itertools.count(1)
        # container name -> aliases it had on each network whenever it was started or joined
        self.served_while_unhealthy = []

    # ------------------------------------------------------------ helpers for tests
    def add(self, name, image, aliases=(), network="p_default", running=True, health="healthy"):
        cid = "%064x" % next(self._ids)
        self.containers[cid] = {
            "Id": cid, "Name": "/" + name, "Image": image,
            "State": {"Status": "running" if running else "exited", "Running": running,
                      "Health": {"Status": health, "Log": []}},
            "NetworkSettings": {"Networks": {network: {"Aliases": list(aliases) + [cid[:12]], "IPAMConfig": None,
                                                       "Links": None}}},
            "HostConfig": {},
        }
        return cid

    def by_name(self, name):
        return [c for c in self.containers.values() if c["Name"] == "/" + name]

    def names(self):
        return sorted(c["Name"][1:] for c in self.containers.values())

    def _find(self, ref):
        if ref in self.containers:
            return self.containers[ref]
        for c in self.containers.values():
            if c["Name"] == "/" + ref or c["Id"].startswith(ref) and len(ref) >= 12:
                return c
        raise NotFound("No such container: %s" % ref)

    def _check_serving(self, c):
        """A container reachable through a service alias must be healthy."""
        aliased = any(a for e in c["NetworkSettings"]["Networks"].values() for a in e["Aliases"] if a == "web")
        if aliased and c["State"]["Running"] and c["State"]["Health"]["Status"] != "healthy":
            self.served_while_unhealthy.append(c["Name"][1:])

    # ------------------------------------------------------------ the API the code calls
    def inspect_image(self, ref):
        return {"Id": "sha256:" + ref, "Config": {"Healthcheck": {"Test": ["CMD", "/testapp", "healthcheck"]}}}

    def inspect_container(self, ref):
        return self._find(ref)

    def create_container_from_config(self, config, name=None):
        if name and self.by_name(name):
            raise Exception("Conflict. The container name /%s is already in use" % name)
        endpoints = (config.get("NetworkingConfig") or {}).get("EndpointsConfig") or {}
        net, endpoint = next(iter(endpoints.items()))
        cid = self.add(name, config["Image"], endpoint.get("Aliases") or (), network=net, running=False, health="starting")
        self.containers[cid]["State"]["Status"] = "created"
        self.log.append(("create", name, tuple(endpoint.get("Aliases") or ())))
        return {"Id": cid}

    def put_archive(self, cid, path, data):
        pass

    def start(self, ref):
        c = self._find(ref)
        c["State"].update(Status="running", Running=True)
        c["State"]["Health"]["Status"] = "unhealthy" if c["Image"].endswith(":bad") else "healthy"
        if c["State"]["Health"]["Status"] == "unhealthy":
            c["State"]["Health"]["Log"] = [{"ExitCode": 1, "Output": "unhealthy: 503"}]
        self.log.append(("start", c["Name"][1:], c["Image"]))
        self._check_serving(c)

    def stop(self, ref, timeout=None):
        c = self._find(ref)
        c["State"].update(Status="exited", Running=False)
        self.log.append(("stop", c["Name"][1:], ""))

    def rename(self, ref, name):
        if self.by_name(name):
            raise Exception("Conflict: name %s in use" % name)
        c = self._find(ref)
        self.log.append(("rename", c["Name"][1:], name))
        c["Name"] = "/" + name

    def remove_container(self, ref, v=False, force=False):
        c = self._find(ref)
        self.log.append(("remove", c["Name"][1:], ""))
        del self.containers[c["Id"]]

    def disconnect_container_from_network(self, ref, net, force=False):
        c = self._find(ref)
        c["NetworkSettings"]["Networks"].pop(net, None)
        self.log.append(("disconnect", c["Name"][1:], net))

    def connect_container_to_network(self, ref, net, aliases=None, links=None, ipv4_address=None, ipv6_address=None):
        c = self._find(ref)
        c["NetworkSettings"]["Networks"][net] = {"Aliases": list(aliases or []) + [c["Id"][:12]], "IPAMConfig": None,
                                                 "Links": None}
        self.log.append(("connect", c["Name"][1:], tuple(aliases or ())))
        self._check_serving(c)


def project(image, order="stop-first", replicas=3, **update):
    update = dict({"order": order, "parallelism": 1}, **update)
    definition = {"services": {"web": {"image": image, "deploy": {"replicas": replicas, "update_config": update}}}}
    return load_project(definition=definition, project_name=P, project_dir="/tmp")


def deployed(engine, replicas=3):
    """The engine runs version 1 of the service; the observed project the planner sees."""
    old = desired_project(project("app:1")).services["web"]
    observed = ObservedProject(name=P)
    for n in range(1, replicas + 1):
        name = L.container_name(P, "web", n)
        cid = engine.add(name, "app:1", aliases=("web", name))
        observed.containers.append(ObservedContainer(
            id=cid, name=name, service="web", number=n, state="running", status="Up (healthy)", health="healthy",
            exit_code=None, image_ref="app:1", image_id="sha256:app:1", config_hash=old.config_hash,
            settings=old.settings, build_digest="", oneoff=False, networks=(NET,), network_ids=("nid",)))
    observed.networks[NET] = ObservedNetwork("nid", NET, "default", P, "bridge", False, False)
    return observed


def update(engine, model, observed):
    desired = desired_project(model)
    image = desired.services["web"].image
    plan = plan_project(desired, observed, PlanOptions(), {image: ObservedImage("sha256:" + image)})
    recorded = []
    executor = Executor(engine, model, desired, ExecOptions(wait_timeout=2), recorded.append)
    error = None
    try:
        executor.run(plan)
    except ExecutionError as exc:
        error = str(exc)
    return error, recorded


def images(engine):
    return sorted((c["Name"][1:], c["Image"], c["State"]["Status"]) for c in engine.containers.values())


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    from ansible_collections.goship.containers.plugins.module_utils.compose.apply import containers
    monkeypatch.setattr(containers, "POLL_SECONDS", 0.001)
    monkeypatch.setattr(containers, "NO_HEALTHCHECK_GRACE", 0.0)


RUNNING_V1 = [("p-web-1", "app:1", "running"), ("p-web-2", "app:1", "running"), ("p-web-3", "app:1", "running")]


@pytest.mark.parametrize("order", ["stop-first", "start-first"])
def test_a_healthy_update_replaces_every_container_and_leaves_nothing_aside(order):
    engine = FakeEngine()
    error, recorded = update(engine, project("app:2", order), deployed(engine))
    assert error is None
    assert images(engine) == [(n, "app:2", "running") for n in ("p-web-1", "p-web-2", "p-web-3")]
    assert engine.served_while_unhealthy == []
    assert len([r for r in recorded if r.startswith("recreate")]) == 3


def test_stop_first_pause_stops_at_the_first_unhealthy_batch_and_puts_its_container_back():
    engine = FakeEngine()
    error, recorded = update(engine, project("app:bad", failure_action="pause"), deployed(engine))
    assert "service web: the new container did not become healthy, update paused (failure_action: pause) at batch 1" in error
    assert "p-web-1" in error and "unhealthy: 503" in error and "no container of the service was updated" in error
    assert images(engine) == RUNNING_V1  # the old p-web-1 (same ID) runs again, 2 and 3 untouched
    assert engine.served_while_unhealthy == []  # the bad container never had the service's alias
    assert any(r.startswith("roll back p-web-1") for r in recorded)


def test_stop_first_default_failure_action_is_pause():
    assert desired_project(project("app:2")).services["web"].failure_action == "pause"


def test_rollback_puts_back_the_batches_done_before(monkeypatch):
    engine = FakeEngine()
    real_start = engine.start

    def start(ref):  # the second replacement never becomes healthy
        real_start(ref)
        c = engine._find(ref)
        if c["Image"] == "app:2" and sum(1 for e in engine.log if e[0] == "create") == 2:
            c["State"]["Health"]["Status"] = "unhealthy"
    engine.start = start
    error, recorded = update(engine, project("app:2", failure_action="rollback"), deployed(engine))
    assert "rolled back (failure_action: rollback) at batch 2" in error
    assert images(engine) == RUNNING_V1
    assert [r.split(":")[0] for r in recorded if r.startswith("roll back")] == ["roll back p-web-2", "roll back p-web-1"]


def test_continue_keeps_going_and_says_which_failed():
    engine = FakeEngine()
    error, recorded = update(engine, project("app:bad", failure_action="continue"), deployed(engine))
    assert error is None
    assert images(engine) == [(n, "app:bad", "running") for n in ("p-web-1", "p-web-2", "p-web-3")]
    assert len([r for r in recorded if r.startswith("keep p-web-")]) == 3


def test_max_failure_ratio_tolerates_that_share_then_applies_the_action():
    engine = FakeEngine()
    real_start = engine.start

    def start(ref):  # the first two replacements fail, the third would not
        real_start(ref)
        c = engine._find(ref)
        if sum(1 for e in engine.log if e[0] == "create") <= 2:
            c["State"]["Health"]["Status"] = "unhealthy"
    engine.start = start
    error, recorded = update(engine, project("app:2", failure_action="pause", max_failure_ratio=0.4), deployed(engine))
    assert "update paused" in error and "at batch 2" in error  # 1 of 3 tolerated, 2 of 3 not
    assert ("p-web-1", "app:2", "running") in images(engine)
    assert ("p-web-2", "app:1", "running") in images(engine) and ("p-web-3", "app:1", "running") in images(engine)


def test_start_first_replacement_gets_the_alias_only_once_healthy_and_the_old_one_leaves_it_first():
    engine = FakeEngine()
    error, _recorded = update(engine, project("app:2", "start-first", replicas=1), deployed(engine, 1))
    assert error is None
    creates = [e for e in engine.log if e[0] == "create"]
    assert creates and creates[0][2] == ()  # created without the service's aliases
    calls = [(e[0], e[1]) for e in engine.log]
    new_name = creates[0][1]
    joined = next(i for i, e in enumerate(engine.log) if e[0] == "connect" and e[1] == new_name and "web" in e[2])
    left = next(i for i, e in enumerate(engine.log) if e[0] == "connect" and e[1] == "p-web-1" and "web" not in e[2])
    stopped = calls.index(("stop", "p-web-1"))
    assert calls.index(("start", new_name)) < joined < left < stopped
    assert engine.served_while_unhealthy == []


def test_start_first_unhealthy_replacement_is_removed_and_rolled_back_by_default():
    engine = FakeEngine()
    error, _recorded = update(engine, project("app:bad", "start-first"), deployed(engine))
    assert "rolled back (failure_action: rollback) at batch 1" in error
    assert "p-web-1: unhealthy; last health checks: exit 1: unhealthy: 503. p-web-1 kept running" in error
    assert images(engine) == RUNNING_V1
    assert engine.served_while_unhealthy == []
    assert not any(e[0] == "stop" for e in engine.log)  # no old container was ever stopped


def test_start_first_rollback_after_a_healthy_batch_restores_the_old_container_with_its_aliases():
    engine = FakeEngine()
    real_start = engine.start

    def start(ref):
        real_start(ref)
        c = engine._find(ref)
        if c["Image"] == "app:2" and sum(1 for e in engine.log if e[0] == "create") == 2:
            c["State"]["Health"]["Status"] = "unhealthy"
    engine.start = start
    error, _recorded = update(engine, project("app:2", "start-first"), deployed(engine))
    assert "rolled back" in error
    assert images(engine) == RUNNING_V1
    web1 = engine.by_name("p-web-1")[0]
    assert "web" in web1["NetworkSettings"]["Networks"][NET]["Aliases"]  # serving again


def test_monitor_fails_a_replacement_that_dies_after_it_was_healthy(monkeypatch):
    from ansible_collections.goship.containers.plugins.module_utils.compose.apply import containers
    engine = FakeEngine()
    calls = itertools.count()
    real_inspect = engine.inspect_container

    def inspect(ref):
        found = real_inspect(ref)
        if found["Image"] == "app:2" and found["State"]["Running"] and next(calls) > 3:
            found["State"].update(Running=False, Status="exited", ExitCode=2)
        return found
    engine.inspect_container = inspect
    monkeypatch.setattr(containers, "POLL_SECONDS", 0.01)
    error, _recorded = update(engine, project("app:2", failure_action="pause", monitor="1s"), deployed(engine))
    assert "update paused" in error and "within update_config.monitor (1s)" in error
    assert images(engine) == RUNNING_V1


def test_max_failure_ratio_out_of_range_is_refused_naming_the_key():
    from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
    with pytest.raises(PlanError, match="services.web.deploy.update_config.max_failure_ratio"):
        desired_project(project("app:2", max_failure_ratio=2))


def test_finish_with_nothing_to_do_and_twice_is_harmless():
    engine = FakeEngine()
    model = project("app:2")
    upd = updates.ServiceUpdate(None, desired_project(model).services["web"], 0)
    upd.finish()
    upd.finish()
    assert engine.log == []
