# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secrets rule: which names are secret, how maps, inspect data, Compose dicts and Swarm specs
are masked, and which values are worth masking as substrings."""
from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.secrets import (
    CHANGED_MASK, MASK, SECRET_KEYS_LABEL, SecretRule, compose_secrets, container_rule, env_file_values,
    inspect_secrets, looks_secret, mask_compose, mask_inspect, mask_service_pair, mask_swarm_spec, maskable, project_secrets,
    swarm_spec_secrets, url_passwords,
)


@pytest.mark.parametrize("name", [
    "PASSWORD", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "PGPASSWORD", "db_password", "SMTP_PASSWD", "GPG_PASSPHRASE",
    "SECRET_KEY", "DJANGO_SECRET_KEY", "client-secret", "GITHUB_TOKEN", "NPM_TOKEN", "ACCESS_TOKEN_TTL",
    "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "STRIPE_API_KEY", "APIKEY", "SSH_PRIVATE_KEY", "GOOGLE_CREDENTIALS",
    "DB_PASS", "redis.pass", "DB_PWD", "BASIC_AUTH", "auth", "HTTP_AUTHORIZATION",
    "traefik.http.middlewares.gs.basicauth.users", "com.example.auth",
])
def test_names_that_look_secret(name):
    assert looks_secret(name)


@pytest.mark.parametrize("name", [
    "PATH", "HOME", "PWD", "LOG_LEVEL", "PASSIVE_MODE", "BYPASS_CACHE", "AUTHOR", "OAUTHLIB_INSECURE", "KEYBOARD",
    "DB_PASSWORD_FILE", "API_TOKEN_FILE", "PUBLIC_URL", "com.docker.compose.project", "goship.build.digest",
])
def test_names_that_do_not(name):
    assert not looks_secret(name)


def test_sensitive_keys_are_exact_or_patterns_case_insensitive_and_secret_names_exact():
    rule = SecretRule(["my_setting", "APP_*"], ["ANY_NAME"])
    assert rule.is_secret("MY_SETTING") and rule.is_secret("my_setting") and rule.is_secret("app_salt")
    assert rule.is_secret("ANY_NAME") and not rule.is_secret("any_name") and not rule.is_secret("OTHER")
    assert rule.is_secret("DB_PASSWORD")  # the built-in pattern always applies
    assert SecretRule(secret_names=["DB_PASSWORD_FILE"]).is_secret("DB_PASSWORD_FILE")  # given as a secret: one


def test_listed_names_are_those_the_task_chose_not_the_pattern():
    rule = SecretRule(["MY_*"], ["ANY_NAME"])
    assert rule.listed(["MY_SETTING", "ANY_NAME", "DB_PASSWORD", "PLAIN"]) == ["ANY_NAME", "MY_SETTING"]


def test_url_passwords():
    assert url_passwords("postgres://app:s3cret-pw@db:5432/app") == ["s3cret-pw"]
    assert url_passwords("https://example.com/path?a=b") == []
    assert url_passwords("redis://:only-pw@cache:6379/0") == ["only-pw"]


def test_values_and_mask_of_a_map_and_of_a_key_value_list():
    rule = SecretRule()
    env = {"DB_PASSWORD": "hunter22", "URL": "mysql://u:pw1234@h/db", "PLAIN": "x", "API_TOKEN": None}
    assert sorted(rule.values(env)) == ["hunter22", "pw1234"]
    assert rule.mask(env) == {"DB_PASSWORD": MASK, "URL": "mysql://u:%s@h/db" % MASK, "PLAIN": "x", "API_TOKEN": None}
    entries = ["DB_PASSWORD=hunter22", "PLAIN=x=y", "BARE"]
    assert rule.values(entries) == ["hunter22"]
    assert rule.mask(entries) == ["DB_PASSWORD=" + MASK, "PLAIN=x=y", "BARE"]
    assert rule.mask(None) is None and rule.mask("not a map") == "not a map"


def test_a_secret_given_with_the_wrong_type_is_still_found_and_masked():
    rule = SecretRule()
    assert rule.values({"DB_PASSWORD": ["in-a-list", 12345678]}) == ["in-a-list", "12345678"]
    assert rule.mask({"DB_PASSWORD": ["in-a-list"]}) == {"DB_PASSWORD": MASK}


def test_mask_pair_tells_a_changed_secret_without_showing_it():
    before, after = SecretRule().mask_pair({"DB_PASSWORD": "old", "API_TOKEN": "same", "A": "1"},
                                           {"DB_PASSWORD": "new", "API_TOKEN": "same", "A": "2", "NEW_TOKEN": "t"})
    assert before == {"DB_PASSWORD": MASK, "API_TOKEN": MASK, "A": "1"}
    assert after == {"DB_PASSWORD": CHANGED_MASK, "API_TOKEN": MASK, "A": "2", "NEW_TOKEN": MASK}


@pytest.mark.parametrize("values, expected", [
    (["hunter22", " padded-secret\n"], {"hunter22", " padded-secret\n", "padded-secret"}),
    (["", "1", "abc", "12345"], set()),                        # shorter than 6: garbling, not protection
    (["true", "FALSE", "none"], set()),                        # never secrets
    (["123456", None, 42], {"123456"}),
])
def test_maskable(values, expected):
    assert maskable(values) == expected


def test_env_file_values_are_read_leniently():
    assert env_file_values("# c\nA=1\nBROKEN LINE=x\n\nB\n C = 2 \n") == {"A": "1", "BROKEN LINE": "x", "C": " 2"}


def _inspect(env, labels, cmd=None):
    return {"Id": "abc", "Config": {"Env": env, "Labels": labels, "Cmd": ["sleep", "1"]},
            "ContainerConfig": {"Cmd": cmd or [], "Env": env}}


def test_inspect_data_and_the_names_a_container_records():
    inspect = _inspect(["DB_PASSWORD=pw-123456", "ANY_NAME=chosen-1", "PLAIN=x"],
                       {SECRET_KEYS_LABEL: "ANY_NAME", "auth.users": "admin:hash", "plain": "y"})
    rule = container_rule(SecretRule(), inspect)
    # Config and ContainerConfig both hold the env
    assert sorted(inspect_secrets(inspect, rule)) == sorted(["pw-123456", "chosen-1", "admin:hash", "pw-123456", "chosen-1"])
    masked = mask_inspect(inspect, rule)
    assert masked["Config"]["Env"] == ["DB_PASSWORD=" + MASK, "ANY_NAME=" + MASK, "PLAIN=x"]
    assert masked["Config"]["Labels"]["auth.users"] == MASK and masked["Config"]["Labels"]["plain"] == "y"
    assert masked["Config"]["Cmd"] == ["sleep", "1"]
    assert inspect["Config"]["Env"][0] == "DB_PASSWORD=pw-123456"  # the input is not changed
    assert mask_inspect(None, rule) is None


def test_the_build_args_of_an_images_last_run_step():
    image = _inspect([], {}, cmd=["|2", "API_TOKEN=tok-1234567", "PLAIN_ARG=x", "/bin/sh", "-c", "echo hi"])
    rule = SecretRule()
    assert inspect_secrets(image, rule) == ["tok-1234567"]
    assert mask_inspect(image, rule)["ContainerConfig"]["Cmd"] == [
        "|2", "API_TOKEN=" + MASK, "PLAIN_ARG=x", "/bin/sh", "-c", "echo hi"]


def test_compose_dicts_raw_and_normalised():
    definition = {
        "services": {
            "app": {"environment": ["DB_PASSWORD=pw-1234567", "PLAIN=x"], "labels": {"auth": "u:p"},
                    "build": {"context": ".", "args": {"NPM_TOKEN": "npm-1234567"}}},
            "web": {"environment": {"API_KEY": ["typed", "wrong"]}, "build": "."},
            "bad": "not a mapping",
        },
        "secrets": {"s": {"environment": "VAR"}}, "configs": {"c": {"content": "password=cfg-123"}},
    }
    rule = SecretRule()
    expected = ["pw-1234567", "u:p", "npm-1234567", "typed", "wrong", "password=cfg-123"]
    assert sorted(compose_secrets(definition, rule)) == sorted(expected)
    masked = mask_compose(definition, rule)
    assert masked["services"]["app"]["environment"] == ["DB_PASSWORD=" + MASK, "PLAIN=x"]
    assert masked["services"]["app"]["labels"] == {"auth": MASK}
    assert masked["services"]["app"]["build"] == {"context": ".", "args": {"NPM_TOKEN": MASK}}
    assert masked["services"]["web"]["environment"] == {"API_KEY": MASK} and masked["services"]["bad"] == "not a mapping"
    assert masked["configs"]["c"]["content"] == MASK and masked["secrets"] == {"s": {"environment": "VAR"}}
    assert definition["services"]["app"]["environment"][0] == "DB_PASSWORD=pw-1234567"


def test_a_loaded_project(tmp_path):
    from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project

    (tmp_path / "app.env").write_text("SECRET_KEY=from-env-file\n")
    (tmp_path / ".env").write_text("GH=from-interpolation\nVALUE=from-secret-env\n")
    project = load_project(project_dir=str(tmp_path), definition={
        "services": {"app": {"image": "busybox", "env_file": ["app.env"],
                             "environment": {"GITHUB_TOKEN": "${GH}", "PLAIN": "x"}, "secrets": ["s"], "configs": ["c"]}},
        "secrets": {"s": {"environment": "VALUE"}}, "configs": {"c": {"content": "cfg-content"}},
    }, project_name="p")
    assert set(project_secrets(project, SecretRule())) == {
        "from-env-file", "from-interpolation", "from-secret-env", "cfg-content"}


def test_swarm_service_specs():
    spec = {"Name": "s_web", "Labels": {"auth": "x:y"},
            "TaskTemplate": {"ContainerSpec": {"Image": "i", "Env": ["DB_PASSWORD=pw-1234567", "A=1"]}}}
    rule = SecretRule()
    assert sorted(swarm_spec_secrets(spec, rule)) == ["pw-1234567", "x:y"]
    masked = mask_swarm_spec(spec, rule)
    assert masked["TaskTemplate"]["ContainerSpec"]["Env"] == ["DB_PASSWORD=" + MASK, "A=1"]
    assert masked["Labels"] == {"auth": MASK} and masked["TaskTemplate"]["ContainerSpec"]["Image"] == "i"
    assert mask_swarm_spec(None, rule) is None


def test_a_compose_service_diff_tells_which_secrets_changed():
    before = {"environment": {"DB_PASSWORD": "old-1234567", "A": "1"}, "build": {"args": {"NPM_TOKEN": "same"}}}
    after = {"environment": {"DB_PASSWORD": "new-1234567", "A": "2"}, "build": {"args": {"NPM_TOKEN": "same"}}}
    masked_before, masked_after = mask_service_pair(before, after, SecretRule())
    assert masked_before == {"environment": {"DB_PASSWORD": MASK, "A": "1"}, "build": {"args": {"NPM_TOKEN": MASK}}}
    assert masked_after == {"environment": {"DB_PASSWORD": CHANGED_MASK, "A": "2"}, "build": {"args": {"NPM_TOKEN": MASK}}}
    assert mask_service_pair(None, {"environment": ["API_KEY=x"]}, SecretRule()) == (None, {"environment": ["API_KEY=" + MASK]})
