# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose support: load a project into a typed model, plan it, apply it.

Entry points:
- `model.load_project(project_dir, files, definition, project_name, env_files, profiles, environ)`
  returns a `model.Project` (dataclasses, normalised like `docker compose config`) or raises
  `model.ComposeError(path, message)`.
- `model.Project.to_config()`: the `docker compose config --format json` shape;
  `model.Service.config_hash()`: the hash of a service's canonical form (config-hash label).
- `loader.load_config_dict(...)`: the merged, interpolated dict before normalisation.
"""
