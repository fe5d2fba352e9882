# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `login` module's work: plan from the Docker config, verify with the registry through the
engine (`POST /auth`), then write the config.

- present: stored credentials equal to the given ones (and no `reauthorize`) → nothing, not even
  a request. Otherwise the engine asks the registry; a refusal fails the task and writes nothing;
  an accepted login is written when it differs from what is stored.
- absent: the registry's entry (and its secret in a credential helper) is removed when present.
The password is compared and written, never returned, diffed or put in a message.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional

from ansible_collections.goship.containers.plugins.module_utils.client import APIError
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.registry.docker_config import (
    HUB_KEY,
    ConfigError,
    Credentials,
    DockerConfig,
    default_config_path,
    registry_key,
)


def login_options() -> Dict[str, Dict[str, Any]]:
    return dict(
        registry_url=dict(type="str", default=HUB_KEY, aliases=["registry", "url"]),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        reauthorize=dict(type="bool", default=False, aliases=["reauth"]),
        config_path=dict(type="path", aliases=["dockercfg_path"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )


class LoginFailed(Exception):
    """The registry refused the credentials (or could not be asked); nothing was written."""


@contextmanager
def _read_only_post(client: Any) -> Iterator[None]:
    """POST /auth only asks the registry through the engine and stores nothing anywhere, so check
    mode may send it (as `docker_login` does): the client's check-mode guard is lifted for it alone."""
    guarded = getattr(client, "check_mode", False)
    client.check_mode = False
    try:
        yield
    finally:
        client.check_mode = guarded


def verify(client: Any, key: str, username: str, password: str) -> Dict[str, Any]:
    """Ask the registry (through the engine) whether the credentials are good; LoginFailed if not."""
    address = key if key != HUB_KEY else HUB_KEY
    try:
        with _read_only_post(client):
            answer = client.login(username, password=password, registry=address, reauth=True)
    except APIError as exc:
        raise LoginFailed(str(getattr(exc, "explanation", None) or exc))
    except Exception as exc:  # noqa: BLE001 - connection errors of the engine
        raise LoginFailed(str(exc))
    return answer if isinstance(answer, dict) else {}


class LoginTask:
    def __init__(self, params: Dict[str, Any], outcome: Any) -> None:
        self.params = params
        self.outcome = outcome
        if params["state"] == "present":
            for option in ("username", "password"):
                if not params.get(option):
                    raise OptionError(option, "required when state=present")
        self.key = registry_key(params["registry_url"])
        self.config = DockerConfig(params.get("config_path") or default_config_path())

    def _view(self, credentials: Optional[Credentials]) -> Optional[Dict[str, Any]]:
        if credentials is None:
            return None
        return dict(registry=self.key, username=credentials.username, config_path=self.config.path,
                    credentials_store=self.config.helper(self.key) or "config file")

    def run(self, client_factory: Any) -> Dict[str, Any]:
        current = self.config.get(self.key)
        result: Dict[str, Any] = dict(registry=self.key, config_path=self.config.path,
                                      credentials_store=self.config.helper(self.key) or "config file")
        if self.params["state"] == "absent":
            if current is not None or self.config.listed(self.key):
                self.outcome.apply("log out of %s (remove it from %s)" % (self.key, self.config.path),
                                   lambda: self.config.erase(self.key))
            self.outcome.set_diff(self._view(current), None)
            return result
        wanted = Credentials(self.params["username"], self.params["password"])
        same = current is not None and current.username == wanted.username and current.secret == wanted.secret
        result["login_result"] = dict(serveraddress=self.key, username=wanted.username)
        if not same or self.params["reauthorize"]:
            answer = verify(client_factory(), self.key, wanted.username, wanted.secret)
            result["login_result"]["status"] = answer.get("Status") or "Login Succeeded"
        if not same:
            what = "log in to %s as %s" % (self.key, wanted.username)
            if current is not None:
                what += " (replacing %s)" % ("the stored password" if current.username == wanted.username
                                             else "the login of " + current.username)
            self.outcome.apply(what, lambda: self.config.store(self.key, wanted))
        self.outcome.set_diff(self._view(current), self._view(wanted))
        return result


def run_login_module(module: Any, client_factory: Any, outcome: Any) -> None:
    try:
        task = LoginTask(dict(module.params), outcome)
        result = task.run(lambda: client_factory(module))
    except (OptionError, ConfigError) as exc:
        outcome.changed, outcome.actions = False, []  # the config is written atomically: nothing changed
        outcome.fail(str(exc))
        return
    except LoginFailed as exc:
        outcome.fail("registry_url: login to %s as %s failed: %s. The Docker config was not changed." % (
            registry_key(module.params["registry_url"]), module.params.get("username"), exc))
        return
    outcome.result.update(result)
    outcome.exit()
