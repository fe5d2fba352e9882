# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `container` module's options (community.docker docker_container names) → `ContainerSpec`,
each read by its registry entry (options.py). Every error is an `OptionError` naming the option."""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.options import OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import ContainerSpec
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

_BUILT = tuple(option for option in OPTIONS if option.build is not None)
_READ = tuple(option for option in OPTIONS if option.field and option.is_module_option and option.build is None)
_CHECKED = tuple(option for option in OPTIONS if option.check is not None)


def spec_from_params(params: dict[str, Any], env_file_text: Optional[str] = None) -> ContainerSpec:
    """The `container` module's options (community.docker docker_container names) → spec.
    `env_file_text` is the content of `env_file` (read by the caller); `env` wins over it.
    Each entry parses its own option (or, with a `build` hook, the options it reads together);
    then the entries' checks look across options on the built spec."""
    if not params.get("name"):
        raise OptionError("name", "is required")
    if not params.get("image"):
        raise OptionError("image", "is required to create the container")
    values = dict(params, env_file=env_file_text)  # the env entry reads the file's lines, not its path
    fields: dict[str, Any] = {}
    for option in _READ:
        value = values.get(option.name)
        fields[option.field] = value if value is None or option.parse is None else option.parse(value, option.name)
    for option in _BUILT:
        fields.update(option.build(values))
    spec = ContainerSpec(**fields)
    for option in _CHECKED:
        option.check(spec)
    return spec
