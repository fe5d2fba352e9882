"""apply_plan: a recreate hands anonymous volumes on, starts the new container itself, and a
failure reports whether anything changed (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.apply import StepFailed, apply_plan
from ansible_collections.goship.containers.plugins.module_utils.containers.engine import create_container
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import observed_container
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import Plan, Step
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import ContainerSpec, Mount, NetworkAttachment
from ansible_collections.goship.containers.tests.unit.plugins.module_utils.containers.fake_engine import EngineError, FakeEngine

ANON = "a" * 64
IMAGE_ANON = "b" * 64
RECREATE_AND_START = Plan((Step("recreate", "env differs"), Step("start", "recreated container was running")))


class Recorder:
    def __init__(self):
        self.actions = []

    def __call__(self, action, fn):
        self.actions.append(action)
        return fn() if fn is not None else None


def setup(status="running"):
    engine = FakeEngine()
    old = engine.add("web", status=status, volumes=[("/anon", ANON), ("/var/cache", IMAGE_ANON)])
    observed = observed_container(engine.containers[old])
    spec = ContainerSpec("web", "img", env={"A": "2"}, mounts=(Mount("/anon"), Mount("/named", source="data")))
    return engine, old, observed, spec


def test_recreate_hands_the_anonymous_volumes_on_and_starts_the_new_container_once():
    engine, _old, observed, spec = setup()
    record = Recorder()
    new = apply_plan(engine, RECREATE_AND_START, spec, observed, record, image_volumes=("/var/cache/",))
    body = engine.containers[new]["body"]
    assert sorted(body["HostConfig"]["Binds"]) == ["%s:/anon:rw" % ANON, "%s:/var/cache:rw" % IMAGE_ANON, "data:/named:rw"]
    assert "Volumes" not in body  # no new anonymous volume
    assert [c for c in engine.calls if c[0] == "start"] == [("start", "web")]
    assert record.actions == ["recreate (env differs)", "start (recreated container was running)"]
    assert engine.by_name() == {"web": (new, "running")}
    assert engine.volumes == {ANON, IMAGE_ANON, "data"}


def test_keep_volumes_false_gives_new_volumes_and_removes_the_old_ones():
    engine, _old, observed, spec = setup()
    new = apply_plan(engine, RECREATE_AND_START, spec, observed, Recorder(), keep_volumes=False,
                     image_volumes=("/var/cache",))
    body = engine.containers[new]["body"]
    assert body["Volumes"] == {"/anon": {}} and body["HostConfig"]["Binds"] == ["data:/named:rw"]
    assert engine.volumes == {"data"}  # the named volume stays, the anonymous ones went with the old container


def test_a_refused_recreate_changed_nothing():
    engine, old, observed, spec = setup()
    engine.refuse["create"] = "Unknown runtime specified nope"
    record = Recorder()
    with pytest.raises(StepFailed) as failure:
        apply_plan(engine, RECREATE_AND_START, spec, observed, record)
    assert failure.value.changed is False
    assert str(failure.value).startswith("recreate (env differs) failed: the engine refused the new container: Unknown runtime")
    assert record.actions == ["recreate (env differs)"]
    assert engine.by_name() == {"web": (old, "running")}


def test_a_failure_after_an_applied_step_is_a_change():
    engine, old, observed, spec = setup()
    engine.refuse["start:web"] = "no such device"
    plan = Plan((Step("stop", "state is stopped"), Step("start", "container is exited, state is started")))
    with pytest.raises(StepFailed) as failure:
        apply_plan(engine, plan, spec, observed, Recorder())
    assert failure.value.changed is True and "no such device" in str(failure.value)


def test_a_refused_create_of_a_new_container_changed_nothing():
    engine = FakeEngine()
    engine.refuse["create"] = "invalid mount config for type \"bind\": bind source path does not exist: /missing"
    plan = Plan((Step("create", "container does not exist"), Step("start", "state is started")))
    with pytest.raises(StepFailed) as failure:
        apply_plan(engine, plan, ContainerSpec("web", "img"), None, Recorder())
    assert failure.value.changed is False and engine.containers == {}


def test_a_create_whose_network_join_fails_leaves_no_container():
    engine = FakeEngine()
    engine.refuse["connect"] = "network second not found"
    spec = ContainerSpec("web", "img", networks=(NetworkAttachment("first"), NetworkAttachment("second")))
    with pytest.raises(Exception, match="network second not found"):
        create_container(engine, spec)
    assert engine.containers == {}


def test_state_absent_without_keep_volumes_removes_volumes_handed_on_by_name():
    engine, _old, observed, _spec = setup()
    apply_plan(engine, Plan((Step("remove", "state is absent"),)), None, observed, Recorder(), keep_volumes=False)
    assert engine.containers == {} and engine.volumes == set()
    assert ("remove_volume", ANON) in engine.calls


# The engine's answer to a start after dockerd was killed (-9) during an earlier start of the same
# container, containerd still running its task: Engine 20.10 says "id already in use" (HTTP 500),
# captured from the test engine of tests/reliability/honest.sh, which makes that state. The second
# shape is containerd's own word for a task of that ID ("task <id>: already exists").
STALE_TASK_ANSWERS = ("id already in use", "failed to create shim: task %s: already exists: unknown")


class StaleTaskEngine(FakeEngine):
    """Refuses to start the containers in `stale` (by ID) the way the engine does after a kill."""

    def __init__(self, answer=STALE_TASK_ANSWERS[0]):
        super().__init__()
        self.stale = set()
        self.answer = answer

    def start(self, ref):
        cid = self._find(ref)
        if cid in self.stale:
            self.calls.append(("start", self._name(ref)))
            raise EngineError(self.answer.replace("%s", cid), 500)
        super().start(ref)


@pytest.mark.parametrize("answer", STALE_TASK_ANSWERS)
def test_a_start_refused_for_a_stale_task_recreates_the_container_with_its_volumes(answer):
    engine = StaleTaskEngine(answer)
    old = engine.add("web", status="exited", volumes=[("/anon", ANON)])
    engine.stale.add(old)
    observed = observed_container(engine.containers[old])
    spec = ContainerSpec("web", "img", mounts=(Mount("/anon"),))
    record = Recorder()
    new = apply_plan(engine, Plan((Step("start", "state is started"),)), spec, observed, record)
    assert new != old and engine.by_name() == {"web": (new, "running")}
    assert engine.containers[new]["body"]["HostConfig"]["Binds"] == ["%s:/anon:rw" % ANON]  # the data goes along
    assert record.actions[0] == "start (state is started)"
    assert record.actions[1] == (
        "recreate web (the engine refused to start it: %s; a dockerd killed during an earlier start left its task"
        " running in containerd)" % answer.replace("%s", old))
    assert engine.volumes == {ANON}


@pytest.mark.parametrize("answer", [
    "endpoint with name web already exists in network bridge",  # a stale endpoint: a new container would meet it too
    "failed to create shim: task %s: already exists: unknown" % ("c" * 64),  # another container's task
    "Conflict. The container name \"/web\" is already in use",
])
def test_other_already_exists_answers_to_a_start_are_not_taken_for_a_stale_task(answer):
    engine, old, observed, spec = setup(status="exited")
    engine.refuse["start:web"] = answer
    with pytest.raises(StepFailed) as failure:
        apply_plan(engine, Plan((Step("start", "state is started"),)), spec, observed, Recorder())
    assert failure.value.changed is False and engine.by_name() == {"web": (old, "exited")}
    assert not [c for c in engine.calls if c[0] == "create"]


def test_another_refused_start_is_not_recovered():
    engine, old, observed, spec = setup(status="exited")
    engine.refuse["start:web"] = "no such device"
    with pytest.raises(StepFailed) as failure:
        apply_plan(engine, Plan((Step("start", "state is started"),)), spec, observed, Recorder())
    assert failure.value.changed is False and engine.by_name() == {"web": (old, "exited")}
    assert not [c for c in engine.calls if c[0] == "create"]
