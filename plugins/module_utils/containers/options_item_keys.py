# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The keys of the `container` module's `mounts[]` and `networks[]` items: the suboptions of those
two registry entries (options_config.py), as community.docker's docker_container names them.

Each item is parsed whole by its parser (parse_mounts.parse_mount, parse.parse_network) into a
`Mount` or a `NetworkAttachment`; a key declares here its documentation, its argument spec and,
for keys newer than the oldest Engine API the docker SDK speaks, the first API version that has it
(`min_api`) with `in_use`, which says whether a spec uses it: api_versions.py refuses the task
before any write on an older engine, instead of sending a field that engine would drop.
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import Option


def _mount_uses(attribute: str) -> Callable[[Any], bool]:
    return lambda spec: any(getattr(mount, attribute) for mount in spec.mounts or ())


def _network_uses(attribute: str) -> Callable[[Any], bool]:
    return lambda spec: any(getattr(attachment, attribute) not in (None, ()) for attachment in spec.networks or ())


def _engine_needs(api: str, engine: str) -> str:
    return ("Needs Docker Engine API %s (Docker %s) or newer: on an older engine the task fails naming the key "
            "before anything is changed." % (api, engine))


_BIND_ONLY = "Only for O(mounts[].type=bind)."

MOUNT_SUBOPTIONS: tuple[Option, ...] = (
    Option("target", "Path inside the container.", required=True),
    Option("source", "Host path (bind) or volume name (volume; empty for an anonymous volume)."),
    Option("type", "Kind of mount.", choices=("bind", "volume", "tmpfs"), default="volume"),
    Option("read_only", "Mount read-only.", type="bool", default=False),
    Option("consistency", (
        "Consistency of the mount, for engines on macOS and Windows; the engine on Linux keeps it and ignores it. "
        "V(default) is the same as not setting it. Only for O(mounts[].type=bind) and O(mounts[].type=volume).",
        "Compared with the container's mount; a change recreates the container."),
        choices=("cached", "consistent", "default", "delegated")),
    Option("propagation", "Bind propagation.", choices=("rprivate", "private", "rshared", "shared", "rslave", "slave")),
    Option("non_recursive", (
        "Bind the host path without the mounts below it (a C(bind) rather than an C(rbind)). " + _BIND_ONLY,
        "Compared with the container's mount; a change recreates the container."),
        type="bool", min_api="1.40", in_use=_mount_uses("non_recursive")),
    Option("create_mountpoint", (
        "Let the engine create the host path when it is missing, instead of refusing the mount. " + _BIND_ONLY,
        _engine_needs("1.42", "23.0")),
        type="bool", min_api="1.42", in_use=_mount_uses("create_mountpoint")),
    Option("read_only_non_recursive", (
        "Make the mount read-only but leave the mounts below it writable (with O(mounts[].read_only=true)). "
        + _BIND_ONLY, _engine_needs("1.44", "25.0")),
        type="bool", min_api="1.44", in_use=_mount_uses("read_only_non_recursive")),
    Option("read_only_force_recursive", (
        "Fail the container's start unless the mounts below the host path can be made read-only too (with "
        "O(mounts[].read_only=true)). " + _BIND_ONLY, _engine_needs("1.44", "25.0")),
        type="bool", min_api="1.44", in_use=_mount_uses("read_only_force_recursive")),
    Option("no_copy", "Do not copy the image's data into a new volume.", type="bool", default=False),
    Option("volume_driver", "Driver of the volume."),
    Option("volume_options", "Driver options of the volume.", type="dict"),
    Option("labels", ("Labels of the volume, when the mount creates it (a named volume that does not exist "
                      "yet, or an anonymous one). Compared with the container's mount request; an existing "
                      "volume keeps its labels."), type="dict"),
    Option("subpath", (
        "Mount this path inside the volume (relative, not leaving the volume) instead of the whole volume. "
        "Only for O(mounts[].type=volume).", _engine_needs("1.45", "26.0")),
        min_api="1.45", in_use=_mount_uses("subpath")),
    Option("tmpfs_size", "Size of a tmpfs mount, such as C(64m)."),
    Option("tmpfs_mode", "Octal mode of a tmpfs mount, such as C(1777)."),
    Option("tmpfs_options", (
        "More options of a tmpfs mount, each a mapping with one key: a flag with no value (C({noexec: null})) or "
        "a key with its value (C({uid: 1000})). The options C(docker run --tmpfs) takes: mount flags such as "
        "C(noexec), C(nosuid), C(nodev), and C(uid), C(gid), C(nr_inodes), C(nr_blocks), C(mpol); others fail "
        "naming the key. Use O(mounts[].tmpfs_size), O(mounts[].tmpfs_mode) and O(mounts[].read_only) for "
        "those settings. Only for O(mounts[].type=tmpfs).",
        "Sent as the tmpfs mount's options in HostConfig C(Tmpfs), which every engine takes (community.docker "
        "sends them in the mount's C(TmpfsOptions), which needs Engine API 1.46); compared in any order, a "
        "change recreates the container."),
        type="list", elements="dict"),
)

NETWORK_SUBOPTIONS: tuple[Option, ...] = (
    Option("name", "Network name.", required=True),
    Option("aliases", "Network-scoped aliases.", type="list", elements="str"),
    Option("ipv4_address", "Fixed IPv4 address."),
    Option("ipv6_address", "Fixed IPv6 address."),
    Option("links", "Links, C(container) or C(container:alias).", type="list", elements="str"),
    Option("driver_opts", (
        "Driver options of the container's endpoint on this network (C(DriverOpts)), such as "
        "C(com.docker.network.endpoint.ifname) on engines whose driver reads it. Values are strings.",
        "Compared with the endpoint's options when given (all of them with C(comparisons.networks=strict)); a "
        "difference reconnects the container to the network."),
        type="dict"),
    Option("mac_address", (
        "MAC address of the container's endpoint on this network, such as V(92:d0:c6:0a:29:33).",
        _engine_needs("1.44", "25.0"),
        "Compared (in lower case) when given; a difference reconnects the container to the network."),
        min_api="1.44", in_use=_network_uses("mac_address")),
    Option("gw_priority", (
        "Gateway priority of this network: of the container's networks, the one with the highest priority gives "
        "the default gateway.", _engine_needs("1.48", "28.0"),
        "Compared when given; a difference reconnects the container to the network."),
        type="int", min_api="1.48", in_use=_network_uses("gw_priority")),
)
