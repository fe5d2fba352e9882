"""Outcome: a step the engine refused is no change, unless part of it went through."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome


class Exited(Exception):
    pass


class FakeModule:
    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self._diff = False
        self.result = None

    def exit_json(self, **result):
        self.result = result
        raise Exited()

    def fail_json(self, **result):
        self.result = dict(result, failed=True)
        raise Exited()


class Refused(Exception):
    """What the SDK raises for a 4xx/5xx answer."""


class FakeClient:
    accepted_writes = 0

    def write(self, accepted=True):
        if not accepted:
            raise Refused("plugin nosuchdriver not found")
        self.accepted_writes += 1


def test_a_step_that_succeeds_is_a_change():
    outcome = Outcome(FakeModule())
    assert outcome.apply("create network x (network does not exist)", lambda: 42) == 42
    assert outcome.changed and outcome.actions == ["create network x (network does not exist)"]
    assert outcome.failed_action is None


def test_a_refused_step_is_no_change_and_is_named_apart():
    module = FakeModule()
    outcome = Outcome(module)
    outcome.watch(FakeClient())
    with pytest.raises(Refused):
        outcome.apply("create network x (network does not exist)", lambda: FakeClient().write(accepted=False))
    assert not outcome.changed and outcome.actions == []
    assert outcome.failed_step() == "create network x (network does not exist)"
    with pytest.raises(Exited):
        outcome.fail("create network x failed: plugin not found")
    assert module.result["changed"] is False and module.result["actions"] == []
    assert module.result["failed_action"] == "create network x (network does not exist)"


def test_a_step_refused_after_an_accepted_write_is_a_change():
    client = FakeClient()
    outcome = Outcome(FakeModule())
    outcome.watch(client)

    def remove_then_refused_create():
        client.write()
        client.write(accepted=False)

    with pytest.raises(Refused):
        outcome.apply("recreate network x", remove_then_refused_create)
    assert outcome.changed and outcome.actions == ["recreate network x (failed part-way)"]


def test_an_exception_that_says_it_changed_something_is_a_change():
    class PartlyApplied(Exception):
        changed = True

    outcome = Outcome(FakeModule())

    def fn():
        raise PartlyApplied("the container was stopped")

    with pytest.raises(PartlyApplied):
        outcome.apply("remove container x", fn)
    assert outcome.changed and outcome.actions == ["remove container x (failed part-way)"]


def test_an_earlier_change_stays_a_change():
    outcome = Outcome(FakeModule())
    outcome.watch(FakeClient())
    outcome.apply("disconnect container a", lambda: None)
    with pytest.raises(Refused):
        outcome.apply("connect container b", lambda: FakeClient().write(accepted=False))
    assert outcome.changed and outcome.actions == ["disconnect container a"]
    assert outcome.failed_action == "connect container b"


def test_check_mode_records_without_running():
    outcome = Outcome(FakeModule(check_mode=True))
    assert outcome.apply("create volume v", lambda: pytest.fail("ran in check mode")) is None
    assert outcome.changed and outcome.actions == ["create volume v"]
