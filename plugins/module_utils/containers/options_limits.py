# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry entries: memory, CPU and process limits, all changed in place by the update API and
reported by container_info. (How a new memory limit drags the swap limit along, and why CPUs and a
CFS quota cannot replace each other in place, are engine rules kept in plan.py.)"""

from __future__ import annotations

from typing import Any

from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import NUMBER, Option
from ansible_collections.goship.containers.plugins.module_utils.containers.parse import parse_int, parse_size
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


def _size(value: Any, option: str) -> Any:
    return parse_size(value, option)


def _check_swap(spec: Any) -> None:
    swap, memory = spec.memory_swap, spec.memory
    if swap not in (None, -1) and memory is not None and swap < memory:
        raise OptionError("memory_swap", "must be at least memory (it is memory plus swap)")


def _nano_cpus(value: Any, option: str) -> int:
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise OptionError(option, "expected a number of CPUs like 0.5, got %r" % (value,))
    if cpus <= 0:
        raise OptionError(option, "must be more than 0, got %r" % (value,))
    return int(round(cpus * 1e9))


def _check_cpus(spec: Any) -> None:
    if spec.nano_cpus is not None and (spec.cpu_period is not None or spec.cpu_quota is not None):
        raise OptionError("cpus", "cannot be combined with cpu_period or cpu_quota (the engine takes one or the other)")


def _at_least(minimum: int) -> Any:
    return lambda value, option: parse_int(value, option, minimum=minimum)


LIMIT_OPTIONS: tuple[Option, ...] = (
    Option("memory", "Memory limit, such as C(512m) or C(1g); changed in place.", field="memory", parse=_size,
           api="HostConfig.Memory", codec=NUMBER, compare="value", update="Memory", info="memory",
           engine_warnings=("No memory limit support", "support memory limit capabilities"),
           sample={"memory": "64m"}),
    Option("memory_reservation", "Soft memory limit; changed in place.", field="memory_reservation", parse=_size,
           api="HostConfig.MemoryReservation", codec=NUMBER, compare="value", update="MemoryReservation",
           info="memory_reservation", sample={"memory_reservation": "32m"}),
    Option("memory_swap", "Memory plus swap limit, or C(-1) for unlimited swap; changed in place.",
           field="memory_swap", parse=lambda value, option: parse_size(value, option, allow_unlimited=True),
           check=_check_swap, api="HostConfig.MemorySwap", codec=NUMBER, compare="value", update="MemorySwap",
           info="memory_swap", engine_warnings=("No swap limit support", "swap limit capabilities"), sample={"memory": "64m", "memory_swap": "128m"}),
    Option("kernel_memory", (
        "Kernel memory limit, such as C(64m) (HostConfig C(KernelMemory)), set when the container is created.",
        "Deprecated by Docker: engines with Engine API 1.42 or newer (Docker 23+) accept and ignore it, and a "
        "kernel without kernel memory accounting discards it (C(docker info) warns C(No kernel memory limit "
        "support)); in both cases the task warns and the container is compared with what the engine kept.",),
        field="kernel_memory", parse=_size, api="HostConfig.KernelMemory", codec=NUMBER, compare="value",
        engine_warnings=("No kernel memory limit support", "kernel memory limit capabilities"), ignored_from_api="1.42", sample={"kernel_memory": "64m"}),
    Option("cpus", "Number of CPUs, such as C(0.5); changed in place.", type="float", field="nano_cpus",
           parse=_nano_cpus, check=_check_cpus, api="HostConfig.NanoCpus", codec=NUMBER, compare="value",
           update="NanoCpus", info="cpus", info_view=lambda nano_cpus: nano_cpus / 1e9, min_api="1.25",
           sample={"cpus": 0.5}),
    Option("cpu_shares", "Relative CPU weight; changed in place.", type="int", field="cpu_shares",
           parse=_at_least(0), api="HostConfig.CpuShares", codec=NUMBER, compare="value", update="CpuShares",
           info="cpu_shares", engine_warnings=("No cpu shares support", "CPU shares"), sample={"cpu_shares": 512}),
    Option("pids_limit", "Maximum number of processes, C(-1) for unlimited; changed in place.", type="int",
           field="pids_limit", parse=_at_least(-1), api="HostConfig.PidsLimit", codec=NUMBER, compare="value",
           update="PidsLimit", info="pids_limit", sample={"pids_limit": 100}),
)
