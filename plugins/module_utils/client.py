# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Docker client every module uses: built from the shared connection options, with failures
that say what to do (SDK missing on the target, daemon unreachable, TLS refused, API too old).

Which daemon and which TLS settings is decided by connection.resolve() (options, then DOCKER_HOST,
DOCKER_TLS_VERIFY, DOCKER_CERT_PATH...); TLS itself is tls.TLSAdapter, mounted through the SDK's
TLSConfig hook so the SDK's own TLS handling (and requests' environment) never applies.

In check mode the client refuses every write request (POST/PUT/DELETE) at the lowest level, so a
bug in a module's planning cannot change the engine when the user only asked what would happen.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any, Mapping, Optional

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.goship.containers.plugins.module_utils.connection import (  # pylint: disable=unused-import  # resolve_docker_host is re-exported
    DEFAULT_DOCKER_HOST, ConnectionOptionError, ConnectionSettings, resolve, resolve_docker_host)
from ansible_collections.goship.containers.plugins.module_utils.tls import (
    TLSAdapter, TLSSetupError, explain_failure, handshake_alert)

try:
    import docker
    from docker.errors import APIError, DockerException, NotFound  # pylint: disable=unused-import  # re-exported for modules
    from docker.tls import TLSConfig
    HAS_DOCKER_SDK = True
    DOCKER_SDK_IMPORT_ERROR: Optional[str] = None
except ImportError:
    HAS_DOCKER_SDK = False
    DOCKER_SDK_IMPORT_ERROR = traceback.format_exc()

    class APIError(Exception):  # type: ignore[no-redef]
        """Placeholder so modules can name the SDK's errors even when it is missing."""

    class DockerException(Exception):  # type: ignore[no-redef]
        """Placeholder so modules can name the SDK's errors even when it is missing."""

    class NotFound(Exception):  # type: ignore[no-redef]
        """Placeholder so modules can name the SDK's errors even when it is missing."""

MIN_DOCKER_SDK_VERSION = "7.0.0"

# The connection options, declared once; documented in doc_fragments/docker.py.
DOCKER_CONNECTION_ARGS: dict[str, dict[str, Any]] = dict(
    docker_host=dict(type="str", aliases=["docker_url"]),
    # no defaults: "not set" lets DOCKER_TLS / DOCKER_TLS_VERIFY decide, and ca_path imply verification
    tls=dict(type="bool"),
    validate_certs=dict(type="bool", aliases=["tls_verify"]),
    ca_path=dict(type="path", aliases=["ca_cert", "tls_ca_cert", "cacert_path"]),
    client_cert=dict(type="path", aliases=["tls_client_cert", "cert_path"]),
    client_key=dict(type="path", aliases=["tls_client_key", "key_path"]),
    tls_hostname=dict(type="str"),
    api_version=dict(type="str", default="auto", aliases=["docker_api_version"]),
    timeout=dict(type="int", default=60),
)


def docker_argument_spec(**module_options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The module's own options plus the shared connection options."""
    spec = dict(DOCKER_CONNECTION_ARGS)
    spec.update(module_options)
    return spec


class CheckModeWriteError(RuntimeError):
    """A write request was attempted in check mode: a bug in the calling module."""


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


if HAS_DOCKER_SDK:
    class EngineClient(docker.APIClient):
        """docker.APIClient that counts requests and refuses writes in check mode."""

        def __init__(self, *args: Any, check_mode: bool = False, **kwargs: Any) -> None:
            self.check_mode = check_mode
            self.request_count = 0
            # write requests the engine answered with success (Outcome.watch: a failed step that
            # made none changed nothing); a streamed answer (build, pull, push, load) is not
            # counted: its outcome is in the stream, which the caller reads
            self.accepted_writes = 0
            self.settings: Optional[ConnectionSettings] = None  # set by open_client()
            super().__init__(*args, **kwargs)

        def _guard(self, method: str, url: str) -> None:
            self.request_count += 1
            if self.check_mode and method != "GET":
                raise CheckModeWriteError("check mode must not call %s %s" % (method, url))

        def _get(self, url: str, **kwargs: Any) -> Any:
            self._guard("GET", url)
            return super()._get(url, **kwargs)

        def _count_write(self, response: Any, streamed: bool) -> Any:
            if not streamed and getattr(response, "status_code", 500) < 400:
                self.accepted_writes += 1
            return response

        def _post(self, url: str, **kwargs: Any) -> Any:
            self._guard("POST", url)
            return self._count_write(super()._post(url, **kwargs), bool(kwargs.get("stream")))

        def _put(self, url: str, **kwargs: Any) -> Any:
            self._guard("PUT", url)
            return self._count_write(super()._put(url, **kwargs), bool(kwargs.get("stream")))

        def _delete(self, url: str, **kwargs: Any) -> Any:
            self._guard("DELETE", url)
            return self._count_write(super()._delete(url, **kwargs), bool(kwargs.get("stream")))

        @property
        def api_version_tuple(self) -> tuple[int, ...]:
            return _version_tuple(self.api_version)

    class AdapterTLSConfig(TLSConfig):
        """The SDK calls configure_client() before its first request (the API version): the place to
        mount our adapter for https://. None of TLSConfig's own settings are used."""

        def __init__(self, adapter: TLSAdapter) -> None:  # pylint: disable=super-init-not-called
            self.adapter = adapter

        def configure_client(self, client: Any) -> None:
            client.mount("https://", self.adapter)
            client._custom_adapter = self.adapter  # pylint: disable=protected-access  # the SDK's own slot for it


def _tls_config(settings: ConnectionSettings) -> Any:
    """False for a plain connection, else the hook that mounts a TLSAdapter; TLSSetupError on bad files."""
    if not settings.tls:
        return False
    return AdapterTLSConfig(TLSAdapter(settings))


class ClientSetupError(Exception):
    """The client cannot be made: contradicting options, an unusable TLS file, or a daemon that does
    not answer. The message says which and is shown to the user as it is."""


def open_client(params: dict[str, Any], check_mode: bool = False, environ: Optional[Mapping[str, str]] = None) -> "EngineClient":
    """A client for the daemon the connection options (and the environment) name; ClientSetupError
    otherwise. Modules call connect(); the controller's plugins (connection, inventory) call this."""
    if not HAS_DOCKER_SDK:
        raise ClientSetupError("The Docker SDK for Python (>= %s) is not installed for %s: install it with"
                               " '%s -m pip install docker'" % (MIN_DOCKER_SDK_VERSION, sys.executable, sys.executable))
    try:
        settings = resolve(params, os.environ if environ is None else environ)
    except ConnectionOptionError as exc:
        raise ClientSetupError("Invalid Docker connection options: %s" % exc)
    try:
        tls = _tls_config(settings)
    except TLSSetupError as exc:
        raise ClientSetupError("TLS to the Docker daemon at %s cannot be set up: %s" % (settings.host, exc))
    version = params.get("api_version") or "auto"
    try:
        client = EngineClient(
            base_url=settings.host,
            version=version,
            timeout=params.get("timeout") or 60,
            tls=tls,
            check_mode=check_mode,
        )
        if version != "auto" and settings.host.startswith(("tcp://", "http://", "https://")):
            # a pinned version makes no request above: meet the network daemon (TLS, plain HTTP on a
            # TLS port) here, where its failures are explained, rather than in the module's first call
            client.ping()
    except Exception as exc:  # pylint: disable=broad-exception-caught  # SDK, requests, urllib3 and ssl errors alike
        raise ClientSetupError(describe_failure(exc, settings, tls.adapter.context if tls else None))
    client.settings = settings
    return client


def connect(module: AnsibleModule) -> "EngineClient":
    """Connect to the daemon named by the module's connection options, or fail the module."""
    if not HAS_DOCKER_SDK:
        module.fail_json(
            msg=missing_required_lib("docker (the Docker SDK for Python, >= %s)" % MIN_DOCKER_SDK_VERSION)
            + " The modules run with the interpreter %s on the managed host: install it there with"
            " '%s -m pip install docker', or set ansible_python_interpreter to one that has it."
            % (sys.executable, sys.executable),
            exception=DOCKER_SDK_IMPORT_ERROR,
        )
    try:
        return open_client(module.params, check_mode=module.check_mode)
    except ClientSetupError as exc:
        module.fail_json(msg=str(exc))
    raise AssertionError("fail_json returns only in tests")  # pragma: no cover


def describe_failure(exc: BaseException, settings: ConnectionSettings, context: Any = None) -> str:
    """One line: the TLS cause when there is one (which file, which check), else the innermost error.
    With the TLS context, a daemon that only dropped the connection is asked once more why."""
    probe = (lambda: handshake_alert(context, settings)) if context is not None else None
    explained = explain_failure(exc, settings, probe)
    if explained:
        return "Cannot use the Docker daemon at %s: %s" % (settings.host, explained)
    return "Cannot reach the Docker daemon at %s: %s" % (settings.host, _cause(exc))


def _cause(exc: BaseException) -> str:
    """The innermost error message, which names the real cause (no such file, refused, TLS)."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return "%s: %s" % (type(exc).__name__, exc)


def require_api_version(module: AnsibleModule, client: "EngineClient", option: str, minimum: str) -> None:
    """Fail with a clear message when `option` is used but the engine's API predates it."""
    if client.api_version_tuple < _version_tuple(minimum):
        module.fail_json(
            msg="Option %s needs Docker Engine API %s or newer; the daemon at %s speaks API %s."
            % (option, minimum, client.base_url, client.api_version)
        )
