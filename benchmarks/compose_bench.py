# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose benchmark: goship.containers.compose vs community.docker.docker_compose_v2 vs
`docker compose up -d`, on projects of N services (default N=10 and N=50).

Scenarios: first deploy until healthy, no-op re-run and one-service change (each the median of
--repeat runs; every change run gives service s00 a new revision, waiting until all are healthy).
Measured: the task's own time (Ansible's json callback; for the CLI, the whole command) and the
Docker API requests, counted by benchmarks/apiproxy.py placed between the tool and the engine.
An `ansible.builtin.ping` task in the same playbook gives Ansible's floor. The "shipped" row is
goship's module with goship_in_worker=false: sent as AnsiballZ instead of run in the Ansible worker.

Needs: this checkout's .venv (./scripts/setup), the `docker compose` CLI plugin and the local image
goship-test/app:1. Both Ansible columns run on this checkout's controller and Python; the
docker_compose_v2 column takes community.docker from the `ansible` PyPI package in its own venv
(created on first use, see benchmarks/playbooks.py).
Projects are named gscmpbench* and removed at the end.

    .venv/bin/python benchmarks/compose_bench.py [--sizes 10 50] [--repeat 3] [--baseline ../main-worktree]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apiproxy import ApiProxy  # noqa: E402  (the counting unix-socket proxy the benchmarks share)
from playbooks import PlaybookRunner  # noqa: E402  (one controller for every tool, task timer)


# ---------------------------------------------------------------- projects

def compose_text(n: int, revision: int) -> str:
    """N services; service s00 carries `revision` (1 for the first deploy: each later revision is a
    one-service change)."""
    lines = ["services:"]
    for i in range(n):
        lines += ["  s%02d:" % i, "    image: goship-test/app:1", "    environment:",
                  "      SERVICE: s%02d" % i, "      REVISION: \"%s\"" % (revision if i == 0 else 1),
                  # the image's check, with a timeout that survives a loaded machine
                  "    healthcheck:", "      test: [CMD, /testapp, healthcheck]",
                  "      interval: 1s", "      timeout: 10s", "      retries: 5"]
    return "\n".join(lines) + "\n"


def write_project(directory: str, n: int, revision: int = 1) -> None:
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "compose.yaml"), "w") as handle:
        handle.write(compose_text(n, revision))


PLAYBOOK = """- hosts: localhost
  gather_facts: false
  vars:
    goship_in_worker: {in_worker}
  tasks:
    - name: ping
      ansible.builtin.ping:
    - name: compose
      {module}:
        project_src: {src}
        project_name: {name}
        wait: {wait}
"""


def run_ansible(runner: PlaybookRunner, tool: str, src: str, name: str, proxy: ApiProxy,
                wait: bool) -> tuple[float, float, int]:
    """(compose task seconds, ping task seconds, API requests) of one ansible-playbook run."""
    module = "community.docker.docker_compose_v2" if tool == "cdv2" else "goship.containers.compose"
    # "shipped": goship's module sent as AnsiballZ instead of running in the Ansible worker
    in_worker = "false" if tool == "shipped" else "true"
    proxy.reset()
    report = runner.run(name, PLAYBOOK.format(module=module, src=src, name=name, wait=str(wait).lower(),
                                              in_worker=in_worker))
    return report["times"]["compose"], report["times"]["ping"], proxy.count


def run_cli(src: str, name: str, proxy: ApiProxy, sock: str, wait: bool) -> tuple[float, float, int]:
    env = dict(os.environ, DOCKER_HOST="unix://" + sock)
    command = ["docker", "compose", "-p", name, "--project-directory", src, "up", "-d"] + (["--wait"] if wait else [])
    proxy.reset()
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode:
        raise SystemExit("docker compose failed: %s" % done.stderr[-2000:])
    return elapsed, 0.0, proxy.count


def teardown(name: str) -> None:
    subprocess.run(["docker", "compose", "-p", name, "down", "-t", "2"], capture_output=True, check=False)


# ---------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--repeat", type=int, default=3, help="no-op runs and one-service changes per tool (median of each)")
    parser.add_argument("--tools", nargs="+", default=["ours", "shipped", "cdv2", "cli"],
                        choices=["ours", "shipped", "cdv2", "cli"])
    parser.add_argument("--baseline", metavar="CHECKOUT",
                        help="another checkout of the collection (e.g. a worktree of main): measured as 'baseline'"
                             " in the same run, with this checkout's controller, after each 'ours'")
    args = parser.parse_args()
    tools = list(args.tools)
    if args.baseline:
        tools = [t for tool in tools for t in ([tool, "baseline"] if tool == "ours" else [tool])]
    work = tempfile.mkdtemp(prefix="gscmpbench-")
    sock = os.path.join(work, "docker.sock")
    proxy = ApiProxy(sock)
    runner = PlaybookRunner(work, sock, with_peer="cdv2" in args.tools)
    baseline = PlaybookRunner(work, sock, False, os.path.abspath(args.baseline)) if args.baseline else None
    rows = []
    try:
        for n in args.sizes:
            for tool in tools:
                name = "gscmpbench%s%d" % (tool, n)
                src = os.path.join(work, name)
                write_project(src, n)
                teardown(name)

                def once(wait: bool) -> tuple[float, float, int]:
                    if tool == "cli":
                        return run_cli(src, name, proxy, sock, wait)
                    if tool == "baseline":
                        return run_ansible(baseline, "ours", src, name, proxy, wait)  # type: ignore[arg-type]
                    return run_ansible(runner, tool, src, name, proxy, wait)

                try:
                    first = once(True)
                    noops = [once(False) for _run in range(args.repeat)]
                    changes = []
                    for revision in range(2, 2 + args.repeat):  # one change of s00 per run
                        write_project(src, n, revision)
                        changes.append(once(True))
                finally:
                    teardown(name)
                noop = sorted(noops)[len(noops) // 2]
                change = sorted(changes)[len(changes) // 2]
                rows.append(dict(n=n, tool=tool, first=first, noop=noop, change=change,
                                 ping=statistics.median(r[1] for r in noops)))
                print("  measured N=%d %s" % (n, tool), file=sys.stderr)
    finally:
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)
    print_table(rows)


def print_table(rows: list[dict]) -> None:
    names = {"ours": "goship compose", "baseline": "goship compose (baseline checkout)",
             "shipped": "goship compose (shipped)", "cdv2": "docker_compose_v2", "cli": "docker compose up -d"}
    print("\n| N | tool | first deploy (healthy) | no-op | one-service change | no-op API calls | ping task |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        ping = "%.2f s" % row["ping"] if row["tool"] != "cli" else "–"
        print("| %d | %s | %.2f s / %d calls | %.2f s / %d calls | %.2f s / %d calls | %d | %s |" % (
            row["n"], names[row["tool"]], row["first"][0], row["first"][2], row["noop"][0], row["noop"][2],
            row["change"][0], row["change"][2], row["noop"][2], ping))
    print()
    for n in sorted({r["n"] for r in rows}):
        by_tool = {r["tool"]: r for r in rows if r["n"] == n}
        ours = by_tool.get("ours")
        if not ours:
            continue
        checks = ["no-op API calls %d (target <= 4)" % ours["noop"][2],
                  "no-op %.2f s vs ping %.2f s: +%.2f s (target <= 0.15 s)"
                  % (ours["noop"][0], ours["ping"], ours["noop"][0] - ours["ping"])]
        if "cdv2" in by_tool:
            ratio = ours["noop"][0] / by_tool["cdv2"]["noop"][0]
            checks.append("no-op %.2fx docker_compose_v2 (target <= 0.5x)" % ratio)
        print("N=%d: %s" % (n, "; ".join(checks)))


if __name__ == "__main__":
    main()
