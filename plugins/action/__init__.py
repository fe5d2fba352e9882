# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin loader imports this package in the main ansible-playbook process while it reads the
playbook (resolving a task of this collection to its action plugin), before any worker is forked:
the collection's modules are imported here once, for every worker to inherit (plugin_utils/
in_worker.py, preload_modules; the behaviour is checked by tests/unit/plugins/plugin_utils/
test_core_internals.py on every ansible-core the collection admits)."""
from __future__ import annotations

from ansible_collections.goship.containers.plugins.plugin_utils.in_worker import preload_modules

preload_modules()
