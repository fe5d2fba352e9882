# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan → Engine API calls.

Each step starts, in a thread of its own, as soon as the steps it comes `after` are done (its own
dependencies, not a whole layer: parallel.run_when_ready); the actions of a step run in order,
the recreates of one update batch together (updates.py: each batch ready before the next,
update_config.failure_action on a failure). Before a step starts containers it waits for its
dependencies' conditions (started, healthy, completed successfully: waits.py). Every action kind
has its handler in HANDLERS, the one table that says what is done for it.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import containers, resources, updates, waits
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ApplyContext, ExecOptions, explain
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.parallel import run_when_ready
from ansible_collections.goship.containers.plugins.module_utils.compose.model import Project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import actions as A
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action, Plan, Step
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredProject
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedContainer

# A handler returns False when it found nothing to change (a rebuild that kept the image ID, so the
# recreate that waited for it is skipped): the action is then not reported as done.
Handler = Callable[[ApplyContext, Action], Optional[bool]]

HANDLERS: dict[str, Handler] = {
    A.BUILD: resources.build,
    A.PULL: resources.pull,
    A.CREATE_NETWORK: resources.create_network,
    A.RECREATE_NETWORK: resources.recreate_network,
    A.CREATE_VOLUME: resources.create_volume,
    A.CREATE: containers.create,
    A.START: containers.start,
    A.UNPAUSE: containers.unpause,
    A.RECREATE: updates.recreate,
    A.RESTART: containers.restart,
    A.STOP: containers.stop,
    A.REMOVE: containers.remove,
    A.REMOVE_NETWORK: resources.remove_network,
    A.REMOVE_VOLUME: resources.remove_volume,
    A.REMOVE_IMAGE: resources.remove_image,
}


class Executor:
    def __init__(self, client: Any, project: Project, desired: DesiredProject, options: ExecOptions,
                 record: Callable[[str], None]) -> None:
        self.context = ApplyContext(client, project, desired, options, record)

    def run(self, plan: Plan) -> None:
        run_when_ready([(step.name, functools.partial(self._run_step, step), step.after) for step in plan.steps])

    def _run_step(self, step: Step) -> None:
        if step.wait_for and step.starts_containers:
            for dependency, condition in step.wait_for:
                waits.wait_for_dependency(self.context, step.name, dependency, condition)
        update = updates.ServiceUpdate.for_step(self.context, step)
        for index, group in enumerate(_batches(step.actions)):
            if index and group[0].batch is not None and group[0].batch > 1 and step.batch_delay > 0:
                time.sleep(step.batch_delay)  # update_config.delay between two update batches
            run = functools.partial(run_when_ready, [(str(number), functools.partial(self._run_action, action), ())
                                                     for number, action in enumerate(group)])
            if update is not None and group[0].kind == A.RECREATE:
                update.run_batch(group, run)  # waits for health, applies failure_action
                continue
            try:
                run()
            except BaseException:
                if update is not None:
                    update.abort()
                raise
        if update is not None:
            update.finish()

    def _run_action(self, action: Action) -> None:
        handler = HANDLERS.get(action.kind)
        if handler is None:
            raise ExecutionError("%s: no handler for the action kind %r" % (action.describe(), action.kind))
        try:
            done = handler(self.context, action)
        except ExecutionError:
            raise
        except Exception as exc:
            raise ExecutionError("%s failed: %s" % (action.describe(), explain(exc)))
        if done is not False:
            self.context.record(action.describe())

    def wait_for_services(self, services: list[str],
                          known: Optional[list[ObservedContainer]] = None) -> list[ObservedContainer]:
        return waits.wait_for_services(self.context, services, known)


def _batches(actions: tuple[Action, ...]) -> list[list[Action]]:
    """The step's actions in run order: consecutive recreates of one update batch together, every
    other action alone."""
    groups: list[list[Action]] = []
    for action in actions:
        if action.batch is not None and groups and groups[-1][-1].batch == action.batch:
            groups[-1].append(action)
        else:
            groups.append([action])
    return groups
