#!/usr/bin/env bash
# Reliability of the compose module when runs overlap and updates fail (objects prefixed gs-cupd-):
#   1. concurrent runs: 5 ansible-playbook processes deploy one NEW project at the same moment, then
#      5 update it at the same moment -> every run succeeds (the others wait for the project's
#      lock), one network of the name, the right number of replicas on the right image
#   2. duplicate networks: a same-name network made by hand, labelled as a racing run leaves it,
#      is removed by a plain re-run; an unlabelled one by a run that changes the project; absent
#      removes every network of the name
#   3. stop-first, parallelism 1, an image that never becomes healthy: failure_action pause and
#      rollback each fail the run naming it, and the 3 previous containers run again (same names)
#   4. start-first behind a proxy (goship-test/proxy resolves the service alias per request) under a
#      bounded request loop on 127.0.0.1: a failed update sends 0 requests to the unhealthy new
#      container; a good update loses 0 requests
# A part of tests/stages/60-reliability.sh: its last line is RESULT compose_update <figures>.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" DOCKER_BUILDKIT=0 ANSIBLE_FORCE_COLOR=0 LC_ALL=C.UTF-8
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build"
PFX=gs-cupd
N=5
WORK=$(mktemp -d /tmp/gs-cupd.XXXXXX)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
log() { printf '[compose_update] %s\n' "$*" >&2; }
failures=()
fail() { log "FAIL: $*"; failures+=("$*"); }

./scripts/collection-tree >/dev/null
tests/images/build >/dev/null

conc_ok=0 conc_runs=0 dup_ok=0 sf_ok=0 early=- sf2_total=- good_failed=-
cleanup() {
  local rc=$?
  [ -n "${LOADER_PID:-}" ] && kill "$LOADER_PID" 2>/dev/null || true
  for p in conc sf s1; do
    docker ps -aq --filter "label=com.docker.compose.project=$PFX-$p" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  done
  docker network ls -q --filter "name=$PFX-" | xargs -r docker network rm >/dev/null 2>&1 || true
  rm -rf "$WORK"
  [ ${#failures[@]} -eq 0 ] || rc=1
  echo "RESULT compose_update concurrent $conc_ok/$conc_runs, duplicates repaired $dup_ok/3, stop-first pause/rollback $sf_ok/2, start-first $early early requests of $sf2_total (failed update), $good_failed failed (good update)"
  exit "$rc"
}
trap cleanup EXIT

cat >"$WORK/play.yml" <<'YAML'
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Converge the project
      goship.containers.compose:
        project_name: "{{ project }}"
        definition: "{{ definition | default(omit) }}"
        state: "{{ state | default('present') }}"
        wait: "{{ (state | default('present')) == 'present' }}"
        wait_timeout: 30
        lock_timeout: 150
YAML
# vars NAME PROJECT JSON-DEFINITION: a vars file
vars() { printf '{"project": "%s", "definition": %s}\n' "$2" "$3" >"$WORK/$1.json"; }
play() {  # play RUN VARS [extra ansible-playbook args]: exit code; results in $WORK/RUN.jsonl
  local name=$1 vars=$2; shift 2
  GOSHIP_RESULTS="$WORK/$name.jsonl" ANSIBLE_CALLBACK_PLUGINS="$ROOT/tests/support/callback_plugins" \
    ANSIBLE_CALLBACKS_ENABLED=goship_results timeout 240 \
    ansible-playbook "$WORK/play.yml" -e "@$WORK/$vars.json" "$@" >"$WORK/$name.log" 2>&1
}
result() {  # result RUN 'EXPR': EXPR over r, the compose task's result
  python3 - "$WORK/$1.jsonl" "$2" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = next(x["result"] for x in records if x.get("event") == "result" and x["action"] == "goship.containers.compose")
print(eval(sys.argv[2]))
PY
}
networks() { docker network ls --filter "name=$1" --format '{{.Name}}' | grep -cx "$1" || true; }
running() {  # running PROJECT SERVICE: "count image,image" of its running containers
  local ids; ids=$(docker ps -q --filter "label=com.docker.compose.project=$1" --filter "label=com.docker.compose.service=$2")
  printf '%s %s' "$(echo "$ids" | grep -c . || true)" "$([ -z "$ids" ] || docker inspect -f '{{.Config.Image}}' $ids | sort -u | paste -sd,)"
}
all_names() { docker ps -a --filter "label=com.docker.compose.project=$1" --format '{{.Names}}' | sort | paste -sd' '; }

# ------------------------------------------------------------------ 1. concurrent runs
app() { printf '{"services": {"web": {"image": "goship-test/app:%s", "deploy": {"replicas": %s}}}}' "$1" "$2"; }
vars conc1 "$PFX-conc" "$(app 1 2)"
vars conc2 "$PFX-conc" "$(app 2 2)"
for round in 1 2; do
  t0=$SECONDS pids=()
  for i in $(seq 1 $N); do play "conc$round-$i" "conc$round" & pids+=($!); done
  ok=0
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then ok=$((ok + 1)); else log "run $((i + 1)) of round $round failed:"; tail -n 8 "$WORK/conc$round-$((i + 1)).log" >&2; fi
  done
  changed=$(for i in $(seq 1 $N); do result "conc$round-$i" 'r.get("changed")' 2>/dev/null; done | grep -c True || true)
  log "round $round: $ok of $N runs succeeded in $((SECONDS - t0)) s, $changed changed something (the others found it done)"
  conc_ok=$((conc_ok + ok)) conc_runs=$((conc_runs + N))
  [ "$ok" = "$N" ] || fail "concurrent round $round: $ok of $N runs succeeded"
  [ "$(networks "$PFX-conc_default")" = 1 ] || fail "concurrent round $round: $(networks "$PFX-conc_default") networks named $PFX-conc_default"
  [ "$(running "$PFX-conc" web)" = "2 goship-test/app:$round" ] || fail "concurrent round $round: web runs $(running "$PFX-conc" web), want 2 goship-test/app:$round"
  [ "$(all_names "$PFX-conc")" = "$PFX-conc-web-1 $PFX-conc-web-2" ] || fail "concurrent round $round: containers $(all_names "$PFX-conc")"
done

# ------------------------------------------------------------------ 2. duplicate networks
net=$PFX-conc_default
duplicate() {  # duplicate [labelled]: one more network named $net (the CLI refuses; the API allows it)
  python3 -c 'import sys, docker
labels = {"com.docker.compose.project": sys.argv[2], "com.docker.compose.network": "default"} if sys.argv[3:] else None
docker.APIClient(version="auto").create_network(sys.argv[1], check_duplicate=False, labels=labels)' "$net" "$PFX-conc" "$@"
}
duplicate labelled
if play dup1 conc2 && [ "$(networks "$net")" = 1 ] && [ "$(result dup1 'any("duplicate of network" in a for a in r["actions"])')" = True ]; then
  dup_ok=$((dup_ok + 1)); log "a labelled duplicate: removed by a plain re-run: $(result dup1 'r["actions"][0][:140]')"
else fail "a labelled duplicate network was not repaired by a re-run"; tail -n 10 "$WORK/dup1.log" >&2; fi
duplicate  # by hand, no labels
vars conc3 "$PFX-conc" "$(app 2 3)"
if play dup2 conc3 && [ "$(networks "$net")" = 1 ] && [ "$(running "$PFX-conc" web)" = "3 goship-test/app:2" ]; then
  dup_ok=$((dup_ok + 1)); log "an unlabelled duplicate: removed by a run that scales to 3"
else fail "an unlabelled duplicate network was not repaired by a changing run ($(networks "$net") networks, web $(running "$PFX-conc" web))"; tail -n 10 "$WORK/dup2.log" >&2; fi
duplicate labelled
if play dup3 conc3 -e state=absent && [ "$(networks "$net")" = 0 ] && [ -z "$(all_names "$PFX-conc")" ]; then
  dup_ok=$((dup_ok + 1)); log "absent with a duplicate: every network of the name removed"
else fail "absent left $(networks "$net") networks named $net"; tail -n 10 "$WORK/dup3.log" >&2; fi

# ------------------------------------------------------------------ 3. stop-first, failure_action
sf() { printf '{"services": {"web": {"image": "goship-test/app:%s", "deploy": {"replicas": 3, "update_config": {"order": "stop-first", "parallelism": 1, "failure_action": "%s"}}}}}' "$1" "$2"; }
vars sf1 "$PFX-sf" "$(sf 1 pause)"
play sf-v1 sf1 || { tail -n 20 "$WORK/sf-v1.log" >&2; fail "deploying the stop-first project"; }
for action in pause rollback; do
  vars "sf-$action" "$PFX-sf" "$(sf bad "$action")"
  t0=$SECONDS; rc=0; play "sf-bad-$action" "sf-$action" || rc=$?
  msg=$(result "sf-bad-$action" 'r.get("msg", "")' 2>/dev/null || true)
  want="update paused (failure_action: pause)"; [ "$action" = rollback ] && want="rolled back (failure_action: rollback)"
  state="$(running "$PFX-sf" web) / $(all_names "$PFX-sf")"
  log "stop-first, failure_action $action: rc=$rc in $((SECONDS - t0)) s: ${msg:0:220}"
  if [ "$rc" != 0 ] && [[ $msg == *"$want"* ]] && [ "$state" = "3 goship-test/app:1 / $PFX-sf-web-1 $PFX-sf-web-2 $PFX-sf-web-3" ]; then
    sf_ok=$((sf_ok + 1))
  else fail "stop-first $action: rc=$rc, after it: $state"; fi
done

# ------------------------------------------------------------------ 4. start-first behind a proxy
s1() { printf '{"services": {"web": {"image": "goship-test/app:%s", "deploy": {"replicas": 2, "update_config": {"order": "start-first", "parallelism": 1, "failure_action": "rollback"}}}, "proxy": {"image": "goship-test/proxy:latest", "environment": {"UPSTREAM": "web:8080"}, "ports": ["127.0.0.1:%s:8080"]}}}' "$1" "$PORT"; }
vars s1-1 "$PFX-s1" "$(s1 1)"; vars s1-bad "$PFX-s1" "$(s1 bad)"; vars s1-2 "$PFX-s1" "$(s1 2)"
play s1-v1 s1-1 || { tail -n 20 "$WORK/s1-v1.log" >&2; fail "deploying the start-first project"; }
loader() {  # loader NAME: a bounded request loop through the proxy
  rm -f "$WORK/stop"
  python3 tests/reliability/load.py --url "http://127.0.0.1:$PORT" --plain --rate 20 --max-seconds 150 \
    --stop-file "$WORK/stop" --out "$WORK/$1.load.json" >/dev/null &
  LOADER_PID=$!
  sleep 1
}
unload() { touch "$WORK/stop"; wait "$LOADER_PID" || true; LOADER_PID=; }
load_field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$WORK/$1.load.json"; }
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/version" >/dev/null && break; sleep 0.2; done
loader bad
rc=0; play s1-bad s1-bad || rc=$?
sleep 1; unload
early=$(load_field bad 'd["responses_per_version"].get("2", 0)'); sf2_total=$(load_field bad 'd["total"]')
log "start-first update to an unhealthy image: rc=$rc, load: $(load_field bad '"%d requests, %d failed %s, per version %s" % (d["total"], d["failed"], d["errors"] or "", d["responses_per_version"])')"
[ "$rc" != 0 ] || fail "the unhealthy start-first update did not fail the run"
[[ $(result s1-bad 'r.get("msg", "")') == *"rolled back (failure_action: rollback)"* ]] || fail "the unhealthy start-first update was not rolled back"
[ "$early" = 0 ] || fail "$early requests reached the new, not yet healthy container"
[ "$(running "$PFX-s1" web)" = "2 goship-test/app:1" ] || fail "after the failed start-first update web runs $(running "$PFX-s1" web)"
loader good
play s1-good s1-2 || { tail -n 20 "$WORK/s1-good.log" >&2; fail "the good start-first update failed"; }
sleep 1; unload
good_failed=$(load_field good 'd["failed"]')
log "start-first update to version 2: $(load_field good '"%d requests, %d failed %s, versions in order %s" % (d["total"], d["failed"], d["errors"] or "", d["version_sequence"])')"
[ "$good_failed" = 0 ] || fail "$good_failed requests failed during the good start-first update"
[ "$(running "$PFX-s1" web)" = "2 goship-test/app:2" ] || fail "after the start-first update web runs $(running "$PFX-s1" web)"
[ "$(load_field good 'd["version_sequence"][-1]')" = 2 ] || fail "version 2 does not answer after the update"
play s1-down s1-2 -e state=absent >/dev/null || fail "removing the start-first project"
play sf-down sf1 -e state=absent >/dev/null || fail "removing the stop-first project"
[ ${#failures[@]} -eq 0 ]
