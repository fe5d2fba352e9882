# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose support: load a project into a typed model, plan it, apply it.

Entry points of the loading half:
- `model.load_project(project_dir, files, definition, project_name, env_files, profiles, environ)`
  returns a `model.Project` (dataclasses, normalised like `docker compose config`) or raises
  `model.ComposeError(path, message)`; nothing else is needed to read a project.
- `model.Project.to_config()`: the `docker compose config --format json` shape (compose_info, oracle);
  `model.Service.canonical()` / `config_hash()`: what the config-hash label is made of;
  `model.secret_mount_path()` / `config_mount_path()`: where Compose mounts secrets and configs.
- `loader.load_config_dict(model.ProjectSource(...))`: the merged, interpolated dict before validation.

Layers, bottom up: syntax.py (YAML, interpolation, .env) → loader.py (files, merge, extends,
include) → validate.py (single values) + service_options.py (ports, volumes, healthcheck, ...) →
normalize.py (services and top-level resources → model.py).
"""
