# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No-op benchmark: ten containers with the same spec, goship.containers.container vs
community.docker.docker_container.

Each tool gets a playbook of ten tasks (one per container, same options) plus an
`ansible.builtin.ping` task (Ansible's own floor). The first run creates the containers; then
--repeat no-op runs are measured: the sum of the ten tasks' times (a timer callback) and the Docker
API requests (counted by benchmarks/apiproxy.py between the tool and the engine). Both tools'
modules run with the same Python (this checkout's .venv); community.docker comes from the `ansible`
package in a separate venv (--peer-venv; created from PyPI when missing: ansible==12.3.0 on
Python 3.11). Containers are named gs-ctr-bench-*, removed at the end. Not part of the test suite.

    .venv/bin/python benchmarks/container_noop.py [--repeat 5] [--count 10]
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from apiproxy import ApiProxy  # noqa: E402

PEER_VENV_CANDIDATES = [os.path.join(HERE, ".venv-peers"), os.path.expanduser("~/.cache/gscmp-bench-venv")]
MODULES = {"goship": "goship.containers.container", "community": "community.docker.docker_container"}

TIMER_CALLBACK = '''
from __future__ import annotations
import json, time
from ansible.plugins.callback import CallbackBase

class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "gsctr_timer"

    def __init__(self):
        super().__init__()
        self.started = {}
        self.times = {}
        self.changed = []
        self.failed = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.started[task._uuid] = time.monotonic()

    def _done(self, result, failed=False):
        task = result._task
        self.times[task.get_name()] = time.monotonic() - self.started[task._uuid]
        if result._result.get("changed"):
            self.changed.append(task.get_name())
        if failed:
            self.failed.append("%s: %s" % (task.get_name(), result._result.get("msg")))

    def v2_runner_on_ok(self, result):
        self._done(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, True)

    def v2_playbook_on_stats(self, stats):
        print(json.dumps(dict(times=self.times, changed=self.changed, failed=self.failed)))
'''


def playbook(module: str, count: int) -> str:
    lines = ["- hosts: localhost", "  gather_facts: false", "  tasks:",
             "    - name: ping", "      ansible.builtin.ping:"]
    for index in range(count):
        lines += [
            "    - name: c%d" % index,
            "      %s:" % module,
            "        name: gs-ctr-bench-%d" % index,
            "        image: goship-test/busybox:latest",
            "        command: [sleep, '3600']",
            "        init: true",
            "        env: {MODE: bench, LEVEL: '3'}",
            "        labels: {gs-ctr-bench: 'yes'}",
            "        memory: 32m",
            "        restart_policy: unless-stopped",
            "        published_ports: ['127.0.0.1::8080']",
            "        volumes: ['/data']",
            "        state: started",
        ]
    return "\n".join(lines) + "\n"


def find_peer_venv(explicit: str | None) -> str:
    for candidate in ([explicit] if explicit else PEER_VENV_CANDIDATES):
        if os.path.exists(os.path.join(candidate, "bin", "ansible-playbook")):
            return candidate
    target = explicit or PEER_VENV_CANDIDATES[0]
    python = shutil.which("python3.11") or os.path.expanduser("~/.pyenv/versions/3.11.7/bin/python3.11")
    subprocess.run([python, "-m", "venv", target], check=True)
    subprocess.run([os.path.join(target, "bin", "pip"), "install", "-q", "ansible==12.3.0"], check=True)
    return target


def run(tool: str, bin_dir: str, work: str, proxy: ApiProxy, count: int) -> tuple[float, float, int, list]:
    """(sum of container task seconds, ping seconds, API requests, changed tasks) of one run."""
    path = os.path.join(work, "%s.yml" % tool)
    with open(path, "w") as handle:
        handle.write(playbook(MODULES[tool], count))
    env = dict(os.environ, DOCKER_HOST="unix://" + proxy.path, ANSIBLE_STDOUT_CALLBACK="gsctr_timer",
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(work, "callbacks"), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)
    if tool == "goship":
        env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(ROOT, ".build")
    proxy.reset()
    python = os.path.join(ROOT, ".venv", "bin", "python")
    done = subprocess.run([os.path.join(bin_dir, "ansible-playbook"), "-e", "ansible_python_interpreter=" + python, path],
                          env=env, capture_output=True, text=True, check=False)
    calls = proxy.count
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise SystemExit("%s run failed:\n%s\n%s" % (tool, done.stdout[-3000:], done.stderr[-3000:]))
    if report["failed"]:
        raise SystemExit("%s failed: %s" % (tool, report["failed"]))
    tasks = sum(seconds for name, seconds in report["times"].items() if name != "ping")
    return tasks, report["times"]["ping"], calls, report["changed"]


def cleanup() -> None:
    names = subprocess.run(["docker", "ps", "-aq", "--filter", "name=^gs-ctr-bench-"],
                           capture_output=True, text=True, check=False).stdout.split()
    if names:
        subprocess.run(["docker", "rm", "-f", "-v"] + names, capture_output=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="measured no-op runs per tool (median)")
    parser.add_argument("--count", type=int, default=10, help="containers (tasks) per playbook")
    parser.add_argument("--peer-venv", help="venv with the ansible package (default: %s)" % " or ".join(PEER_VENV_CANDIDATES))
    args = parser.parse_args()
    peer = find_peer_venv(args.peer_venv)
    subprocess.run([os.path.join(ROOT, "scripts", "collection-tree")], check=True, capture_output=True)
    bins = {"goship": os.path.join(ROOT, ".venv", "bin"), "community": os.path.join(peer, "bin")}

    work = tempfile.mkdtemp(prefix="gs-ctr-bench-")
    os.makedirs(os.path.join(work, "callbacks"))
    with open(os.path.join(work, "callbacks", "gsctr_timer.py"), "w") as handle:
        handle.write(TIMER_CALLBACK)
    proxy = ApiProxy(os.path.join(work, "docker.sock"))
    rows = {}
    try:
        for tool in ("community", "goship"):
            cleanup()
            run(tool, bins[tool], work, proxy, args.count)  # creates the containers
            samples = [run(tool, bins[tool], work, proxy, args.count) for _run in range(args.repeat)]
            changed = [name for sample in samples for name in sample[3]]
            if changed:
                raise SystemExit("%s: the no-op runs changed %s" % (tool, sorted(set(changed))))
            rows[tool] = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
                          statistics.median(s[2] for s in samples))
    finally:
        cleanup()
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)

    print("\nNo-op run, %d containers, median of %d runs (load average %s)\n"
          % (args.count, args.repeat, " ".join("%.1f" % v for v in os.getloadavg())))
    print("| module | %d tasks (s) | per task (s) | ping task (s) | per task above ping (s) | API calls | calls/task |"
          % args.count)
    print("|---|---:|---:|---:|---:|---:|---:|")
    above = {}
    for tool in ("community", "goship"):
        tasks, ping, calls = rows[tool]
        above[tool] = tasks / args.count - ping
        print("| %s | %.2f | %.3f | %.3f | %.3f | %d | %.1f |" % (
            MODULES[tool], tasks, tasks / args.count, ping, above[tool], calls, calls / args.count))
    print("\ngoship / community task time: %.2f (target <= 0.5)" % (rows["goship"][0] / rows["community"][0]))
    if above["community"] > 0:
        print("goship / community time above Ansible's per-task floor (ping): %.2f" % (above["goship"] / above["community"]))


if __name__ == "__main__":
    main()
