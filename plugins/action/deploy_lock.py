# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""goship.containers.deploy_lock: takes or releases a deploy lock on the task's host.

An action plugin because who holds the lock is known here, on the controller: the worker's parent
is the ansible-playbook process (its pid and start time name the run), and whether a holder from
this controller still runs is a question about this machine. The lock host only runs a few
standard-library lines per step (plugin_utils/deploy_lock_host.py), no module.
"""
from __future__ import annotations

import json
import os
import shlex
import time
import typing as t

from ansible import context
from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.goship.containers.plugins.plugin_utils.deploy_lock import (
    FREE,
    OWN,
    STALE,
    judge,
    run_identity,
    stale_why,
    who,
)

_HOST_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "plugin_utils", "deploy_lock_host.py")
_POLL_SECONDS = 2.0
_MAX_RACES = 5

ARGUMENT_SPEC = dict(
    path=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    wait=dict(type="int", default=0),
    stale_after=dict(type="int", default=3600),
    force=dict(type="bool", default=False),
    audit_log=dict(type="str"),
    run_id=dict(type="str"),
    reason=dict(type="str", default=""),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        for option in ("wait", "stale_after"):
            if args[option] < 0:
                return dict(result, failed=True, msg="%s: must be 0 or more seconds, got %d" % (option, args[option]))
        for option in ("path", "audit_log"):
            if args[option] and not os.path.isabs(args[option]):
                return dict(result, failed=True, msg="%s: must be an absolute path on the lock host, got %s" % (option, args[option]))
        me = run_identity(os.getppid(), context.CLIARGS.get("args") or (), args["run_id"])
        lock = _Lock(self, task_vars, args, me)
        try:
            outcome = lock.take() if args["state"] == "present" else lock.release()
        except AnsibleError as exc:
            return dict(result, failed=True, msg=str(exc), path=args["path"], lock_host=lock.host, run=me)
        result.update(outcome)
        result.update(path=args["path"], lock_host=lock.host, run=me)
        return result


class _Lock:
    """One task's dealings with the lock: reads and writes go through the host script."""

    def __init__(self, action: ActionModule, task_vars: dict[str, t.Any], args: dict[str, t.Any], me: dict[str, t.Any]):
        self.action, self.args, self.me = action, args, me
        self.check = bool(action._task.check_mode)
        delegate = action._task.delegate_to
        self.host = delegate or task_vars.get("inventory_hostname", "?")
        host_vars = (task_vars.get("ansible_delegated_vars") or {}).get(delegate, {}) if delegate else task_vars
        interpreter = str(action._templar.template(host_vars.get("ansible_python_interpreter") or ""))
        if not interpreter or interpreter.startswith("auto"):
            interpreter = str((host_vars.get("ansible_facts") or {}).get("discovered_interpreter_python") or "python3")
        self.interpreter = interpreter
        self.where = "deploy lock %s on %s" % (args["path"], self.host)

    def ask(self, op: str, **request: t.Any) -> dict[str, t.Any]:
        """Run one request on the lock host; its JSON answer."""
        with open(_HOST_SCRIPT, encoding="utf-8") as handle:
            source = handle.read()
        payload = json.dumps(dict(request, op=op, path=self.args["path"]))
        command = " ".join(shlex.quote(word) for word in (self.interpreter, "-I", "-S", "-c", source, payload))
        answer = self.action._low_level_execute_command(command, sudoable=True)
        try:
            data = json.loads(answer.get("stdout", ""))
        except ValueError:
            data = None
        if answer.get("rc") != 0 or not isinstance(data, dict):
            # over SSH with a tty the script's message is in stdout, and stderr has SSH's own lines
            why = " ".join(part.strip() for part in (answer.get("stdout") or "", answer.get("stderr") or "") if part.strip())
            raise AnsibleError("%s: the lock host answered: %s" % (self.where, why or "rc=%s" % answer.get("rc")))
        return data

    def audit(self, event: str, holder: t.Optional[dict[str, t.Any]], verdict: dict[str, t.Any]) -> dict[str, t.Any]:
        if not self.args["audit_log"]:
            return {}
        line = {"event": event, "run": self.me["id"], "user": "%s@%s" % (self.me["user"], self.me["controller"]),
                "stale_holder" if event == "stale_lock_taken_over" else "holder": holder, "stale_by": verdict.get("stale_by")}
        if self.args["reason"]:
            line["reason"] = self.args["reason"]
        return {"audit_log": self.args["audit_log"], "audit": line}

    def owner(self) -> dict[str, t.Any]:
        owner = dict(self.me)
        if self.args["reason"]:
            owner["reason"] = self.args["reason"]
        return owner

    def take(self) -> dict[str, t.Any]:
        held_since = None  # when a live holder was first seen: the wait runs from there
        races = 0  # the lock changed between two steps (freed, or broken by another run): judge again
        while True:
            found = self.ask("read") if self.check else self.ask("take", owner=self.owner())
            waited = round(time.monotonic() - held_since, 1) if held_since is not None else 0.0
            if found.get("taken"):
                return self._report(True, found=None, verdict={"status": FREE}, waited=waited,
                                    msg="%s taken by run %s" % (self.where, self.me["id"]))
            verdict = judge(found, self.me, self.args["stale_after"])
            holder = found.get("owner")
            if verdict["status"] == FREE:  # check mode, or released between the steps: nothing held
                if self.check:
                    return self._report(True, None, verdict, waited, "%s is free: it would be taken" % self.where)
                races += 1
                if races > _MAX_RACES:
                    raise AnsibleError("%s: the lock path exists but cannot be read as a lock" % self.where)
                continue
            if verdict["status"] == OWN:
                return self._report(False, holder, verdict, waited, "%s is already held by this run (%s)" % (self.where, self.me["id"]))
            if verdict["status"] == STALE:
                why = stale_why(verdict, holder, self.args["stale_after"])
                if not self.args["force"]:
                    return self._report(False, holder, verdict, waited, failed=True, msg=(
                        "%s is STALE: held by %s; %s. Set force=true to break it." % (self.where, who(holder), why)))
                message = "STALE deploy lock on %s: held by %s; %s; " % (self.host, who(holder), why)
                if self.check:
                    return self._report(True, holder, verdict, waited, message + "it would be taken over")
                answer = self.ask("break", expect=holder, owner=self.owner(), **self.audit("stale_lock_taken_over", holder, verdict))
                if answer.get("taken"):
                    message += "taken over by run %s" % self.me["id"]
                    return self._report(True, holder, verdict, waited, message, broken=holder, audit=answer.get("audit"),
                                        warnings=[message])
                races += 1
                if races > _MAX_RACES:
                    raise AnsibleError("%s: the lock kept changing while it was being broken" % self.where)
                continue  # another run changed the lock meanwhile: judge what is there now
            if held_since is None:
                held_since = time.monotonic()
            waited = round(time.monotonic() - held_since, 1)
            if self.check or waited >= self.args["wait"]:
                waited_text = "; waited %s s" % waited if self.args["wait"] else ""
                return self._report(False, holder, verdict, waited, failed=True, msg=(
                    "%s is held by %s%s. Wait for that run, or break the lock with state=absent and force=true "
                    "if you know it is gone." % (self.where, who(holder), waited_text)))
            time.sleep(max(0.0, min(_POLL_SECONDS, held_since + self.args["wait"] - time.monotonic())))

    def release(self) -> dict[str, t.Any]:
        reason = ": %s" % self.args["reason"] if self.args["reason"] else ""
        if not self.check and not self.args["force"]:
            # the usual case, one step: the host removes the lock only if this run's id is in it
            answer = self.ask("release", expect_id=self.me["id"])
            verdict = judge(answer, self.me, self.args["stale_after"])
            if answer.get("released"):
                return self._report(True, answer.get("owner"), verdict, 0, "%s released%s" % (self.where, reason),
                                    released=True)
            if verdict["status"] == FREE:
                return self._report(False, None, verdict, 0, "%s was not held%s" % (self.where, reason), released=False)
            return self._report(False, answer.get("owner"), verdict, 0, "%s was no longer held by this run (held by %s): "
                                "left in place%s" % (self.where, who(answer.get("owner")), reason), released=False)
        found = self.ask("read")
        verdict = judge(found, self.me, self.args["stale_after"])
        holder = found.get("owner")
        if verdict["status"] == FREE:
            return self._report(False, None, verdict, 0, "%s was not held%s" % (self.where, reason), released=False)
        if verdict["status"] != OWN and not self.args["force"]:
            return self._report(False, holder, verdict, 0, "%s was no longer held by this run (held by %s): left in place%s"
                                % (self.where, who(holder), reason), released=False)
        forced = verdict["status"] != OWN
        if self.check:
            return self._report(True, holder, verdict, 0, "%s would be released%s" % (self.where, reason), released=False)
        answer = self.ask("release", expect=holder, **(self.audit("lock_broken", holder, verdict) if forced else {}))
        if not answer.get("released"):  # changed meanwhile: say what is there now
            return self._report(False, answer.get("owner"), judge(answer, self.me, self.args["stale_after"]), 0,
                                "%s changed while it was being released (now held by %s): left in place%s"
                                % (self.where, who(answer.get("owner")), reason), released=False)
        what = "broken (held by %s)" % who(holder) if forced else "released"
        return self._report(True, holder, verdict, 0, "%s %s%s" % (self.where, what, reason), released=True,
                            broken=holder if forced else None, audit=answer.get("audit"))

    @staticmethod
    def _report(changed: bool, found: t.Optional[dict[str, t.Any]], verdict: dict[str, t.Any], waited: float,
                msg: str, failed: bool = False, **extra: t.Any) -> dict[str, t.Any]:
        report = {"changed": changed, "holder": found, "holder_status": verdict["status"],
                  "stale_by": verdict.get("stale_by"), "age": verdict.get("age"), "waited": waited,
                  "broken": None, "audit": None, "msg": msg}
        if failed:
            report["failed"] = True
        report.update(extra)
        return report
