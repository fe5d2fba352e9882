# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine calls that realise a `ContainerSpec`: create, join the remaining networks, start,
stop and remove. `client` is a docker.APIClient (the collection's EngineClient in modules)."""

from __future__ import annotations

import time
from typing import Any, Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.spec import (
    SPECIAL_NETWORK_MODES, ContainerSpec, NetworkAttachment, create_query, to_create_request,
)


def is_not_found(exc: BaseException) -> bool:
    """True for the engine's 404 (the SDK's NotFound), without importing the SDK here."""
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) == 404 or type(exc).__name__ in ("NotFound", "ImageNotFound")


def create_container(client: Any, spec: ContainerSpec) -> str:
    """POST /containers/create, then connect every network after the first (API < 1.44 accepts
    only one endpoint at create). Returns the new container's ID. When joining a network fails,
    the container just made is removed again: a failed create leaves nothing behind."""
    created = client.create_container_from_config(to_create_request(spec), name=spec.name, **create_query(spec))
    container_id = created["Id"]
    note_engine_warnings(client, created)
    if spec.networks and spec.network_mode not in SPECIAL_NETWORK_MODES:
        try:
            connect_networks(client, container_id, spec.networks[1:])
        except Exception:
            try:
                remove_container(client, container_id, keep_volumes=False)
            except Exception:  # noqa: BLE001 - the network error is the one to report
                pass
            raise
    return container_id


def note_engine_warnings(client: Any, answer: Any) -> None:
    """Keep the Warnings of a create or update answer (a limit the host's kernel cannot apply, which
    the engine then discards) in `client.engine_warnings`, when the caller asked for them by setting
    that list; the `container` module passes them on as task warnings."""
    kept = getattr(client, "engine_warnings", None)
    if isinstance(kept, list) and isinstance(answer, dict):
        kept.extend(str(warning) for warning in answer.get("Warnings") or () if warning)


def connect_networks(client: Any, container: str, attachments: Iterable[NetworkAttachment]) -> None:
    for attachment in attachments:
        connect_network(client, container, attachment)


def connect_network(client: Any, container: str, attachment: NetworkAttachment) -> None:
    endpoint = attachment.endpoint_config()
    if attachment.gw_priority is not None:  # API 1.48+, a field the docker SDK does not know: sent as is
        response = client._post_json(client._url("/networks/{0}/connect", attachment.name),  # pylint: disable=protected-access
                                     data={"Container": container, "EndpointConfig": endpoint})
        client._raise_for_status(response)  # pylint: disable=protected-access
        return
    more = {key: value for key, value in (("driver_opt", endpoint.get("DriverOpts")),
                                          ("mac_address", attachment.mac_address)) if value}
    client.connect_container_to_network(
        container, attachment.name,
        aliases=endpoint.get("Aliases"),
        links=[tuple(link.split(":", 1)) if ":" in link else (link, link) for link in attachment.links] or None,
        ipv4_address=attachment.ipv4_address,
        ipv6_address=attachment.ipv6_address,
        **more,
    )


def disconnect_network(client: Any, container: str, network: str) -> None:
    client.disconnect_container_from_network(container, network, force=True)


def start_container(client: Any, container: str) -> None:
    client.start(container)


def create_and_start(client: Any, spec: ContainerSpec) -> str:
    """Create the container, join its networks and start it. Returns its ID."""
    container_id = create_container(client, spec)
    start_container(client, container_id)
    return container_id


def stop_container(client: Any, container: str, timeout: Optional[int] = None) -> None:
    """Stop; `timeout` None lets the engine use the container's own StopTimeout (default 10 s).
    When the caller set `client.kill_signal` (the container module's force_kill), the container is
    killed with that signal instead, and given `timeout` (default 10) seconds to exit."""
    signal = getattr(client, "kill_signal", None)
    if not signal:
        client.stop(container, timeout=timeout)
        return
    client.kill(container, signal=signal)
    try:
        client.wait(container, timeout=timeout if timeout is not None else 10)
    except Exception as exc:  # noqa: BLE001 - a signal the process survives: the caller removes with force
        if is_not_found(exc):
            return


def wait_removed(client: Any, container: str, timeout: Optional[float], poll: float = 0.1) -> None:
    """Wait until the engine no longer knows `container` (a removal it accepted may still run);
    `timeout` None waits as long as that takes. Raises TimeoutError naming the container."""
    started = time.monotonic()
    while True:
        try:
            client.inspect_container(container)
        except Exception as exc:  # noqa: BLE001 - only a 404 means gone
            if is_not_found(exc):
                return
            raise
        if timeout is not None and time.monotonic() - started >= timeout:
            raise TimeoutError("container %s is still being removed after %ss (removal_wait_timeout)"
                               % (container[:12], timeout))
        time.sleep(poll)


def remove_container(client: Any, container: str, keep_volumes: bool = True, force: bool = True) -> None:
    """Remove; anonymous volumes go with it unless keep_volumes. Already gone is fine."""
    try:
        client.remove_container(container, v=not keep_volumes, force=force)
    except Exception as exc:  # noqa: BLE001 - NotFound or a removal already in progress
        if not is_not_found(exc) and "already in progress" not in str(exc):
            raise
