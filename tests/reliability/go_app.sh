#!/usr/bin/env bash
# Reliability of the go_app role's updates, measured through the proxy on 127.0.0.1 while a
# bounded request loop (20 requests/s, stops by itself) runs:
#   1. deploy version 1 (Dockerfile-less go_image build, 2 replicas, an API token as a secret file)
#      and write data; the token never appears in Ansible's output
#   2. update to version 2              -> 0 failed requests, every replica answers 2
#   2b. scale to 3 replicas -> 0 failed requests, the proxy is reloaded in place (same container),
#       three replicas answer, a re-run changes nothing
#   2c. pause one replica -> the proxy's active health checks take it out: 20 of 20 requests answer
#   3. update to a version 3 whose healthcheck fails -> the compose update fails and the role
#      reports it, 0 failed requests, only version 2 ever answered, the app still runs version 2
# Assertions read the plays' task results as JSON lines (tests/support/results.py), not their output.
#   4. the data written in step 1 is still there; a teardown keeps the volume unless asked
#   5. versions kept: after 1-3 (keep 3) every tag is there; a deploy of version 4 with
#      go_app_keep_versions=1 leaves only version 4 (the rolled-back 3 and the old 1 and 2 go)
# A part of tests/stages/60-reliability.sh: its last line is RESULT go_app <steps passed>/7.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" DOCKER_BUILDKIT=0 ANSIBLE_FORCE_COLOR=0 LC_ALL=C.UTF-8
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build"
NAME=gs-app-rel
WORK=$(mktemp -d /tmp/gs-app-rel.XXXXXX)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
TOKEN="tok-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
log() { printf '[reliability] %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
t_start=$SECONDS

./scripts/collection-tree >/dev/null
images/caddy/build >/dev/null

STEPS=7 passed=0
cleanup() {
  local rc=$?
  [ -n "${LOADER_PID:-}" ] && kill "$LOADER_PID" 2>/dev/null || true
  ansible-playbook playbooks/teardown.yml -e "@$WORK/vars.json" -e go_app_remove_volumes=true >"$WORK/teardown.log" 2>&1 ||
    { log "teardown failed:"; tail -n 20 "$WORK/teardown.log" >&2; }
  docker ps -aq --filter "label=com.docker.compose.project=$NAME" | xargs -r docker rm -f -v >/dev/null
  docker images -q gs-app-rel/goapp | sort -u | xargs -r docker rmi -f >/dev/null 2>&1 || true
  rm -rf "$WORK"
  echo "RESULT go_app $passed/$STEPS"
  exit "$rc"
}
trap cleanup EXIT

cat > "$WORK/vars.json" <<JSON
{"go_app_name": "$NAME", "go_app_root": "$WORK/root", "go_app_build_mode": "go_image",
 "go_app_image_repository": "gs-app-rel/goapp", "go_app_proxy_port": $PORT,
 "go_app_secrets": {"api_token": "$TOKEN"},
 "go_app_env": {"API_TOKEN_FILE": "/run/secrets/api_token", "SHUTDOWN_GRACE": "5s"}}
JSON

# Each play's task results and stats go to <log>.jsonl as JSON lines (the test-only callback
# tests/support/callback_plugins/goship_results.py); the assertions read those, not the output.
results() { python3 "$ROOT/tests/support/results.py" "$@"; }
deploy() {  # deploy VERSION LOG [extra -e args]: the play's exit code
  local version=$1 out=$2; shift 2
  local t0=$SECONDS rc=0
  rm -f "${out%.log}.jsonl"
  GOSHIP_RESULTS="${out%.log}.jsonl" ANSIBLE_CALLBACK_PLUGINS="$ROOT/tests/support/callback_plugins" ANSIBLE_CALLBACKS_ENABLED=goship_results \
    ansible-playbook playbooks/deploy.yml -e "@$WORK/vars.json" -e "go_app_version=$version" "$@" >"$out" 2>&1 || rc=$?
  log "deploy $version: rc=$rc in $((SECONDS - t0)) s (changed=$(results "${out%.log}.jsonl" changed localhost))"
  if grep -q -- "$TOKEN" "$out"; then fail "the API token appears in the output of deploy $version"; fi
  if grep -q -- "$TOKEN" "${out%.log}.jsonl"; then fail "the API token appears in the task results of deploy $version"; fi
  return $rc
}
expect() { results "${1%.log}.jsonl" expect "$3" || fail "$(basename "$1"): $2"; }  # expect LOG WHAT 'EXPRESSION'
start_loader() {
  rm -f "$WORK/stop"
  python3 tests/reliability/load.py --url "$URL" --key before --rate 20 --max-seconds 240 \
    --stop-file "$WORK/stop" --out "$WORK/$1.json" >/dev/null &
  LOADER_PID=$!
  sleep 1
}
stop_loader() {
  touch "$WORK/stop"; wait "$LOADER_PID"; LOADER_PID=
  log "load during $1: $(jq_py "$WORK/$1.json" '"%d requests in %ss, %d failed %s, answers per version %s, version changes %d, max latency %d ms" % (d["total"], d["seconds"], d["failed"], d["errors"] or "", d["responses_per_version"], len(d["version_sequence"]) - 1, d["max_latency_ms"])')"
}
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. version 1, data, token
deploy 1 "$WORK/v1.log" || { tail -n 40 "$WORK/v1.log" >&2; fail "deploying version 1"; }
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data '"no token"' "$URL/api/kv/before")
[ "$code" = 401 ] || fail "a write without the token answered $code, want 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOKEN" --data '{"written_by": 1}' "$URL/api/kv/before")
[ "$code" = 201 ] || fail "writing data answered $code, want 201"
ls -l "$WORK/root/secrets/api_token" | grep -q '^-rw-------' || fail "the secret file is not mode 0600"
passed=$((passed + 1))

# 2. zero-downtime update to version 2
start_loader v2
deploy 2 "$WORK/v2.log" || { stop_loader v2; tail -n 40 "$WORK/v2.log" >&2; fail "deploying version 2"; }
sleep 2
stop_loader v2
[ "$(jq_py "$WORK/v2.json" 'd["failed"]')" = 0 ] || fail "requests failed during the update to version 2"
[ "$(jq_py "$WORK/v2.json" 'd["version_sequence"][-1]')" = 2 ] || fail "version 2 is not what answers after the update"
for _ in 1 2 3 4 5 6; do
  v=$(curl -sf "$URL/version" | python3 -c 'import json,sys;print(json.load(sys.stdin)["version"])')
  [ "$v" = 2 ] || fail "a replica still answers version $v after the update"
done
passed=$((passed + 1))

# 2b. scale 2 -> 3 replicas under load: the new replica joins through `caddy reload`, in place
proxy_id() { docker ps -q --filter "name=^$NAME-proxy-1\$"; }
proxy_before=$(proxy_id)
start_loader scale
deploy 2 "$WORK/scale.log" -e go_app_replicas=3 || { stop_loader scale; tail -n 40 "$WORK/scale.log" >&2; fail "scaling to 3 replicas"; }
sleep 2
stop_loader scale
[ "$(jq_py "$WORK/scale.json" 'd["failed"]')" = 0 ] || fail "requests failed while scaling to 3 replicas"
expect "$WORK/scale.log" "scaling did not reload the proxy" 'one(task="Reload the proxy in place")["status"] == "changed"'
[ "$(proxy_id)" = "$proxy_before" ] || fail "scaling replaced the proxy container instead of reloading it"
hosts=$(for _ in $(seq 1 12); do curl -sf "$URL/version"; echo; done | python3 -c 'import json,sys; print(len({json.loads(l)["hostname"] for l in sys.stdin if l.strip()}))')
[ "$hosts" = 3 ] || fail "after scaling, $hosts replicas answer through the proxy, want 3"
deploy 2 "$WORK/scale-again.log" -e go_app_replicas=3 || fail "re-running the scaled deploy"
expect "$WORK/scale-again.log" "re-running the scaled deploy changed something" 'stats["localhost"]["changed"] == 0 and not R(status="changed")'
passed=$((passed + 1))

# 2c. a replica that hangs (paused) leaves the rotation by the proxy's active health checks
docker pause "$NAME-app-2" >/dev/null
sleep 4  # health_interval 1s + health_timeout 2s, and a margin
t0=$(date +%s%N); answered=0
for _ in $(seq 1 20); do
  [ "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$URL/version")" = 200 ] && answered=$((answered + 1))
done
hung_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
docker unpause "$NAME-app-2" >/dev/null
log "one of 3 replicas paused: $answered of 20 requests answered within 3 s each, in $hung_ms ms"
[ "$answered" = 20 ] || fail "with a paused replica, only $answered of 20 requests were answered"
passed=$((passed + 1))

# 3. a version 3 whose healthcheck fails: rolled back, the play fails clearly, no failed request
start_loader v3
rc=0; deploy 3 "$WORK/v3.log" -e go_app_replicas=3 -e '{"go_app_env": {"API_TOKEN_FILE": "/run/secrets/api_token", "SHUTDOWN_GRACE": "5s", "GOAPP_FAULT": "unready"}}' || rc=$?
sleep 2
stop_loader v3
[ "$rc" != 0 ] || fail "deploying the unhealthy version 3 did not fail the play"
# the compose run failed on the update, and the role's rescue reported it (the play fails there)
expect "$WORK/v3.log" "the failed update did not go through the role's rollback report" \
  'one(action="goship.containers.compose", status="failed")["task"].endswith("Converge the Compose project") and one(action="ansible.builtin.fail", status="failed")["task"].endswith("Report the failed update")'
[ "$(jq_py "$WORK/v3.json" 'd["failed"]')" = 0 ] || fail "requests failed during the failed update to version 3"
[ "$(jq_py "$WORK/v3.json" '",".join(d["version_sequence"])')" = 2 ] || fail "something else than version 2 answered during the failed update"
running=$(docker ps --filter "label=com.docker.compose.project=$NAME" --filter label=com.docker.compose.service=app --format '{{.Image}}' | sort -u)
[ "$running" = "gs-app-rel/goapp:2" ] || fail "after the rollback the app runs: $running"
passed=$((passed + 1))

# 4. data survived both updates
curl -sf "$URL/api/kv/before" | grep -q '"written_by":1' || fail "the data written before the updates is gone"
passed=$((passed + 1))

# 5. the role keeps the last go_app_keep_versions versions after a successful deploy
tags() { docker images --format '{{.Tag}}' gs-app-rel/goapp | sort | tr '\n' ' '; }
[ "$(tags)" = "1 2 3 " ] || fail "with keep 3 after versions 1-3, the tags are: $(tags)"
deploy 4 "$WORK/v4.log" -e go_app_replicas=3 -e go_app_keep_versions=1 || { tail -n 30 "$WORK/v4.log" >&2; fail "deploying version 4"; }
expect "$WORK/v4.log" "deploying version 4 pruned nothing" 'one(action="goship.containers.prune")["status"] == "changed"'
[ "$(tags)" = "4 " ] || fail "with keep 1 after version 4, the tags are: $(tags)"
passed=$((passed + 1))
log "PASS in $((SECONDS - t_start)) s: v2 update $(jq_py "$WORK/v2.json" '"%d requests, %d failed, max %d ms" % (d["total"], d["failed"], d["max_latency_ms"])'); scale to 3 $(jq_py "$WORK/scale.json" '"%d requests, %d failed, max %d ms" % (d["total"], d["failed"], d["max_latency_ms"])'); paused replica $answered/20 in $hung_ms ms; v3 rollback $(jq_py "$WORK/v3.json" '"%d requests, %d failed, max %d ms" % (d["total"], d["failed"], d["max_latency_ms"])')"
