"""The applier's contract beyond one layer at a time (no Docker): every action kind has its handler,
a step starts as soon as its own `after` are done, a failure starts nothing new, a wait that can
no longer succeed fails at once, and a plan cannot be changed once made."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import waits
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ApplyContext, ExecOptions
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.executor import HANDLERS, Executor
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.parallel import run_when_ready
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedImage, ObservedProject
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project

P = "gscmpsched"
IMAGE = "goship-test/app:1"


def test_every_action_kind_has_exactly_one_handler():
    assert set(HANDLERS) == set(A.KINDS)
    assert len(A.KINDS) == len(set(A.KINDS))


def test_an_unknown_kind_fails_naming_it():
    executor = Executor.__new__(Executor)
    with pytest.raises(ExecutionError, match="no handler for the action kind 'teleport'"):
        executor._run_action(A.Action("teleport", "x", "why not"))


def plan_for(services, state="present"):
    definition = {"services": services}
    desired = desired_project(load_project(definition=definition, project_name=P, project_dir="/tmp"))
    return plan_project(desired, ObservedProject(name=P), PlanOptions(state=state), {IMAGE: ObservedImage("sha256:1")})


def test_steps_come_after_their_own_dependencies_only():
    plan = plan_for({"slow": {"image": IMAGE}, "db": {"image": IMAGE}, "web": {"image": IMAGE, "depends_on": ["db"]}})
    after = {step.name: step.after for step in plan.steps}
    assert after["web"] == ("network:default", "db")
    assert after["slow"] == after["db"] == ("network:default",)


class Recorder(Executor):
    """Runs no action: records when each step starts and ends; `slow` steps take a while."""

    def __init__(self, slow=(), fail=()):  # pylint: disable=super-init-not-called  # no engine
        self.slow, self.fail, self.events, self.guard = set(slow), set(fail), [], threading.Lock()

    def _run_step(self, step):
        with self.guard:
            self.events.append(("start", step.name))
        if step.name in self.slow:
            time.sleep(0.5)
        if step.name in self.fail:
            raise RuntimeError("%s failed" % step.name)
        with self.guard:
            self.events.append(("done", step.name))


def test_a_step_does_not_wait_for_an_unrelated_slow_step():
    plan = plan_for({"slow": {"image": IMAGE}, "db": {"image": IMAGE}, "web": {"image": IMAGE, "depends_on": ["db"]}})
    executor = Recorder(slow={"slow"})
    executor.run(plan)
    events = executor.events
    assert events.index(("start", "web")) > events.index(("done", "db"))
    assert events.index(("start", "web")) < events.index(("done", "slow"))  # a layer at a time would wait


def test_stop_order_is_reversed_per_dependency():
    plan = plan_for({"db": {"image": IMAGE}, "web": {"image": IMAGE, "depends_on": ["db"]}}, state="stopped")
    after = {step.name: step.after for step in plan.steps}
    assert after["db"] == ("network:default", "web") and after["web"] == ("network:default",)


def test_a_failure_starts_nothing_new_and_lets_running_steps_finish():
    plan = plan_for({"slow": {"image": IMAGE}, "db": {"image": IMAGE}, "web": {"image": IMAGE, "depends_on": ["db"]}})
    executor = Recorder(slow={"slow"}, fail={"db"})
    with pytest.raises(RuntimeError, match="db failed"):
        executor.run(plan)
    assert ("done", "slow") in executor.events
    assert ("start", "web") not in executor.events


def test_run_when_ready_checks_its_input():
    with pytest.raises(ValueError, match="unknown tasks: nope"):
        run_when_ready([("a", lambda: None, ("nope",)), ("b", lambda: None, ())])
    with pytest.raises(ValueError, match="same name"):
        run_when_ready([("a", lambda: None, ()), ("a", lambda: None, ())])
    with pytest.raises(ValueError, match="never became ready"):
        run_when_ready([("a", lambda: None, ("b",)), ("b", lambda: None, ("a",))])


def test_the_earliest_failure_is_raised_after_the_others_finished():
    finished = []

    def fail(name, delay):
        def run():
            time.sleep(delay)
            finished.append(name)
            raise RuntimeError(name)
        return run

    with pytest.raises(RuntimeError, match="^first$"):
        run_when_ready([("first", fail("first", 0.2), ()), ("second", fail("second", 0.0), ())])
    assert sorted(finished) == ["first", "second"]


class Containers:
    """A client whose containers list says the dependency exited with an error."""

    def __init__(self):
        self.calls = 0

    def containers(self, all=True, filters=None):  # noqa: A002  (the SDK's name)
        self.calls += 1
        return [{"Id": "x", "Names": ["/%s-db-1" % P], "State": "exited", "Status": "Exited (3) 1 second ago",
                 "Labels": {"com.docker.compose.project": P, "com.docker.compose.service": "db",
                            "com.docker.compose.container-number": "1"}}]


def test_a_wait_that_cannot_succeed_fails_at_once():
    project = load_project(definition={"services": {"db": {"image": IMAGE}}}, project_name=P, project_dir="/tmp")
    client = Containers()
    context = ApplyContext(client, project, desired_project(project), ExecOptions(wait_timeout=60), lambda _text: None)
    started = time.monotonic()
    with pytest.raises(ExecutionError, match=r"^service web waits for db \(service_completed_successfully\): "
                                             r"gscmpsched-db-1 exited with code 3$"):
        waits.wait_for_dependency(context, "web", "db", "service_completed_successfully")
    assert client.calls == 1 and time.monotonic() - started < 5


def test_plans_cannot_be_changed_once_made():
    plan = plan_for({"web": {"image": IMAGE}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.warnings = ("x",)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.actions[0].reason = "x"  # type: ignore[misc]
    assert isinstance(plan.layers, tuple) and all(isinstance(step.actions, tuple) for step in plan.steps)
