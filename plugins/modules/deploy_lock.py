#!/usr/bin/python
# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/deploy_lock.py): who holds
# the lock is known on the controller, and the lock host only runs a few standard-library lines.
# This file documents it, as ansible-core's own action-only modules do.

from __future__ import annotations

DOCUMENTATION = r"""
module: deploy_lock
short_description: Take or release a deploy lock that says who holds it and since when
version_added: 0.1.0
description:
  - A lock directory on the task's host (usually one host of the fleet, with C(delegate_to) and
    C(run_once)) that serialises deploys. O(state=present) takes it, O(state=absent) releases it.
  - The lock records who holds it - user, controller host, the C(ansible-playbook) process id,
    the playbook and a run id - and since when (the lock host's clock). A lock held by another run
    fails the task naming that holder and its start time, after waiting up to O(wait) seconds for
    it to be released.
  - 'A lock is B(stale) when it is older than O(stale_after) seconds, or when it was taken from this
    controller by a process that no longer runs Ansible (a run that crashed or was killed). A stale
    lock fails the task, naming who held it and why it is stale, unless O(force=true): then it is
    broken and taken over, and one JSON line saying so is appended to O(audit_log).'
  - The run id is the same for every task of one C(ansible-playbook) run (its process id and start
    time), so a later task of the run finds the lock as its own; O(run_id) names a run that spans
    several playbooks instead.
  - Taking a lock this run holds, or releasing a lock it does not hold, changes nothing.
  - The lock appears atomically with its owner file and is removed by renaming it aside first, so
    two runs never both take, break or release the same lock.
  - Runs through its action plugin; the lock host needs only C(python3) (no Ansible modules, no
    Python packages).
options:
  path:
    description:
      - Absolute path of the lock directory on the host. Its parent directory is created if missing.
    type: str
    required: true
  state:
    description:
      - V(present) takes the lock (or confirms that this run holds it); V(absent) releases it when
        this run holds it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - With O(state=present), how many seconds to wait for a lock held by another live run to be
        released (checked every 2 seconds) before failing. V(0) fails at once.
      - Check mode does not wait.
    type: int
    default: 0
  stale_after:
    description:
      - Seconds after which any lock counts as stale, whoever holds it. V(0) turns the age rule off
        (a lock from this controller whose process is gone is still stale).
      - A lock without a readable owner file is aged by its directory's modification time.
    type: int
    default: 3600
  force:
    description:
      - With O(state=present), break a B(stale) lock and take it over (a lock held by a live run is
        never taken).
      - With O(state=absent), remove the lock whoever holds it - for a lock you know is dead but that
        is not stale yet.
      - Either way the holder is reported in RV(broken) and a line is appended to O(audit_log).
    type: bool
    default: false
  audit_log:
    description:
      - Absolute path of a file on the lock host to which one JSON line is appended each time a lock
        is broken (C(event) V(stale_lock_taken_over) or V(lock_broken), C(time), C(run), C(user), the
        holder, C(stale_by) and O(reason)). Created with mode 0644 when missing.
      - Taking and releasing one's own lock are not logged.
    type: str
  run_id:
    description:
      - Names the run instead of the C(ansible-playbook) process, for a lock held across several
        playbook runs (take it in the first, release it in the last with the same O(run_id)).
      - Such a lock records no process id, so only O(stale_after) can make it stale.
    type: str
  reason:
    description:
      - Why the lock is taken or released. Recorded in the owner file with O(state=present), and in
        the message and the audit line.
    type: str
    default: ""
attributes:
  check_mode:
    support: full
    description: Reads the lock and reports what would be done; writes nothing and does not wait.
  diff_mode:
    support: none
    description: The result names the holder before and after; there is no diff.
  action:
    support: full
    description: The action plugin decides on the controller; the host runs a short standard-library script.
author:
  - goship.containers contributors (@goship)
notes:
  - The lock is a directory on one host; every run that deploys the same fleet must name the same
    host and path (with C(delegate_to) and C(run_once)), whatever its C(--limit).
  - Set C(changed_when=false) when the lock should not count as a change of the managed state (a
    run that changes nothing else then reports C(changed=0)).
seealso:
  - name: Rolling deploys with the fleet_rollout role
    description: The role takes this lock before it deploys and releases it when the run ends.
    link: https://example.invalid/goship/containers/docs/fleet.md
"""

EXAMPLES = r"""
- name: Take the deploy lock on the first host, waiting up to 5 minutes for another run
  goship.containers.deploy_lock:
    path: /var/lib/goship/deploy.lock
    wait: 300
    force: true # a stale lock (crashed run, or older than stale_after) is broken and logged
    audit_log: /var/log/goship/deploy.log
    reason: "shop 1.4.3"
  delegate_to: "{{ groups['docker_hosts'][0] }}"
  run_once: true
  changed_when: false
  register: deploy_lock

- name: Release it when the run is done
  goship.containers.deploy_lock:
    path: /var/lib/goship/deploy.lock
    state: absent
    reason: the run is complete
  delegate_to: "{{ groups['docker_hosts'][0] }}"
  run_once: true
  changed_when: false

- name: Break a lock whose run is known to be gone (another controller, not stale yet)
  goship.containers.deploy_lock:
    path: /var/lib/goship/deploy.lock
    state: absent
    force: true
    audit_log: /var/log/goship/deploy.log
    reason: ops-laptop crashed during the 14:00 deploy
  delegate_to: "{{ groups['docker_hosts'][0] }}"
  run_once: true

- name: One lock across the playbooks of a CI pipeline
  goship.containers.deploy_lock:
    path: /var/lib/goship/deploy.lock
    run_id: "pipeline-{{ lookup('ansible.builtin.env', 'CI_PIPELINE_ID') }}"
    stale_after: 7200
  delegate_to: "{{ groups['docker_hosts'][0] }}"
  run_once: true
"""

RETURN = r"""
path:
  description: The lock directory.
  returned: always
  type: str
  sample: /var/lib/goship/deploy.lock
lock_host:
  description: The host the lock is on (the delegated host, else the task's host).
  returned: always
  type: str
  sample: web1
run:
  description: This run as the lock records it.
  returned: always
  type: dict
  contains:
    id:
      description: The run id - the C(ansible-playbook) process's start time and pid, or O(run_id).
      type: str
      sample: 2026-12-03T14:21:05Z-24576
    user:
      description: The user running Ansible on the controller.
      type: str
    controller:
      description: The controller's host name.
      type: str
    pid:
      description: The C(ansible-playbook) process id (null with O(run_id)).
      type: int
    playbook:
      description: The playbook file(s) of the run.
      type: str
holder:
  description:
    - The owner record of the lock found before the task acted (null when the lock was free). A
      lock written by hand may lack keys, or the whole record (then C(holder_status) still says
      what it is).
  returned: always
  type: dict
  contains:
    id:
      description: Its run id.
      type: str
    user:
      description: Its user.
      type: str
    controller:
      description: Its controller's host name.
      type: str
    pid:
      description: Its C(ansible-playbook) process id.
      type: int
    playbook:
      description: Its playbook.
      type: str
    started:
      description: When it took the lock (UTC, the lock host's clock).
      type: str
      sample: "2026-12-03T14:21:05Z"
    epoch:
      description: The same time in seconds since the epoch.
      type: int
    reason:
      description: The O(reason) it gave, if any.
      type: str
holder_status:
  description: V(free), V(own) (this run holds it), V(live) (another run holds it) or V(stale).
  returned: always
  type: str
  sample: live
stale_by:
  description: Why the lock is stale - V(age) (older than O(stale_after)) or V(process) (its process is gone); null otherwise.
  returned: always
  type: str
age:
  description: Age of the lock found, in seconds (null when free).
  returned: always
  type: int
waited:
  description: Seconds spent waiting for another run's lock (O(wait)).
  returned: always
  type: float
broken:
  description: The holder whose lock was broken (a stale lock taken over, or O(force) with O(state=absent)); null otherwise.
  returned: always
  type: dict
released:
  description: Whether the lock was removed.
  returned: with O(state=absent)
  type: bool
audit:
  description: The line appended to O(audit_log), if one was.
  returned: always
  type: dict
  sample: {"event": "stale_lock_taken_over", "time": "2026-12-03T14:21:06Z", "run": "2026-12-03T14:21:05Z-24576",
           "user": "deploy@ci-1", "stale_by": "process", "stale_holder": {"id": "2026-12-03T13:02:44Z-1881", "user": "deploy"}}
msg:
  description: What was found and done, naming the holder and since when.
  returned: always
  type: str
  sample: "deploy lock /var/lib/goship/deploy.lock on web1 is held by alice@ops-laptop (run 2026-12-03T14:00:00Z-4242, pid 4242) since 2026-12-03T14:00:01Z."
"""
