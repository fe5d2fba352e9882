"""replace_container: the new container exists before the old one is touched, and a refusal at any
step leaves the old container (same ID) or says exactly what the engine holds (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.replace import (
    ReplaceFailed, clean_leftovers, replace_container, set_aside_name, temporary_name,
)
from ansible_collections.goship.containers.tests.unit.plugins.module_utils.containers.fake_engine import FakeEngine


def creator(engine):
    def create(name):
        return engine.create_container_from_config({"Image": "i", "HostConfig": {}}, name=name)["Id"]
    return create


def old_and_engine(status="running", **kwargs):
    engine = FakeEngine()
    old = engine.add("web", status=status, **kwargs)
    return engine, old


def test_create_first_then_stop_rename_start_and_remove_the_old_one():
    engine, old = old_and_engine()
    new = replace_container(engine, old, creator(engine), start=True, stop_timeout=3)
    tmp, aside = temporary_name(old, "web"), set_aside_name(old, "web")
    assert [c for c in engine.calls if c[0] != "inspect"] == [
        ("create", tmp), ("stop", "web"), ("rename", "web", aside), ("rename", tmp, "web"), ("start", "web"),
        ("remove", aside, False)]
    assert engine.by_name() == {"web": (new, "running")}
    assert tmp == old[:12] + "_web"


def test_a_refused_create_leaves_the_old_container_untouched():
    engine, old = old_and_engine()
    engine.refuse["create"] = "Unknown runtime specified nope"
    with pytest.raises(ReplaceFailed) as failure:
        replace_container(engine, old, creator(engine), start=True)
    assert failure.value.changed is False
    assert "Unknown runtime specified nope" in str(failure.value) and "was not touched (running)" in str(failure.value)
    assert engine.by_name() == {"web": (old, "running")}
    assert [c[0] for c in engine.calls if c[0] != "inspect"] == ["create"]  # not even a stop


def test_a_create_that_fails_after_the_engine_made_the_container_leaves_nothing():
    engine, old = old_and_engine()

    def create(name):
        creator(engine)(name)
        raise RuntimeError("copying the files into it failed")
    with pytest.raises(ReplaceFailed) as failure:
        replace_container(engine, old, create, start=True)
    assert failure.value.changed is False and "copying the files into it failed" in str(failure.value)
    assert engine.by_name() == {"web": (old, "running")}


def test_a_refused_start_puts_the_old_container_back_and_starts_it_again():
    engine, old = old_and_engine()
    engine.refuse["start:web"] = "error gathering device information"
    # the new container is named web when it is started; the old one too once it is back
    calls = []
    original_start = engine.start

    def start(ref):
        calls.append(ref)
        if len(calls) == 2:  # the old container's start, after the undo
            engine.refuse.pop("start:web")
        original_start(ref)
    engine.start = start
    with pytest.raises(ReplaceFailed) as failure:
        replace_container(engine, old, creator(engine), start=True)
    assert failure.value.changed is True  # it was stopped and started again
    assert ". The new container was removed; the old container web (" in str(failure.value)
    assert "is back and was started again" in str(failure.value)
    assert engine.by_name() == {"web": (old, "running")}


def test_a_refused_start_of_a_stopped_container_changes_nothing():
    engine, old = old_and_engine(status="exited")
    engine.refuse["start:web"] = "no such device"
    with pytest.raises(ReplaceFailed) as failure:
        replace_container(engine, old, creator(engine), start=True)
    assert failure.value.changed is False
    assert engine.by_name() == {"web": (old, "exited")}
    assert ("stop", "web") not in engine.calls


def test_a_refused_stop_removes_the_new_container():
    engine, old = old_and_engine()
    engine.refuse["stop"] = "cannot stop"
    with pytest.raises(ReplaceFailed) as failure:
        replace_container(engine, old, creator(engine), start=True)
    assert failure.value.changed is False and "the old one is running, named web" in str(failure.value)
    assert engine.by_name() == {"web": (old, "running")}


def test_a_refused_rename_restores_the_old_container():
    engine, old = old_and_engine()
    engine.refuse["rename"] = "rename refused"
    with pytest.raises(ReplaceFailed) as failure:
        replace_container(engine, old, creator(engine), start=True)
    assert failure.value.changed is True
    assert engine.by_name() == {"web": (old, "running")}


def test_a_failed_removal_of_the_old_container_says_where_it_is():
    engine, old = old_and_engine()
    aside = set_aside_name(old, "web")
    engine.refuse["remove:" + aside] = "device or resource busy"
    with pytest.raises(ReplaceFailed) as failure:
        replace_container(engine, old, creator(engine), start=True)
    assert failure.value.changed is True
    assert "docker rm %s" % aside in str(failure.value)
    names = engine.by_name()
    assert names["web"][1] == "running" and names[aside] == (old, "exited")


def test_an_auto_remove_container_goes_on_its_stop():
    engine, old = old_and_engine(auto_remove=True)
    new = replace_container(engine, old, creator(engine), start=True)
    assert engine.by_name() == {"web": (new, "running")}
    assert not any(c[0] == "rename" and c[1] == "web" for c in engine.calls)


def test_a_new_final_name_and_old_volumes_removed_by_name():
    engine, old = old_and_engine(volumes=[("/anon", "a" * 64)])
    other = engine.add("other", volumes=[("/shared", "b" * 64)])
    new = replace_container(engine, old, creator(engine), start=False, name="web2", remove_old_volumes=True,
                            old_volume_names=["a" * 64, "b" * 64, "c" * 64])
    assert engine.by_name() == {"web2": (new, "created"), "other": (other, "running")}
    assert engine.volumes == {"b" * 64}  # in use by another container: kept; already gone: fine


class Recorder:
    def __init__(self, check_mode=False):
        self.actions, self.check_mode = [], check_mode

    def __call__(self, action, fn):
        self.actions.append(action)
        return None if self.check_mode or fn is None else fn()


def test_nothing_left_costs_one_list_call():
    engine = FakeEngine()
    engine.add("web")
    assert clean_leftovers(engine, "web", Recorder()) is None
    assert engine.calls == [("list", "web")]


def test_a_replacement_left_under_its_temporary_name_is_removed_with_its_volumes_kept():
    engine = FakeEngine()
    old = engine.add("web", volumes=[("/anon", "a" * 64)])
    engine.add(temporary_name(old, "web"), status="created", volumes=[("/anon", "a" * 64)])
    engine.add("webapp")  # another container whose name holds "web" is not touched
    record = Recorder()
    assert clean_leftovers(engine, "web", record) is None
    assert sorted(engine.by_name()) == ["web", "webapp"]
    assert record.actions == ["remove leftover container %s (the replacement an interrupted run created under its"
                              " temporary name; volumes kept)" % temporary_name(old, "web")]
    assert ("remove", temporary_name(old, "web"), False) in engine.calls and engine.volumes == {"a" * 64}


def test_an_old_container_set_aside_gets_its_name_back_when_nothing_holds_it():
    engine = FakeEngine()
    old = engine.add(set_aside_name("f" * 64, "web"), status="exited")
    engine.add(temporary_name("f" * 64, "web"), status="created")
    record = Recorder()
    assert clean_leftovers(engine, "web", record) == old
    assert engine.by_name() == {"web": (old, "exited")}
    assert record.actions[0].startswith("rename container web_replaced_ffffffffffff back to web")
    assert record.actions[1].startswith("remove leftover container ffffffffffff_web")


def test_check_mode_names_the_leftovers_and_changes_nothing():
    engine = FakeEngine()
    old = engine.add(set_aside_name("f" * 64, "web"), status="exited")
    record = Recorder(check_mode=True)
    assert clean_leftovers(engine, "web", record) == old
    assert engine.by_name() == {"web_replaced_ffffffffffff": (old, "exited")} and len(record.actions) == 1


def test_a_set_aside_container_beside_its_replacement_is_removed():
    engine = FakeEngine()
    engine.add("web")
    engine.add(set_aside_name("f" * 64, "web"), status="exited")
    record = Recorder()
    clean_leftovers(engine, "web", record)
    assert list(engine.by_name()) == ["web"] and record.actions[0].startswith("remove leftover container web_replaced_")
