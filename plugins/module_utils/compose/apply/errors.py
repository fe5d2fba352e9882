# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What applying a plan raises. Kept apart from the applier so that a run that changes nothing
(which never loads the applier) can still name the error it would catch."""

from __future__ import annotations


class ExecutionError(Exception):
    """An action of the plan failed; the message names the service or object and the engine's reason."""


class GiveUp(Exception):
    """Raised by a wait condition that can no longer be met (a dependency exited with an error, is
    unhealthy or has no healthcheck to become healthy with): stop waiting at once, fail the run."""


class UpdateFailed(ExecutionError):
    """A replacement of a service's update did not become ready (healthy, or running without a
    healthcheck): the service's update_config.failure_action decides what happens next."""
