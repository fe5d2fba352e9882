# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Anonymous volumes survive a recreate, as with `docker compose up` (compose and `container`).

An anonymous volume is one the engine creates and names itself (64 hex digits): a `volumes:` entry
with only a container path, or a VOLUME of the image no mount covers. A new container would get
fresh, empty ones; like Compose (unless `up --renew-anon-volumes`, or `container`'s
keep_volumes=false), the replacement mounts the old container's volume at each such target
instead, so the data stays.

The replacement names the volume explicitly, so for the engine it is no longer anonymous:
removing the container with `v=1` keeps it. That is why compose's `state: absent` with
remove_volumes, and `container`'s keep_volumes=false, remove the anonymous volumes of the removed
containers by name (`anonymous_volume_names`); and why `container` compares a mount of an
engine-named volume as the anonymous volume it stands for (`as_anonymous`).
Pure functions, unit-tested without an engine.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from typing import Iterable, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.values import Mount

_ENGINE_GENERATED = re.compile(r"^[0-9a-f]{64}$")


def is_anonymous(volume_name: str) -> bool:
    """True for a volume name the engine generated (what `docker volume ls` shows as a hash)."""
    return bool(_ENGINE_GENERATED.match(volume_name or ""))


def _clean(path: str) -> str:
    return posixpath.normpath(path) if path else path


def anonymous_mounts(mounts: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(target, volume name) of the anonymous volumes among a container's volume mounts."""
    return tuple(sorted((_clean(target), name) for target, name in mounts if is_anonymous(name)))


def anonymous_volume_names(mounts: Iterable[tuple[str, str]]) -> list[str]:
    return sorted({name for _target, name in anonymous_mounts(mounts)})


def inherit(mounts: Optional[tuple[Mount, ...]], image_volumes: Iterable[str],
            old_anonymous: Iterable[tuple[str, str]]) -> tuple[tuple[Mount, ...], list[str]]:
    """The new container's mounts with the old container's anonymous volumes at the same targets,
    and the targets inherited.

    - a service entry without a source (anonymous) at a target where the old container had an
      anonymous volume gets that volume as its source (its read_only / nocopy stay as desired);
    - an image VOLUME no desired mount covers gets a volume mount of the old container's volume;
    - named volumes, binds and tmpfs are never replaced: only engine-named volumes are taken over.
    """
    old = dict(anonymous_mounts(old_anonymous))
    result: list[Mount] = []
    inherited: list[str] = []
    covered: set[str] = set()
    for mount in mounts or ():
        target = _clean(mount.target)
        covered.add(target)
        if mount.type == "volume" and not mount.source and target in old:
            result.append(dataclasses.replace(mount, source=old[target]))
            inherited.append(target)
        else:
            result.append(mount)
    for path in sorted({_clean(p) for p in image_volumes}):
        if path not in covered and path in old:
            result.append(Mount(target=path, type="volume", source=old[path]))
            inherited.append(path)
    return tuple(result), sorted(inherited)


def as_anonymous(mounts: Optional[tuple[Mount, ...]]) -> Optional[tuple[Mount, ...]]:
    """`mounts` with every engine-named volume shown as the anonymous volume it is (no source):
    a handed-on volume is the same mount as the `/target` entry that asked for it."""
    if mounts is None:
        return None
    return tuple(dataclasses.replace(m, source="") if m.type == "volume" and is_anonymous(m.source) else m
                 for m in mounts)
