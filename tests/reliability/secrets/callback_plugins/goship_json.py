# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stdout callback printing every task result as one JSON line, unabridged (invocation, diff,
warnings and all), like the ansible.posix json callback but with nothing stripped: the secrets
part greps it for its canary. ansible-core has no json callback and ansible.posix is not
installed here."""
from __future__ import annotations

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: goship_json
type: stdout
short_description: every task result as one unabridged JSON line (tests only)
description: Prints each result with nothing removed, for the secrets reliability part.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "goship_json"

    def _emit(self, status, result):
        record = {"status": status, "host": result._host.get_name(), "task": result._task.get_name(),
                  "result": result._result}
        self._display.display(json.dumps(record, default=str, sort_keys=True))

    def v2_runner_on_ok(self, result):
        self._emit("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit("failed", result)

    def v2_runner_on_skipped(self, result):
        self._emit("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._emit("unreachable", result)

    def v2_runner_item_on_ok(self, result):
        self._emit("item_ok", result)

    def v2_runner_item_on_failed(self, result):
        self._emit("item_failed", result)
