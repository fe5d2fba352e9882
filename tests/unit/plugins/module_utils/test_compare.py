"""Comparison modes."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compare import changed_options, differs


def test_unspecified_never_differs():
    assert not differs(None, "anything")


def test_ignore_never_differs():
    assert not differs("a", "b", mode="ignore")


def test_dict_strict_and_allow_more_present():
    assert differs({"a": "1"}, {"a": "1", "b": "2"}, "strict", "dict")
    assert not differs({"a": "1"}, {"a": "1", "b": "2"}, "allow_more_present", "dict")
    assert differs({"a": "1"}, {"a": "2"}, "allow_more_present", "dict")
    assert not differs({}, None, "strict", "dict")


def test_set_ignores_order():
    assert not differs(["b", "a"], ["a", "b"], "strict", "set")
    assert differs(["a"], ["a", "b"], "strict", "set")
    assert not differs(["a"], ["a", "b"], "allow_more_present", "set")
    assert differs(["c"], ["a", "b"], "allow_more_present", "set")


def test_value_list_is_ordered():
    assert differs(["a", "b"], ["b", "a"])
    assert not differs(["a", "b"], ["a", "b"])


def test_unknown_mode_is_rejected():
    with pytest.raises(ValueError):
        differs(1, 2, mode="loose")


def test_changed_options_keeps_order_and_modes():
    desired = {"labels": {"a": "1"}, "driver": "local", "options": None}
    actual = {"labels": {"a": "1", "x": "y"}, "driver": "bridge"}
    assert changed_options(desired, actual, kinds={"labels": "dict"}) == ["labels", "driver"]
    assert changed_options(desired, actual, kinds={"labels": "dict"}, modes={"labels": "allow_more_present"}) == ["driver"]
