# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one entry of the container option registry declares (`Option`), and the codecs that say
how a plain value travels to the Engine API and back.

An entry is one `container` module option, declared once: its argument spec and documentation,
its parser, the `ContainerSpec` field it fills, where the Engine API keeps it (one path for the
create request and the inspect data), how it is compared (kind, default mode, update in place or
recreate), its `container_info` field, the API version it needs, and a sample value the registry
test walks. Plain options need only those attributes; options with real structure (ports, mounts,
networks, the restart policy, the log config) add hooks on the same entry. The registry itself is
options.py; everything here is data and small generic helpers, importing nothing from the rest of
the registry (no cycles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Union

# Comparison kinds (compare.KINDS), and OWN: the option takes a comparison mode, but dedicated code
# compares it (the image by ID, networks by connecting and disconnecting).
OWN = "own"
# The default comparison mode of community.docker's docker_container for sets and dicts: the container
# may have more (items, keys) than the task lists.
MORE = "allow_more_present"
Spec = Any  # a ContainerSpec; spec.py derives that class from this registry, so it is not imported here


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Codec:
    """A value's way to the create request (`to_api`, never given None) and back from inspect
    data (`from_api`, given None when the engine reports nothing): the normal form of the field."""

    to_api: Callable[[Any], Any] = _same
    from_api: Callable[[Any], Any] = _same


AS_IS = Codec()
NUMBER = Codec(from_api=lambda value: value or 0)  # 0 is the engine's "unset"
TEXT = Codec(from_api=lambda value: value or "")
FLAG = Codec(from_api=bool)
STRINGS = Codec(to_api=list, from_api=lambda value: tuple(value or ()))
MAPPING = Codec(to_api=dict, from_api=lambda value: dict(value or {}))
NONZERO = Codec(from_api=lambda value: value or None)  # 0 and "" mean "not set"


@dataclass(frozen=True)
class Option:
    """One option of the `container` module (or, with `type=None`, a spec setting with no module
    option of its own, filled by another entry's `build` or by the compose engine)."""

    name: str  # community.docker's option name; also its name in `comparisons` and in messages
    doc: Union[str, tuple[str, ...]] = ()  # the DOCUMENTATION description (a string or paragraphs)
    # -- argument spec (and the documentation of the same keys)
    type: Optional[str] = "str"  # None: not a module option
    elements: Optional[str] = None
    choices: tuple[Any, ...] = ()
    default: Any = None
    aliases: tuple[str, ...] = ()
    required: bool = False
    no_log: Optional[bool] = None  # True for secrets; False tells Ansible a name that looks secret is not
    suboptions: tuple["Option", ...] = ()  # a dict option's keys; see `nested` below
    # -- the desired ContainerSpec
    field: Optional[str] = None  # ContainerSpec attribute; None: the option controls the run only
    parse: Optional[Callable[[Any, str], Any]] = None  # (value, option name) -> field value; None: as given
    build: Optional[Callable[[Mapping[str, Any]], dict[str, Any]]] = None  # params -> {field: value}
    check: Optional[Callable[[Spec], None]] = None  # validation across options, on the built spec
    part_of: Optional[str] = None  # the entry whose hooks parse (no field) or write (no api) this one
    # -- the Engine API: "Config.X" (top level of the create body) or "HostConfig.X"; inspect has both
    api: Optional[str] = None
    codec: Codec = AS_IS
    serialize: Optional[Callable[[Spec, dict, dict], None]] = None  # (spec, config, host) for structure
    observe: Optional[Callable[[dict], Any]] = None  # inspect data -> field value, for structure
    # the value read from the inspect data of the container's own image, when the caller has it
    # (the platform: a container's inspect data name only its OS)
    observe_image: Optional[Callable[[dict], Any]] = None
    query: Optional[str] = None  # a query parameter of POST /containers/create, not a body field
    image_merge: Optional[Callable[[Spec, Any], Any]] = None  # (desired, ImageDefaults) -> field value
    # -- comparison with the existing container
    compare: Optional[str] = None  # value | set | dict | own; None: not compared
    mode: str = "strict"  # default comparison mode
    read: Optional[Callable[[Spec], Any]] = None  # the compared value of a spec (default: the field)
    normal: Optional[Callable[[Any], Any]] = None  # applied to both sides before comparing
    comparison_aliases: tuple[str, ...] = ()  # other names `comparisons` accepts for it
    update: Optional[str] = None  # POST /containers/{id}/update field: changed in place, else recreate
    update_value: Optional[Callable[[Spec, Any], Any]] = None  # (desired, observed) -> update value
    # -- how the engine says that this host's kernel lacks the feature and that it discards the
    #    value: words of a GET /info warning ("No blkio weight support") or of the warning a create
    #    or update answers with ("...Block I/O weight or the cgroup is not mounted. Weight
    #    discarded."). The container is then compared with what the engine kept (engine_discards.py)
    engine_warnings: tuple[str, ...] = ()
    # -- container_info's summary.limits
    info: Optional[str] = None
    info_view: Callable[[Any], Any] = _same
    # -- the Engine API version it needs (checked before any write)
    min_api: Optional[str] = None
    api_label: Optional[str] = None  # how the version error names it (default: the option name)
    # a key of a list option's items (mounts[], networks[]) with a min_api: "does this spec use it?"
    in_use: Optional[Callable[[Spec], bool]] = None
    ignored_from_api: Optional[str] = None  # the first API version whose engines ignore the field (a warning)
    # -- the registry test: module params (this option and what it needs), or for type=None
    #    entries ContainerSpec keyword arguments
    sample: Optional[Mapping[str, Any]] = None

    @property
    def is_module_option(self) -> bool:
        return self.type is not None

    @property
    def nested(self) -> bool:
        """True when the value is a dataclass built from the suboptions' own declarations (each with
        a field, a parser and an API key): the healthcheck. Mounts and networks document their
        suboptions but parse each item with a dedicated parser."""
        return any(sub.field for sub in self.suboptions)

    def value(self, spec: Spec) -> Any:
        """The value compared and shown for `spec`."""
        return self.read(spec) if self.read is not None else getattr(spec, self.field)  # type: ignore[arg-type]

    def observed(self, inspect: dict[str, Any], image: Optional[dict[str, Any]] = None) -> Any:
        """This entry's field from GET /containers/{id}/json, in normal form; `image` is the
        container's own image (GET /images/{id}/json) when the caller has it."""
        if self.observe_image is not None and image and image.get("Id") == inspect.get("Image"):
            value = self.observe_image(image)
            if value is not None:
                return value
        if self.observe is not None:
            return self.observe(inspect)
        return self.codec.from_api(dig(inspect, self.api)) if self.api else None

    def write(self, spec: Spec, config: dict[str, Any], host: dict[str, Any]) -> None:
        """Put this entry's part of `spec` into the create request (`config`, its `host` config)."""
        if self.serialize is not None:
            self.serialize(spec, config, host)
            return
        if self.part_of or self.query:  # written by that entry's serializer / sent as a query parameter
            return
        value = getattr(spec, self.field) if self.field else None
        if value is None or not self.api:
            return
        section, _dot, key = self.api.partition(".")
        (host if section == "HostConfig" else config)[key] = self.codec.to_api(value)

    def argument_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": self.type}
        if self.elements:
            spec["elements"] = self.elements
        if self.choices:
            spec["choices"] = list(self.choices)
        if self.default is not None:
            spec["default"] = self.default
        if self.aliases:
            spec["aliases"] = list(self.aliases)
        if self.required:
            spec["required"] = True
        if self.no_log is not None:
            spec["no_log"] = self.no_log
        if self.suboptions:
            spec["options"] = {sub.name: sub.argument_spec() for sub in self.suboptions if sub.is_module_option}
        return spec

    def documentation(self) -> dict[str, Any]:
        """The DOCUMENTATION entry: the argument spec's keys plus the description."""
        doc: dict[str, Any] = {"description": list(self.doc) if isinstance(self.doc, tuple) else self.doc}
        doc.update({key: value for key, value in self.argument_spec().items() if key not in ("options", "no_log")})
        if self.suboptions:
            doc["suboptions"] = {sub.name: sub.documentation() for sub in self.suboptions if sub.is_module_option}
        return doc


def dig(data: Optional[Mapping[str, Any]], path: str) -> Any:
    """data["A"]["B"]... for path "A.B..."; None where a level is missing or null."""
    for key in path.split("."):
        if not data:
            return None
        data = data.get(key)
    return data


# ---------------------------------------------------------------- nested values (the healthcheck)

def nested_to_api(option: Option, value: Any) -> dict[str, Any]:
    body = {}
    for sub in option.suboptions:
        if not sub.field:  # a switch of the option's parser (healthcheck.test_cli_compatible)
            continue
        item = getattr(value, sub.field)
        if item not in (None, ()):
            body[sub.api] = sub.codec.to_api(item)
    return body


def nested_from_api(option: Option, value_type: type, body: Mapping[str, Any]) -> Any:
    return value_type(**{sub.field: sub.codec.from_api(body.get(sub.api)) for sub in option.suboptions if sub.field})
