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


class FakeModule:
    """What connect() uses of AnsibleModule; fail_json raises so the message can be read."""

    def __init__(self, **params):
        self.params = dict(docker_host=None, tls=None, validate_certs=None, ca_path=None, client_cert=None,
                           client_key=None, tls_hostname=None, api_version="1.41", timeout=5)
        self.params.update(params)
        self.check_mode = False

    def fail_json(self, msg, **_kwargs):
        raise AssertionError(msg)


def connect_failure(**params):
    with pytest.raises(AssertionError) as info:
        client_mod.connect(FakeModule(**params))
    return str(info.value)


def test_connect_refuses_contradicting_options_before_connecting():
    msg = connect_failure(docker_host="tcp://127.0.0.1:9", tls=True, client_cert="/c.pem")
    assert msg == ("Invalid Docker connection options: client_key: not set, but client_cert is: client_cert and"
                   " client_key must be given together")


def test_connect_names_a_missing_ca_before_connecting(tmp_path):
    msg = connect_failure(docker_host="tcp://127.0.0.1:9", validate_certs=True, ca_path=str(tmp_path / "ca.pem"))
    assert msg == "TLS to the Docker daemon at tcp://127.0.0.1:9 cannot be set up: ca_path %s/ca.pem does not exist" % tmp_path


def test_connect_with_a_pinned_version_still_meets_a_tcp_daemon():
    # nothing listens on port 9: the probe that replaces the version request reports it
    msg = connect_failure(docker_host="tcp://127.0.0.1:9", api_version="1.41")
    assert msg.startswith("Cannot reach the Docker daemon at tcp://127.0.0.1:9: ")
    assert "refused" in msg.lower()


def test_tls_config_mounts_the_adapter_for_https():
    settings = client_mod.resolve({"docker_host": "tcp://127.0.0.1:2376", "tls": True}, {})
    client = client_mod.EngineClient(base_url=settings.host, version="1.41", tls=client_mod._tls_config(settings))
    assert client.base_url == "https://127.0.0.1:2376"
    assert isinstance(client.get_adapter("https://127.0.0.1:2376/version"), client_mod.TLSAdapter)
    assert client_mod._tls_config(client_mod.resolve({"docker_host": "tcp://127.0.0.1:2376"}, {})) is False


def test_argument_spec_merges_connection_options():
    spec = client_mod.docker_argument_spec(name=dict(type="str", required=True))
    assert spec["name"]["required"] and spec["api_version"]["default"] == "auto"


class FakeResponse:
    def __init__(self, status_code):
        self.status_code = status_code


@pytest.mark.parametrize("status, streamed, counted", [
    (201, False, 1), (204, False, 1), (404, False, 0), (500, False, 0),
    (200, True, 0),  # a streamed answer (pull, load, build): its outcome is in the stream
])
def test_accepted_writes_count_what_the_engine_accepted(monkeypatch, status, streamed, counted):
    client = make_client(check_mode=False)
    monkeypatch.setattr(client_mod.docker.APIClient, "_post", lambda self, url, **kw: FakeResponse(status))
    kwargs = {"stream": True} if streamed else {}
    client._post(client._url("/networks/create"), **kwargs)
    assert client.accepted_writes == counted and client.request_count == 1
