# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A/B no-op benchmark: this checkout against another one (e.g. main), runs interleaved.

On a shared machine the load drifts during a benchmark, so two checkouts measured one after the
other are not comparable. Here every round runs the same playbook once with each checkout, in
alternating order, and the table gives the medians of both and of the per-round ratios. Besides
the tasks' wall time (a timer callback) it gives the CPU seconds of the whole ansible-playbook
process tree (user + system of the children), which the load stretches much less.

Cases, all no-op runs on the local engine (created once, with this checkout):
- ten `goship.containers.container` tasks (the container_noop.py spec), in the worker;
- one `goship.containers.container` task looping over the ten;
- one `goship.containers.compose` task with ten services.

    .venv/bin/python benchmarks/ab_noop.py /path/to/other/checkout [--rounds 7]

The other checkout needs its own .venv (a symlink to this one's is fine) and scripts/collection-tree.
Containers are named gs-ctr-bench-*, removed at the end. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from container_noop import cleanup, playbook  # noqa: E402  (the same playbooks, the same names)
from playbooks import TIMER_CALLBACK  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = (("ten tasks", "tasks"), ("loop of ten", "loop"), ("compose, ten services", "compose"))


class Checkout:
    """One checkout's ansible-playbook and collection tree."""

    def __init__(self, root: str, work: str) -> None:
        self.root = os.path.abspath(root)
        subprocess.run([os.path.join(self.root, "scripts", "collection-tree")], check=True, capture_output=True)
        self.env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="gsbench_timer", ANSIBLE_CALLBACK_PLUGINS=work,
                        ANSIBLE_COLLECTIONS_PATH=os.path.join(self.root, ".build"), ANSIBLE_LOCALHOST_WARNING="false",
                        ANSIBLE_INVENTORY_UNPARSED_WARNING="false")

    def run(self, path: str, no_op: bool = True) -> tuple[float, float, float]:
        """(tasks' seconds without ping, wall seconds, CPU seconds of the process tree); fails
        unless the run changed nothing (`no_op`)."""
        python = os.path.join(self.root, ".venv", "bin", "python")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        done = subprocess.run([os.path.join(self.root, ".venv", "bin", "ansible-playbook"), "-e",
                               "ansible_python_interpreter=" + python, path],
                              env=self.env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            report = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise SystemExit("%s: run failed:\n%s\n%s" % (path, done.stdout[-3000:], done.stderr[-3000:]))
        if report["failed"] or (no_op and report["changed"]):
            raise SystemExit("%s (%s): not a clean no-op: %s" % (path, self.root, report))
        tasks = sum(seconds for name, seconds in report["times"].items() if name != "ping")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return tasks, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", help="the checkout to compare with (A); this one is B")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gs-ctr-bench-ab-")
    with open(os.path.join(work, "gsbench_timer.py"), "w") as handle:
        handle.write(TIMER_CALLBACK)
    a, b = Checkout(args.other, work), Checkout(HERE, work)
    rows = []
    try:
        for title, form in CASES:
            path = os.path.join(work, form + ".yml")
            with open(path, "w") as handle:
                handle.write(playbook(form, "goship", 10))
            cleanup()
            b.run(path, no_op=False)  # creates the containers
            samples: dict[str, list[tuple[float, float, float]]] = {"a": [], "b": []}
            for round_ in range(args.rounds):
                order = (("a", a), ("b", b)) if round_ % 2 == 0 else (("b", b), ("a", a))
                for key, checkout in order:
                    samples[key].append(checkout.run(path))
            rows.append((title, samples))
            print("  measured %s" % title, file=sys.stderr)
    finally:
        cleanup()

    print("\nNo-op runs, %d interleaved rounds, medians; A = %s, B = %s; load average %s\n"
          % (args.rounds, os.path.abspath(args.other), HERE, " ".join("%.1f" % v for v in os.getloadavg())))
    print("| case | tasks A (s) | tasks B (s) | B/A tasks | wall A (s) | wall B (s) | CPU A (s) | CPU B (s) | B/A CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for title, samples in rows:
        med = {key: [statistics.median(s[i] for s in samples[key]) for i in range(3)] for key in samples}
        ratio = [statistics.median(sb[i] / sa[i] for sa, sb in zip(samples["a"], samples["b"])) for i in (0, 2)]
        print("| %s | %.2f | %.2f | %.2fx | %.2f | %.2f | %.2f | %.2f | %.2fx |" % (
            title, med["a"][0], med["b"][0], ratio[0], med["a"][1], med["b"][1], med["a"][2], med["b"][2], ratio[1]))


if __name__ == "__main__":
    main()
