# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS to a Docker daemon: an SSL context built from ConnectionSettings, an HTTPS adapter that uses
it and nothing else, and one-line explanations of the ways a TLS connection fails.

Why our own adapter rather than the SDK's TLSConfig: docker SDK 7 dropped ``assert_hostname`` (so
``tls_hostname`` needs its own check), and requests merges ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``
from the environment into every request's ``verify`` -- over an explicit CA and even over
``verify=False``. This adapter ignores requests' per-request ``verify``/``cert`` entirely: the
context below is the only source of trust, whatever the environment says.
"""

from __future__ import annotations

import os
import socket
import ssl
from typing import Any, Callable, Iterator, Optional
from urllib.parse import urlparse

from ansible_collections.goship.containers.plugins.module_utils.connection import ConnectionSettings, TLSFile

try:
    import urllib3
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
except ImportError:  # the Docker SDK (which needs requests) is missing: client.py says how to install it
    HAS_REQUESTS = False
    HTTPAdapter = object  # type: ignore[assignment,misc]


class TLSSetupError(ValueError):
    """A certificate, key or CA file cannot be used; the message names the option and the file."""


def _readable(file: TLSFile) -> None:
    if not os.path.exists(file.path):
        raise TLSSetupError("%s does not exist" % file.describe())
    if not os.path.isfile(file.path):
        raise TLSSetupError("%s is not a file" % file.describe())
    if not os.access(file.path, os.R_OK):
        raise TLSSetupError("%s cannot be read by this user" % file.describe())


def _no_passphrase() -> str:
    raise TLSSetupError("is encrypted with a passphrase, which this collection cannot supply")


def ssl_context(settings: ConnectionSettings) -> ssl.SSLContext:
    """The context for settings.tls; TLSSetupError (naming the file) before any connection is tried."""
    for file in (settings.ca, settings.client_cert, settings.client_key):
        if file is not None:
            _readable(file)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # what dockerd accepts at least
    if settings.verify:  # PROTOCOL_TLS_CLIENT: CERT_REQUIRED and check_hostname already
        if settings.ca is None:
            context.load_default_certs()
        else:
            try:
                context.load_verify_locations(cafile=settings.ca.path)
            except ssl.SSLError as exc:
                raise TLSSetupError("%s holds no PEM certificate (%s)" % (settings.ca.describe(), getattr(exc, "reason", None) or exc))
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    cert, key = settings.client_cert, settings.client_key
    if cert is not None and key is not None:
        try:
            context.load_cert_chain(cert.path, key.path, password=_no_passphrase)
        except TLSSetupError as exc:
            raise TLSSetupError("%s %s" % (key.describe(), exc))
        except ssl.SSLError as exc:
            if getattr(exc, "reason", None) == "KEY_VALUES_MISMATCH":
                raise TLSSetupError("%s is not the key of %s (key values mismatch)" % (key.describe(), cert.describe()))
            raise TLSSetupError("%s and %s cannot be loaded as a PEM certificate and its key (%s)"
                                % (cert.describe(), key.describe(), getattr(exc, "reason", None) or exc))
    return context


class TLSAdapter(HTTPAdapter):  # type: ignore[misc,valid-type]
    """requests' HTTPS adapter with one fixed SSL context. requests' ``verify`` and ``cert`` (and
    with them REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and a session's verify) never reach the pools."""

    def __init__(self, settings: ConnectionSettings, **kwargs: Any) -> None:
        self.settings = settings
        self.context = ssl_context(settings)
        self.pool_tls: dict[str, Any] = dict(ssl_context=self.context,
                                             cert_reqs="CERT_REQUIRED" if settings.verify else "CERT_NONE")
        if settings.verify and settings.tls_hostname:
            # the name checked in the certificate (and sent as SNI) instead of the URL's host
            self.pool_tls["server_hostname"] = settings.tls_hostname
        if not settings.verify:
            # chosen by the user (tls without validate_certs) and documented: not a warning per request
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        pool_kwargs.update(self.pool_tls)
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs.update(self.pool_tls)
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, _ignored = super().build_connection_pool_key_attributes(request, False, None)
        return host_params, dict(self.pool_tls)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # requests would set the pool's CA file and client certificate from verify/cert here; the
        # context already holds the only CA and client certificate this connection may use
        conn.cert_reqs = self.pool_tls["cert_reqs"]
        conn.ca_certs = None
        conn.ca_cert_dir = None
        conn.cert_file = None
        conn.key_file = None


# --- failures ----------------------------------------------------------------------------------

# alerts a daemon sends when it refuses the client certificate (or its absence)
_CLIENT_CERT_ALERTS = ("SSLV3_ALERT_BAD_CERTIFICATE", "TLSV13_ALERT_CERTIFICATE_REQUIRED", "TLSV1_ALERT_UNKNOWN_CA",
                       "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "SSLV3_ALERT_CERTIFICATE_EXPIRED",
                       "SSLV3_ALERT_CERTIFICATE_REVOKED", "TLSV1_ALERT_ACCESS_DENIED", "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE")
# what a TLS client sees when the other side answers in plain HTTP
_NOT_TLS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST", "UNKNOWN_PROTOCOL")
_HOSTNAME_CODES = (62, 64)  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
# how a connection that the daemon dropped right after the handshake looks to requests
_CLOSED = (ssl.SSLEOFError, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)
_CLOSED_NAMES = ("RemoteDisconnected", "ProtocolError")
PROBE_SECONDS = 10


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """Every exception behind `exc`: causes, contexts, and what requests/urllib3 wrap in args or .reason."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))


def _plain_http_to_tls(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    return (getattr(response, "status_code", None) == 400
            and "HTTP request to an HTTPS server" in (getattr(response, "text", "") or ""))


def handshake_alert(context: ssl.SSLContext, settings: ConnectionSettings, timeout: float = PROBE_SECONDS) -> Optional[BaseException]:
    """How the daemon ends a TLS connection when nothing races its alert: a handshake, then a read
    with nothing sent. With TLS 1.3 a daemon checks the client certificate after the client's side of
    the handshake is done; when it refuses it, its alert is often lost to the reset that the request
    already sent provokes, and requests sees only EOF. None when the daemon waits for a request
    (it accepted this connection) or closes without an alert."""
    url = urlparse(settings.host if "://" in settings.host else "tcp://" + settings.host)
    try:
        with socket.create_connection((url.hostname, url.port or 2376), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=settings.tls_hostname or url.hostname) as tls_socket:
                tls_socket.recv(1)
    except socket.timeout:
        return None
    except OSError as exc:  # ssl.SSLError included
        return exc
    return None


def _closed_early(chain: list[BaseException]) -> bool:
    return any(isinstance(error, _CLOSED) or type(error).__name__ in _CLOSED_NAMES
               or "EOF occurred in violation of protocol" in str(error) for error in chain)


def explain_failure(exc: BaseException, settings: ConnectionSettings,
                    probe: Optional[Callable[[], Optional[BaseException]]] = None) -> Optional[str]:
    """One line naming the cause (the file, the check) when `exc` is a TLS failure, else None. It
    follows "Cannot use the Docker daemon at HOST: " (``its`` is the daemon's). `probe` (see
    handshake_alert) asks the daemon again when it only dropped the connection."""
    chain = list(exception_chain(exc))
    explained = _explain_chain(chain, settings)
    if explained or not settings.tls or not _closed_early(chain):
        return explained
    alert = probe() if probe is not None else None
    explained = _explain_chain(list(exception_chain(alert)), settings) if alert is not None else None
    if explained:
        return explained
    if settings.client_cert is None:
        return ("TLS: it closed the connection after the handshake without an alert, as a daemon started with"
                " --tlsverify does without a client certificate: set client_cert and client_key (%s)" % _innermost(chain))
    return ("TLS: it closed the connection after the handshake without an alert, as a daemon started with"
            " --tlsverify does when %s is not signed by a CA the daemon trusts (%s)" % (settings.client_cert.describe(), _innermost(chain)))


def _innermost(chain: list[BaseException]) -> str:
    error = chain[-1]
    return "%s: %s" % (type(error).__name__, error)


def _explain_chain(chain: list[BaseException], settings: ConnectionSettings) -> Optional[str]:
    if not settings.tls:
        if any(_plain_http_to_tls(error) for error in chain):
            return ("it speaks TLS and this connection is plain HTTP: set validate_certs: true with ca_path"
                    " (encrypt and verify the daemon) or tls: true (encrypt only)")
        return None
    for error in chain:
        if isinstance(error, ssl.SSLCertVerificationError):
            detail = getattr(error, "verify_message", None) or str(error)
            if getattr(error, "verify_code", None) in _HOSTNAME_CODES or "mismatch" in detail:
                if settings.tls_hostname:
                    return ("TLS verification failed: its certificate is not valid for tls_hostname %r (%s)"
                            % (settings.tls_hostname, detail))
                return ("TLS verification failed: its certificate is not valid for %r (%s); set tls_hostname to a"
                        " name the certificate carries" % (settings.checked_name, detail))
            return "TLS verification failed: its certificate is not signed by %s (%s)" % (settings.describe_ca(), detail)
        if type(error).__name__ == "CertificateError":  # urllib3 matching the name itself (old OpenSSL)
            return "TLS verification failed: its certificate is not valid for %r (%s)" % (settings.checked_name, error)
        if isinstance(error, ssl.SSLError):
            reason = getattr(error, "reason", None) or ""
            if reason in _CLIENT_CERT_ALERTS:
                if settings.client_cert is None:
                    return ("TLS: it requires a client certificate and this connection presents none: set client_cert"
                            " and client_key (or DOCKER_CERT_PATH with cert.pem and key.pem) (%s)" % reason)
                return ("TLS: it rejected %s: the certificate is not signed by a CA the daemon trusts, or has"
                        " expired (%s)" % (settings.client_cert.describe(), reason))
            if reason in _NOT_TLS:
                return ("TLS: it does not speak TLS (%s): remove tls/validate_certs, or use the daemon's TLS port"
                        % reason)
    return None
