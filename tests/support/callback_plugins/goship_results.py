# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: every task result, and the run's stats, as JSON lines, so stages assert on
data (a task's result, a host's counts) instead of the text of the PLAY RECAP or of messages.

Enable it beside the usual output:
    ANSIBLE_CALLBACK_PLUGINS=tests/support/callback_plugins ANSIBLE_CALLBACKS_ENABLED=goship_results
    GOSHIP_RESULTS=/path/run.jsonl ansible-playbook ...
One line per result: {"event": "result", "host", "task", "action", "role", "status": ok | changed |
failed | skipped | unreachable, "result": {...}}; at the end one
{"event": "stats", "hosts": {host: {ok, changed, failures, unreachable, skipped, rescued, ignored}}}.
tests/support/results.py queries such a file.
"""
from __future__ import annotations

DOCUMENTATION = r"""
name: goship_results
type: notification
author: goship.containers contributors (@goship)
short_description: Writes every task result and the run's stats as JSON lines (goship.containers tests)
description:
  - Appends one JSON line per task result, and one with the run's stats, to the file named by the
    environment variable E(GOSHIP_RESULTS). Writes nothing when it is unset.
requirements:
  - enabled with C(callbacks_enabled)
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "goship_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("GOSHIP_RESULTS")

    def _write(self, record):
        if not self._path:
            return
        with open(self._path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True, default=str) + "\n")

    def _result(self, result, status):
        task = result._task
        # Ansible's own encoding of a result (what it may hold: tagged strings, dates), without
        # its internal keys; _dump_results is there on every ansible-core from 2.18
        data = json.loads(self._dump_results(result._result, indent=None, keep_invocation=True))
        if status == "ok" and data.get("changed"):
            status = "changed"
        role = getattr(task, "_role", None)
        self._write({
            "event": "result",
            "host": result._host.get_name(),
            "task": task.get_name(),
            "action": task.action,
            "role": role.get_name() if role else None,
            "status": status,
            "result": data,
        })

    def v2_runner_on_ok(self, result):
        self._result(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._result(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._result(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        self._write({"event": "stats", "hosts": {host: stats.summarize(host) for host in sorted(stats.processed)}})
