"""The client factory's guarantees that do not need a daemon."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils import client as client_mod


def make_client(check_mode: bool) -> "client_mod.EngineClient":
    # A fixed API version makes no request at construction; the socket does not exist.
    return client_mod.EngineClient(base_url="unix:///nonexistent/docker.sock", version="1.41", check_mode=check_mode)


@pytest.mark.parametrize("method", ["_post", "_put", "_delete"])
def test_check_mode_refuses_writes_before_any_io(method):
    client = make_client(check_mode=True)
    with pytest.raises(client_mod.CheckModeWriteError):
        getattr(client, method)(client._url("/containers/create"))
    assert client.request_count == 1


def test_reads_are_allowed_in_check_mode():
    client = make_client(check_mode=True)
    with pytest.raises(Exception) as info:  # reaches the (missing) socket: a connection error, not a guard error
        client._get(client._url("/version"))
    assert not isinstance(info.value, client_mod.CheckModeWriteError)


def test_docker_host_precedence(monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    assert client_mod.resolve_docker_host({}) == client_mod.DEFAULT_DOCKER_HOST
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    assert client_mod.resolve_docker_host({}) == "tcp://127.0.0.1:2375"
    assert client_mod.resolve_docker_host({"docker_host": "unix:///x.sock"}) == "unix:///x.sock"


def test_tls_needs_cert_and_key_together():
    with pytest.raises(ValueError, match="client_cert and client_key"):
        client_mod._tls_config({"tls": True, "client_cert": "/c.pem"})
    assert client_mod._tls_config({}) is False


def test_argument_spec_merges_connection_options():
    spec = client_mod.docker_argument_spec(name=dict(type="str", required=True))
    assert spec["name"]["required"] and spec["api_version"]["default"] == "auto"
