# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose files → model.Project, every error a ComposeError naming the path of the bad value.

Entry point: `project.load_project(project_dir, files, definition, project_name, env_files,
profiles, environ)`. Layers, bottom up: syntax.py (YAML as Compose reads it, interpolation, .env)
→ files.py (files, include, extends, merge → one dict) → validate.py (single values) and
service_options.py (the service keys with a syntax of their own; the short syntaxes shared with
the container module go through containers/parse.py) → normalize.py (dict → model).
"""
