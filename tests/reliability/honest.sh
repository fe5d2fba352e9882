#!/usr/bin/env bash
# Honest results and data kept (issue 20.7): what a module reports after the engine refused it, or
# after a run or an engine was killed half-way, and what a container's volumes hold through it all.
# Each case runs a module (ansible ad hoc, its JSON result judged with jq) and reads the engine:
#   refused creates      network, volume (unknown driver), container (unknown runtime; new, and a
#                        recreate of a running one), image (a corrupt archive to load, a failing
#                        build): failed, changed=false, no action listed, nothing exists afterwards
#                        (the recreate: the old container untouched, same ID, running)
#   swarm                init with an advertise address of no interface (on the test engine): the
#                        same, and the node is still not in a swarm
#   interrupted runs     what a `container` run killed mid-replacement leaves (a replacement under
#                        its temporary name; the old container set aside, the name free): the next
#                        run removes it or gives the old container its name back and says so
#                        (check mode names it and touches nothing; then apply, apply again, check)
#   a dockerd killed     kill -9 of the test engine's dockerd during a `docker start`, at the one
#   during a start       moment that leaves the container unstartable, so no race: its runtime (a
#                        runc wrapper, runc_killer) kills dockerd right after runc started the
#                        process, before dockerd can hear of it. Restarted (no live-restore), the
#                        engine sees the container stopped while containerd (its own, --containerd,
#                        as a host's containerd.service is) still runs its task, and refuses every
#                        start ("id already in use"). The container module, default options,
#                        recreates it and says so in `actions`, volumes kept; the next run changes
#                        nothing (check mode first, then apply, apply again, check again)
# Data: 1 MiB of random bytes in a named and in an anonymous volume of the container, checked
# (sha256) after every recreate above; the figure is the bytes not found again.
# The test engine (tls/engine.sh helpers): own bridge, data-root, exec-root, pidfile, unix socket,
# containerd (own root, state, socket) and namespace, never --bridge none (/work/shared/ENVIRONMENT.md).
# Last line: RESULT honest <passed>/<cases>, <bytes> bytes lost in <recreates> recreates.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" DOCKER_BUILDKIT=0 ANSIBLE_FORCE_COLOR=0 LC_ALL=C.UTF-8
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build"
# shellcheck source=tls/engine.sh
source tests/reliability/tls/engine.sh
log() { printf '[honest] %s\n' "$*" >&2; }
P=gs-honest
BB=goship-test/busybox:latest
WORK=$(mktemp -d /tmp/gs-honest.XXXXXX)  # short: the test engine's containerd socket lives below it
STATE=$WORK/e BRIDGE=gs-honest0 BRIDGE_CIDR=10.198.53.1/24
TEST_HOST=unix://$STATE/docker.sock
passed=0 total=0 lost=0 recreates=0 failures=()
t_start=$SECONDS

cleanup_main() {
  docker ps -aq --filter "name=$P" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q --filter "name=$P" | xargs -r docker volume rm >/dev/null 2>&1 || true
  docker network ls -q --filter "name=$P" | xargs -r docker network rm >/dev/null 2>&1 || true
  docker images -q "$P-img" | sort -u | xargs -r docker rmi -f >/dev/null 2>&1 || true
}
finish() {
  local rc=$?
  cleanup_main
  engine_stop || true
  tasks_kill  # the stuck container's process, which no dockerd knows of
  containerd_stop
  kill_shims
  engine_remove || true
  rm -rf "$WORK"
  [ ${#failures[@]} -eq 0 ] || { log "failed: ${failures[*]}"; [ "$rc" -ne 0 ] || rc=1; }
  [ "$lost" -eq 0 ] || { [ "$rc" -ne 0 ] || rc=1; }
  log "took $((SECONDS - t_start)) s"
  printf 'RESULT honest %s/%s, %s bytes lost in %s recreates\n' "$passed" "$total" "$lost" "$recreates"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# --- the test engine: plain, on its unix socket only; restartable after a kill -------------------
# Its containerd is its own, started here: a dockerd killed -9 leaves it running, as a host's
# containerd.service is. (With the containerd dockerd starts itself, a dockerd restarted after a
# kill -9 did not come up here: "timeout waiting for containerd to start"; not investigated further.)
CTRD=$STATE/cd
containerd_up() {
  local deadline
  mkdir -p "$CTRD"
  printf '%s\n' 'version = 2' "root = \"$CTRD/root\"" "state = \"$CTRD/state\"" \
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]' '[grpc]' "address = \"$CTRD/sock\"" \
    '[ttrpc]' "address = \"$CTRD/sock.ttrpc\"" '[plugins."io.containerd.internal.v1.opt"]' "path = \"$CTRD/opt\"" \
    >"$CTRD/config.toml"
  containerd --config "$CTRD/config.toml" --log-level warn >>"$STATE/containerd.log" 2>&1 &
  CONTAINERD_PID=$!
  deadline=$((SECONDS + 60))
  until ctrd version >/dev/null 2>&1; do
    kill -0 "$CONTAINERD_PID" 2>/dev/null || { tail -n 20 "$STATE/containerd.log" >&2; log "containerd exited"; return 1; }
    [ $SECONDS -lt "$deadline" ] || { tail -n 20 "$STATE/containerd.log" >&2; log "containerd silent for 60 s"; return 1; }
    sleep 0.2
  done
}
ctrd() { timeout 30 ctr --address "$CTRD/sock" --namespace $P "$@"; }
containerd_stop() {
  local pid=${CONTAINERD_PID:-} deadline
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  CONTAINERD_PID=
}
tasks_kill() {  # every task left in the namespace once dockerd is stopped (its shim then exits by itself)
  local id
  [ -n "${CONTAINERD_PID:-}" ] || return 0
  for id in $(ctrd tasks ls -q 2>/dev/null || true); do ctrd tasks delete --force "$id" >/dev/null 2>&1 || true; done
}
# The engine's default runtime: runc itself, except that a `start` while $STATE/kill-armed exists
# (once: it removes the file) ends with dockerd killed -9. The start's answer goes from runc to the
# shim, to containerd, to dockerd, and the wrapper returns only once dockerd is gone (or a zombie),
# so dockerd can never hear of it: the container's task runs, and dockerd's records say stopped.
runc_killer() {
  local runc
  runc=$(command -v runc) || { log "no runc on PATH"; return 1; }
  printf '%s\n' '#!/bin/sh' "$runc \"\$@\" || exit" \
    'for arg do' \
    '  [ "$arg" = start ] || continue' \
    "  rm \"$STATE/kill-armed\" 2>/dev/null || break" \
    "  pid=\$(cat \"$STATE/docker.pid\")" \
    '  kill -KILL "$pid"' \
    '  n=0' \
    '  while [ -e "/proc/$pid" ] && ! grep -q ") Z " "/proc/$pid/stat" 2>/dev/null && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done' \
    "  echo \"killed dockerd \$pid\" >>\"$STATE/runc-killer.log\"" \
    '  break' \
    'done' \
    'exit 0' >"$STATE/runc-killer"
  chmod 0755 "$STATE/runc-killer"
  jq -n --arg path "$STATE/runc-killer" '{runtimes: {"gs-honest-runc": {path: $path}}, "default-runtime": "gs-honest-runc"}' \
    >"$STATE/daemon.json"
}
engine_up() {
  local deadline
  mkdir -p "$STATE/data" "$STATE/x"
  [ -e "$STATE/daemon.json" ] || echo '{}' >"$STATE/daemon.json"  # never /etc/docker/daemon.json
  dockerd --config-file "$STATE/daemon.json" --containerd "$CTRD/sock" \
    --data-root "$STATE/data" --exec-root "$STATE/x" --pidfile "$STATE/docker.pid" -H "$TEST_HOST" \
    --bridge "$BRIDGE" --iptables=false --ip-masq=false --ip-forward=false \
    --containerd-namespace $P --containerd-plugins-namespace $P-plugins \
    --storage-driver vfs --log-level warn >>"$STATE/dockerd.log" 2>&1 &
  ENGINE_PID=$!
  deadline=$((SECONDS + 90))  # ~3 s idle; generous for a loaded 2-core machine
  until engine_docker version --format '{{.Server.Version}}' >/dev/null 2>&1; do
    kill -0 "$ENGINE_PID" 2>/dev/null || { tail -n 20 "$STATE/dockerd.log" >&2; log "test engine exited"; return 1; }
    [ $SECONDS -lt "$deadline" ] || { tail -n 20 "$STATE/dockerd.log" >&2; log "test engine silent for 90 s"; return 1; }
    sleep 0.2
  done
  ENGINE_CHILDREN=$(pgrep -P "$ENGINE_PID" | tr '\n' ' ' || true)
}
engine_docker() { DOCKER_HOST=$TEST_HOST docker "$@"; }
# containerd and its shims outlive a killed dockerd; theirs name STATE on their command line
kill_shims() {
  local pid
  for pid in $(pgrep -f -- "$STATE/" || true); do
    [ "$pid" != "$$" ] && grep -qaF -- "$STATE/" "/proc/$pid/cmdline" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done
}

# --- running a module and judging it --------------------------------------------------------------
# run NAME MODULE ARGS-JSON [ansible options...]: the module's result as JSON in $WORK/NAME.json
run() {
  local name=$1 module=$2 args=$3; shift 3
  local out
  out=$(ansible localhost -i localhost, -c local -e "ansible_python_interpreter=$ROOT/.venv/bin/python" \
        -m "goship.containers.$module" -a "$args" -o "$@" 2>"$WORK/$name.err" || true)
  # -o prints `localhost | FAILED! => {...}`: the verdict is in the prefix, not in the JSON
  if printf '%s\n' "${out#*=> }" | jq -e --argjson failed "$([[ $out == *"| FAILED!"* ]] && echo true || echo false)" \
       '. + {failed: $failed}' >"$WORK/$name.json" 2>/dev/null; then :; else
    log "$name: no JSON result: $out $(cat "$WORK/$name.err")"; echo '{}' >"$WORK/$name.json"
  fi
}
# check NAME JQ-FILTER [SHELL-CONDITION]: one case, passed when the filter holds on NAME's result
# and the condition (the engine's state) holds
check() {
  local name=$1 filter=$2 condition=${3:-true}
  total=$((total + 1))
  if jq -e "$filter" "$WORK/$name.json" >/dev/null 2>&1 && eval "$condition"; then
    passed=$((passed + 1)); log "ok   $name"
  else
    failures+=("$name"); log "FAIL $name: $(jq -c '{failed, changed, actions, msg}' "$WORK/$name.json" 2>/dev/null)"
  fi
}
REFUSED='.failed == true and .changed == false and (.actions == [])'
absent() { ! "$@" >/dev/null 2>&1; }

# --- data: 1 MiB in a named and in an anonymous volume --------------------------------------------
# data_write HOST CONTAINER / data_lost HOST CONTAINER: bytes whose checksum is not found again
data_write() {
  DOCKER_HOST=$1 docker exec "$2" sh -c 'head -c 1048576 /dev/urandom >/named/blob; cp /named/blob /anon/blob; sha256sum /named/blob /anon/blob' \
    >"$WORK/sums-$2"
}
data_lost() {
  local now missing=0 line
  now=$(DOCKER_HOST=$1 docker exec "$2" sha256sum /named/blob /anon/blob 2>/dev/null || true)
  while read -r line; do
    grep -qxF -- "$line" <<<"$now" || missing=$((missing + 1048576))
  done <"$WORK/sums-$2"
  recreates=$((recreates + 1)); lost=$((lost + missing))
  [ "$missing" -eq 0 ] || log "data lost in $2: $missing bytes"
  [ "$missing" -eq 0 ]
}
ctr_args() {  # ctr_args NAME REV [extra JSON]: the `container` arguments of a data-holding container
  jq -cn --arg name "$1" --arg rev "$2" --argjson extra "${3:-{\}}" \
    '{name: $name, image: "goship-test/busybox:latest", command: ["sleep", "600"], init: true, stop_timeout: 1,
      env: {REV: $rev}, volumes: [($name + "-vol:/named"), "/anon"]} + $extra'
}
cid() { DOCKER_HOST=$1 docker inspect -f '{{.Id}} {{.State.Status}}' "$2" 2>/dev/null || echo "none"; }

./scripts/collection-tree >/dev/null
cleanup_main

# === refused creates on the main engine ===========================================================
run net network "{\"name\": \"$P-net\", \"driver\": \"$P-nosuchdriver\"}"
check net "$REFUSED and (.failed_action | startswith(\"create network $P-net\"))" "absent docker network inspect $P-net"

run vol volume "{\"name\": \"$P-vol\", \"driver\": \"$P-nosuchdriver\"}"
check vol "$REFUSED and (.failed_action | startswith(\"create volume $P-vol\"))" "absent docker volume inspect $P-vol"

run ctr_runtime container "$(ctr_args $P-new 1 "{\"runtime\": \"$P-nosuchruntime\"}")"
check ctr_runtime "$REFUSED and (.msg | test(\"Unknown runtime\"))" "absent docker inspect $P-new"
docker volume rm $P-new-vol >/dev/null 2>&1 || true  # a named volume the refused create may have made

D=$P-data
run data_create container "$(ctr_args $D 1)"
data_write "unix:///var/run/docker.sock" $D
before=$(cid unix:///var/run/docker.sock $D)
run ctr_recreate_runtime container "$(ctr_args $D 2 "{\"runtime\": \"$P-nosuchruntime\"}")"
check ctr_recreate_runtime "$REFUSED and (.msg | test(\"was not touched\"))" \
  '[ "$(cid unix:///var/run/docker.sock $D)" = "$before" ] && [ "$(docker ps -a -q --filter name=$D | wc -l)" = 1 ]'

printf 'FROM %s\nRUN exit 3\n' "$BB" >"$WORK/Dockerfile"
run img_build image "{\"name\": \"$P-img:build\", \"path\": \"$WORK\"}"
check img_build "$REFUSED" "absent docker image inspect $P-img:build"

# a docker save archive whose manifest is sound and whose layer is not
mkdir -p "$WORK/bad"; hex=$(printf 'gs-honest' | sha256sum | cut -d' ' -f1)
printf '[{"Config":"%s.json","RepoTags":["%s-img:load"],"Layers":["layer/layer.tar"]}]' "$hex" $P >"$WORK/bad/manifest.json"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$hex" >"$WORK/bad/$hex.json"
mkdir -p "$WORK/bad/layer"; echo "not a tar" >"$WORK/bad/layer/layer.tar"
tar -C "$WORK/bad" -cf "$WORK/bad.tar" manifest.json "$hex.json" layer
run img_load image "{\"name\": \"$P-img:load\", \"load_path\": \"$WORK/bad.tar\"}"
check img_load "$REFUSED" "absent docker image inspect $P-img:load"

# === data through an ordinary recreate, and interrupted runs ======================================
run data_recreate container "$(ctr_args $D 2)"
check data_recreate '.changed == true and (.actions[0] | startswith("recreate"))' 'data_lost unix:///var/run/docker.sock $D'

# a run killed after it created the replacement under its temporary name
id=$(docker inspect -f '{{.Id}}' $D)
docker create --name "${id:0:12}_$D" "$BB" sleep 600 >/dev/null
run left_check container "$(ctr_args $D 2)" --check
check left_check '.changed == true and (.actions == ["remove leftover container '"${id:0:12}_$D"' (the replacement an interrupted run created under its temporary name; volumes kept)"])' \
  'docker inspect "${id:0:12}_$D" >/dev/null'
run left_apply container "$(ctr_args $D 2)"
run left_again container "$(ctr_args $D 2)"
run left_check2 container "$(ctr_args $D 2)" --check
check left_apply '.changed == true and (.actions | length == 1) and (.actions[0] | startswith("remove leftover container"))' \
  'absent docker inspect "${id:0:12}_$D" && [ "$(cid unix:///var/run/docker.sock $D | cut -c1-64)" = "$id" ]'
check left_again '.changed == false and .actions == []'
check left_check2 '.changed == false'

# a run killed after it set the old container aside (the name free) and before the replacement took it
docker rename $D "${D}_replaced_${id:0:12}"
docker create --name "${id:0:12}_$D" "$BB" sleep 600 >/dev/null
run aside_apply container "$(ctr_args $D 2)"
check aside_apply '.changed == true and (.actions[0] | startswith("rename container '"${D}_replaced_${id:0:12}"' back to '"$D"'")) and (.actions[1] | startswith("remove leftover container '"${id:0:12}_$D"'"))' \
  '[ "$(cid unix:///var/run/docker.sock $D)" = "$id running" ] && [ "$(docker ps -a -q --filter name=$D | wc -l)" = 1 ] && data_lost unix:///var/run/docker.sock $D'
run aside_again container "$(ctr_args $D 2)"
check aside_again '.changed == false'
run data_recreate2 container "$(ctr_args $D 3)"
check data_recreate2 '.changed == true' 'data_lost unix:///var/run/docker.sock $D'

# === the test engine: swarm, and a dockerd killed during a start ==================================
bridge_up
containerd_up
runc_killer
engine_up
log "test engine up after $((SECONDS - t_start)) s"
docker save "$BB" | engine_docker load -q >/dev/null

run swarm swarm "{\"docker_host\": \"$TEST_HOST\", \"state\": \"present\", \"advertise_addr\": \"$P-nosuchiface\"}"
check swarm "$REFUSED" '[ "$(engine_docker info -f "{{.Swarm.LocalNodeState}}")" = inactive ]'


# A dockerd killed during a start. The container runs (data written), is stopped, and is started
# again with the killer armed: dockerd dies under `docker start`. Restarted, the engine itself must
# refuse to start it (case killed_stuck: the state is made, not assumed); then the module runs.
K=$P-killed
KARGS=$(ctr_args $K 1 "{\"docker_host\": \"$TEST_HOST\"}")
run killed_first container "$KARGS"
data_write "$TEST_HOST" $K
engine_docker stop -t 1 $K >/dev/null
old=$(engine_docker inspect -f '{{.Id}}' $K)
touch "$STATE/kill-armed"
engine_docker start $K >"$WORK/killed-start.out" 2>&1 || true
deadline=$((SECONDS + 60))
while [ -e "/proc/$ENGINE_PID" ] && ! grep -q ') Z ' "/proc/$ENGINE_PID/stat" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
  sleep 0.2
done
if [ -e "$STATE/kill-armed" ] || ! { [ ! -e "/proc/$ENGINE_PID" ] || grep -q ') Z ' "/proc/$ENGINE_PID/stat"; }; then
  log "dockerd was not killed during the start: $(cat "$WORK/killed-start.out")"
  engine_stop
else
  wait "$ENGINE_PID" 2>/dev/null || true
  log "dockerd killed during the start ($(tr '\n' ' ' <"$WORK/killed-start.out"))"
fi
engine_up
refused=0
for try in 1 2; do
  if out=$(engine_docker start $K 2>&1); then :; elif [[ $out == *"id already in use"* ]]; then refused=$((refused + 1)); fi
  log "docker start after the restart, try $try: $(tr '\n' ' ' <<<"$out")"
done
echo '{}' >"$WORK/killed_stuck.json"
check killed_stuck true '[ "$refused" = 2 ] && ctrd tasks ls | grep -q "^$old .*RUNNING"'

run killed_check container "$KARGS" --check
check killed_check '.changed == true and .failed == false' \
  'now=$(cid "$TEST_HOST" $K) && [ "${now% *}" = "$old" ] && [ "${now#* }" != running ]'
run killed_apply container "$KARGS"
check killed_apply '.changed == true and .failed == false and (.actions | length == 1)
  and (.actions[0] | startswith("recreate '$K' (the engine refused to start it: id already in use"))' \
  'now=$(cid "$TEST_HOST" $K) && [ "${now% *}" != "$old" ] && [ "${now#* }" = running ] && data_lost "$TEST_HOST" $K'
run killed_again container "$KARGS"
run killed_check2 container "$KARGS" --check
check killed_again '.changed == false and .actions == []'
check killed_check2 '.changed == false'
# the old task is beyond the engine's API: it runs on until containerd stops it (finish does)
if ctrd tasks ls | grep -q "^$old .*RUNNING"; then log "the stuck container's task still runs in containerd (ctr task kill stops it)"; fi
