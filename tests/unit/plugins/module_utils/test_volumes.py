"""Volume option validation, comparison and planning (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.volumes import (
    OptionError, PlanError, load_volume_spec, plan_volume, volume_differences, volume_state_from_inspect,
)

INSPECT = {"Name": "data", "Driver": "local", "Options": None, "Labels": {"app": "shop"}}


def spec(**params):
    params.setdefault("name", "data")
    params.setdefault("driver", "local")
    return load_volume_spec(params)


def state(**changes):
    data = dict(INSPECT)
    data.update(changes)
    return volume_state_from_inspect(data)


@pytest.mark.parametrize("params, message", [
    (dict(name=""), "name: must not be empty"),
    (dict(name="bad name"), "name: 'bad name' is not a valid local volume name"),
    (dict(name="x"), "name: 'x' is not a valid local volume name"),
    (dict(driver=""), "driver: must not be empty"),
    (dict(labels={"a": {"b": 1}}), "labels.a: expected a string value"),
    (dict(driver_options={"o": None}), "driver_options.o: expected a string value"),
])
def test_bad_options_name_the_option(params, message):
    with pytest.raises(OptionError) as error:
        spec(**params)
    assert message in str(error.value)


def test_other_drivers_take_other_names():
    assert spec(name="bucket/path", driver="some-plugin").name == "bucket/path"


def test_values_are_strings_as_the_engine_stores_them():
    loaded = spec(driver_options={"o": "size=1m", "uid": 1000}, labels={"keep": True})
    assert loaded.driver_options == {"o": "size=1m", "uid": "1000"}
    assert loaded.labels == {"keep": "true"}


def test_differences():
    assert volume_differences(spec(), state()) == []
    assert volume_differences(spec(labels={"app": "shop"}, driver_options={}), state()) == []
    assert volume_differences(spec(labels={"app": "web"}), state()) == ["labels"]
    assert volume_differences(spec(labels={}), state()) == ["labels"]
    assert volume_differences(spec(driver="nfs-plugin", driver_options={"o": "ro"}), state()) == ["driver", "driver_options"]


def test_create_and_no_op():
    plan = plan_volume(spec(labels={"a": "1"}), None, [])
    assert plan.actions == ["create volume data (volume does not exist)"]
    assert plan.before is None and plan.after["labels"] == {"a": "1"}
    assert plan_volume(spec(), state(), []).steps == []


def test_never_keeps_a_differing_volume_and_names_the_difference():
    plan = plan_volume(spec(labels={"app": "web"}), state(), [])
    assert plan.steps == [] and plan.differences == ["labels"]
    assert plan.after == plan.before  # unchanged, as community.docker's docker_volume
    assert "labels: {'app': 'web'} wanted, {'app': 'shop'} found" in plan.kept
    assert "recreate=options-changed" in plan.kept
    assert plan_volume(spec(), state(), []).kept == ""


def test_options_changed_recreates_and_keeps_unset_options():
    plan = plan_volume(spec(driver_options={"type": "tmpfs"}, recreate="options-changed"), state(), [])
    assert [step[0] for step in plan.steps] == ["remove", "create"]
    assert plan.create.labels == {"app": "shop"}  # not given: carried over
    assert plan.create.driver_options == {"type": "tmpfs"}
    assert plan_volume(spec(recreate="options-changed"), state(), []).steps == []


def test_always_recreates():
    assert [step[0] for step in plan_volume(spec(recreate="always"), state(), []).steps] == ["remove", "create"]


def test_volumes_in_use_are_never_removed():
    with pytest.raises(PlanError, match="used by container\\(s\\) api, db"):
        plan_volume(spec(state="absent"), state(), ["db", "api"])
    with pytest.raises(PlanError, match="before you recreate it"):
        plan_volume(spec(recreate="always"), state(), ["api"])
    assert plan_volume(spec(state="absent"), None, ["api"]).steps == []
    assert plan_volume(spec(state="absent"), state(), []).actions == ["remove volume data (state=absent)"]
