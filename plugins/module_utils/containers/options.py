# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""THE container option registry: every option of the `container` module, declared once.

Each entry (option_entry.Option) says everything about one option: argument spec and
documentation, parser, ContainerSpec field, Engine API path for the create request and for
inspect data, comparison kind and default mode, update in place or recreate, container_info
field, minimum API version, and a sample for the registry test. The entries live in one file per
area, in the order the planner compares them (that order is the order of `differences` and of the
reasons in a plan's actions):

- options_module.py     name, image, and the options that steer the run (state, pull, ...)
- options_config.py     command, env, labels, ports, mounts, networks, healthcheck, restart policy
- options_limits.py     memory, CPUs, pids (changed in place)
- options_runtime.py    logging, user, names and DNS, capabilities, devices, stop, tty, ...
- options_resources.py  CFS/cpuset, block I/O, OOM, cgroup and namespace modes, ...

Everything else is derived from `OPTIONS`: the argument spec (`CONTAINER_OPTIONS`, here) and the
module's DOCUMENTATION options (`documentation()`, written into plugins/modules/container.py by
scripts/gen-docs), the ContainerSpec class and its create request (spec.py), the reading of
module params (params.py), of inspect data and image defaults (observed.py), the comparison rules
and update fields (plan.py), container_info's limits (info.py) and the API version checks
(api_versions.py). Adding an option is one entry here and its tests (docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import Option
from ansible_collections.goship.containers.plugins.module_utils.containers.options_config import CONFIG_OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.options_limits import LIMIT_OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.options_module import MODULE_OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.options_resources import RESOURCE_OPTIONS
from ansible_collections.goship.containers.plugins.module_utils.containers.options_runtime import RUNTIME_OPTIONS

OPTIONS: tuple[Option, ...] = MODULE_OPTIONS + CONFIG_OPTIONS + LIMIT_OPTIONS + RUNTIME_OPTIONS + RESOURCE_OPTIONS
OPTIONS_BY_NAME: dict[str, Option] = {option.name: option for option in OPTIONS}
# ContainerSpec's fields, in registry order (name and image first)
SPEC_FIELDS: tuple[str, ...] = tuple(option.field for option in OPTIONS if option.field)

# The `container` module's argument spec (community.docker docker_container option names)
CONTAINER_OPTIONS: dict[str, dict[str, Any]] = {
    option.name: option.argument_spec() for option in OPTIONS if option.is_module_option
}


def documentation() -> dict[str, Any]:
    """The `options:` of the module's DOCUMENTATION, by option name (sorted, as ansible-doc shows them)."""
    return {option.name: option.documentation() for option in sorted(OPTIONS, key=lambda o: o.name)
            if option.is_module_option}


def _check_registry() -> None:
    """Mistakes in the table fail at import, in every test, naming the entry."""
    if len(set(SPEC_FIELDS)) != len(SPEC_FIELDS):
        raise AssertionError("container options: a ContainerSpec field is declared twice")
    if len(OPTIONS_BY_NAME) != len(OPTIONS):
        raise AssertionError("container options: an option is declared twice")
    for option in OPTIONS:
        if option.part_of and option.part_of not in OPTIONS_BY_NAME:
            raise AssertionError("container option %s: part_of names no entry" % option.name)
        if option.update and not option.compare:
            raise AssertionError("container option %s: updated in place but never compared" % option.name)


_check_registry()
