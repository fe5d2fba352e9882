# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors every module reports to the user, one family for all of them.

Each carries the `path` of what is at fault, written as the user wrote it (`published_ports[1]`,
`services.web.ports[0]`, `ipam_config[0].subnet`; empty when no single option is at fault), and the
`problem`, so the message always starts with where to look: ``path: problem``.
"""

from __future__ import annotations


class GoshipError(Exception):
    """Base of the family: ``str(error)`` is ``path: problem`` (or just ``problem``)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__("%s: %s" % (path, problem) if path else problem)


class OptionError(GoshipError, ValueError):
    """Invalid user input, found before any write call."""


class PlanError(GoshipError, ValueError):
    """The input is valid, but the desired state cannot be reached (or planned) without a step the
    user did not allow or the engine cannot take."""
