# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The actual state of a Compose project, read with list calls only.

A no-op run must cost a handful of requests whatever the number of services: one containers list
with the project label filter, one networks list and one volumes list with the same filter. The
list data is enough to decide: labels carry the config hash and settings fingerprint, `Status`
carries health and exit code, and `Image` tells whether a tag still points at the container's
image (the engine shows the image ID instead of the reference once the tag has moved).
Networks and volumes the project needs but that carry no project label (external ones, or
created by hand) are looked up by name, only when no container already proves they exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L

_HEALTH = re.compile(r"\((healthy|unhealthy|health: starting)\)")
_EXIT = re.compile(r"^Exited \((-?\d+)\)")


@dataclass(frozen=True)
class ObservedContainer:
    id: str
    name: str
    service: str
    number: int
    state: str  # created | running | paused | restarting | exited | dead | removing
    status: str  # the engine's human text: "Up 3 minutes (healthy)"
    health: Optional[str]  # healthy | unhealthy | starting | None (no healthcheck)
    exit_code: Optional[int]
    image_ref: str  # the reference used at create, or the image ID when that tag has moved
    image_id: str
    config_hash: str
    settings: str
    build_digest: str
    oneoff: bool
    networks: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    # (target, volume name) of every volume mount: what a recreate hands on (containers/anonymous_volumes.py).
    volume_mounts: tuple[tuple[str, str], ...] = ()
    network_mode: str = ""  # HostConfig.NetworkMode: "container:<id>" for a shared namespace
    network_ids: tuple[str, ...] = ()  # the IDs of the networks it is attached to (names can repeat)
    content: str = ""  # labels.CONTENT: "" when the CLI (or an older release) created it
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    # What `docker compose ps` shows besides (compose/cli_view.py), from the same list entry.
    command: str = ""
    created: int = 0  # Unix seconds
    ports: tuple[dict[str, Any], ...] = field(default=(), compare=False)  # the list's Ports entries
    mounts: tuple[dict[str, Any], ...] = field(default=(), compare=False)  # the list's Mounts entries

    @property
    def running(self) -> bool:
        return self.state in ("running", "restarting")

    @property
    def image_moved(self) -> bool:
        """True when the reference the container was created from no longer names its image."""
        return self.image_ref.startswith("sha256:") or self.image_ref == self.image_id

    def summary(self) -> dict[str, Any]:
        return dict(name=self.name, id=self.id[:12], service=self.service, number=self.number,
                    state=self.state, status=self.status, health=self.health,
                    exit_code=self.exit_code, image=self.image_ref, image_id=self.image_id)


@dataclass(frozen=True)
class ObservedNetwork:
    id: str
    name: str
    key: Optional[str]  # the com.docker.compose.network label
    project: Optional[str]
    driver: str
    internal: bool
    attachable: bool
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    created: str = ""


@dataclass(frozen=True)
class ObservedVolume:
    name: str
    key: Optional[str]
    project: Optional[str]
    driver: str
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    options: dict[str, str] = field(default_factory=dict, compare=False)  # the driver_opts it was created with


@dataclass(frozen=True)
class ObservedImage:
    id: str
    build_digest: Optional[str] = None  # the digest label of a content-addressed build


@dataclass
class ObservedProject:
    name: str
    containers: list[ObservedContainer] = field(default_factory=list)
    networks: dict[str, ObservedNetwork] = field(default_factory=dict)  # by engine name
    volumes: dict[str, ObservedVolume] = field(default_factory=dict)
    # Names proven to exist by a container attached to / mounting them (details unknown).
    networks_in_use: set[str] = field(default_factory=set)
    volumes_in_use: set[str] = field(default_factory=set)
    # Networks that share a name with the one in `networks` (two runs created it at once, or
    # someone by hand): name -> the other networks of that name. The engine refuses every use of
    # such a name ("ambiguous"); the planner removes them (keep_network says which one stays).
    duplicate_networks: dict[str, tuple[ObservedNetwork, ...]] = field(default_factory=dict)

    def attached_to(self, network_id: str) -> list[ObservedContainer]:
        return [c for c in self.containers if network_id in c.network_ids]

    def service_containers(self, service: str) -> list[ObservedContainer]:
        return sorted((c for c in self.containers if c.service == service and not c.oneoff),
                      key=lambda c: c.number)

    def services(self) -> list[str]:
        return sorted({c.service for c in self.containers if not c.oneoff})


def container_from_list(item: dict[str, Any]) -> ObservedContainer:
    """One entry of GET /containers/json → ObservedContainer."""
    labels = item.get("Labels") or {}
    status = item.get("Status") or ""
    health_match = _HEALTH.search(status)
    health = None
    if health_match:
        health = "starting" if health_match.group(1) == "health: starting" else health_match.group(1)
    exit_match = _EXIT.match(status)
    # The container's own name is the one with a single slash: a linked container is also listed
    # as /<linker>/<alias> (Compose picks the same one to sort a service's containers by).
    names = sorted(item.get("Names") or [""], key=lambda n: n.count("/") != 1)
    try:
        number = int(labels.get(L.CONTAINER_NUMBER, "0"))
    except ValueError:
        number = 0
    endpoints = (item.get("NetworkSettings") or {}).get("Networks") or {}
    networks = tuple(sorted(endpoints.keys()))
    network_ids = tuple(sorted(e.get("NetworkID") for e in endpoints.values() if (e or {}).get("NetworkID")))
    volume_items = [m for m in item.get("Mounts") or [] if m.get("Type") == "volume" and m.get("Name")]
    volumes = tuple(sorted(m["Name"] for m in volume_items))
    volume_mounts = tuple(sorted((m.get("Destination") or "", m["Name"]) for m in volume_items))
    return ObservedContainer(
        id=item.get("Id", ""),
        name=names[0].lstrip("/"),
        service=labels.get(L.SERVICE, ""),
        number=number,
        state=item.get("State") or "",
        status=status,
        health=health,
        exit_code=int(exit_match.group(1)) if exit_match else None,
        image_ref=item.get("Image") or "",
        image_id=item.get("ImageID") or "",
        config_hash=labels.get(L.CONFIG_HASH, ""),
        settings=labels.get(L.SETTINGS, ""),
        build_digest=labels.get(L.BUILD_DIGEST, ""),
        content=labels.get(L.CONTENT, ""),
        oneoff=labels.get(L.ONEOFF, "False") == "True",
        networks=networks,
        volumes=volumes,
        volume_mounts=volume_mounts,
        network_mode=(item.get("HostConfig") or {}).get("NetworkMode") or "",
        network_ids=network_ids,
        labels=dict(labels),
        command=item.get("Command") or "",
        created=int(item.get("Created") or 0),
        ports=tuple(dict(p) for p in item.get("Ports") or []),
        mounts=tuple(dict(m) for m in item.get("Mounts") or []),
    )


def _network(item: dict[str, Any]) -> ObservedNetwork:
    labels = item.get("Labels") or {}
    return ObservedNetwork(
        id=item.get("Id", ""), name=item.get("Name", ""), key=labels.get(L.NETWORK),
        project=labels.get(L.PROJECT), driver=item.get("Driver") or "",
        internal=bool(item.get("Internal")), attachable=bool(item.get("Attachable")), labels=dict(labels),
        created=item.get("Created") or "",
    )


def _volume(item: dict[str, Any]) -> ObservedVolume:
    labels = item.get("Labels") or {}
    return ObservedVolume(
        name=item.get("Name", ""), key=labels.get(L.VOLUME), project=labels.get(L.PROJECT),
        driver=item.get("Driver") or "", labels=dict(labels), options=dict(item.get("Options") or {}),
    )


def list_containers(client: Any, project: str) -> list[ObservedContainer]:
    """One GET /containers/json?all=1 with the project label filter."""
    items = client.containers(all=True, filters=L.project_filter(project))
    return [container_from_list(item) for item in items]


def keep_network(candidates: Iterable[ObservedNetwork], containers: list[ObservedContainer], project: str) -> ObservedNetwork:
    """Of several networks of one name, the one to keep: the one most containers use, then the
    project's own (labelled), then the oldest."""
    def rank(net: ObservedNetwork) -> tuple[int, int, str, str]:
        used = sum(1 for c in containers if net.id in c.network_ids)
        return (-used, 0 if net.project == project else 1, net.created, net.id)
    return min(candidates, key=rank)


def observe_project(client: Any, project: str, network_names: Iterable[str] = (),
                    volume_names: Iterable[str] = (), every_network_by_name: bool = False) -> ObservedProject:
    """Containers, networks and volumes of `project`. `network_names` / `volume_names` are the
    engine names the desired project uses: those not labelled for the project and not proven by
    a container are looked up by name (one extra call each, only then). `every_network_by_name`
    looks all of `network_names` up (one call): what a run that will change the project does, to
    find same-name networks without the project's labels (made by hand) before it uses the name."""
    observed = ObservedProject(name=project, containers=list_containers(client, project))
    for container in observed.containers:
        observed.networks_in_use.update(container.networks)
        observed.volumes_in_use.update(container.volumes)
    found: dict[str, dict[str, ObservedNetwork]] = {}  # name -> id -> network
    for item in client.networks(filters=L.project_filter(project)) or []:
        net = _network(item)
        found.setdefault(net.name, {})[net.id] = net

    wanted = set(network_names)
    lookup = sorted(wanted if every_network_by_name else wanted - set(found) - observed.networks_in_use)
    if lookup:
        # The name filter matches substrings: keep exact matches only.
        for item in client.networks(names=lookup) or []:
            if item.get("Name") in lookup:
                net = _network(item)
                found.setdefault(net.name, {})[net.id] = net
    for name, by_id in found.items():
        kept = keep_network(by_id.values(), observed.containers, project)
        observed.networks[name] = kept
        others = tuple(sorted((n for n in by_id.values() if n.id != kept.id), key=lambda n: n.id))
        if others:
            observed.duplicate_networks[name] = others
    for item in (client.volumes(filters=L.project_filter(project)) or {}).get("Volumes") or []:
        vol = _volume(item)
        observed.volumes[vol.name] = vol
    missing_volumes = sorted(set(volume_names) - set(observed.volumes) - observed.volumes_in_use)
    if missing_volumes:
        listed = client.volumes(filters={"name": missing_volumes}) or {}
        for item in listed.get("Volumes") or []:
            if item.get("Name") in missing_volumes:
                vol = _volume(item)
                observed.volumes[vol.name] = vol
    return observed
