# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SecretAwareModule on the ansible-core this runs on (scripts/test unit: 2.18 to 2.21),
through the in-worker runner (a forked child, as the action plugins run modules): what
AnsibleModule's remove_values really masks, in results, diffs, errors and the invocation."""
from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.goship.containers.plugins.plugin_utils.core_internals import encode_module_args
from ansible_collections.goship.containers.plugins.plugin_utils.in_worker import run_forked

FAKE = "ansible_collections.goship.containers.tests.unit.plugins.plugin_utils.fake_secret_module"
LONG = "canary-4f9a1c"      # long enough to be masked as a substring everywhere
SHORT = "abc"               # too short: masked only where the collection knows the map


def run(**params):
    if "inject_invocation" in PASS_VARS:  # 2.21 returns the invocation only when asked; 2.19 always
        params.setdefault("_ansible_inject_invocation", True)
    res = run_forked(FAKE, encode_module_args(params))
    return res, json.loads(res["stdout"].strip().splitlines()[-1])


def test_a_secret_looking_name_is_masked_everywhere_in_the_result():
    res, result = run(env={"DB_PASSWORD": LONG, "PLAIN": "visible"})
    assert LONG not in res["stdout"]
    assert "DB_PASSWORD=********" in result["output"] and "PLAIN=visible" in result["output"]
    assert result["container"]["Config"]["Env"] == ["DB_PASSWORD=********", "PLAIN=visible"]
    assert result["diff"]["after"]["env"] == {"DB_PASSWORD": "********", "PLAIN": "visible"}
    assert result["invocation"]["module_args"]["env"] == {"DB_PASSWORD": "********", "PLAIN": "visible"}


def test_a_short_secret_is_masked_in_the_maps_but_not_as_a_substring():
    res, result = run(env={"DB_PASSWORD": SHORT})
    assert result["container"]["Config"]["Env"] == ["DB_PASSWORD=********"]
    assert result["invocation"]["module_args"]["env"] == {"DB_PASSWORD": "********"}
    assert result["output"] == "DB_PASSWORD=abc"  # documented: no real secret is that short


def test_sensitive_keys_and_url_passwords():
    res, result = run(env={"MY_SETTING": LONG, "DATABASE_URL": "postgres://app:%s@db/app" % LONG},
                      sensitive_keys=["my_*"])
    assert LONG not in res["stdout"]
    assert result["invocation"]["module_args"]["env"] == {
        "MY_SETTING": "********", "DATABASE_URL": "postgres://app:********@db/app"}


def test_secret_env_is_no_log_whatever_its_name_and_length():
    res, result = run(secret_env={"ANY": "xyz-short"}, env={"PLAIN": "visible"})
    assert "xyz-short" not in res["stdout"]
    assert result["invocation"]["module_args"]["secret_env"] == {"ANY": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}


def test_values_learnt_later_and_errors():
    res, result = run(env={"API_TOKEN": LONG}, later="later-value-1", fail=True)
    assert res["rc"] == 1 and result["failed"] is True
    assert LONG not in res["stdout"] and "later-value-1" not in res["stdout"]
    assert result["msg"] == "the engine said: API_TOKEN=********\nLATER_TOKEN=********"


def test_check_mode_masks_the_same():
    res, result = run(env={"DB_PASSWORD": LONG}, _ansible_check_mode=True)
    assert LONG not in res["stdout"] and result["output"] == "DB_PASSWORD=********"


def test_an_argument_error_before_the_module_runs_still_masks_the_invocation():
    res, result = run(env={"DB_PASSWORD": LONG, "X": "y"}, bogus=1)
    assert res["rc"] == 1 and "bogus" in result["msg"]
    assert LONG not in res["stdout"]


def test_booleans_and_numbers_of_the_result_survive():
    res, result = run(env={"AUTH_ENABLED": "true", "TOKEN_TTL": "3600", "API_TOKEN": LONG})
    assert result["changed"] is True
    assert "AUTH_ENABLED=true" in result["output"] and "TOKEN_TTL=3600" in result["output"]


def test_the_invocation_logged_to_syslog_is_masked(monkeypatch):
    logged = []
    monkeypatch.setattr(AnsibleModule, "log", lambda self, msg, log_args=None: logged.append(msg))
    from ansible.module_utils import _internal, basic
    from ansible_collections.goship.containers.plugins.module_utils.secret_module import SecretAwareModule

    monkeypatch.setattr(_internal, "is_controller", False, raising=False)  # ansible-core 2.18 has no such switch
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", encode_module_args({"env": {"DB_PASSWORD": LONG}}))
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    module = SecretAwareModule(argument_spec={"env": {"type": "dict"}}, maps={"env": None})
    assert LONG in module.no_log_values
    assert logged and all(LONG not in message for message in logged)


def test_a_map_nested_in_a_dict_option_is_masked_in_the_invocation():
    """maps={"build.args": None}: image's community.docker-shaped build.args, even a short value."""
    res, result = run(build={"args": {"API_TOKEN": SHORT, "PLAIN": "visible"}, "path": "/ctx"}, fail=True)
    assert result["invocation"]["module_args"]["build"] == {
        "args": {"API_TOKEN": "********", "PLAIN": "visible"}, "path": "/ctx"}
    res, result = run(build={"args": {"API_TOKEN": LONG}})
    assert LONG not in res["stdout"]
