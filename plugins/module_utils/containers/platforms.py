# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform strings (`os[/arch[/variant]]`, or an architecture alone) in the normal form the engine
uses, so that `x86_64`, `amd64` and `linux/amd64` compare equal.

The rules are the engine's (containerd's platform specifiers): the OS and architecture names are
lower-cased, `macos` is `darwin`, the architecture aliases map to Go's names (`x86_64` → `amd64`,
`aarch64` → `arm64`, `armhf` → `arm/v7`, ...), ARM variants are written `vN`, `arm` without a
variant is `arm/v7` and `arm64` with variant `v8` is plain `arm64`. A specifier that names only
an OS or only an architecture leaves the other parts open: `complete` fills them from an image's
platform, which is how the container module compares such a value with the container's image.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

_PART = re.compile(r"^[A-Za-z0-9_-]+$")
KNOWN_OS = frozenset((
    "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd",
    "openbsd", "plan9", "solaris", "windows", "zos",
))
KNOWN_ARCH = frozenset((
    "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips", "mipsle", "mips64",
    "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le", "riscv", "riscv64", "s390", "s390x", "sparc",
    "sparc64", "wasm",
))
# architecture alias → (Go architecture, variant it implies or None: keep the variant given)
_ARCH_ALIASES = {
    "i386": ("386", None), "x86_64": ("amd64", None), "x86-64": ("amd64", None), "aarch64": ("arm64", None),
    "armhf": ("arm", "v7"), "armel": ("arm", "v6"),
}


class Platform(tuple):
    """(os, arch, variant), each "" when open."""

    __slots__ = ()

    def __new__(cls, os: str = "", arch: str = "", variant: str = "") -> "Platform":
        return super().__new__(cls, (os, arch, variant))

    os = property(lambda self: self[0])
    arch = property(lambda self: self[1])
    variant = property(lambda self: self[2])

    def __str__(self) -> str:
        if not self.os:  # an architecture alone: the engine reads "arm" as arm/v7, as parse_platform does
            return self.arch
        return "/".join(part for part in self if part)


def _arch(arch: str, variant: str) -> tuple[str, str]:
    arch, variant = arch.lower(), variant.lower()
    arch, implied = _ARCH_ALIASES.get(arch, (arch, None))
    if implied is not None:
        return arch, implied
    if variant.isdigit():
        variant = "v" + variant
    if arch == "amd64" and variant == "v1":
        variant = ""
    if arch == "arm64" and variant == "v8":
        variant = ""
    if arch == "arm" and not variant:
        variant = "v7"
    return arch, variant


def _os(name: str) -> str:
    name = name.lower()
    return "darwin" if name == "macos" else name


def parse_platform(value: Any, option: str = "platform") -> Platform:
    """A platform specifier as users write it → its normal form. Raises OptionError naming `option`."""
    text = str(value).strip()
    parts = text.split("/")
    if not text or len(parts) > 3 or not all(_PART.match(part) for part in parts):
        raise OptionError(option, "%r is not a platform: give os[/arch[/variant]] (such as linux/amd64) or an "
                                  "architecture (such as amd64)" % text)
    if len(parts) == 1:
        name = _os(text)
        if name in KNOWN_OS:
            return Platform(name)
        arch, variant = _arch(text, "")
        if arch in KNOWN_ARCH:
            return Platform("", arch, variant)
        raise OptionError(option, "%r is neither a known OS nor a known architecture" % text)
    arch, variant = _arch(parts[1], parts[2] if len(parts) == 3 else "")
    return Platform(_os(parts[0]), arch, variant)


def image_platform(image: Optional[dict[str, Any]]) -> Optional[Platform]:
    """The platform of an image from GET /images/{id}/json (None when it says none)."""
    if not image or not (image.get("Os") or image.get("Architecture")):
        return None
    arch, variant = _arch(image.get("Architecture") or "", image.get("Variant") or "")
    return Platform(_os(image.get("Os") or ""), arch, variant)


def complete(wanted: Platform, image: Optional[Platform]) -> Platform:
    """`wanted` with the parts it leaves open taken from `image`'s platform: an OS alone keeps the
    image's architecture, an architecture alone the image's OS."""
    if image is None:
        return wanted
    if not wanted.arch:
        return Platform(wanted.os or image.os, image.arch, image.variant)
    return Platform(wanted.os or image.os, wanted.arch, wanted.variant)
