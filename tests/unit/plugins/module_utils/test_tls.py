"""TLS: the SSL context from the settings, an adapter immune to requests' environment, and the
explanations of TLS failures (built from the exceptions ssl/urllib3/requests/the SDK really raise)."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest
import requests
import urllib3
from docker.errors import APIError, DockerException

from ansible_collections.goship.containers.plugins.module_utils.connection import ConnectionSettings, TLSFile, resolve
from ansible_collections.goship.containers.plugins.module_utils.tls import TLSAdapter, TLSSetupError, explain_failure, ssl_context

TCP = "tcp://127.0.0.1:2376"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A self-signed certificate (usable as CA and as client certificate), its key and a stray key."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    root = tmp_path_factory.mktemp("pki")
    for key in ("key.pem", "stray-key.pem"):
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-out", str(root / key)], check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-x509", "-new", "-key", str(root / "key.pem"), "-subj", "/CN=gs-unit",
                    "-days", "1", "-out", str(root / "cert.pem")], check=True, capture_output=True)
    (root / "not-pem.txt").write_text("not a certificate\n")
    return root


def settings_for(**params):
    return resolve(dict(docker_host=TCP, **params), {})


def test_verifying_context(pki):
    context = ssl_context(settings_for(validate_certs=True, ca_path=str(pki / "cert.pem"),
                                       client_cert=str(pki / "cert.pem"), client_key=str(pki / "key.pem")))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert [ca["subject"] for ca in context.get_ca_certs()] == [((("commonName", "gs-unit"),),)]


def test_unverified_context_encrypts_only(pki):
    context = ssl_context(settings_for(tls=True))
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname


def test_missing_ca_file_is_named(pki):
    with pytest.raises(TLSSetupError, match="ca_path .*/nope.pem does not exist"):
        ssl_context(settings_for(validate_certs=True, ca_path=str(pki / "nope.pem")))


def test_missing_ca_from_docker_cert_path_is_named(tmp_path):
    settings = resolve({}, {"DOCKER_HOST": TCP, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tmp_path)})
    with pytest.raises(TLSSetupError, match=r"ca_path .*/ca.pem \(from DOCKER_CERT_PATH\) does not exist"):
        ssl_context(settings)


def test_a_ca_that_is_not_pem_is_named(pki):
    with pytest.raises(TLSSetupError, match="ca_path .*not-pem.txt holds no PEM certificate"):
        ssl_context(settings_for(validate_certs=True, ca_path=str(pki / "not-pem.txt")))


def test_a_directory_is_not_a_ca_file(pki):
    with pytest.raises(TLSSetupError, match="ca_path .* is not a file"):
        ssl_context(settings_for(validate_certs=True, ca_path=str(pki)))


def test_key_not_matching_the_certificate_is_named(pki):
    with pytest.raises(TLSSetupError, match="client_key .*stray-key.pem is not the key of client_cert .*cert.pem"):
        ssl_context(settings_for(tls=True, client_cert=str(pki / "cert.pem"), client_key=str(pki / "stray-key.pem")))


def test_missing_client_key_is_named(pki):
    with pytest.raises(TLSSetupError, match="client_key .*/gone.pem does not exist"):
        ssl_context(settings_for(tls=True, client_cert=str(pki / "cert.pem"), client_key=str(pki / "gone.pem")))


def test_encrypted_key_fails_instead_of_prompting(pki, tmp_path):
    locked = tmp_path / "locked.pem"
    subprocess.run(["openssl", "pkey", "-in", str(pki / "key.pem"), "-aes256", "-passout", "pass:secret",
                    "-out", str(locked)], check=True, capture_output=True)
    with pytest.raises(TLSSetupError, match="client_key .*locked.pem is encrypted with a passphrase"):
        ssl_context(settings_for(tls=True, client_cert=str(pki / "cert.pem"), client_key=str(locked)))


# --- the adapter -------------------------------------------------------------------------------

def _pool(adapter, verify, cert=None):
    request = requests.Request("GET", "https://127.0.0.1:2376/version").prepare()
    return adapter.get_connection_with_tls_context(request, verify, cert=cert)


def test_adapter_pools_use_its_context_whatever_requests_passes(pki, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki / "cert.pem"))
    adapter = TLSAdapter(settings_for(validate_certs=True, ca_path=str(pki / "cert.pem"), tls_hostname="docker.example"))
    session = requests.Session()
    session.mount("https://", adapter)
    # what requests would hand the adapter for this session: the environment's bundle as `verify`
    merged = session.merge_environment_settings("https://127.0.0.1:2376/version", {}, None, None, None)
    assert merged["verify"] == str(pki / "cert.pem")
    for verify, cert in ((merged["verify"], None), (False, None), (True, ("/x/cert.pem", "/x/key.pem"))):
        pool = _pool(adapter, verify, cert)
        adapter.cert_verify(pool, "https://127.0.0.1:2376/version", verify, cert)
        assert pool.conn_kw["ssl_context"] is adapter.context
        assert pool.conn_kw["server_hostname"] == "docker.example"
        assert pool.cert_reqs == "CERT_REQUIRED"
        assert (pool.ca_certs, pool.ca_cert_dir, pool.cert_file, pool.key_file) == (None, None, None, None)


def test_unverified_adapter_stays_unverified_when_requests_passes_a_bundle(pki):
    adapter = TLSAdapter(settings_for(tls=True))
    pool = _pool(adapter, "/etc/ssl/certs/ca-certificates.crt")
    adapter.cert_verify(pool, "https://127.0.0.1:2376/version", "/etc/ssl/certs/ca-certificates.crt", None)
    assert pool.cert_reqs == "CERT_NONE" and pool.ca_certs is None
    assert "server_hostname" not in pool.conn_kw


# --- failures ----------------------------------------------------------------------------------

def _verify_error(code, message):
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s" % message)
    error.verify_code, error.verify_message, error.reason = code, message, "CERTIFICATE_VERIFY_FAILED"
    return error


def _alert(reason):
    error = ssl.SSLError(1, "[SSL: %s] %s" % (reason, reason.lower()))
    error.reason = reason
    return error


def _as_requests_raises(ssl_error):
    """The chain requests really raises: SSLError(MaxRetryError(reason=urllib3 SSLError(ssl error)))."""
    inner = urllib3.exceptions.SSLError(ssl_error)
    retry = urllib3.exceptions.MaxRetryError(None, "/version", reason=inner)
    outer = requests.exceptions.SSLError(retry)
    try:
        try:
            raise outer
        except requests.exceptions.SSLError as exc:  # the SDK wraps it while reading the API version
            raise DockerException("Error while fetching server API version: %s" % exc) from exc
    except DockerException as exc:
        return exc


def verified(**extra):
    return resolve(dict(docker_host=TCP, validate_certs=True, ca_path="/c/ca.pem", client_cert="/c/cert.pem",
                        client_key="/c/key.pem", **extra), {})


def test_unknown_ca_names_the_ca_file():
    text = explain_failure(_as_requests_raises(_verify_error(20, "unable to get local issuer certificate")), verified())
    assert text == ("TLS verification failed: its certificate is not signed by ca_path /c/ca.pem "
                    "(unable to get local issuer certificate)")


def test_hostname_mismatch_suggests_tls_hostname():
    error = _verify_error(64, "IP address mismatch, certificate is not valid for '127.0.0.1'.")
    text = explain_failure(_as_requests_raises(error), verified())
    assert "its certificate is not valid for '127.0.0.1'" in text and "set tls_hostname" in text


def test_hostname_mismatch_with_tls_hostname_names_it():
    error = _verify_error(62, "Hostname mismatch, certificate is not valid for 'other.example'.")
    text = explain_failure(_as_requests_raises(error), verified(tls_hostname="other.example"))
    assert text.startswith("TLS verification failed: its certificate is not valid for tls_hostname 'other.example'")


def test_missing_client_certificate():
    settings = resolve(dict(docker_host=TCP, validate_certs=True, ca_path="/c/ca.pem"), {})
    text = explain_failure(_as_requests_raises(_alert("SSLV3_ALERT_BAD_CERTIFICATE")), settings)
    assert text.startswith("TLS: it requires a client certificate and this connection presents none")


@pytest.mark.parametrize("alert", ["SSLV3_ALERT_BAD_CERTIFICATE", "TLSV13_ALERT_CERTIFICATE_REQUIRED", "TLSV1_ALERT_UNKNOWN_CA"])
def test_rejected_client_certificate_is_named(alert):
    text = explain_failure(_as_requests_raises(_alert(alert)), verified())
    assert text.startswith("TLS: it rejected client_cert /c/cert.pem: the certificate is not signed by a CA the daemon trusts")
    assert alert in text


def test_tls_to_a_plain_http_daemon():
    text = explain_failure(_as_requests_raises(_alert("WRONG_VERSION_NUMBER")), verified())
    assert text.startswith("TLS: it does not speak TLS (WRONG_VERSION_NUMBER)")


class _Response:
    status_code = 400
    reason = "Bad Request"
    text = "Client sent an HTTP request to an HTTPS server.\n"
    url = "http://127.0.0.1:2376/version"


def _plain_http_error():
    http_error = requests.exceptions.HTTPError("400 Client Error: Bad Request", response=_Response())
    try:
        try:
            raise APIError(http_error, response=_Response(), explanation=_Response.text)
        except APIError as exc:
            raise DockerException("Error while fetching server API version: %s" % exc) from exc
    except DockerException as exc:
        return exc


def test_plain_http_to_a_tls_port_says_to_turn_tls_on():
    text = explain_failure(_plain_http_error(), resolve({"docker_host": TCP}, {}))
    assert text.startswith("it speaks TLS and this connection is plain HTTP: set validate_certs: true with ca_path")
    assert "tls: true" in text


def test_other_failures_are_not_tls_failures():
    refused = DockerException("Error while fetching server API version")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert explain_failure(refused, resolve({"docker_host": TCP}, {})) is None
    assert explain_failure(refused, verified()) is None
    # a 400 over TLS is the engine's answer to a request, not a TLS problem
    assert explain_failure(_plain_http_error(), verified()) is None


def test_describe_from_docker_cert_path():
    settings = ConnectionSettings(host=TCP, tls=True, verify=True, ca=TLSFile("ca_path", "/d/ca.pem", True))
    text = explain_failure(_as_requests_raises(_verify_error(20, "unable to get local issuer certificate")), settings)
    assert "not signed by ca_path /d/ca.pem (from DOCKER_CERT_PATH)" in text


def _dropped():
    """What requests raises when a TLS 1.3 daemon refused the client certificate but its alert was
    lost to the reset the already-sent request provoked."""
    return _as_requests_raises(ssl.SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2406)"))


def test_a_dropped_connection_asks_the_daemon_again():
    asked = []

    def probe():
        asked.append(True)
        return _alert("SSLV3_ALERT_BAD_CERTIFICATE")

    text = explain_failure(_dropped(), verified(), probe)
    assert asked and text.startswith("TLS: it rejected client_cert /c/cert.pem")


def test_a_dropped_connection_without_an_answer_still_names_the_likely_cause():
    text = explain_failure(_dropped(), verified(), lambda: None)
    assert "closed the connection after the handshake without an alert" in text
    assert "client_cert /c/cert.pem is not signed by a CA the daemon trusts" in text
    no_cert = resolve(dict(docker_host=TCP, validate_certs=True, ca_path="/c/ca.pem"), {})
    assert "set client_cert and client_key" in explain_failure(_dropped(), no_cert)


def test_the_probe_is_not_asked_when_the_cause_is_known():
    def probe():
        raise AssertionError("asked")

    assert "not signed by ca_path" in explain_failure(
        _as_requests_raises(_verify_error(20, "unable to get local issuer certificate")), verified(), probe)
    refused = DockerException("Error while fetching server API version")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert explain_failure(refused, verified(), probe) is None
