# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning of registry-less shipping, keyed by image ID (role goship.containers.ship_image).

Plain functions over image_info results, so the role's tasks only loop over what they return.
"""
from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError


def _results(image_info: t.Any) -> list[dict[str, t.Any]]:
    """The per-name entries of an image_info result (the registered result, or its results list)."""
    entries = image_info.get("results") if isinstance(image_info, dict) else image_info
    if not isinstance(entries, list):
        raise AnsibleFilterError("expected a goship.containers.image_info result, got %r" % (type(image_info).__name__,))
    return entries


def image_ids(image_info: t.Any) -> dict[str, str]:
    """{name: image ID} for every name image_info found."""
    return {entry["name"]: entry["id"] for entry in _results(image_info) if entry.get("exists")}


def archive_name(image_id: str) -> str:
    """The archive file of an image ID: its hex digest (no algorithm prefix) and .tar."""
    return "%s.tar" % str(image_id).split(":", 1)[-1]


def short_id(image_id: str) -> str:
    """The 12 hex characters `docker images` shows."""
    return str(image_id).split(":", 1)[-1][:12]


def image_archives(ids: dict[str, str]) -> list[dict[str, str]]:
    """One archive per image ID (names sharing an ID share it; the load tags them):
    [{name, id, file, short}], the first name of each ID."""
    archives: dict[str, dict[str, str]] = {}
    for name, image_id in ids.items():
        archives.setdefault(image_id, {"name": name, "id": image_id, "file": archive_name(image_id), "short": short_id(image_id)})
    return list(archives.values())


def _wanted_ids(wanted: t.Iterable[str], ids: dict[str, str]) -> list[tuple[str, str]]:
    pairs = []
    for name in wanted:
        if name not in ids:
            raise AnsibleFilterError("image %s is not among the controller's image IDs (%s)" % (name, ", ".join(sorted(ids)) or "none"))
        pairs.append((name, ids[name]))
    return pairs


def wanted_images(hosts: t.Iterable[str], hostvars: t.Any, variable: str) -> list[str]:
    """Every image name listed in ``variable`` by any of ``hosts`` (hosts without it list none), once each."""
    names: list[str] = []
    for host in hosts:
        for name in hostvars[host].get(variable) or []:
            if name not in names:
                names.append(name)
    return names


def ship_lookup(wanted: t.Iterable[str], ids: dict[str, str]) -> list[str]:
    """What to ask a host's image_info: each wanted name and its controller image ID, once each."""
    names: list[str] = []
    for name, image_id in _wanted_ids(wanted, ids):
        for entry in (name, image_id):
            if entry not in names:
                names.append(entry)
    return names


def ship_plan(host_images: t.Any, wanted: t.Iterable[str], ids: dict[str, str]) -> dict[str, t.Any]:
    """What one host receives, from its image_info answer to ship_lookup():

    copy_and_load  names whose image ID the host lacks (their archive is copied and loaded)
    retag          names whose ID the host has, but whose tag there is missing or leads elsewhere
    archives       [{id, file, short}] the archives to copy, one per missing ID
    loads          [{name, id, file}] one load per missing name (a load tags the name)
    receives       whether the host gets anything
    """
    found = [entry for entry in _results(host_images) if entry.get("exists")]
    host_ids = {entry["id"] for entry in found}
    host_tags = {(entry["id"], entry["name"]) for entry in found}
    pairs = _wanted_ids(wanted, ids)
    missing = [(name, image_id) for name, image_id in pairs if image_id not in host_ids]
    retag = [name for name, image_id in pairs if image_id in host_ids and (image_id, name) not in host_tags]
    archives: dict[str, dict[str, str]] = {}
    for _name, image_id in missing:
        archives.setdefault(image_id, {"id": image_id, "file": archive_name(image_id), "short": short_id(image_id)})
    return {
        "copy_and_load": [name for name, _id in missing],
        "retag": retag,
        "archives": list(archives.values()),
        "loads": [{"name": name, "id": image_id, "file": archive_name(image_id)} for name, image_id in missing],
        "receives": bool(missing or retag),
    }


class FilterModule:
    def filters(self):
        return {
            "image_ids": image_ids,
            "image_archive_name": archive_name,
            "image_short_id": short_id,
            "image_archives": image_archives,
            "ship_lookup": ship_lookup,
            "wanted_images": wanted_images,
            "ship_plan": ship_plan,
        }
