"""healthcheck.test_cli_compatible, community.docker's switch for a healthcheck given without a test:
false disables the check (their default), true or unset keeps the image's test and replaces the keys
given (the Docker CLI's way, this collection's default). A test given is read the same either way."""

from __future__ import annotations

import copy

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.goship.containers.plugins.module_utils.containers.options import CONTAINER_OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import Healthcheck, to_create_request
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.tests.unit.plugins.module_utils.containers.test_plan import (
    CONTAINER, plan_for,
)

SECOND = 10 ** 9


def healthcheck(**given):
    """The spec's healthcheck for `healthcheck: given`, through the module's argument spec."""
    result = ArgumentSpecValidator(CONTAINER_OPTIONS).validate({"name": "c", "image": "app:1", "healthcheck": given})
    assert not result.error_messages, result.error_messages
    return spec_from_params(result.validated_parameters).healthcheck


def test_it_is_a_module_suboption_with_no_default():
    spec = CONTAINER_OPTIONS["healthcheck"]["options"]["test_cli_compatible"]
    assert spec == {"type": "bool"}


def test_without_a_test_false_disables_the_check_and_drops_the_other_keys():
    assert healthcheck(interval="5s", retries=2, test_cli_compatible=False) == Healthcheck(test=("NONE",))
    assert healthcheck(test="", test_cli_compatible=False) == Healthcheck(test=("NONE",))
    assert healthcheck(test=[], test_cli_compatible=False) == Healthcheck(test=("NONE",))
    assert to_create_request(spec_from_params(dict(
        name="c", image="app:1", healthcheck={"interval": "5s", "test_cli_compatible": False})))["Healthcheck"] == {
            "Test": ["NONE"]}


@pytest.mark.parametrize("switch", [True, None])
def test_without_a_test_true_or_unset_keeps_the_images_test(switch):
    check = healthcheck(interval="5s", test_cli_compatible=switch)
    assert check.test == () and check.interval_ns == 5 * SECOND
    assert "Test" not in to_create_request(spec_from_params(dict(
        name="c", image="app:1", healthcheck={"interval": "5s", "test_cli_compatible": switch})))["Healthcheck"]


@pytest.mark.parametrize("switch", [True, False, None])
@pytest.mark.parametrize("test, expected", [
    ("curl -f http://127.0.0.1/", ("CMD-SHELL", "curl -f http://127.0.0.1/")),  # a string runs in the shell
    (["CMD", "/app", "health"], ("CMD", "/app", "health")),
    (["CMD-SHELL", "exit 0"], ("CMD-SHELL", "exit 0")),
    (["/app", "health"], ("CMD", "/app", "health")),  # exec form without its CMD
])
def test_a_test_given_is_read_the_same_either_way(switch, test, expected):
    check = healthcheck(test=test, interval="5s", test_cli_compatible=switch)
    assert check.test == expected and check.interval_ns == 5 * SECOND


@pytest.mark.parametrize("switch", [True, False, None])
def test_none_disables_either_way(switch):
    assert healthcheck(test=["NONE"], interval="5s", test_cli_compatible=switch) == Healthcheck(test=("NONE",))


def test_a_value_that_is_not_a_boolean_names_the_key():
    with pytest.raises(OptionError, match=r"^healthcheck\.test_cli_compatible"):
        spec_from_params(dict(name="c", image="app:1", healthcheck={"interval": "5s", "test_cli_compatible": "maybe"}))


def test_the_plan_compares_the_check_the_switch_gives():
    """The container has the image's check (test_plan's CONTAINER): false recreates it without one;
    a container without one is then current; unset and true are the image's check (no change)."""
    disabled = {"healthcheck": {"interval": "1s", "test_cli_compatible": False}}
    plan = plan_for(disabled)
    assert plan.kinds[0] == "recreate" and plan.differences == ("healthcheck",)
    assert plan.after["healthcheck"] == {"test": ["NONE"]}
    without = copy.deepcopy(CONTAINER)
    without["Config"]["Healthcheck"] = {"Test": ["NONE"]}
    assert plan_for(disabled, container=without).steps == ()
    for switch in (True, None):
        assert plan_for({"healthcheck": {"interval": "1s", "test_cli_compatible": switch}}).steps == ()
