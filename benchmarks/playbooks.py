# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a benchmark playbook and timing its tasks; shared by the benchmarks.

Every tool runs on the same controller (this checkout's .venv: its ansible-playbook and its Python
for the modules), so a ratio compares modules, not ansible-core versions. community.docker comes
from the `ansible` PyPI package installed in a separate venv (PEER_VENV); only its
`ansible_collections` folder is put on the collections path.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER_VENV = os.path.expanduser("~/.cache/gscmp-bench-venv")
PEER_PACKAGE = "ansible==12.3.0"  # the newest `ansible` bundle for Python 3.11: community.docker 4.8.5

# A stdout callback printing each task's wall time as JSON; a looped task is timed as a whole.
TIMER_CALLBACK = '''
from __future__ import annotations
import json, time
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: gsbench_timer
type: stdout
short_description: task times as JSON
description: [task times as JSON]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "gsbench_timer"

    def __init__(self):
        super().__init__()
        self.times, self.failed, self.changed, self.name, self.started = {}, {}, [], None, 0.0

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.name, self.started = task.get_name(), time.monotonic()

    def v2_runner_on_ok(self, result):
        self.times[self.name] = time.monotonic() - self.started
        if result._result.get("changed"):
            self.changed.append(self.name)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self.times[self.name] = time.monotonic() - self.started
        self.failed[self.name] = result._result.get("msg")

    def v2_playbook_on_stats(self, stats):
        self._display.display(json.dumps(dict(times=self.times, failed=self.failed, changed=self.changed)))
'''


def ensure_peer_venv() -> str:
    """The peer venv's `ansible_collections` folder, installing the `ansible` package when missing."""
    if not glob.glob(os.path.join(PEER_VENV, "lib", "python3*", "site-packages", "ansible_collections")):
        python = shutil.which("python3.11") or os.path.expanduser("~/.pyenv/versions/3.11.7/bin/python3.11")
        subprocess.run([python, "-m", "venv", PEER_VENV], check=True)
        subprocess.run([os.path.join(PEER_VENV, "bin", "pip"), "install", "-q", PEER_PACKAGE], check=True)
    return glob.glob(os.path.join(PEER_VENV, "lib", "python3*", "site-packages"))[0]


class PlaybookRunner:
    """Runs playbooks against localhost with DOCKER_HOST pointed at a (counting) socket."""

    def __init__(self, work: str, docker_socket: str, with_peer: bool, checkout: str = ROOT) -> None:
        """`checkout`: the checkout whose collection runs (another one measures a baseline with this
        checkout's controller and Python)."""
        self.work = work
        self.callbacks = os.path.join(work, "callbacks")
        os.makedirs(self.callbacks, exist_ok=True)
        with open(os.path.join(self.callbacks, "gsbench_timer.py"), "w") as handle:
            handle.write(TIMER_CALLBACK)
        paths = [os.path.join(checkout, ".build")] + ([ensure_peer_venv()] if with_peer else [])
        subprocess.run([os.path.join(checkout, "scripts", "collection-tree")], check=True, capture_output=True)
        self.env = dict(os.environ, DOCKER_HOST="unix://" + docker_socket, ANSIBLE_STDOUT_CALLBACK="gsbench_timer",
                        ANSIBLE_CALLBACK_PLUGINS=self.callbacks, ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(paths),
                        ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                        PATH=os.path.join(ROOT, ".venv", "bin") + os.pathsep + os.environ.get("PATH", ""))

    def run(self, name: str, text: str) -> dict:
        """Runs the playbook text; returns {"times": {task: s}, "changed": [task], "failed": {...}}."""
        path = os.path.join(self.work, name + ".yml")
        with open(path, "w") as handle:
            handle.write(text)
        python = os.path.join(ROOT, ".venv", "bin", "python")
        done = subprocess.run([os.path.join(ROOT, ".venv", "bin", "ansible-playbook"),
                               "-e", "ansible_python_interpreter=" + python, path],
                              env=self.env, capture_output=True, text=True, check=False)
        try:
            report = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise SystemExit("%s: run failed:\n%s\n%s" % (name, done.stdout[-3000:], done.stderr[-3000:]))
        if report["failed"]:
            raise SystemExit("%s failed: %s" % (name, report["failed"]))
        return report
