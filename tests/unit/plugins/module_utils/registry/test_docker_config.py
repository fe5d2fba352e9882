"""The Docker config as docker login writes it: keys, entries under other spellings, helpers."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys

import pytest

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.registry.docker_config import (
    HUB_KEY, ConfigError, Credentials, DockerConfig, default_config_path, registry_key,
)


@pytest.mark.parametrize("url, key", [
    ("127.0.0.1:5000", "127.0.0.1:5000"), ("https://registry.example.com:443/v2/", "registry.example.com:443"),
    ("docker.io", HUB_KEY), ("https://index.docker.io/v1/", HUB_KEY), ("localhost", "localhost"),
])
def test_registry_key(url, key):
    assert registry_key(url) == key


@pytest.mark.parametrize("url", ["", "https://", "bad host:5000", "a_b.example"])
def test_registry_key_refuses(url):
    with pytest.raises(OptionError, match="^registry_url:"):
        registry_key(url)


def test_default_config_path_follows_docker_config(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    assert default_config_path() == str(tmp_path / "config.json")
    monkeypatch.delenv("DOCKER_CONFIG")
    assert default_config_path().endswith("/.docker/config.json")


def test_store_keeps_other_keys_replaces_other_spellings_and_erases(tmp_path):
    path = tmp_path / "cfg" / "config.json"
    path.parent.mkdir()
    old = base64.b64encode(b"old:pw").decode()
    path.write_text(json.dumps({"auths": {"https://127.0.0.1:5000/v2/": {"auth": old}, "other:1": {"auth": "eDp5"}},
                                "HttpHeaders": {"X": "1"}}))
    config = DockerConfig(str(path))
    assert config.get("127.0.0.1:5000") == Credentials("old", "pw")
    config.store("127.0.0.1:5000", Credentials("alice", "s3cret:with:colons"))
    written = json.loads(path.read_text())
    assert list(written["auths"]) == ["other:1", "127.0.0.1:5000"]
    assert base64.b64decode(written["auths"]["127.0.0.1:5000"]["auth"]) == b"alice:s3cret:with:colons"
    assert written["HttpHeaders"] == {"X": "1"}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert DockerConfig(str(path)).get("127.0.0.1:5000") == Credentials("alice", "s3cret:with:colons")
    config.erase("127.0.0.1:5000")
    assert json.loads(path.read_text())["auths"] == {"other:1": {"auth": "eDp5"}}


def test_a_new_config_file_and_directory_are_private(tmp_path):
    path = tmp_path / "new" / "config.json"
    config = DockerConfig(str(path))
    assert not config.exists and config.get("r:1") is None
    config.store("r:1", Credentials("u", "p"))
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_broken_config_is_named(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="^config_path: cannot read"):
        DockerConfig(str(path))


def fake_helper(tmp_path, monkeypatch):
    """docker-credential-gstest: keeps credentials in a JSON file beside it."""
    store = tmp_path / "helper-store.json"
    script = tmp_path / "bin" / "docker-credential-gstest"
    script.parent.mkdir()
    script.write_text("""#!%s
import json, os, sys
path = %r
data = json.load(open(path)) if os.path.exists(path) else {}
verb, text = sys.argv[1], sys.stdin.read().strip()
if verb == "store":
    item = json.loads(text); data[item["ServerURL"]] = [item["Username"], item["Secret"]]
elif verb == "get":
    if text not in data:
        print("credentials not found in native keychain"); sys.exit(1)
    print(json.dumps({"ServerURL": text, "Username": data[text][0], "Secret": data[text][1]})); sys.exit(0)
elif verb == "erase":
    data.pop(text, None)
json.dump(data, open(path, "w"))
""" % (sys.executable, str(store)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(script.parent) + os.pathsep + os.environ.get("PATH", ""))
    return store


def test_a_credential_helper_keeps_the_secret_out_of_the_file(tmp_path, monkeypatch):
    store = fake_helper(tmp_path, monkeypatch)
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"credHelpers": {"127.0.0.1:5000": "gstest"}}))
    config = DockerConfig(str(path))
    assert config.helper("127.0.0.1:5000") == "gstest" and config.helper("other:1") is None
    assert config.get("127.0.0.1:5000") is None
    config.store("127.0.0.1:5000", Credentials("alice", "pw"))
    assert "pw" not in path.read_text()
    assert json.loads(path.read_text())["auths"] == {"127.0.0.1:5000": {}}
    assert json.loads(store.read_text()) == {"127.0.0.1:5000": ["alice", "pw"]}
    assert DockerConfig(str(path)).get("127.0.0.1:5000") == Credentials("alice", "pw")
    config.erase("127.0.0.1:5000")
    assert json.loads(store.read_text()) == {}
    assert json.loads(path.read_text())["auths"] == {}


def test_a_missing_helper_is_named(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"credsStore": "gs-no-such-helper"}))
    with pytest.raises(ConfigError, match="docker-credential-gs-no-such-helper is not on the PATH"):
        DockerConfig(str(path)).get("r:1")
