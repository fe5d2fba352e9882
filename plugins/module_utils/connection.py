# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a module connects and how: the shared connection options and the Docker CLI's environment
variables, resolved into one frozen value before anything touches the network.

The rules (documented for users in doc_fragments/docker.py):

- A task option beats its environment variable, which beats the default.
- ``validate_certs`` (else ``DOCKER_TLS_VERIFY``): TLS, and the daemon's certificate must be signed by
  ``ca_path`` (else ``DOCKER_CERT_PATH``/ca.pem, else the host's trusted CAs) and carry the host of
  ``docker_host`` (or ``tls_hostname``). It takes precedence over ``tls``.
- ``tls`` (else ``DOCKER_TLS``): TLS without verification -- encrypted, but whoever answers on the
  address is trusted. community.docker's meaning, kept.
- A CA is only ever used to verify: ``ca_path`` in a task turns verification on, and ``ca_path`` with
  ``validate_certs: false`` is refused (community.docker silently ignored the CA there).
- ``client_cert``/``client_key`` (else ``DOCKER_CERT_PATH``/cert.pem, key.pem), given together; given
  in a task they turn TLS on. ``DOCKER_CERT_PATH`` alone does not, as with the docker CLI.
- ``tls_hostname`` (else ``DOCKER_TLS_HOSTNAME``) is the name checked in the certificate; an option
  that only matters when verifying is refused when not verifying, never ignored.
- TLS options on a unix:// or ssh:// ``docker_host`` are refused; the same variables in the
  environment are ignored there, as the docker CLI does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping, Optional
from urllib.parse import urlparse

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"

# Values of DOCKER_TLS / DOCKER_TLS_VERIFY that mean "off"; any other non-empty value means "on"
# (Ansible's false words; the docker CLI even treats "0" as on, so erring towards TLS is the safe side).
_FALSE_WORDS = frozenset(("0", "false", "no", "off", "n", "f"))
_TCP_SCHEMES = ("tcp", "http", "https")
_TLS_OPTIONS = ("tls", "validate_certs", "ca_path", "client_cert", "client_key", "tls_hostname")


class ConnectionOptionError(OptionError):
    """The connection options (or the environment) contradict each other; `path` names the option(s)."""


@dataclass(frozen=True)
class TLSFile:
    """A certificate or key file and where its name came from, so errors can name both."""

    option: str  # ca_path, client_cert or client_key
    path: str
    from_cert_path: bool = False  # taken from DOCKER_CERT_PATH

    def describe(self) -> str:
        return "%s %s%s" % (self.option, self.path, " (from DOCKER_CERT_PATH)" if self.from_cert_path else "")


@dataclass(frozen=True)
class ConnectionSettings:
    host: str
    tls: bool = False
    verify: bool = False
    ca: Optional[TLSFile] = None  # None while verifying: the host's trusted CAs
    client_cert: Optional[TLSFile] = None
    client_key: Optional[TLSFile] = None
    tls_hostname: Optional[str] = None
    tls_reason: str = ""  # what turned TLS on (or off), for messages

    @property
    def checked_name(self) -> str:
        """The name the daemon's certificate must carry when verifying."""
        return self.tls_hostname or (urlparse(self.host if "://" in self.host else "tcp://" + self.host).hostname or "")

    def describe_ca(self) -> str:
        return self.ca.describe() if self.ca else "the host's trusted CAs (no ca_path given)"


def env_flag(environ: Mapping[str, str], name: str) -> Optional[bool]:
    """DOCKER_TLS / DOCKER_TLS_VERIFY: None when unset or empty, False for a false word, else True."""
    value = (environ.get(name) or "").strip().lower()
    if not value:
        return None
    return value not in _FALSE_WORDS


def resolve_docker_host(params: Mapping[str, Any], environ: Optional[Mapping[str, str]] = None) -> str:
    environ = os.environ if environ is None else environ
    return params.get("docker_host") or environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST


def _scheme(host: str) -> str:
    return host.split("://", 1)[0].lower() if "://" in host else "tcp"


def resolve(params: Mapping[str, Any], environ: Optional[Mapping[str, str]] = None) -> ConnectionSettings:
    """The connection the options and environment ask for; ConnectionOptionError when they disagree."""
    environ = os.environ if environ is None else environ
    host = resolve_docker_host(params, environ)
    scheme = _scheme(host)
    given = [name for name in _TLS_OPTIONS if params.get(name)]  # options set in the task (true / a path)

    if bool(params.get("client_cert")) != bool(params.get("client_key")):
        missing, given_one = ("client_key", "client_cert") if params.get("client_cert") else ("client_cert", "client_key")
        raise ConnectionOptionError(missing, "not set, but %s is: client_cert and client_key must be given together" % given_one)
    if scheme not in _TCP_SCHEMES:
        if given:
            raise ConnectionOptionError(
                ", ".join(given), "docker_host %s is not a TCP address; TLS options apply to tcp:// hosts only" % host)
        return ConnectionSettings(host=host)

    verify, reason = _verification(params, environ)
    tls_flag = params.get("tls")
    tls_reason = "tls"
    if tls_flag is None:
        tls_flag, tls_reason = env_flag(environ, "DOCKER_TLS"), "DOCKER_TLS=%s" % environ.get("DOCKER_TLS")
    if verify:
        use_tls, why = True, reason
    elif tls_flag:
        use_tls, why = True, tls_reason
    elif params.get("client_cert"):
        use_tls, why = True, "client_cert"
    elif scheme == "https":
        use_tls, why = True, "docker_host https://"
    else:
        use_tls, why = False, reason
    if not use_tls:
        return ConnectionSettings(host=host, tls_reason=why)
    if scheme == "http":
        raise ConnectionOptionError("docker_host", "%s is plain HTTP, but %s asks for TLS: write tcp:// or https://" % (host, why))

    if params.get("tls_hostname") and not verify:
        raise ConnectionOptionError(
            "tls_hostname", "only checked when the daemon's certificate is verified, and %s: set"
            " validate_certs: true (with ca_path), or remove tls_hostname" % _why_unverified(params, environ))
    cert_path = environ.get("DOCKER_CERT_PATH") or None
    return ConnectionSettings(
        host=host, tls=True, verify=verify, tls_reason=why,
        ca=_ca_file(params, cert_path) if verify else None,
        client_cert=_client_file(params, cert_path, "client_cert", "cert.pem", "key.pem"),
        client_key=_client_file(params, cert_path, "client_key", "key.pem", "cert.pem"),
        tls_hostname=(params.get("tls_hostname") or environ.get("DOCKER_TLS_HOSTNAME") or None) if verify else None,
    )


def _verification(params: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[bool, str]:
    """Whether to verify the daemon, and which option or variable decided it."""
    validate = params.get("validate_certs")
    if validate is not None:
        if not validate and params.get("ca_path"):
            raise ConnectionOptionError(
                "ca_path", "given with validate_certs: false, but a CA is only used to verify the daemon's"
                " certificate: set validate_certs: true, or remove ca_path to connect without verification (tls: true)")
        return bool(validate), "validate_certs"
    if params.get("ca_path"):
        return True, "ca_path"
    from_env = env_flag(environ, "DOCKER_TLS_VERIFY")
    return bool(from_env), ("DOCKER_TLS_VERIFY=%s" % environ.get("DOCKER_TLS_VERIFY") if from_env is not None else "validate_certs")


def _why_unverified(params: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    if params.get("validate_certs") is False:
        return "validate_certs is false"
    if env_flag(environ, "DOCKER_TLS_VERIFY") is False:
        return "DOCKER_TLS_VERIFY=%s turns verification off" % environ.get("DOCKER_TLS_VERIFY")
    return "validate_certs is not set"


def _ca_file(params: Mapping[str, Any], cert_path: Optional[str]) -> Optional[TLSFile]:
    if params.get("ca_path"):
        return TLSFile("ca_path", params["ca_path"])
    if cert_path:  # missing there is an error when loading, never a silent fall back to other CAs
        return TLSFile("ca_path", os.path.join(cert_path, "ca.pem"), from_cert_path=True)
    return None


def _client_file(params: Mapping[str, Any], cert_path: Optional[str], option: str, name: str, partner: str) -> Optional[TLSFile]:
    if params.get(option):
        return TLSFile(option, params[option])
    if params.get("client_cert") or not cert_path:
        return None
    path, partner_path = os.path.join(cert_path, name), os.path.join(cert_path, partner)
    if not os.path.exists(path) and not os.path.exists(partner_path):
        return None  # a DOCKER_CERT_PATH without a client certificate: none is presented
    return TLSFile(option, path, from_cert_path=True)  # one of the pair missing fails when loading, naming it
