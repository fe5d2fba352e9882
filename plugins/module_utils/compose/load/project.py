# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one entry point that reads a Compose project: files (or an inline definition) → model.Project.

Every caller (the compose, compose_info and stack modules, the oracle tests) loads through
`load_project`, so a project means the same thing to all of them, as with compose-go's single loader.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.load.files import ProjectSource, load_config_dict
from ansible_collections.goship.containers.plugins.module_utils.compose.load.normalize import project_from_config
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError, Project
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


def load_project(
    project_dir: Optional[str] = None,
    files: Optional[list[str]] = None,
    definition: Optional[Any] = None,
    project_name: Optional[str] = None,
    env_files: Optional[list[str]] = None,
    profiles: Optional[list[str]] = None,
    environ: Optional[dict[str, str]] = None,
) -> Project:
    """Load, merge, interpolate, validate and normalise a Compose project.

    project_dir: the project directory (relative paths resolve against it; its .env is read unless
    env_files is given). files: compose files (relative to project_dir); default: compose.yaml,
    compose.yml, docker-compose.yml or docker-compose.yaml found in project_dir. definition: an inline
    project used instead of files: a dict, or Compose YAML text (read with Compose's YAML rules, so
    `22:22` and `yes` stay strings; a dict from a playbook went through Ansible's YAML 1.1 loader).
    environ: the "shell" environment (default os.environ).
    Raises ComposeError(path, message) for any invalid input.
    """
    source = ProjectSource(project_dir, files, definition, project_name, env_files, profiles, environ)
    try:
        config, context = load_config_dict(source)
        return project_from_config(config, context)
    except ComposeError:
        raise
    except OptionError as exc:  # from the readers shared with the other modules (user_input, containers/parse)
        raise ComposeError(exc.path, exc.problem) from None
    except RecursionError:  # extends or include chains deeper than Python follows (values are bounded earlier)
        raise ComposeError(_named(source), "the project nests too deeply to load (extends or include "
                           "chains); refused") from None
    except Exception as exc:  # a loader bug must still reach the user as one line naming the input, not a traceback
        raise ComposeError(_named(source), "could not load the project (%s: %s); this is a bug in goship.containers, "
                           "please report it with the file" % (type(exc).__name__, " ".join(str(exc).split())[:200])) from None


def _named(source: ProjectSource) -> str:
    if source.definition is not None:
        return "definition"
    if source.files:
        return source.files[0]
    return source.project_dir or "project_src"
