# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs goship.containers.prune in the Ansible worker when it may (see plugin_utils/in_worker.py)."""
from __future__ import annotations

from ansible_collections.goship.containers.plugins.plugin_utils.in_worker import InWorkerModuleAction


class ActionModule(InWorkerModuleAction):
    module = "prune"
