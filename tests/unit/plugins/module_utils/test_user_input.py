# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.user_input import string_map


def test_string_map_writes_scalars_the_way_yaml_users_expect():
    assert string_map("labels", {"a": True, "b": 3, "c": "x", 4: False}) == {"a": "true", "b": "3", "c": "x", "4": "false"}


def test_string_map_keeps_unset_apart_from_empty():
    assert string_map("labels", None) is None
    assert string_map("labels", {}) == {}


@pytest.mark.parametrize("value, message", [
    ({"a": None}, "labels.a: expected a string value, got NoneType"),
    ({"a": [1]}, "labels.a: expected a string value, got list"),
    ({"a": {"b": 1}}, "labels.a: expected a string value, got dict"),
    (["a=b"], "labels: expected a dictionary, got list"),
])
def test_string_map_names_the_bad_key(value, message):
    with pytest.raises(OptionError) as error:
        string_map("labels", value)
    assert str(error.value) == message


def test_command_argv_runs_a_list_as_that_argv():
    from ansible_collections.goship.containers.plugins.module_utils.user_input import command_argv
    assert command_argv("command", ["echo", "two  spaces", "'quoted'", 'a "b"', 3]) == \
        ["echo", "two  spaces", "'quoted'", 'a "b"', "3"]


def test_command_argv_splits_a_string_like_a_shell():
    from ansible_collections.goship.containers.plugins.module_utils.user_input import command_argv
    assert command_argv("command", "sh -c 'echo \"$X\"; cat'") == ["sh", "-c", 'echo "$X"; cat']


@pytest.mark.parametrize("value, message", [
    ([], "command: the command is empty"),
    ("", "command: the command is empty"),
    (["ls", {"a": 1}], "command[1]: expected a string, got dict"),
    (["ls", None], "command[1]: expected a string, got NoneType"),
    ("echo 'open", "command: No closing quotation"),
    ({"a": 1}, "command: expected a string or a list of strings, got dict"),
])
def test_command_argv_refuses_what_is_no_command(value, message):
    from ansible_collections.goship.containers.plugins.module_utils.user_input import command_argv
    with pytest.raises(OptionError) as info:
        command_argv("command", value)
    assert str(info.value) == message
