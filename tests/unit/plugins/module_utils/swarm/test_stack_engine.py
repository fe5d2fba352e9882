"""Waiting for rollouts, against a scripted stand-in for the Engine API (no Docker)."""

from __future__ import annotations

from ansible_collections.goship.containers.plugins.module_utils.swarm import stack_engine
from ansible_collections.goship.containers.plugins.module_utils.swarm.stack_engine import Rollout, wait_for


def task(state, image="app:2", desired="running", err=None, created="2026-01-01T00:00:01Z"):
    status = {"State": state, "Message": state}
    if err:
        status["Err"] = err
    return {"Status": status, "DesiredState": desired, "CreatedAt": created,
            "Spec": {"ContainerSpec": {"Image": image}}}


class ScriptedEngine:
    """Answers inspect_service / tasks from a list of (service, tasks) states, one per poll."""

    def __init__(self, states):
        self.states = states
        self.polls = 0
        self.current = states[0]

    def inspect_service(self, _service_id):
        self.current = self.states[min(self.polls, len(self.states) - 1)]
        self.polls += 1
        return self.current[0]

    def tasks(self, filters):
        tasks = self.current[1]
        if "desired-state" in filters:
            return [t for t in tasks if t["DesiredState"] == filters["desired-state"]]
        return tasks


def service(update=None, replicas=2, image="app:2"):
    out = {"Spec": {"Mode": {"Replicated": {"Replicas": replicas}},
                    "TaskTemplate": {"ContainerSpec": {"Image": image}}}}
    if update:
        out["UpdateStatus"] = update
    return out


OLD = {"State": "completed", "StartedAt": "t0"}


def test_rolling_update_waits_for_a_new_update_status_then_completion():
    engine = ScriptedEngine([
        (service(OLD), [task("running", "app:1"), task("running", "app:1")]),  # not picked up yet
        (service({"State": "updating", "StartedAt": "t1"}), [task("running", "app:1"), task("starting")]),
        (service({"State": "completed", "StartedAt": "t1"}), [task("running"), task("running")]),
    ])
    rollout = Rollout("st_web", "id", rolling=True, previous_update=OLD, image="app:2")
    assert wait_for(engine, [rollout], timeout=10, sleep=lambda _s: None) == []
    assert rollout.result == "converged" and engine.polls == 3


def test_rolled_back_update_is_a_failure_that_names_image_reason_and_what_runs():
    engine = ScriptedEngine([
        (service({"State": "rollback_completed", "StartedAt": "t1", "Message": "rollback completed"},
                 image="app:1"),
         [task("running", "app:1"), task("shutdown", "app:bad", desired="shutdown", created="2026-01-01T00:00:09Z")]),
    ])
    rollout = Rollout("st_web", "id", rolling=True, previous_update=OLD, image="app:bad")
    failures = wait_for(engine, [rollout], timeout=10, sleep=lambda _s: None)
    assert failures == ["service st_web: the update to image app:bad failed (a new task was stopped in state"
                        " shutdown: it did not become healthy or running in time) and Swarm rolled it back;"
                        " the service runs its previous spec (image app:1)"]


def test_created_service_is_ready_when_all_replicas_run():
    engine = ScriptedEngine([
        (service(), [task("starting"), task("running")]),
        (service(), [task("running"), task("running")]),
    ])
    rollout = Rollout("st_web", "id", rolling=False, previous_update=None, image="app:2")
    assert wait_for(engine, [rollout], timeout=10, sleep=lambda _s: None) == []
    assert engine.polls == 2


def test_timeout_reports_the_task_error(monkeypatch):
    clock = iter(range(0, 1000, 5))
    monkeypatch.setattr(stack_engine.time, "monotonic", lambda: next(clock))
    engine = ScriptedEngine([(service(), [task("failed", err="No such image: app:2", desired="running")])])
    rollout = Rollout("st_web", "id", rolling=False, previous_update=None, image="app:2")
    failures = wait_for(engine, [rollout], timeout=12, sleep=lambda _s: None)
    assert failures == ["service st_web: not converged after 12 s (task failed: No such image: app:2)"]


def test_update_swarm_does_not_roll_falls_back_to_task_readiness(monkeypatch):
    clock = iter(range(0, 1000))
    monkeypatch.setattr(stack_engine.time, "monotonic", lambda: next(clock))
    engine = ScriptedEngine([(service(OLD), [task("running"), task("running")])])
    rollout = Rollout("st_web", "id", rolling=True, previous_update=OLD, image="app:2")
    assert wait_for(engine, [rollout], timeout=60, sleep=lambda _s: None) == []
    assert engine.polls >= 2  # waited out the grace period first
