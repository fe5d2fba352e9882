# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Observed state + model → a frozen Plan; pure but for observe.py's list calls.

- observe.py: the project's containers, networks and volumes from list calls (4 for a no-op).
- desired.py: the planner's view of the model: per service its config hash, settings fingerprint,
  replicas, dependencies and update order (labels.py holds Compose's label contract).
- service_spec.py (+ service_resources.py): a service → the ContainerSpec of its n-th container.
- planner.py: `plan_project(desired, observed, options, images)` → actions.Plan.
- network_change.py, volume_change.py, anonymous_volumes.py, api_versions.py: the decisions those
  names say.
"""
