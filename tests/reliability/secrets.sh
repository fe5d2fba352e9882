#!/usr/bin/env bash
# Secrets never printed: the playbooks under tests/reliability/secrets/ put a random canary in
# every secret channel of the collection (container env, env_file, labels, secret_env and
# sensitive_keys; container_exec env and secret_env; compose environment, env_file, interpolation,
# secrets, configs and build args; image args and secret_args; go_image build_env,
# secret_build_env and env), then run with -vvv, --diff, --check --diff, the JSON callback,
# in the worker and shipped, on ansible-core 2.21 (.venv) and 2.19 (.venv-compat), through
# create, recreate, update in place, type errors, failing engine calls and removal.
# Every output is kept (stdout, stderr, the ANSIBLE_LOG_PATH file, the registered results dumped
# to a file) and grepped for the canary. The last line is `RESULT secrets N leaks in M outputs`;
# the exit status is non-zero on a leak or when a run did not go as expected.
# Engine objects: gs-sec-*. Lock when run alone: flock /tmp/goship-lock-reliability-secrets.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/tests/reliability/secrets
log() { printf '[secrets] %s\n' "$*" >&2; }

CANARY=gscanary$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
WORK=$(mktemp -d /tmp/gs-sec.XXXXXX)
OUT=$WORK/outputs
mkdir -p "$OUT" "$WORK/compose" "$WORK/collections/ansible_collections/goship"
# A copy of the collection of its own: a test run beside it (scripts/test re-syncs .build) must not
# change the modules halfway through.
rsync -a "$(./scripts/collection-tree)/" "$WORK/collections/ansible_collections/goship/containers/"
export ANSIBLE_CONFIG=$ROOT/ansible.cfg ANSIBLE_COLLECTIONS_PATH=$WORK/collections DOCKER_BUILDKIT=0
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 LC_ALL=C.UTF-8
problems=()
t0=$SECONDS

cleanup() {
  docker ps -aq --filter name=^gs-sec- | xargs -r docker rm -f -v >/dev/null 2>&1
  docker ps -aq --filter label=com.docker.compose.project=gs-sec-proj | xargs -r docker rm -f -v >/dev/null 2>&1
  docker network rm gs-sec-proj_default gs-sec-bad_default >/dev/null 2>&1
  docker images -q --filter reference='gs-sec-*' | sort -u | xargs -r docker rmi -f >/dev/null 2>&1
  true
}
trap cleanup EXIT

run() {  # run NAME VENV PLAYBOOK EXPECT(ok|fail) [ansible-playbook arguments]: one run, four outputs
  local name=$1 venv=$2 book=$3 expect=$4 rc=0 start=$SECONDS
  shift 4
  ANSIBLE_LOG_PATH=$OUT/$name.log "$ROOT/$venv/bin/ansible-playbook" "$HERE/$book" \
    -e "canary=$CANARY" -e "work=$WORK" -e "dump=$OUT/$name.results.json" "$@" \
    >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" || rc=$?
  log "$name: rc=$rc in $((SECONDS - start)) s"
  if { [ "$expect" = ok ] && [ $rc -ne 0 ]; } || { [ "$expect" = fail ] && [ $rc -eq 0 ]; }; then
    problems+=("$name exited $rc, expected $expect")
    grep -E '^(fatal|failed):|FAILED|ERROR' "$OUT/$name.stdout" | sed "s/$CANARY/<CANARY>/g" | cut -c1-400 | head -n 8 >&2
    tail -n 5 "$OUT/$name.stderr" | cut -c1-400 >&2
  fi
  [ -s "$OUT/$name.results.json" ] || problems+=("$name dumped no registered results")
}

with_json() {  # with_json COMMAND...: the run prints every result as an unabridged JSON line
  ANSIBLE_STDOUT_CALLBACK=goship_json ANSIBLE_CALLBACK_PLUGINS=$HERE/callback_plugins "$@"
}

# The control: a task that prints the canary must be found by the grep below (the test can fail).
ANSIBLE_LOG_PATH=$WORK/control.log "$ROOT/.venv/bin/ansible" localhost -m ansible.builtin.debug \
  -a "msg=$CANARY" >"$WORK/control.stdout" 2>&1
grep -q "$CANARY" "$WORK/control.stdout" && grep -q "$CANARY" "$WORK/control.log" ||
  problems+=("control: a printed canary was not found by grep")

# Round 1: create everything (ansible-core 2.21, in the worker)
run r1-apply .venv deploy.yml ok -e round=1 -vvv --diff
# Round 2: check mode predicts the recreate, then it happens, then a no-op through the JSON callback
run r2-check .venv deploy.yml ok -e round=2 --check --diff -vvv
ANSIBLE_INJECT_INVOCATION=1 run r2-apply .venv deploy.yml ok -e round=2 --diff -vvv
ANSIBLE_INJECT_INVOCATION=1 with_json run r2-json .venv deploy.yml ok -e round=2 -e expect_change=false --diff
# Round 3: the modules shipped as AnsiballZ instead of run in the worker
ANSIBLE_INJECT_INVOCATION=1 run r3-shipped .venv deploy.yml ok -e round=3 -e goship_in_worker=false -vvv --diff
# Rounds 4 and 5: ansible-core 2.19 (which always returns the invocation), apply and check mode
run r4-compat .venv-compat deploy.yml ok -e round=4 -vvv --diff
with_json run r5-compat-check .venv-compat deploy.yml ok -e round=5 --check --diff
# Failures: type errors, a key in both env and secret_env, failing engine calls
ANSIBLE_INJECT_INVOCATION=1 with_json run failures .venv failures.yml ok --diff
run failures-compat .venv-compat failures.yml ok -vvv --diff
# Removal (compose down, containers and images absent), itself under -vvv --diff
run teardown .venv teardown.yml ok -vvv --diff

outputs=0 leaks=0
for file in "$OUT"/*; do
  outputs=$((outputs + 1))
  count=$(grep -c -- "$CANARY" "$file" || true)
  if [ "$count" -gt 0 ]; then
    leaks=$((leaks + count))
    log "LEAK: $count line(s) of $(basename "$file") hold the canary, e.g.:"
    grep -- "$CANARY" "$file" | head -n 3 | sed "s/$CANARY/<CANARY>/g" | cut -c1-300 >&2
  fi
done
log "grepped $outputs outputs of $(ls "$OUT"/*.stdout | wc -l) runs in $((SECONDS - t0)) s"
for problem in "${problems[@]}"; do log "FAIL: $problem"; done
if [ "$leaks" -eq 0 ] && [ ${#problems[@]} -eq 0 ]; then
  rm -rf "$WORK"
else
  log "outputs kept in $OUT"
fi
echo "RESULT secrets $leaks leaks in $outputs outputs"
[ "$leaks" -eq 0 ] && [ ${#problems[@]} -eq 0 ]
