# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Swarm: the `swarm` module's node membership (node.py) and the `stack` module's Compose project →
Swarm services translation (service_spec.py), plan (stack_plan.py) and API side (stack_engine.py)."""
