# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a prune removes, decided from list calls before anything is removed (pure functions).

The engine's own rules (Engine 20.10, API 1.41), which the engine applies again when the prune runs:
- containers: every container that is not running, paused or restarting;
- images: dangling ones (no tag) by default, every image no container uses with `dangling: false`;
  never one a container (in any state) uses;
- networks: local networks other than bridge/host/none with no running container attached;
- volumes: volumes no container uses (API >= 1.42: only anonymous ones, unless `all: true`).
Filters narrow them: `until` (a duration before now, a date or a Unix time), `label` and `label!`
(`key` or `key=value`, a string or a list), `dangling` (images), `all` (volumes, API >= 1.42).

The retention rule of this collection, `keep_versions`: per repository, the K images most recently
tagged (or created) keep their tags; older ones lose their tags in that repository, and the engine
deletes an image whose last reference that was. An older image that any container uses, even a
stopped one, is never touched.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.units import parse_duration_ns

FILTER_KEYS = {
    "containers": ("until", "label", "label!"),
    "images": ("until", "label", "label!", "dangling"),
    "networks": ("until", "label", "label!"),
    "volumes": ("label", "label!", "all"),
}
PREDEFINED_NETWORKS = ("bridge", "host", "none")
ANONYMOUS_VOLUME_LABEL = "com.docker.volume.anonymous"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass(frozen=True)
class Filters:
    """One kind's filters, validated: what the engine gets, and what the plan evaluates."""

    engine: Dict[str, List[str]]
    until: Optional[float] = None            # Unix time: only objects created before it
    labels: Tuple[str, ...] = ()
    not_labels: Tuple[str, ...] = ()
    dangling: bool = True                    # images
    all_volumes: bool = False                # volumes, API >= 1.42


def _strings(value: Any, path: str) -> List[str]:
    values = value if isinstance(value, list) else [value]
    out = []
    for item in values:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            raise OptionError(path, "must be a string, a number, a boolean or a list of them, got %r" % (item,))
    return out


def parse_until(value: str, now: float, path: str) -> float:
    """A Go duration before now (`24h`, `90m`), a Unix time, or a date (`2026-12-01`, RFC 3339)."""
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    matched = _DATE.match(text)
    if matched:
        year, month, day, hour, minute, second, zone = matched.groups()
        stamp = calendar.timegm((int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)))
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            stamp -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        return float(stamp)
    try:
        return now - parse_duration_ns(text) / 1e9
    except ValueError:
        raise OptionError(path, "%r is not a duration (24h, 90m), a date (2026-12-01, RFC 3339) or a Unix time" % value)


def parse_filters(kind: str, given: Optional[Dict[str, Any]], now: float) -> Filters:
    """Validate `<kind>_filters`; OptionError names the key."""
    option = "%s_filters" % kind
    engine: Dict[str, List[str]] = {}
    until = None
    labels: List[str] = []
    not_labels: List[str] = []
    dangling, all_volumes = True, False
    for key, value in (given or {}).items():
        path = "%s.%s" % (option, key)
        if key not in FILTER_KEYS[kind]:
            raise OptionError(path, "not a %s prune filter (filters: %s)" % (kind[:-1], ", ".join(FILTER_KEYS[kind])))
        values = _strings(value, path)
        if key == "until":
            if len(values) != 1:
                raise OptionError(path, "give one value")
            until = parse_until(values[0], now, path)
        elif key == "label":
            labels += values
        elif key == "label!":
            not_labels += values
        elif key in ("dangling", "all"):
            if len(values) != 1 or values[0].lower() not in ("true", "false", "1", "0"):
                raise OptionError(path, "must be true or false")
            flag = values[0].lower() in ("true", "1")
            values = ["true" if flag else "false"]
            if key == "dangling":
                dangling = flag
            else:
                all_volumes = flag
        engine[key] = values
    return Filters(engine, until, tuple(labels), tuple(not_labels), dangling, all_volumes)


def _label_matches(labels: Optional[Dict[str, str]], wanted: Sequence[str]) -> bool:
    labels = labels or {}
    for item in wanted:
        key, has_value, value = item.partition("=")
        if key not in labels or (has_value and labels[key] != value):
            return False
    return True


def selected(filters: Filters, created: Optional[float], labels: Optional[Dict[str, str]]) -> bool:
    """The engine's until / label / label! semantics."""
    if filters.until is not None and created is not None and created >= filters.until:
        return False
    if filters.labels and not _label_matches(labels, filters.labels):
        return False
    for item in filters.not_labels:
        if _label_matches(labels, [item]):
            return False
    return True


def rfc3339_time(text: Optional[str]) -> Optional[float]:
    """'2026-12-03T14:51:47.123456789Z' -> Unix time (None when unreadable)."""
    if not text:
        return None
    fraction = re.search(r"\.(\d+)", text)
    whole = re.sub(r"\.\d+", "", text)
    if not _DATE.match(whole):
        return None
    seconds = parse_until(whole, 0.0, "time")
    # the fraction orders two tags of one second (releases tagged in a row, a rollback)
    return seconds + float("0." + fraction.group(1)) if fraction and seconds is not None else seconds


# --- candidates ------------------------------------------------------------------------------------

def containers_to_prune(containers: List[Dict[str, Any]], filters: Filters) -> List[Dict[str, Any]]:
    return [c for c in containers if c.get("State") not in ("running", "paused", "restarting")
            and selected(filters, c.get("Created"), c.get("Labels"))]


def images_to_prune(images: List[Dict[str, Any]], used_ids: set, filters: Filters) -> List[Dict[str, Any]]:
    found = []
    for image in images:
        tags = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
        if image.get("Id") in used_ids or (filters.dangling and tags):
            continue
        if selected(filters, image.get("Created"), image.get("Labels")):
            found.append(image)
    return found


def networks_to_prune(networks: List[Dict[str, Any]], attached: set, filters: Filters) -> List[Dict[str, Any]]:
    return [n for n in networks if n.get("Scope", "local") == "local" and n.get("Name") not in PREDEFINED_NETWORKS
            and n.get("Id") not in attached and n.get("Name") not in attached
            and selected(filters, rfc3339_time(n.get("Created")), n.get("Labels"))]


def volumes_to_prune(volumes: List[Dict[str, Any]], used: set, filters: Filters, api: Tuple[int, ...]) -> List[Dict[str, Any]]:
    only_anonymous = api >= (1, 42) and not filters.all_volumes
    return [v for v in volumes if v.get("Name") not in used
            and (not only_anonymous or ANONYMOUS_VOLUME_LABEL in (v.get("Labels") or {}))
            and selected(filters, None, v.get("Labels"))]


# --- retention -------------------------------------------------------------------------------------

@dataclass
class Retention:
    repository: str
    keep: int
    kept: List[str] = field(default_factory=list)          # image IDs: the K most recent
    in_use: List[str] = field(default_factory=list)        # older, kept because a container uses them
    removed: List[str] = field(default_factory=list)
    references: List[str] = field(default_factory=list)    # repo:tag / repo@digest to delete

    def report(self) -> Dict[str, Any]:
        return dict(repository=self.repository, keep=self.keep, kept=self.kept, in_use=self.in_use,
                    removed=self.removed, references=self.references)


def repository_references(image: Dict[str, Any], repository: str) -> List[str]:
    """The image's tags and digests in `repository` (`repo:tag`, `repo@sha256:…`)."""
    refs = []
    for ref in (image.get("RepoTags") or []) + (image.get("RepoDigests") or []):
        name = ref.split("@", 1)[0] if "@" in ref else ref.rsplit(":", 1)[0]
        if name == repository and ref not in ("<none>:<none>", "<none>@<none>"):
            refs.append(ref)
    return sorted(refs)


def tagged_at(image: Dict[str, Any]) -> float:
    """When the image last got a tag (the engine's Metadata.LastTagTime), else when it was created:
    a release that re-tags an older image (a rollback) counts as recent."""
    last = rfc3339_time(((image.get("Metadata") or {}).get("LastTagTime")))
    if last and last > 86400:  # the engine reports 0001-01-01 for "never"
        return last
    created = image.get("Created")
    if isinstance(created, (int, float)):
        return float(created)
    return rfc3339_time(created) or 0.0


def plan_retention(repository: str, keep: int, images: List[Dict[str, Any]], used_ids: set) -> Retention:
    """`images`: inspect data of every image with a reference in `repository`."""
    retention = Retention(repository, keep)
    ordered = sorted(images, key=lambda image: (tagged_at(image), image.get("Id", "")), reverse=True)
    for image in ordered:
        image_id = image.get("Id", "")
        if len(retention.kept) < keep:
            retention.kept.append(image_id)
        elif image_id in used_ids:
            retention.in_use.append(image_id)
        else:
            retention.removed.append(image_id)
            retention.references += repository_references(image, repository)
    return retention


def now() -> float:
    return time.time()
