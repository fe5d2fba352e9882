# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose: load a project into a typed model, plan it against the engine, apply the plan.

- `model.py`: the typed, normalised project (what `docker compose config` shows) and ComposeError.
- `load/`: files (or an inline definition) → model. One entry point, `load.project.load_project`.
- `plan/`: the engine's state (observe.py, list calls only) + the model → a frozen Plan (planner.py),
  with Compose's labels and config hash (labels.py, desired.py) and the service → ContainerSpec
  mapping (service_spec.py).
- `apply/`: Plan → Engine API calls, through one table of action handlers (executor.py).
- `run.py`: one `compose` module run: load → observe → plan → apply → report.

Imports go one way: model ← load; model ← plan ← apply; run uses all three.
"""
