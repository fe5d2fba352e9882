"""The login module's plan: no request when the stored login is the same, nothing written when the
registry refuses, check mode asks the registry but writes nothing, the password in no diff."""

from __future__ import annotations

import json

import pytest

from ansible_collections.goship.containers.plugins.module_utils.client import APIError
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.registry.login import LoginFailed, LoginTask


class FakeOutcome:
    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.changed = False
        self.actions = []
        self.diff = None

    def apply(self, action, fn=None):
        self.changed = True
        self.actions.append(action)
        if fn is not None and not self.check_mode:
            fn()

    def set_diff(self, before, after):
        self.diff = (before, after)


class FakeClient:
    def __init__(self, good="pw", check_mode=False):
        self.good = good
        self.calls = []
        self.check_mode = check_mode

    def login(self, username, password=None, registry=None, reauth=False):
        self.calls.append((username, registry, self.check_mode))
        if password != self.good:
            raise APIError("login attempt to https://%s/v2/ failed with status: 401 Unauthorized" % registry)
        return {"Status": "Login Succeeded"}


def params(tmp_path, **kw):
    base = dict(registry_url="127.0.0.1:5000", username="alice", password="pw", reauthorize=False,
                config_path=str(tmp_path / "config.json"), state="present")
    base.update(kw)
    return base


def test_login_then_no_request_when_the_same(tmp_path):
    client = FakeClient()
    first = FakeOutcome()
    result = LoginTask(params(tmp_path), first).run(lambda: client)
    assert first.changed and first.actions == ["log in to 127.0.0.1:5000 as alice"]
    assert result["login_result"]["status"] == "Login Succeeded"
    again = FakeOutcome()
    LoginTask(params(tmp_path), again).run(lambda: pytest.fail("the registry must not be asked"))
    assert not again.changed and again.actions == []
    before, after = again.diff
    assert before == after and "pw" not in json.dumps(after)


def test_check_mode_asks_the_registry_and_writes_nothing(tmp_path):
    client = FakeClient(check_mode=True)
    outcome = FakeOutcome(check_mode=True)
    LoginTask(params(tmp_path), outcome).run(lambda: client)
    assert outcome.changed and not (tmp_path / "config.json").exists()
    assert client.calls == [("alice", "127.0.0.1:5000", False)]  # the guard is lifted for POST /auth only
    assert client.check_mode is True


def test_a_refused_login_writes_nothing(tmp_path):
    with pytest.raises(LoginFailed, match="401 Unauthorized"):
        LoginTask(params(tmp_path, password="wrong"), FakeOutcome()).run(FakeClient)
    assert not (tmp_path / "config.json").exists()


def test_reauthorize_asks_but_changes_nothing(tmp_path):
    LoginTask(params(tmp_path), FakeOutcome()).run(FakeClient)
    client = FakeClient()
    outcome = FakeOutcome()
    LoginTask(params(tmp_path, reauthorize=True), outcome).run(lambda: client)
    assert len(client.calls) == 1 and not outcome.changed


def test_logout_and_missing_credentials(tmp_path):
    LoginTask(params(tmp_path), FakeOutcome()).run(FakeClient)
    out = FakeOutcome()
    LoginTask(params(tmp_path, state="absent", username=None, password=None), out).run(lambda: None)
    assert out.changed and out.diff[1] is None and out.diff[0]["username"] == "alice"
    assert json.loads((tmp_path / "config.json").read_text())["auths"] == {}
    again = FakeOutcome()
    LoginTask(params(tmp_path, state="absent"), again).run(lambda: None)
    assert not again.changed
    with pytest.raises(OptionError, match="^password: required"):
        LoginTask(params(tmp_path, password=None), FakeOutcome())
