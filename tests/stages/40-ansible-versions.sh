#!/usr/bin/env bash
# Every ansible-core meta/runtime.yml admits (requires_ansible >= 2.18: 2.18 and 2.19 on Python 3.11,
# 2.20 and 2.21 on Python 3.12, the venvs scripts/setup makes) runs one short playbook through the
# collection against the real engine (tests/ansible_versions/play.yml): the container quartet
# (check mode, apply, apply again not changed, check mode again), container_plan (nothing planned,
# then a change planned and not applied), a module by its short name through `collections:`, one
# shipped as AnsiballZ (goship_in_worker: false) beside the others run in the worker, module_defaults
# of the action group reaching a module and container_plan, a compose project up, up again (not
# changed) and down. Assertions read the task results as JSON lines (tests/support/results.py), the
# path module_runner reports under -vvv and the engine's objects afterwards; then a table of
# version -> result and seconds. Objects are named gs-versions-<core>-*. A venv that is missing fails
# the stage (GOSHIP_SKIP_COMPAT=1, which makes scripts/setup skip them, skips them here too).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COLL=${COLL:-$(./scripts/collection-tree)}
export ANSIBLE_COLLECTIONS_PATH=${COLL%/ansible_collections/*} ANSIBLE_CONFIG=$ROOT/ansible.cfg
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 LC_ALL=C.UTF-8
VENVS=(.venv-unit-2.18 .venv-compat .venv-unit-2.20 .venv)
ENGINE_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
WORK=$(mktemp -d /tmp/gs-versions.XXXXXX)
log() { printf '[versions] %s\n' "$*" >&2; }

remove_objects() {  # remove_objects PREFIX: this stage's containers and networks, nothing else
  docker ps -aq --filter "name=^$1" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network ls -q --filter "name=^$1" | xargs -r docker network rm >/dev/null 2>&1 || true
}
trap 'remove_objects gs-versions-; rm -rf "$WORK"' EXIT

# The versions to cover: from requires_ansible's lower bound to the newest, .venv's.
newest=$("$ROOT/.venv/bin/python" -c 'from ansible.release import __version__ as v; print(".".join(v.split(".")[:2]))')
wanted=$(python3 - "$newest" <<'PY'
import re, sys
text = open("meta/runtime.yml", encoding="utf-8").read()
low = re.search(r"^requires_ansible:\s*['\"]?>=\s*(\d+)\.(\d+)", text, re.M)
major, minor = int(low.group(1)), int(low.group(2))
top = int(sys.argv[1].split(".")[1])
print(" ".join("%d.%d" % (major, m) for m in range(minor, top + 1)))
PY
)
log "requires_ansible admits $wanted (up to .venv's $newest)"

results() { python3 "$ROOT/tests/support/results.py" "$@"; }
rows=() failed=() covered=()
check_run() {  # check_run LOG JSONL: "" when every expectation holds, else what failed
  local out=$1 jsonl=$2 e
  # name|expression: each one a fact of the run's results
  local -a expectations=(
    "the running ansible-core|one(task='Which ansible-core')['result']['msg'] == env['CORE']"
    "the container quartet|[one(task='^Quartet [|] ' + t + '\$')['status'] for t in ('check mode', 'apply', 'apply again', 'check mode again')] == ['changed', 'changed', 'ok', 'ok'] and one(task='^Quartet [|] check mode\$')['result']['actions'] == one(task='^Quartet [|] apply\$')['result']['actions'] != []"
    "container_plan|one(task='plan nothing')['status'] == 'ok' and one(task='plan nothing')['result']['actions'] == [] and one(task='is planned, and not applied')['status'] == 'changed' and one(task='is planned, and not applied')['result']['actions'] != []"
    "a short name, in the worker and shipped|all(r['status'] == 'ok' and r['result']['exists'] and 'GREETING=one' in r['result']['container']['Config']['Env'] for r in R(task='^Info')) and len(R(task='^Info')) == 2"
    "module_defaults of the action group|len(R(task='^Group defaults', status='failed')) == 2 and all(env['PREFIX'] + '-no-such.sock' in r['result']['msg'] for r in R(task='^Group defaults'))"
    "compose up, up again, down|[one(task='^Compose [|] ' + t + '\$')['status'] for t in ('up', 'up again', 'down')] == ['changed', 'ok', 'changed'] and one(task='^Compose [|] up\$')['result']['project'] is not None"
    "clean-up and the run's counts|one(task='^Clean up')['status'] == 'changed' and stats['localhost']['failures'] == 0 and stats['localhost']['ignored'] == 2"
  )
  for e in "${expectations[@]}"; do
    results "$jsonl" expect "${e#*|}" >>"$out.expect" 2>&1 || { echo "${e%%|*}"; return; }
  done
  # module_runner's path (-vvv): only the task that asks for it is shipped, the others run in the worker
  local shipped inworker
  shipped=$(grep -c '^goship: .* runs as a module' "$out" || true)
  inworker=$(grep -c '^goship: .* runs in the worker' "$out" || true)
  [ "$shipped" = 1 ] && grep -q '^goship: goship.containers.container_info runs as a module: goship_in_worker is false' "$out" ||
    { echo "module_runner shipped $shipped modules, expected only the goship_in_worker: false one"; return; }
  [ "$inworker" = 10 ] || { echo "module_runner ran $inworker modules in the worker, expected 10"; return; }
  [ -z "$(docker ps -aq --filter "name=^$PREFIX-")" ] || { echo "containers $PREFIX-* left behind"; return; }
  [ -z "$(docker network ls -q --filter "name=^$PREFIX-")" ] || { echo "networks $PREFIX-* left behind"; return; }
}

for venv in "${VENVS[@]}"; do
  if [ ! -x "$ROOT/$venv/bin/ansible-playbook" ]; then
    rows+=("$(printf '%-8s %-8s %-22s %5s  %s' '?' '?' "$venv" - 'not tested: no venv (scripts/setup)')")
    [ "${GOSHIP_SKIP_COMPAT:-}" = 1 ] || failed+=("$venv missing")
    continue
  fi
  read -r CORE PY < <("$ROOT/$venv/bin/python" -c 'import sys; from ansible.release import __version__ as v; print(v, "%d.%d.%d" % sys.version_info[:3])')
  minor=${CORE%.*}
  PREFIX=gs-versions-${minor//./-}
  export CORE PREFIX
  remove_objects "$PREFIX-"
  cat > "$WORK/inventory.yml" <<YAML
engine:
  hosts:
    localhost:
      ansible_connection: local
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
YAML
  out=$WORK/$minor.log jsonl=$WORK/$minor.jsonl
  start=$SECONDS rc=0
  GOSHIP_RESULTS=$jsonl ANSIBLE_CALLBACK_PLUGINS=$ROOT/tests/support/callback_plugins ANSIBLE_CALLBACKS_ENABLED=goship_results \
    timeout 300 "$ROOT/$venv/bin/ansible-playbook" -i "$WORK/inventory.yml" tests/ansible_versions/play.yml \
      -e "prefix=$PREFIX" -e "engine_host=$ENGINE_HOST" -vvv >"$out" 2>&1 || rc=$?
  took=$((SECONDS - start))
  why=""
  if [ "$rc" -ne 0 ]; then why="ansible-playbook exited $rc"
  elif [ ! -s "$jsonl" ]; then why="no JSON results (the callback did not load)"
  else why=$(check_run "$out" "$jsonl"); fi
  if [ -z "$why" ]; then
    result=pass; covered+=("$minor")
  else
    result=FAIL; failed+=("$CORE: $why")
    log "ansible-core $CORE: $why; the run's last lines and the failed expectation:"
    grep -E '^(fatal|failed|ERROR)|FAILED' "$out" | cut -c1-400 | head -n 10 >&2 || true
    tail -n 25 "$out" | cut -c1-400 >&2
    [ -f "$out.expect" ] && cut -c1-800 "$out.expect" >&2
  fi
  rows+=("$(printf '%-8s %-8s %-22s %5s  %s' "$CORE" "$PY" "$venv" "$took" "$result${why:+ ($why)}")")
  remove_objects "$PREFIX-"
done

for minor in $wanted; do
  [[ " ${covered[*]} " == *" $minor "* ]] || [[ " ${failed[*]} " == *"$minor"* ]] || [ "${GOSHIP_SKIP_COMPAT:-}" = 1 ] ||
    failed+=("ansible-core $minor: admitted by requires_ansible, not run")
done

printf '\n%-8s %-8s %-22s %5s  %s\n' ansible python venv secs result
printf '%s\n' "${rows[@]}"
if [ ${#failed[@]} -gt 0 ]; then printf 'FAILED: %s\n' "${failed[@]}"; exit 1; fi
echo "40-ansible-versions: every ansible-core requires_ansible admits ($wanted) passed"
