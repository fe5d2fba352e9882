# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way the applier runs things side by side: each task starts in a thread as soon as the
tasks it comes after are done (docker-compose 1.x's per-dependency start, not whole layers).

A failure starts nothing new, lets the tasks already running finish (a half-made container is
worse than a finished one), then raises the error of the earliest task that failed.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable, Iterable

MAX_THREADS = 8

Task = tuple[str, Callable[[], None], Iterable[str]]  # (name, function, names of the tasks it comes after)


def run_when_ready(tasks: list[Task], max_threads: int = MAX_THREADS) -> None:
    """Run every task once all the tasks it comes after are done."""
    order = {name: index for index, (name, _fn, _after) in enumerate(tasks)}
    if len(order) != len(tasks):
        raise ValueError("two tasks have the same name")  # a planning bug
    pending = {name: (fn, set(after)) for name, fn, after in tasks}
    unknown = sorted(set().union(*(after for _fn, after in pending.values())) - set(order)) if pending else []
    if unknown:
        raise ValueError("tasks come after unknown tasks: %s" % ", ".join(unknown))  # a planning bug
    if len(tasks) == 1:
        tasks[0][1]()
        return
    done: set[str] = set()
    errors: list[tuple[int, BaseException]] = []
    with ThreadPoolExecutor(max_workers=min(max_threads, len(tasks))) as pool:
        running: dict[Future, str] = {}

        def start_ready() -> None:
            for name in sorted(pending, key=order.get):
                fn, after = pending[name]
                if after <= done:
                    del pending[name]
                    running[pool.submit(fn)] = name

        start_ready()
        while running:
            finished, _unfinished = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                error = future.exception()
                if error is None:
                    done.add(name)
                else:
                    errors.append((order[name], error))
            if not errors:
                start_ready()
    if errors:
        raise min(errors, key=lambda item: item[0])[1]
    if pending:
        raise ValueError("tasks never became ready (a cycle): %s" % ", ".join(sorted(pending)))  # a planning bug
