"""The executor runs the steps of one dependency layer at the same time, and the layers one after
the other; a failing step lets its siblings finish before the run fails (no Docker: the steps
meet at a barrier that only opens when every sibling has arrived)."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.apply.executor import Executor
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedProject
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project

P = "gscmplayers"
IMAGE = "goship-test/app:1"


def fresh_plan():
    """db, cache and queue are independent; web needs all three."""
    definition = {"services": {
        "db": {"image": IMAGE}, "cache": {"image": IMAGE}, "queue": {"image": IMAGE},
        "web": {"image": IMAGE, "depends_on": ["db", "cache", "queue"]},
    }}
    desired = desired_project(load_project(definition=definition, project_name=P, project_dir="/tmp"))
    return plan_project(desired, ObservedProject(name=P), PlanOptions())


class MeetingExecutor(Executor):
    """Runs no action: each service step of a multi-step layer waits at a barrier for its siblings."""

    def __init__(self, fail=None):  # pylint: disable=super-init-not-called  # no engine, no project
        self.fail = fail
        self.order = []
        self.barriers = {}
        self.guard = threading.Lock()

    def _run_step(self, step):
        with self.guard:
            self.order.append(("start", step.name))
        siblings = self.barriers.get(step.name)
        if siblings is not None:
            siblings.wait()  # BrokenBarrierError after the timeout if the siblings ran one by one
        if step.name == self.fail:
            raise RuntimeError("%s failed" % step.name)
        with self.guard:
            self.order.append(("done", step.name))

    def meet_in_layers(self, plan):
        # the service layers only: in the first layer, networks wait for the pulls (images first)
        for layer in plan.layers:
            if len(layer) > 1 and not any(step.after for step in layer if step.name.startswith("network:")):
                barrier = threading.Barrier(len(layer), timeout=5)
                self.barriers.update({step.name: barrier for step in layer})


def service_layers(plan):
    return [sorted(step.name for step in layer) for layer in plan.layers
            if set(step.name for step in layer) <= {"db", "cache", "queue", "web"}]


def test_a_layers_steps_run_at_the_same_time_and_layers_in_order():
    plan = fresh_plan()
    assert service_layers(plan) == [["cache", "db", "queue"], ["web"]]
    executor = MeetingExecutor()
    executor.meet_in_layers(plan)
    executor.run(plan)  # one by one, the first step would wait 5 s at the barrier, then fail
    names = [name for _event, name in executor.order]
    assert ("done", "web") == executor.order[-1]
    first_done = min(i for i, (event, name) in enumerate(executor.order) if event == "done" and name in ("db", "cache", "queue"))
    started_before = {name for event, name in executor.order[:first_done] if event == "start"}
    assert {"db", "cache", "queue"} <= started_before, names
    assert names.index("web") > max(names.index(n) for n in ("db", "cache", "queue"))


def test_a_failing_step_lets_its_siblings_finish_and_stops_before_the_next_layer():
    plan = fresh_plan()
    executor = MeetingExecutor(fail="cache")
    executor.meet_in_layers(plan)
    with pytest.raises(RuntimeError, match="cache failed"):
        executor.run(plan)
    done = {name for event, name in executor.order if event == "done"}
    assert {"db", "queue"} <= done
    assert ("start", "web") not in executor.order


def recording_executor(monkeypatch, built_id):
    """No engine: a build that gives `built_id` (sha256:old keeps the container's image ID), and a
    create that says when a recreate ran."""
    from ansible_collections.goship.containers.plugins.module_utils.compose.apply import containers, executor as E
    from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ExecOptions

    def build(context, action):
        context.remember_image(action.target, built_id)
        return built_id != "sha256:old"

    def create(context, action, name=None, aliases=True):
        raise RuntimeError("stop here: the recreate ran")

    monkeypatch.setitem(E.HANDLERS, "build", build)
    monkeypatch.setattr(containers, "_create", create)
    project = load_project(definition={"services": {"web": {"image": "web:1"}}}, project_name=P, project_dir="/tmp")
    recorded = []
    return Executor(object(), project, desired_project(project), ExecOptions(), recorded.append), recorded


@pytest.mark.parametrize("built_id, recreated", [("sha256:old", False), ("sha256:new", True)])
def test_a_build_that_keeps_the_image_id_records_nothing_and_recreates_nothing(monkeypatch, built_id, recreated):
    from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
    from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action
    executor, recorded = recording_executor(monkeypatch, built_id)
    executor._run_action(Action("build", "web:1", "build inputs changed", service="web"))
    recreate = Action("recreate", "p-web-1", "image rebuilt from changed build inputs", service="web",
                      unless_image="sha256:old", strategy="start-first")
    if recreated:
        with pytest.raises(ExecutionError, match="the recreate ran"):
            executor._run_action(recreate)
        assert recorded == ["build web:1: build inputs changed"]
    else:
        executor._run_action(recreate)
        assert recorded == []
