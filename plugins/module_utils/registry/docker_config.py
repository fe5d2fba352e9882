# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry credentials in the Docker config of the managed host, read the way the docker SDK and
CLI read them, and written the way `docker login` writes them.

- The file: the module's `config_path`, else `$DOCKER_CONFIG/config.json`, else
  `~/.docker/config.json` (the docker SDK's and CLI's order; the SDK then sends these credentials
  with every pull and push of the `image`, `container` and `compose` modules).
- The key of a registry: `https://index.docker.io/v1/` for Docker Hub, else `host[:port]` (what
  `docker login host:port` writes). An entry written under another spelling of the same host
  (`https://host:port/v2/`) is found and replaced, as the SDK matches by host name.
- Where the secret goes: the credential helper the file names for the registry (`credHelpers`,
  then `credsStore`), else `auths[key].auth` (base64 of `user:password`) in the file itself, which
  is written atomically with mode 0600 and every other key kept.
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

HUB_KEY = "https://index.docker.io/v1/"
HUB_HOSTS = ("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?$"
                   r"|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$")


class ConfigError(Exception):
    """The Docker config file or a credential helper cannot be used; the message says which and why."""


def default_config_path() -> str:
    """$DOCKER_CONFIG/config.json, else ~/.docker/config.json (the docker SDK's and CLI's order)."""
    directory = os.environ.get("DOCKER_CONFIG")
    if directory:
        return os.path.join(directory, "config.json")
    return os.path.join(os.path.expanduser("~"), ".docker", "config.json")


def hostname(url: str) -> str:
    """'https://host:5000/v2/' -> 'host:5000' (the SDK's convert_to_hostname)."""
    return url.strip().split("://", 1)[-1].split("/", 1)[0]


def registry_key(url: str, option: str = "registry_url") -> str:
    """The key `docker login` writes for a registry URL, or OptionError naming `option`."""
    host = hostname(url or "")
    if host.lower() in HUB_HOSTS:
        return HUB_KEY
    if not host or not _HOST.match(host):
        raise OptionError(option, "%r is not a registry host[:port] or URL" % url)
    return host


def _same_registry(key: str, other: str) -> bool:
    if key == HUB_KEY:
        return other == HUB_KEY or hostname(other).lower() in HUB_HOSTS
    return hostname(other) == key


@dataclass
class Credentials:
    username: str
    secret: str


class DockerConfig:
    """One Docker config file and the credential helper it names for a registry."""

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(os.path.expanduser(path))
        self.exists = os.path.isfile(self.path)
        self.data: Dict[str, Any] = {}
        if self.exists:
            try:
                with open(self.path, "r", encoding="utf-8") as handle:
                    text = handle.read()
                self.data = json.loads(text) if text.strip() else {}
            except (OSError, ValueError) as exc:
                raise ConfigError("config_path: cannot read %s as a Docker config (JSON): %s" % (self.path, exc))
            if not isinstance(self.data, dict):
                raise ConfigError("config_path: %s is not a JSON object" % self.path)

    # --- where the secret of a registry lives ------------------------------------------------
    def helper(self, key: str) -> Optional[str]:
        """The credential helper program suffix for this registry (credHelpers, then credsStore)."""
        helpers = self.data.get("credHelpers") or {}
        for name, program in helpers.items():
            if _same_registry(key, name) and program:
                return str(program)
        store = self.data.get("credsStore")
        return str(store) if store else None

    def _entries(self, key: str) -> List[str]:
        return [name for name in (self.data.get("auths") or {}) if _same_registry(key, name)]

    def get(self, key: str) -> Optional[Credentials]:
        """The stored credentials of the registry, or None."""
        program = self.helper(key)
        if program:
            return _helper_get(program, key)
        for name in self._entries(key):
            entry = (self.data.get("auths") or {}).get(name) or {}
            if entry.get("auth"):
                try:
                    user, _colon, secret = base64.b64decode(entry["auth"]).decode("utf-8").partition(":")
                except (ValueError, UnicodeDecodeError):
                    continue
                return Credentials(user, secret)
            if entry.get("username"):
                return Credentials(str(entry["username"]), str(entry.get("password") or ""))
        return None

    def store(self, key: str, credentials: Credentials) -> None:
        program = self.helper(key)
        auths = dict(self.data.get("auths") or {})
        for name in self._entries(key):
            if name != key:
                auths.pop(name)  # one entry per registry, under the key docker login writes
        if program:
            _helper_call(program, "store", key, credentials)
            auths[key] = {}  # as docker login does with a helper: the registry is listed, the secret is not here
        else:
            token = base64.b64encode(("%s:%s" % (credentials.username, credentials.secret)).encode("utf-8")).decode("ascii")
            entry = dict(auths.get(key) or {})
            entry.pop("username", None)
            entry.pop("password", None)
            entry["auth"] = token
            auths[key] = entry
        self.data["auths"] = auths
        self._write()

    def erase(self, key: str) -> None:
        program = self.helper(key)
        if program:
            _helper_call(program, "erase", key, None)
        auths = dict(self.data.get("auths") or {})
        for name in self._entries(key):
            auths.pop(name)
        self.data["auths"] = auths
        self._write()

    def listed(self, key: str) -> bool:
        return bool(self._entries(key))

    def _write(self) -> None:
        directory = os.path.dirname(self.path)
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".config.json.")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(json.dumps(self.data, indent="\t") + "\n")  # the CLI's layout
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except OSError as exc:
            raise ConfigError("config_path: cannot write %s: %s" % (self.path, exc))
        self.exists = True


def _store(program: str) -> Any:
    try:
        from docker.credentials import Store  # pylint: disable=import-outside-toplevel  # only with a helper
    except ImportError as exc:  # the modules check the SDK first; this is for direct callers
        raise ConfigError("the docker SDK for Python is needed for credential helpers: %s" % exc)
    with warnings.catch_warnings():  # the SDK warns about a missing helper; the error below says more
        warnings.simplefilter("ignore")
        store = Store(program)
    if store.exe is None:
        raise ConfigError("the Docker config names the credential helper %r, but docker-credential-%s is not"
                          " on the PATH of the managed host" % (program, program))
    return store


def _helper_get(program: str, key: str) -> Optional[Credentials]:
    from docker.credentials.errors import CredentialsNotFound, StoreError  # pylint: disable=import-outside-toplevel
    store = _store(program)
    try:
        found = store.get(key)
    except CredentialsNotFound:
        return None
    except StoreError as exc:
        raise ConfigError("credential helper docker-credential-%s: %s" % (program, exc))
    return Credentials(str(found.get("Username") or ""), str(found.get("Secret") or ""))


def _helper_call(program: str, verb: str, key: str, credentials: Optional[Credentials]) -> None:
    from docker.credentials.errors import CredentialsNotFound, StoreError  # pylint: disable=import-outside-toplevel
    store = _store(program)
    try:
        if verb == "store" and credentials is not None:
            store.store(key, credentials.username, credentials.secret)
        else:
            store.erase(key)
    except CredentialsNotFound:
        return
    except StoreError as exc:
        raise ConfigError("credential helper docker-credential-%s %s: %s" % (program, verb, exc))
