# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection benchmark: tasks inside a container, goship.containers.docker vs
community.docker.docker_api, with pipelining off (each module copied as a file) and on (stdin).

One play of ordinary tasks (ping, command, stat, copy unchanged, file unchanged, slurp, template
unchanged) runs against a container of the Debian image with Python that the docker_connection
integration target builds (tests/integration/targets/docker_connection/files/python-image). Both
plugins run on the same controller (this checkout's .venv); community.docker comes from the
`ansible` package in the peer venv (benchmarks/playbooks.py). Measured, median of --repeat runs
after a warm-up run: the play's task seconds (a timer callback) and the Docker API requests
(benchmarks/apiproxy.py between the plugin and the engine). The container is gs-conn-bench, removed
at the end. Not part of the test suite.

    .venv/bin/python benchmarks/connection_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apiproxy import ApiProxy  # noqa: E402
from playbooks import ROOT, PlaybookRunner  # noqa: E402

PLUGINS = {"goship": "goship.containers.docker", "community": "community.docker.docker_api"}
CONTAINER = "gs-conn-bench"
IMAGE_SCRIPT = os.path.join(ROOT, "tests", "integration", "targets", "docker_connection", "files", "python-image")

PLAY = """
- hosts: %(container)s
  gather_facts: false
  vars:
    ansible_connection: %(plugin)s
    ansible_python_interpreter: /usr/bin/python3
    ansible_pipelining: %(pipelining)s
    # both plugins read this variable; set, so that both go through the counting proxy
    ansible_docker_docker_host: "%(docker_host)s"
  tasks:
    - name: ping
      ansible.builtin.ping:
    - name: command
      ansible.builtin.command: cat /etc/debian_version
      changed_when: false
    - name: stat
      ansible.builtin.stat:
        path: /etc/os-release
    - name: copy (unchanged after the warm-up)
      ansible.builtin.copy:
        content: "benchmark\\n"
        dest: /tmp/gs-conn-bench.txt
        mode: "0644"
    - name: file (unchanged after the warm-up)
      ansible.builtin.file:
        path: /tmp/gs-conn-bench.d
        state: directory
        mode: "0755"
    - name: slurp
      ansible.builtin.slurp:
        src: /etc/hostname
    - name: template (unchanged after the warm-up)
      ansible.builtin.template:
        src: %(template)s
        dest: /tmp/gs-conn-bench.conf
        mode: "0644"
"""
TASKS = ["ping", "command", "stat", "copy (unchanged after the warm-up)", "file (unchanged after the warm-up)",
         "slurp", "template (unchanged after the warm-up)"]


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout.strip()


def run_play(runner: PlaybookRunner, path: str) -> dict:
    done = subprocess.run([os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", CONTAINER + ",", path],
                          env=runner.env, capture_output=True, text=True, check=False)
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise SystemExit("%s: run failed:\n%s\n%s" % (path, done.stdout[-3000:], done.stderr[-3000:]))
    if report["failed"]:
        raise SystemExit("%s failed: %s" % (path, report["failed"]))
    return report


def measure(runner: PlaybookRunner, proxy: ApiProxy, work: str, tool: str, pipelining: bool, repeat: int) -> dict:
    path = os.path.join(work, "%s-%s.yml" % (tool, pipelining))
    template = os.path.join(work, "bench.conf.j2")
    with open(path, "w") as handle:
        handle.write(PLAY % dict(container=CONTAINER, plugin=PLUGINS[tool], pipelining=str(pipelining).lower(),
                                 template=template, docker_host="unix://" + proxy.path))
    run_play(runner, path)  # warm-up: files created, interpreter caches
    seconds, calls, changed = [], [], []
    for _run in range(repeat):
        proxy.reset()
        report = run_play(runner, path)
        seconds.append(sum(report["times"].get(task, 0.0) for task in TASKS))
        calls.append(proxy.count)
        changed.extend(report["changed"])
    if changed:
        raise SystemExit("%s pipelining=%s: tasks changed after the warm-up: %s" % (tool, pipelining, sorted(set(changed))))
    return {"seconds": statistics.median(seconds), "calls": statistics.median(calls)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per case (median)")
    args = parser.parse_args()
    image = subprocess.run([IMAGE_SCRIPT], check=True, capture_output=True, text=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="gs-conn-bench-")
    with open(os.path.join(work, "bench.conf.j2"), "w") as handle:
        handle.write("host = {{ inventory_hostname }}\n")
    proxy = ApiProxy(os.path.join(work, "docker.sock"))
    runner = PlaybookRunner(work, proxy.path, with_peer=True)
    docker("rm", "-f", CONTAINER)
    docker("run", "-d", "--name", CONTAINER, image)
    rows = {}
    try:
        for pipelining in (False, True):
            for tool in ("community", "goship"):
                rows[tool, pipelining] = measure(runner, proxy, work, tool, pipelining, args.repeat)
                print("  measured %s pipelining=%s" % (tool, pipelining), file=sys.stderr)
    finally:
        docker("rm", "-f", CONTAINER)
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)

    print("\n%d tasks in one container, median of %d runs, one controller (ansible-core of .venv), load average %s\n"
          % (len(TASKS), args.repeat, " ".join("%.1f" % v for v in os.getloadavg())))
    print("| pipelining | connection plugin | task time (s) | per task (s) | API calls | per task | time vs community |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (tool, pipelining), row in rows.items():
        peer = rows["community", pipelining]
        print("| %s | %s | %.2f | %.3f | %d | %.1f | %.2fx |" % (
            "on" if pipelining else "off", PLUGINS[tool], row["seconds"], row["seconds"] / len(TASKS), row["calls"],
            row["calls"] / len(TASKS), row["seconds"] / peer["seconds"]))


if __name__ == "__main__":
    main()
