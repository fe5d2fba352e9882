"""A container task planned from inspect JSON alone (what the container module and the
container_plan action share): validation, pull in check mode, the verdict, the check-mode result."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.task_plan import (
    api_refusal_message, api_refusals, check_mode_result, container_task, plan_from_inspect,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError
from ansible_collections.goship.containers.plugins.module_utils.secrets import MASK, SECRET_KEYS_LABEL, SecretRule
from ansible_collections.goship.containers.tests.unit.plugins.module_utils.containers.test_plan import (
    CONTAINER, IMAGE, PARAMS,
)

DEFAULTS = dict(state="started", pull="missing", pull_check_mode_behavior="image_not_present", comparisons=None,
                recreate=False, restart=False)


def task(**params):
    return container_task(dict(DEFAULTS, **dict(PARAMS, **params)))


def result(container="current", image="present", diff=False, **params):
    """The check-mode result; by default against test_plan's container and image."""
    return check_mode_result(task(**params), CONTAINER if container == "current" else container,
                             IMAGE if image == "present" else image, SecretRule(), diff=diff)


def test_a_current_container_is_no_change():
    assert result() == dict(changed=False, actions=[], differences=[], container=CONTAINER)


def test_a_missing_container_would_be_created_and_started():
    assert result(container=None)["actions"] == ["create (container does not exist)", "start (state is started)"]
    assert result(container=None)["container"] == {}


def test_drift_is_named_as_the_module_names_it():
    assert result(env={"MODE": "dev"})["actions"] == ["recreate (env differs)", "start (state is started)"]
    assert result(memory="128m")["actions"] == ["update (memory differs)"]
    stopped = copy.deepcopy(CONTAINER)
    stopped["State"] = {"Status": "exited", "Running": False, "ExitCode": 0}
    assert result(container=stopped)["actions"] == ["start (container is exited, state is started)"]
    assert result(env={"MODE": "dev"})["differences"] == ["env"]


def test_check_mode_records_a_pull_only_as_the_module_does():
    missing = result(image=None)
    assert missing["actions"][0] == "pull app:1 (not present locally)" and missing["changed"]
    assert result(pull="always")["actions"] == []  # present and assumed current in check mode
    assert result(pull="always", pull_check_mode_behavior="always")["actions"] == ["pull app:1 (pull is always)"]
    with pytest.raises(OptionError, match="^pull: is never and the image app:1 is not present locally$"):
        result(image=None, pull="never")


def test_without_an_image_the_container_is_judged_as_it_is():
    no_image = dict(PARAMS, image=None)
    stop = container_task(dict(DEFAULTS, **dict(no_image, state="stopped")))
    assert check_mode_result(stop, CONTAINER, None, SecretRule())["actions"] == ["stop (container is running, state is stopped)"]
    with pytest.raises(PlanError, match="^image: required to create container web$"):
        plan_from_inspect(container_task(dict(DEFAULTS, **no_image)), None, None)


def test_state_absent():
    gone = container_task(dict(DEFAULTS, name="web", state="absent"))
    assert check_mode_result(gone, CONTAINER, None, SecretRule()) == dict(
        changed=True, actions=["remove (state is absent)"], differences=[], container={})
    assert check_mode_result(gone, None, None, SecretRule())["actions"] == []
    assert gone.spec is None  # image and options are not even parsed for absent


def test_diff_only_when_asked():
    assert "diff" not in result(env={"MODE": "dev"})
    diff = result(env={"MODE": "dev"}, diff=True)["diff"]
    assert diff["before"]["env"]["MODE"] == "prod" and diff["after"]["env"]["MODE"] == "dev"
    assert result(diff=True)["diff"] == {"before": {}, "after": {}}


def test_bad_options_are_refused_naming_them():
    with pytest.raises(OptionError, match="^memory: "):
        task(memory="lots")
    with pytest.raises(ValueError, match="^comparisons.bogus: unknown option"):
        task(comparisons={"bogus": "strict"})
    with pytest.raises(OptionError, match="^pull: "):
        task(pull="sometimes")


def test_options_the_api_lacks():
    assert api_refusals(task(), "1.41") == []
    assert ("init", "1.25") in api_refusals(task(), "1.24")
    assert api_refusals(container_task(dict(DEFAULTS, name="web", state="absent")), "1.24") == []
    assert api_refusal_message("init", "1.25", "unix:///run/docker.sock", "1.24") == (
        "Option init needs Docker Engine API 1.25 or newer; the daemon at unix:///run/docker.sock speaks API 1.24.")


def test_secrets_are_masked_as_the_module_masks_them():
    token = copy.deepcopy(CONTAINER)
    token["Config"]["Env"] = token["Config"]["Env"] + ["API_TOKEN=old-token-value", "PLAIN=shown"]
    planned = result(container=token, diff=True, env={"MODE": "prod", "API_TOKEN": "new-token-value", "PLAIN": "shown"})
    assert "API_TOKEN=" + MASK in planned["container"]["Config"]["Env"] and "PLAIN=shown" in planned["container"]["Config"]["Env"]
    assert planned["diff"]["before"]["env"]["API_TOKEN"] == MASK
    assert planned["diff"]["after"]["env"]["API_TOKEN"] == MASK + " (changed)"
    assert "token-value" not in str(planned)


def test_secret_env_names_are_recorded_on_the_container_as_the_module_records_them():
    secret = container_task(dict(DEFAULTS, **dict(PARAMS, secret_env={"DB_PASS_PHRASE": "x" * 8}, sensitive_keys=["MODE"])))
    assert secret.spec.labels[SECRET_KEYS_LABEL] == "MODE"  # DB_PASS_PHRASE looks secret anyway: not listed
    assert secret.spec.env["DB_PASS_PHRASE"] == "x" * 8
