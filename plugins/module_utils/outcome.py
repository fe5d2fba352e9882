# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module reports: `changed`, the `actions` it took (or would take), and a `diff`.

Modules plan first and then call `Outcome.apply(action, fn)` for each step. In check mode the step
is recorded but `fn` is not called, so planning and reporting are the same code in both modes.

Results are honest: a step whose `fn` raises is not listed in `actions` and is no change, unless
part of it was applied. Part of it was applied when the exception says so (a `changed` attribute,
as the container module's errors carry) or, for a module that `watch`es its client, when the
engine accepted a write request during the step (EngineClient.accepted_writes: a create the engine
refused is no write; a refused create after a remove that went through is). The failed step is
kept apart, as `failed_action`, and reported by `fail()`.
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
        self.failed_action: Optional[str] = None
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}
        self.result: dict[str, Any] = {}
        self._client: Any = None

    @property
    def check_mode(self) -> bool:
        return bool(self.module.check_mode)

    def watch(self, client: Any) -> None:
        """Judge a failed step by the writes `client` saw the engine accept (see the module doc)."""
        self._client = client

    def _accepted_writes(self) -> int:
        return int(getattr(self._client, "accepted_writes", 0) or 0)

    def apply(self, action: str, fn: Optional[Callable[[], Any]] = None) -> Any:
        """Record `action` as a change and run `fn` unless in check mode. When `fn` raises, the
        action is `failed_action`, and a change only if part of it was applied (module doc)."""
        if fn is None or self.check_mode:
            self.changed = True
            self.actions.append(action)
            return None
        writes = self._accepted_writes()
        try:
            result = fn()
        except BaseException as exc:
            self.failed_action = action
            if getattr(exc, "changed", False) or self._accepted_writes() > writes:
                self.changed = True
                self.actions.append("%s (failed part-way)" % action)
            raise
        self.changed = True
        self.actions.append(action)
        return result

    def set_diff(self, before: Optional[dict[str, Any]], after: Optional[dict[str, Any]]) -> None:
        """Before/after of the object; `None` stands for 'does not exist'."""
        self.before = before if before is not None else {}
        self.after = after if after is not None else {}

    def failed_step(self, default: str = "") -> str:
        """The step that failed, to start an error message with ("create network x failed: ...")."""
        return self.failed_action or (self.actions[-1] if self.actions else default)

    def exit(self, **extra: Any) -> None:
        result: dict[str, Any] = dict(changed=self.changed, actions=self.actions)
        result.update(self.result)
        result.update(extra)
        if self.module._diff:
            result["diff"] = dict(before=self.before, after=self.after)
        self.module.exit_json(**result)

    def fail(self, msg: str, **extra: Any) -> None:
        if self.failed_action is not None:
            extra.setdefault("failed_action", self.failed_action)
        self.module.fail_json(msg=msg, changed=self.changed, actions=self.actions, **extra)
