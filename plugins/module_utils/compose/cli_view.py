# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project's containers and images in the shape `docker compose ps` / `docker compose images`
print as JSON, which community.docker's docker_compose_v2 returns as `containers` and `images`:
tasks that register those keys keep working after moving to `goship.containers.compose`.

Built from the containers list the run already made (plan/observe.py): no request of its own, so
a no-op run keeps its cost. What that list does not carry is left out (the containers' and the
images' sizes, which the engine computes only when asked, at a cost per container).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedContainer


def ps_entries(project: str, containers: Iterable[ObservedContainer],
               mask_labels: Callable[[dict[str, str]], Any], now: Optional[float] = None) -> list[dict[str, Any]]:
    """One entry per container of the project's services (one-off `run` containers are not
    listed, as `docker compose ps`), by name. `mask_labels` masks secret label values."""
    now = time.time() if now is None else now
    entries = []
    for c in sorted((c for c in containers if not c.oneoff), key=lambda c: c.name):
        entries.append({
            "ID": c.id,
            "Name": c.name,
            "Names": [c.name],
            "Project": project,
            "Service": c.service,
            "Image": c.image_ref,
            "Command": c.command,
            "Created": c.created,
            "CreatedAt": created_at(c.created),
            "RunningFor": running_for(c.created, now),
            "State": c.state,
            "Status": c.status,
            "Health": c.health or "",
            "ExitCode": c.exit_code or 0,
            "Labels": mask_labels(dict(c.labels)),
            "Publishers": publishers(c.ports),
            "Ports": ports_text(c.ports),
            "Networks": list(c.networks),
            "Mounts": ",".join(_mount_name(m) for m in c.mounts),
            "LocalVolumes": str(sum(1 for m in c.mounts if m.get("Type") == "volume" and m.get("Driver", "local") == "local")),
        })
    return entries


def image_entries(containers: Iterable[ObservedContainer]) -> list[dict[str, Any]]:
    """One entry per container: the image it runs, as `docker compose images` lists them."""
    entries = []
    for c in sorted((c for c in containers if not c.oneoff), key=lambda c: c.name):
        repository, tag = split_reference(c.image_ref)
        entries.append({"ID": c.image_id, "ContainerName": c.name, "Repository": repository, "Tag": tag})
    return entries


def split_reference(reference: str) -> tuple[str, str]:
    """`repo[:tag][@digest]` → (repository, tag); an image ID (the tag the container was created
    from has moved to another image) has neither: ("<none>", "<none>"), as the CLI shows it."""
    if not reference or reference.startswith("sha256:"):
        return "<none>", "<none>"
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:]
    return name, "latest" if "@" not in reference else ""


def publishers(ports: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each port of the list entry: exposed ones with PublishedPort 0 and no URL, as Compose."""
    found = {(str(p.get("IP") or ""), int(p.get("PrivatePort") or 0), int(p.get("PublicPort") or 0), str(p.get("Type") or "tcp"))
             for p in ports}
    return [{"URL": url, "TargetPort": target, "PublishedPort": published, "Protocol": protocol}
            for url, target, published, protocol in sorted(found, key=lambda p: (p[1], p[2], p[0], p[3]))]


def ports_text(ports: Iterable[dict[str, Any]]) -> str:
    """The PORTS column of `docker ps`: `127.0.0.1:8080->8080/tcp, 9000/tcp`."""
    texts = []
    for item in publishers(ports):
        if item["PublishedPort"]:
            host = "[%s]" % item["URL"] if ":" in item["URL"] else item["URL"]
            texts.append("%s:%d->%d/%s" % (host, item["PublishedPort"], item["TargetPort"], item["Protocol"]))
        else:
            texts.append("%d/%s" % (item["TargetPort"], item["Protocol"]))
    return ", ".join(texts)


def created_at(created: int) -> str:
    """As Go prints a time: `2024-01-02 12:20:41 +0100 CET` (the managed host's time zone)."""
    if not created:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S %z %Z", time.localtime(created))


def running_for(created: int, now: float) -> str:
    """The age as the CLI words it: `3 minutes ago`, `About an hour ago`."""
    if not created:
        return ""
    seconds = max(0, int(now - created))
    if seconds < 1:
        return "Less than a second ago"
    if seconds == 1:
        return "1 second ago"
    if seconds < 60:
        return "%d seconds ago" % seconds
    minutes = seconds // 60
    if minutes == 1:
        return "About a minute ago"
    if minutes < 60:
        return "%d minutes ago" % minutes
    hours = round(seconds / 3600.0)
    if hours == 1:
        return "About an hour ago"
    if seconds < 48 * 3600:
        return "%d hours ago" % hours
    days = seconds // 86400
    if days < 7 * 2:
        return "%d days ago" % days
    if days < 30 * 3:
        return "%d weeks ago" % (days // 7)
    if days < 365 * 2:
        return "%d months ago" % (days // 30)
    return "%d years ago" % (days // 365)


def _mount_name(mount: dict[str, Any]) -> str:
    return str(mount.get("Name") or mount.get("Source") or "")
