# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module reports: `changed`, the `actions` it took (or would take), and a `diff`.

Modules plan first and then call `Outcome.apply(action, fn)` for each step. In check mode the step
is recorded but `fn` is not called, so planning and reporting are the same code in both modes.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ansible.module_utils.basic import AnsibleModule


class Outcome:
    """Collects the result of one module run."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.changed = False
        self.actions: list[str] = []
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}
        self.result: dict[str, Any] = {}

    @property
    def check_mode(self) -> bool:
        return bool(self.module.check_mode)

    def apply(self, action: str, fn: Optional[Callable[[], Any]] = None) -> Any:
        """Record `action` as a change and run `fn` unless in check mode."""
        self.changed = True
        self.actions.append(action)
        if fn is not None and not self.check_mode:
            return fn()
        return None

    def set_diff(self, before: Optional[dict[str, Any]], after: Optional[dict[str, Any]]) -> None:
        """Before/after of the object; `None` stands for 'does not exist'."""
        self.before = before if before is not None else {}
        self.after = after if after is not None else {}

    def exit(self, **extra: Any) -> None:
        result: dict[str, Any] = dict(changed=self.changed, actions=self.actions)
        result.update(self.result)
        result.update(extra)
        if self.module._diff:
            result["diff"] = dict(before=self.before, after=self.after)
        self.module.exit_json(**result)

    def fail(self, msg: str, **extra: Any) -> None:
        self.module.fail_json(msg=msg, changed=self.changed, actions=self.actions, **extra)
