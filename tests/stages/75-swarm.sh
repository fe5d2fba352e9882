#!/usr/bin/env bash
# Swarm stage: the swarm and stack modules on a 3-node swarm of Docker-in-Docker hosts
# (tests/swarm/hosts; nothing touches the shared engine's swarm state). Scenario: tests/swarm/scenario.yml.
# Then: start-first evidence (each new task was created before the task it replaced stopped).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export ANSIBLE_COLLECTIONS_PATH=$ROOT/.build ANSIBLE_FORCE_COLOR=0 LC_ALL=C.UTF-8
COLL=$(./scripts/collection-tree)
STATE=/tmp/gs-swarm
export GS_SWARM_STATE=$STATE
t0=$SECONDS
[ -n "${GS_SWARM_KEEP:-}" ] || trap 'tests/swarm/hosts down' EXIT
tests/swarm/hosts up 3
ports=$(for i in 1 2 3; do printf '"h%s": {"web": %s, "api": %s}, ' "$i" \
  "$(tests/swarm/hosts port "$i" 18080)" "$(tests/swarm/hosts port "$i" 18081)"; done)
extra="{\"sock\": \"$STATE\", \"ports\": {${ports%, }}}"
# The machine's pace, to read the timings below: Ansible's own floor (a ping task) right now.
p0=$(date +%s.%N); "$ROOT/.venv/bin/ansible" localhost -m ansible.builtin.ping >/dev/null 2>&1
echo "[swarm] ansible ping takes $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $p0}") s here now (load: $(cut -d' ' -f1-3 /proc/loadavg))"
t1=$SECONDS
(cd "$COLL" && "$ROOT/.venv/bin/ansible-playbook" tests/swarm/scenario.yml -e "$extra")
echo "[swarm] scenario passed in $((SECONDS - t1)) s (hosts up: $((t1 - t0)) s, total $((SECONDS - t0)) s)"
if [ -z "${GS_SWARM_KEEP:-}" ]; then
  # clean up now rather than only in the trap, and check that nothing of the stage is left
  tests/swarm/hosts down
  left=$(tests/swarm/hosts leftovers)
  [ -z "$left" ] || { echo "FAIL: left behind after down:"; echo "$left"; exit 1; } >&2
  echo "[swarm] cleaned up: no gs-swarm-* container, volume, network or state directory left"
fi
