#!/usr/bin/env bash
# Input bounds through the module (issue 20.3): every case of the loader's fuzz corpus
# (tests/unit/.../compose/load/fuzz_inputs.py: alias bombs, 100,000-level nesting, bytes that are not
# UTF-8, oversized and empty documents, interpolation nesting, random bytes...) is deployed with
# goship.containers.compose, the module run as users run it (in the worker, ansible-playbook under a
# 4 GiB address-space cap). Each must fail with a one-line message of at most 2,000 characters, no
# traceback, no "Module result deserialization failed", within the bounded time, and leave nothing on
# the engine. The unit test holds the loader to the same corpus; this holds the module.
# The last line is `RESULT bad_inputs bad inputs N/N clear`; the exit status is non-zero otherwise.
# Engine objects: projects gsbad-*.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/tests/reliability/bad_inputs
log() { printf '[bad_inputs] %s\n' "$*" >&2; }
WORK=$(mktemp -d /tmp/gs-bad.XXXXXX)
RESULT_LINE="RESULT bad_inputs bad inputs 0/0 clear"
remove_projects() {  # whatever gsbad-* projects exist: before (an interrupted earlier run) and after
  docker ps -aq --filter label=com.docker.compose.project | xargs -r docker inspect -f \
    '{{.Id}} {{index .Config.Labels "com.docker.compose.project"}}' 2>/dev/null | awk '$2 ~ /^gsbad-/ {print $1}' |
    xargs -r docker rm -f -v >/dev/null 2>&1
  docker network ls --format '{{.Name}}' | grep '^gsbad-' | xargs -r docker network rm >/dev/null 2>&1
  true
}
finish() {
  local rc=$?
  remove_projects
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
  printf '%s\n' "$RESULT_LINE"
  exit "$rc"
}
trap finish EXIT
remove_projects
mkdir -p "$WORK/collections/ansible_collections/goship"
# a copy of its own: a test run beside it re-syncs .build
rsync -a "$(./scripts/collection-tree)/" "$WORK/collections/ansible_collections/goship/containers/"
export ANSIBLE_CONFIG=$ROOT/ansible.cfg ANSIBLE_COLLECTIONS_PATH=$WORK/collections
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 LC_ALL=C.UTF-8 PATH="$ROOT/.venv/bin:$PATH"

"$ROOT/.venv/bin/python" "$ROOT/tests/unit/plugins/module_utils/compose/load/fuzz_inputs.py" --bad "$WORK/cases" >&2
t0=$SECONDS
rc=0
( ulimit -v $((4 * 1024 * 1024)); timeout 1200 ansible-playbook -i localhost, -c local "$HERE/deploy.yml" \
    -e "ansible_python_interpreter=$ROOT/.venv/bin/python cases=$WORK/cases results=$WORK/results.json" >"$WORK/play.log" 2>&1 ) || rc=$?
log "ansible-playbook exit $rc in $((SECONDS - t0)) s"
[ "$rc" -eq 0 ] || { tail -n 40 "$WORK/play.log" >&2; exit 1; }
left=$(docker ps -aq --filter label=com.docker.compose.project | xargs -r docker inspect -f \
  '{{index .Config.Labels "com.docker.compose.project"}}' 2>/dev/null | grep -c '^gsbad-' || true)
networks=$(docker network ls --format '{{.Name}}' | grep '^gsbad-' | tr '\n' ' ' || true)
verdict=$("$ROOT/.venv/bin/python" "$HERE/judge.py" "$WORK/results.json" "$WORK/play.log" "$left" "$networks") || rc=$?
printf '%s\n' "$verdict" | sed -n '1,40p' >&2
RESULT_LINE="RESULT bad_inputs $(printf '%s\n' "$verdict" | tail -n 1)"
exit "$rc"
