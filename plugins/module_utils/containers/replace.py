# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replacing a container so that a refused replacement never costs the old one (stop-first).

Used by the `container` module's recreate and by compose's stop-first recreate. The order:

1. create the replacement under a temporary name (`<old id[:12]>_<name>`, as `docker compose`),
   while the old container still runs untouched: a create the engine refuses (bad mount mode,
   unknown runtime, missing bind source, ...) ends here, nothing changed;
2. stop the old container (when it runs) and rename it aside (`<name>_replaced_<old id[:12]>`);
3. rename the replacement to the final name and start it (when asked);
4. remove the old container.

When a step after the create fails (the engine refuses to start the replacement, a rename is
refused, ...), the replacement is removed and the old container gets its name back and is started
again when it was running: its ID and its volumes are the same, it was restarted. `ReplaceFailed`
says what failed and what the engine holds now, and whether anything differs from before
(`changed`). An old container with auto_remove is gone once stopped: there is no way back, and
the message says so.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers import engine

AUTO_REMOVE_GRACE = 10.0  # seconds an auto_remove container may take to disappear after its stop
POLL_SECONDS = 0.2


class ReplaceFailed(Exception):
    """The replacement failed. `changed`: whether the engine's state differs from before (False:
    the old container is exactly as it was and no other container is left)."""

    def __init__(self, message: str, changed: bool) -> None:
        super().__init__(message)
        self.changed = changed


def temporary_name(old_id: str, name: str) -> str:
    """Name of the replacement until the old container is out of the way (docker compose's form)."""
    return "%s_%s" % ((old_id or "new")[:12], name)


def set_aside_name(old_id: str, name: str) -> str:
    """Name of the old container between the stop and its removal (so a failed start can undo)."""
    return "%s_replaced_%s" % (name, old_id[:12])


def leftovers(listed: Iterable[dict[str, Any]], name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Containers an interrupted replacement of `name` left behind, from a list (GET
    /containers/json): the replacements under their temporary name and the old containers set
    aside, each as listed. A run killed between the steps above leaves them; they are nothing
    the user asked for, and a set-aside one is the container `name` itself when nothing holds the
    name any more."""
    temporary, aside = [], []
    for container in listed:
        for listed_name in container.get("Names") or ():
            bare = listed_name.lstrip("/")
            head, separator, tail = bare.partition("_")
            if separator and tail == name and len(head) == 12 and _is_hex(head):
                temporary.append(container)
            elif bare.startswith(name + "_replaced_") and _is_hex(bare[len(name) + 10:]) and len(bare) == len(name) + 22:
                aside.append(container)
    return temporary, aside


def leftover_steps(listed: Iterable[dict[str, Any]], name: str) -> list[tuple[str, str, str]]:
    """What clearing an interrupted replacement of `name` takes, from the containers list
    (filtered by name): (action text, "rename" or "remove", container ID), in order. When nothing
    holds `name` but an old container was set aside, it gets its name back: it is the user's
    container, with its volumes. Other leftovers are removed, their volumes kept (a replacement
    mounts the old container's anonymous volumes by name). Pure: the container module and the
    container_plan action both plan with it."""
    listed = list(listed)
    temporary, aside = leftovers(listed, name)
    holder = any("/" + name in (c.get("Names") or ()) for c in listed)
    steps: list[tuple[str, str, str]] = []
    for container in aside:
        found = (container.get("Names") or ["/?"])[0].lstrip("/")
        if not holder and not any(kind == "rename" for _text, kind, _id in steps):
            steps.append(("rename container %s back to %s (an interrupted replacement set it aside and nothing holds the name)"
                          % (found, name), "rename", container["Id"]))
        else:
            steps.append(("remove leftover container %s (the old container an interrupted replacement set aside; volumes kept)"
                          % found, "remove", container["Id"]))
    for container in temporary:
        found = (container.get("Names") or ["/?"])[0].lstrip("/")
        steps.append(("remove leftover container %s (the replacement an interrupted run created under its temporary name;"
                      " volumes kept)" % found, "remove", container["Id"]))
    return steps


def clean_leftovers(client: Any, name: str, record: Callable[[str, Optional[Callable[[], Any]]], Any]) -> Optional[str]:
    """Clear what an interrupted replacement of `name` left (one list call when there is nothing),
    each step through `record(action, fn)` (Outcome.apply: named in the run's actions, skipped in
    check mode). Returns the ID of the container that holds `name` afterwards when it is a
    restored one, else None."""
    restored: Optional[str] = None
    for text, kind, container_id in leftover_steps(client.containers(all=True, filters={"name": name}), name):
        if kind == "rename":
            record(text, lambda c=container_id: client.rename(c, name))
            restored = container_id
        else:
            record(text, lambda c=container_id: engine.remove_container(client, c, keep_volumes=True))
    return restored


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdef" for c in text)


def explain(exc: BaseException) -> str:
    """The engine's own words for an API error, else the exception's text."""
    text = getattr(exc, "explanation", None) or str(exc)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _is_running(inspect: dict[str, Any]) -> bool:
    return (inspect.get("State") or {}).get("Status") in ("running", "restarting", "paused")


def replace_container(
    client: Any,
    old_id: str,
    create: Callable[[str], str],
    start: bool,
    stop_timeout: Optional[int] = None,
    remove_old_volumes: bool = False,
    old_volume_names: Iterable[str] = (),
    name: Optional[str] = None,
    keep_old: bool = False,
) -> str:
    """Replace container `old_id` by the one `create(temporary name)` makes, in the order above;
    the replacement ends up named `name` (default: the old container's name). `start` starts it.
    `keep_old` stops after step 3: the old container stays, stopped and set aside
    (`set_aside_name`), for a caller that may still put it back (compose's health-gated updates).
    `remove_old_volumes` removes the old container with `v=1`, then `old_volume_names` by name
    (anonymous volumes handed on by name earlier, which `v=1` keeps; one still in use elsewhere
    is kept). Returns the replacement's ID; raises ReplaceFailed."""
    old = client.inspect_container(old_id)
    old_id = old["Id"]
    old_name = (old.get("Name") or "").lstrip("/")
    name = name or old_name
    was_running = _is_running(old)
    auto_remove = bool((old.get("HostConfig") or {}).get("AutoRemove"))
    described = "%s (%s)" % (old_name, old_id[:12])

    temporary = temporary_name(old_id, name)
    try:
        new_id = create(temporary)
    except Exception as exc:
        _discard_named(client, temporary, old_id)  # made before a later part of `create` failed
        raise ReplaceFailed("the engine refused the new container: %s. Container %s was not touched (%s) and no new"
                            " container was left" % (explain(exc), described, "running" if was_running else "not running"),
                            changed=False) from exc

    if was_running:
        try:
            engine.stop_container(client, old_id, stop_timeout)
        except Exception as exc:
            _discard(client, new_id)
            now = _state(client, old_id)
            raise ReplaceFailed("stopping container %s failed: %s. The new container was removed; the old one is %s"
                                % (described, explain(exc), now), changed=not now.startswith("running")) from exc

    if auto_remove:
        # The engine removes it on its stop (with its anonymous volumes: a handed-on volume is
        # mounted by the new container too, so it is kept); wait for the name to be free.
        engine.remove_container(client, old_id, keep_volumes=not remove_old_volumes)
        _wait_gone(client, old_id)
        return _finish_without_old(client, new_id, name, start, described)

    aside = set_aside_name(old_id, old_name)
    try:
        client.rename(old_id, aside)
        client.rename(new_id, name)
    except Exception as exc:
        raise ReplaceFailed("renaming failed: %s. %s" % (explain(exc), _undo(client, new_id, old_id, old_name, was_running)),
                            changed=was_running) from exc
    if start:
        try:
            engine.start_container(client, new_id)
        except Exception as exc:
            raise ReplaceFailed("the engine refused to start the new container: %s. %s" % (
                explain(exc), _undo(client, new_id, old_id, old_name, was_running)), changed=was_running) from exc
    if keep_old:
        return new_id

    try:
        engine.remove_container(client, old_id, keep_volumes=not remove_old_volumes)
        if remove_old_volumes:
            remove_unused_volumes(client, old_volume_names)
    except Exception as exc:
        raise ReplaceFailed("the new container %s (%s) replaced the old one, but removing the old container, now named"
                            " %s, failed: %s; remove it with 'docker rm %s'" % (name, new_id[:12], aside, explain(exc), aside),
                            changed=True) from exc
    return new_id


def _finish_without_old(client: Any, new_id: str, name: str, start: bool, described: str) -> str:
    """After an auto_remove container went away on its stop: there is nothing to go back to."""
    try:
        client.rename(new_id, name)
        if start:
            engine.start_container(client, new_id)
    except Exception as exc:
        raise ReplaceFailed("%s; the old container %s had auto_remove and was removed by the engine when it stopped,"
                            " the new one (%s) is kept, not running" % (explain(exc), described, new_id[:12]),
                            changed=True) from exc
    return new_id


def put_back(client: Any, new_id: str, old_id: str, name: str, was_running: bool) -> str:
    """Undo a replacement made with `keep_old`: the replacement goes, the old container gets its
    name back and runs again when it ran. Returns what the engine holds now, in words."""
    return _undo(client, new_id, old_id, name, was_running)


def _undo(client: Any, new_id: str, old_id: str, name: str, was_running: bool) -> str:
    """Remove the replacement, give the old container its name back, start it if it ran.
    Returns what the engine holds now, in words; never raises."""
    said = []
    try:
        engine.remove_container(client, new_id, keep_volumes=False)  # v=1: handed-on volumes are named, kept
        said.append("the new container was removed")
    except Exception as exc:  # noqa: BLE001 - reported, the old container comes first
        said.append("removing the new container %s failed (%s)" % (new_id[:12], explain(exc)))
    try:
        current = (client.inspect_container(old_id).get("Name") or "").lstrip("/")
        if current != name:
            client.rename(old_id, name)
        if was_running:
            engine.start_container(client, old_id)
        said.append("the old container %s (%s, same ID) is back%s" % (
            name, old_id[:12], " and was started again" if was_running else ", not running as before"))
    except Exception as exc:  # noqa: BLE001
        said.append("restoring the old container %s failed (%s): it is %s" % (old_id[:12], explain(exc), _state(client, old_id)))
    text = "; ".join(said)
    return text[:1].upper() + text[1:]


def _discard(client: Any, container_id: str) -> None:
    """Remove a replacement that will not be used (v=1: only volumes the engine made for it go)."""
    try:
        engine.remove_container(client, container_id, keep_volumes=False)
    except Exception:  # noqa: BLE001 - the caller's error is the one to report
        pass


def _discard_named(client: Any, name: str, old_id: str) -> None:
    """Remove the container holding the temporary name, if any (never the old container)."""
    try:
        found = client.inspect_container(name)
    except Exception:  # noqa: BLE001 - nothing there (404), or nothing more to learn
        return
    if found.get("Id") != old_id:
        _discard(client, found["Id"])


def _state(client: Any, container_id: str) -> str:
    try:
        found = client.inspect_container(container_id)
    except Exception as exc:  # noqa: BLE001
        return "gone" if engine.is_not_found(exc) else "unknown (%s)" % explain(exc)
    return "%s, named %s" % ((found.get("State") or {}).get("Status") or "unknown", (found.get("Name") or "").lstrip("/"))


def _wait_gone(client: Any, container_id: str) -> None:
    deadline = time.monotonic() + AUTO_REMOVE_GRACE
    while time.monotonic() < deadline:
        try:
            client.inspect_container(container_id)
        except Exception as exc:
            if engine.is_not_found(exc):
                return
            raise
        time.sleep(POLL_SECONDS)


def remove_unused_volumes(client: Any, names: Iterable[str]) -> None:
    """Remove volumes by name; one already gone, or still used by another container, is left."""
    for volume in sorted(set(names)):
        try:
            client.remove_volume(volume)
        except Exception as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if not engine.is_not_found(exc) and status != 409:
                raise
