# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No-op benchmark: ten containers with the same spec, goship.containers.container vs
community.docker.docker_container.

Both modules run on the same controller and Python (benchmarks/playbooks.py), written two ways:
- `tasks`: ten tasks, one per container (what most playbooks do);
- `loop`: one task looping over the ten names.
A third row shows the same ten containers as one goship.containers.compose task (ten services),
the one-task way this collection offers. An `ansible.builtin.ping` task in each playbook gives
Ansible's own per-task floor. The first run creates the containers; --repeat no-op runs are
measured (medians): task seconds (a timer callback) and Docker API requests (benchmarks/apiproxy.py
between the tool and the engine). Containers are named gs-ctr-bench-*, removed at the end.
Not part of the test suite.

    .venv/bin/python benchmarks/container_noop.py [--repeat 5] [--count 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apiproxy import ApiProxy  # noqa: E402
from playbooks import PlaybookRunner  # noqa: E402

# "shipped" is goship's module with goship_in_worker=false: sent to the target as AnsiballZ like
# community's, instead of running inside the Ansible worker (plugins/plugin_utils/in_worker.py).
MODULES = {"goship": "goship.containers.container", "shipped": "goship.containers.container",
           "community": "community.docker.docker_container"}
PREFIX = "gs-ctr-bench-"
OPTIONS = """        image: goship-test/busybox:latest
        command: [sleep, '3600']
        init: true
        env: {MODE: bench, LEVEL: '3'}
        labels: {gs-ctr-bench: 'yes'}
        memory: 32m
        restart_policy: unless-stopped
        published_ports: ['127.0.0.1::8080']
        volumes: ['/data']
        state: started
"""
SERVICE = """  s%d:
    image: goship-test/busybox:latest
    command: [sleep, '3600']
    init: true
    environment: {MODE: bench, LEVEL: '3'}
    labels: {gs-ctr-bench: 'yes'}
    mem_limit: 32m
    restart: unless-stopped
    ports: ['127.0.0.1::8080']
    volumes: ['/data']
"""
HEAD = "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: ping\n      ansible.builtin.ping:\n"


def playbook(form: str, tool: str, count: int) -> str:
    head = HEAD.replace("  tasks:\n", "  vars: {goship_in_worker: false}\n  tasks:\n") if tool == "shipped" else HEAD
    if form == "tasks":
        return head + "".join("    - name: c%d\n      %s:\n        name: %s%d\n%s" % (i, MODULES[tool], PREFIX, i, OPTIONS)
                              for i in range(count))
    if form == "loop":
        return head + "    - name: containers\n      %s:\n        name: %s{{ item }}\n%s      loop: %s\n" % (
            MODULES[tool], PREFIX, OPTIONS, list(range(count)))
    project = "services:\n" + "".join(SERVICE % i for i in range(count))
    indented = "".join("          " + line + "\n" for line in project.splitlines())
    return HEAD + "    - name: compose\n      goship.containers.compose:\n        project_name: %sproject\n" \
        "        definition:\n%s" % (PREFIX, indented)


def cleanup() -> None:
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", "name=^" + PREFIX], capture_output=True, text=True,
                         check=False).stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", "-v"] + ids, capture_output=True, check=False)
    subprocess.run(["docker", "network", "rm", PREFIX + "project_default"], capture_output=True, check=False)


def measure(runner: PlaybookRunner, proxy: ApiProxy, form: str, tool: str, count: int, repeat: int) -> dict:
    text = playbook(form, tool, count)
    cleanup()
    runner.run("%s-%s" % (form, tool), text)  # creates the containers
    samples = []
    for _run in range(repeat):
        proxy.reset()
        report = runner.run("%s-%s" % (form, tool), text)
        if report["changed"]:
            raise SystemExit("%s %s: the no-op run changed %s" % (form, tool, report["changed"]))
        samples.append((sum(s for name, s in report["times"].items() if name != "ping"), report["times"]["ping"],
                        proxy.count))
    return dict(seconds=statistics.median(s[0] for s in samples), ping=statistics.median(s[1] for s in samples),
                calls=statistics.median(s[2] for s in samples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="measured no-op runs per case (median)")
    parser.add_argument("--count", type=int, default=10, help="containers")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gs-ctr-bench-")
    proxy = ApiProxy(os.path.join(work, "docker.sock"))
    runner = PlaybookRunner(work, proxy.path, with_peer=True)
    cases = [("tasks", "community"), ("tasks", "shipped"), ("tasks", "goship"), ("loop", "community"), ("loop", "goship"),
             ("compose", "goship")]
    rows = {}
    try:
        for form, tool in cases:
            rows[form, tool] = measure(runner, proxy, form, tool, args.count, args.repeat)
            print("  measured %s %s" % (form, tool), file=sys.stderr)
    finally:
        cleanup()
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)

    print("\nNo-op run, %d containers, median of %d runs, one controller (ansible-core of .venv), load average %s\n"
          % (args.count, args.repeat, " ".join("%.1f" % v for v in os.getloadavg())))
    print("| form | module | task time (s) | per container (s) | ping task (s) | API calls | vs community, same form |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (form, tool), row in rows.items():
        peer = rows.get((form, "community")) or rows[("tasks", "community")]
        module = MODULES[tool] + (" (shipped)" if tool == "shipped" else "")
        if form == "compose":
            module = "goship.containers.compose (1 task, %d services)" % args.count
        print("| %s | %s | %.2f | %.3f | %.3f | %d | %.2fx |" % (
            form, module, row["seconds"], row["seconds"] / args.count, row["ping"], row["calls"],
            row["seconds"] / peer["seconds"]))
    ping = statistics.median(row["ping"] for row in rows.values())
    floor = args.count * ping / rows[("tasks", "community")]["seconds"]
    print("\nTen ping tasks (ping is shipped as AnsiballZ) take %.2f s = %.2fx community's ten tasks: the floor"
          " of any module shipped once per container. Target: goship <= 0.5x community." % (args.count * ping, floor))


if __name__ == "__main__":
    main()
