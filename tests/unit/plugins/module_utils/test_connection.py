"""Connection settings: options, environment variables and their precedence, decided before any I/O."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.connection import (
    DEFAULT_DOCKER_HOST, ConnectionOptionError, env_flag, resolve)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

TCP = "tcp://127.0.0.1:2376"


def test_docker_host_precedence():
    assert resolve({}, {}).host == DEFAULT_DOCKER_HOST
    assert resolve({}, {"DOCKER_HOST": TCP}).host == TCP
    assert resolve({"docker_host": "unix:///x.sock"}, {"DOCKER_HOST": TCP}).host == "unix:///x.sock"


def test_connection_errors_are_option_errors():
    assert issubclass(ConnectionOptionError, OptionError)


def test_plain_tcp_by_default():
    settings = resolve({"docker_host": TCP}, {})
    assert not settings.tls and not settings.verify


def test_validate_certs_verifies_against_ca_path():
    settings = resolve({"docker_host": TCP, "validate_certs": True, "ca_path": "/c/ca.pem"}, {})
    assert settings.tls and settings.verify and settings.ca.path == "/c/ca.pem"
    assert settings.checked_name == "127.0.0.1"
    assert settings.describe_ca() == "ca_path /c/ca.pem"


def test_validate_certs_without_ca_uses_the_hosts_trusted_cas():
    settings = resolve({"docker_host": TCP, "validate_certs": True}, {})
    assert settings.verify and settings.ca is None
    assert "host's trusted CAs" in settings.describe_ca()


def test_tls_alone_encrypts_without_verifying():
    settings = resolve({"docker_host": TCP, "tls": True}, {})
    assert settings.tls and not settings.verify and settings.ca is None


def test_a_ca_path_always_means_verify():
    # the reported bug: tls + ca_path connected without verifying the daemon at all
    settings = resolve({"docker_host": TCP, "tls": True, "ca_path": "/c/ca.pem"}, {})
    assert settings.tls and settings.verify and settings.ca.path == "/c/ca.pem"
    assert resolve({"docker_host": TCP, "ca_path": "/c/ca.pem"}, {}).verify
    # a task's ca_path outranks DOCKER_TLS_VERIFY=0 in the environment
    assert resolve({"docker_host": TCP, "ca_path": "/c/ca.pem"}, {"DOCKER_TLS_VERIFY": "0"}).verify


def test_ca_path_with_validate_certs_false_is_refused():
    with pytest.raises(ConnectionOptionError, match="^ca_path: given with validate_certs: false"):
        resolve({"docker_host": TCP, "tls": True, "validate_certs": False, "ca_path": "/c/ca.pem"}, {})


def test_validate_certs_takes_precedence_over_tls_false():
    assert resolve({"docker_host": TCP, "tls": False, "validate_certs": True}, {}).verify


def test_client_certificate_turns_tls_on_without_verification():
    settings = resolve({"docker_host": TCP, "client_cert": "/c/cert.pem", "client_key": "/c/key.pem"}, {})
    assert settings.tls and not settings.verify
    assert settings.client_cert.path == "/c/cert.pem" and settings.client_key.path == "/c/key.pem"


@pytest.mark.parametrize("given, missing", [("client_cert", "client_key"), ("client_key", "client_cert")])
def test_client_cert_and_key_go_together(given, missing):
    with pytest.raises(ConnectionOptionError) as info:
        resolve({"docker_host": TCP, "tls": True, given: "/c/x.pem"}, {})
    assert info.value.path == missing
    assert str(info.value) == "%s: not set, but %s is: client_cert and client_key must be given together" % (missing, given)


def test_tls_hostname_replaces_the_checked_name():
    settings = resolve({"docker_host": TCP, "validate_certs": True, "tls_hostname": "docker.example"}, {})
    assert settings.tls_hostname == "docker.example" and settings.checked_name == "docker.example"


def test_tls_hostname_without_verification_is_refused_not_ignored():
    with pytest.raises(ConnectionOptionError, match="^tls_hostname: only checked when .* validate_certs is false"):
        resolve({"docker_host": TCP, "tls": True, "validate_certs": False, "tls_hostname": "x"}, {})
    with pytest.raises(ConnectionOptionError, match="validate_certs is not set"):
        resolve({"docker_host": TCP, "tls": True, "tls_hostname": "x"}, {})


@pytest.mark.parametrize("host", ["unix:///var/run/docker.sock", "ssh://deploy@host"])
def test_tls_options_on_a_non_tcp_host_are_refused(host):
    with pytest.raises(ConnectionOptionError, match="^validate_certs, ca_path: docker_host .* is not a TCP address"):
        resolve({"docker_host": host, "validate_certs": True, "ca_path": "/c/ca.pem"}, {})


def test_tls_environment_is_ignored_for_a_unix_socket(tmp_path):
    env = {"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tmp_path)}
    settings = resolve({"docker_host": "unix:///var/run/docker.sock"}, env)
    assert not settings.tls and not settings.verify


def test_plain_http_url_with_tls_is_refused():
    with pytest.raises(ConnectionOptionError, match="^docker_host: http://127.0.0.1:2376 is plain HTTP, but validate_certs asks for TLS"):
        resolve({"docker_host": "http://127.0.0.1:2376", "validate_certs": True}, {})


def test_https_url_means_tls():
    settings = resolve({"docker_host": "https://127.0.0.1:2376"}, {})
    assert settings.tls and not settings.verify


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("true", True), ("yes", True), ("anything", True), (" 1 ", True),
    ("0", False), ("false", False), ("No", False), ("off", False),
    ("", None), ("  ", None), (None, None),
])
def test_env_flag(value, expected):
    assert env_flag({} if value is None else {"DOCKER_TLS_VERIFY": value}, "DOCKER_TLS_VERIFY") is expected


def _cert_dir(tmp_path, *names):
    for name in names:
        (tmp_path / name).write_text("x")
    return str(tmp_path)


def test_docker_tls_verify_and_cert_path_give_the_defaults(tmp_path):
    cert_path = _cert_dir(tmp_path, "ca.pem", "cert.pem", "key.pem")
    env = {"DOCKER_HOST": TCP, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": cert_path}
    settings = resolve({}, env)
    assert settings.host == TCP and settings.tls and settings.verify
    assert settings.ca.path == cert_path + "/ca.pem" and settings.ca.from_cert_path
    assert settings.describe_ca() == "ca_path %s/ca.pem (from DOCKER_CERT_PATH)" % cert_path
    assert settings.client_cert.path == cert_path + "/cert.pem" and settings.client_key.path == cert_path + "/key.pem"
    assert settings.tls_reason == "DOCKER_TLS_VERIFY=1"


def test_task_options_outrank_the_environment(tmp_path):
    cert_path = _cert_dir(tmp_path, "ca.pem", "cert.pem", "key.pem")
    env = {"DOCKER_HOST": "tcp://elsewhere:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": cert_path}
    settings = resolve({"docker_host": TCP, "ca_path": "/mine/ca.pem", "client_cert": "/mine/c.pem",
                        "client_key": "/mine/k.pem"}, env)
    assert settings.host == TCP
    assert (settings.ca.path, settings.client_cert.path, settings.client_key.path) == ("/mine/ca.pem", "/mine/c.pem", "/mine/k.pem")
    # validate_certs: false in the task beats DOCKER_TLS_VERIFY=1
    assert not resolve({"docker_host": TCP, "validate_certs": False}, env).tls


def test_docker_tls_verify_zero_means_off(tmp_path):
    env = {"DOCKER_HOST": TCP, "DOCKER_TLS_VERIFY": "0", "DOCKER_CERT_PATH": _cert_dir(tmp_path, "ca.pem")}
    assert not resolve({}, env).tls


def test_cert_path_alone_does_not_turn_tls_on(tmp_path):
    env = {"DOCKER_HOST": TCP, "DOCKER_CERT_PATH": _cert_dir(tmp_path, "ca.pem", "cert.pem", "key.pem")}
    assert not resolve({}, env).tls


def test_docker_tls_encrypts_without_verifying_and_uses_the_client_certificate(tmp_path):
    cert_path = _cert_dir(tmp_path, "ca.pem", "cert.pem", "key.pem")
    settings = resolve({}, {"DOCKER_HOST": TCP, "DOCKER_TLS": "1", "DOCKER_CERT_PATH": cert_path})
    assert settings.tls and not settings.verify and settings.ca is None
    assert settings.client_cert.path == cert_path + "/cert.pem"


def test_cert_path_without_client_files_presents_no_certificate(tmp_path):
    env = {"DOCKER_HOST": TCP, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": _cert_dir(tmp_path, "ca.pem")}
    settings = resolve({}, env)
    assert settings.client_cert is None and settings.client_key is None


def test_cert_path_with_half_a_pair_names_the_missing_file_later(tmp_path):
    env = {"DOCKER_HOST": TCP, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": _cert_dir(tmp_path, "ca.pem", "cert.pem")}
    settings = resolve({}, env)
    assert settings.client_key.path.endswith("/key.pem")  # loading it fails, naming it (see test_tls.py)


def test_cert_path_without_ca_keeps_the_path_so_verification_cannot_fall_back(tmp_path):
    env = {"DOCKER_HOST": TCP, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tmp_path)}
    assert resolve({}, env).ca.path == str(tmp_path) + "/ca.pem"


def test_docker_tls_hostname(tmp_path):
    env = {"DOCKER_HOST": TCP, "DOCKER_TLS_VERIFY": "1", "DOCKER_TLS_HOSTNAME": "docker.example"}
    assert resolve({}, env).tls_hostname == "docker.example"
    assert resolve({"tls_hostname": "task.example"}, env).tls_hostname == "task.example"
    # when not verifying, the variable has nothing to apply to (and is not an error)
    assert resolve({}, {"DOCKER_HOST": TCP, "DOCKER_TLS": "1", "DOCKER_TLS_HOSTNAME": "x"}).tls_hostname is None
