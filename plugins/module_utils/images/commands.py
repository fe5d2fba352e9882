# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How images/ runs the docker CLI (`docker buildx`): through the calling module's run_command.

The modules that build (`image`, `compose`) call `use_module(module)` first; this file imports
nothing else, so a run that never builds pays for this file alone.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

# (argv, environment additions) -> (rc, stdout, stderr)
Runner = Callable[[List[str], Dict[str, str]], Tuple[int, str, str]]
_runner: List[Runner] = []


def use_module(module: Any) -> None:
    """Run commands through this AnsibleModule's run_command."""
    def runner(argv: List[str], env: Dict[str, str]) -> Tuple[int, str, str]:
        try:
            return module.run_command(argv, environ_update=env, handle_exceptions=False)
        except OSError as exc:
            return 127, "", str(exc)
    _runner[:] = [runner]


def run_command(argv: List[str], env: Dict[str, str]) -> Tuple[int, str, str]:
    """The runner use_module set; without one no command can run (rc 127)."""
    if not _runner:
        return 127, "", "no command runner (the module did not call images.commands.use_module)"
    return _runner[0](argv, env)
