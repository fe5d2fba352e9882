#!/usr/bin/env bash
# The fleet (issue 7): 8 Docker hosts over SSH, registry-less shipping and a rolling deploy.
#   fleet up 8 → the docker_engine role starts the engine of hosts 1-2 (check, apply, no-op, check)
#   → ship (check mode, apply, no-op) → rollout v1 → no-op rollout → out-of-band drift on two
#   hosts found by the controller-planned probe and repaired → a live lock refuses
#   a run, an image the controller lacks is refused before the lock → a stale lock is reported and
#   taken over → rollout v2 where one host's new version fails its health check: it rolls back and
#   keeps serving v1, max_fail_percentage stops the rollout, the others keep serving, the lock is
#   released → a crashed run's lock is reported as stale → the re-run after the fix completes →
#   check mode → a tag moved on the controller, rolled out by the role in one play → image
#   retention on two hosts (versions 3-5, keep 2; a stopped container's image stays) → fleet down.
# Assertions read data: each run's task results and stats as JSON lines (the test-only callback
# tests/support/callback_plugins/goship_results.py, queried with tests/support/results), the
# hosts' JSON audit lines, docker inspect and what the apps answer; never the PLAY RECAP's text or
# a message's wording.
# Bounded: every playbook has its own time limit; the whole stage takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=${ROOT:-$PWD}
COLL=${COLL:-$(./scripts/collection-tree)}
export GS_FLEET_STATE=${GS_FLEET_STATE:-/tmp/gs-fleet-stage}
STATE=$GS_FLEET_STATE
# GS_FLEET_PREFIX (tests/fleet/fleet) names the hosts; a fleet of another prefix gets its own image tags
H=${GS_FLEET_PREFIX:-gs-fleet-h}
APP=goship-fleet/app
[ "$H" = gs-fleet-h ] || APP=goship-fleet/${H#gs-fleet-}-app
FLEET="$ROOT/tests/fleet/fleet"
N=8
t_stage=$SECONDS
step() { printf '\n--- [%3ds] %s\n' "$((SECONDS - t_stage))" "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
  # GS_FLEET_KEEP_LOGS=DIR keeps the runs' output and JSON results there
  [ -z "${GS_FLEET_KEEP_LOGS:-}" ] || { mkdir -p "$GS_FLEET_KEEP_LOGS" && cp -r "$STATE/log/." "$GS_FLEET_KEEP_LOGS/"; } || true
  "$FLEET" down || true
  docker rmi $APP:1 $APP:2 $APP:bad $APP:3 $APP:4 $APP:5 >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT

mkdir -p "$STATE/log"
results() { python3 "$ROOT/tests/support/results.py" "$@"; }
# play LOGNAME EXTRA_INVENTORY PLAYBOOK [args...]: runs it bounded; sets $rc. The output goes to
# $STATE/log/LOGNAME.log (for people), every task result and the stats to LOGNAME.jsonl (for the
# assertions). PLAYBOOK is relative to the collection's playbooks/ (or to the collection when it
# has a slash).
play() {
  local name=$1 inv=$2 book=$3; shift 3
  local t0=$SECONDS
  case $book in */*) book=$COLL/$book ;; *) book=$COLL/playbooks/$book ;; esac
  rc=0
  rm -f "$STATE/log/$name.jsonl"
  GOSHIP_RESULTS="$STATE/log/$name.jsonl" ANSIBLE_CALLBACK_PLUGINS="$ROOT/tests/support/callback_plugins" \
    ANSIBLE_CALLBACKS_ENABLED=goship_results \
    timeout 600 ansible-playbook -i "$STATE/inventory.ini" ${inv:+-i "$inv"} "$book" "$@" \
    > "$STATE/log/$name.log" 2>&1 || rc=$?
  echo "$name: rc=$rc in $((SECONDS - t0)) s"
  [ "$rc" -ne 124 ] || { tail -n 40 "$STATE/log/$name.log"; fail "$name timed out"; }
  [ -s "$STATE/log/$name.jsonl" ] || { tail -n 40 "$STATE/log/$name.log"; fail "$name: no JSON results"; }
}
expect_rc() { [ "$rc" -eq "$1" ] || { tail -n 60 "$STATE/log/$2.log"; fail "$2: rc=$rc, expected $1"; }; }
expect_changed() {  # expect_changed LOG COUNT HOSTS... (COUNT "+": at least one change), from the run's stats
  local log=$1 want=$2 h got; shift 2
  for h in "$@"; do
    got=$(results "$STATE/log/$log.jsonl" changed "$h")
    if [ "$want" = + ]; then [ "${got:-0}" -gt 0 ] && continue; elif [ "$got" = "$want" ]; then continue; fi
    tail -n 40 "$STATE/log/$log.log"; fail "$log: $h changed=$got, expected $want"
  done
}
# expect LOG WHAT 'PYTHON EXPRESSION': true of the run's results (see tests/support/results)
expect() { results "$STATE/log/$1.jsonl" expect "$3" || fail "$1: $2"; }
LOCK_ACTION=goship.containers.deploy_lock CONTAINER_ACTION=goship.containers.container PLAN_ACTION=goship.containers.container_plan
export APP H LOCK_ACTION CONTAINER_ACTION PLAN_ACTION
# audit_of HOST [N]: the host's last N audit lines (JSON, one per line)
audit_of() { docker exec "$1" tail -n "${2:-1}" /var/log/goship/deploy.log; }
audit_expect() {  # audit_expect HOST WHAT 'EXPRESSION over a (the last audit line) and lines (all)'
  audit_of "$1" 1000 | python3 -c '
import json, os, sys
env = os.environ
lines = [json.loads(l) for l in sys.stdin if l.strip()]
a = lines[-1] if lines else {}
sys.exit(0 if eval(sys.argv[1]) else 1)' "$3" || { audit_of "$1" 3 >&2; fail "$1: $2"; }
}
hosts() { local i; for i in $(seq "$1" "$2"); do echo "${H}$i"; done; }
engine_answers() { docker exec "$1" docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

step "fleet up $N"
# Hosts 1..K start without dockerd and the docker_engine role starts it (tests/fleet/engine.yml);
# the others start dockerd themselves. K=GS_FLEET_ROLE_HOSTS, default 2: on 2 cores the role's
# ~20 tasks cost about 4x more on 8 hosts than on 2, for the same evidence. 0: no role at all.
K=${GS_FLEET_ROLE_HOSTS:-2}
[ "$K" -eq 0 ] || export GS_FLEET_ENGINE=role:$K
"$FLEET" up "$N"
eval "$("$FLEET" env)"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build" ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1
if [ "$K" -gt 0 ]; then
  t_role=$SECONDS
  step "docker_engine role on hosts 1..$K: check mode, apply, apply again (no change), check mode (no change)"
  # exact counts of the first runs belong to the role (it has its own tests); here: some change
  # is predicted/made, nothing is started in check mode, and the second run changes nothing
  play engine-check "" tests/fleet/engine.yml --check
  expect_rc 0 engine-check
  expect_changed engine-check + $(hosts 1 "$K")
  for h in $(hosts 1 "$K"); do ! engine_answers "$h" || fail "$h: check mode started the engine"; done
  play engine "" tests/fleet/engine.yml
  expect_rc 0 engine
  expect_changed engine + $(hosts 1 "$K")
  play engine-again "" tests/fleet/engine.yml
  expect_rc 0 engine-again
  expect_changed engine-again 0 $(hosts 1 "$K")
  play engine-check-again "" tests/fleet/engine.yml --check
  expect_rc 0 engine-check-again
  expect_changed engine-check-again 0 $(hosts 1 "$K")
  echo "docker_engine role: $((SECONDS - t_role)) s for the four runs on $K hosts"
fi
for h in $(hosts 1 $N); do engine_answers "$h" || fail "$h: no engine"; done
# our own tags: the shared goship-test/* images may be rebuilt by others while this stage runs
for t in 1 2 bad; do docker tag "goship-test/app:$t" "$APP:$t"; done

inv_with() {  # inv_with NAME LINES...: an extra inventory file layered over the fleet's
  printf '%s\n' "${@:2}" > "$STATE/$1.ini"
  echo "$STATE/$1.ini"
}
V1=$(inv_with v1 '[docker_hosts:vars]' "fleet_rollout_app_image=$APP:1" "ship_image_cache_dir=$STATE/cache")
V2=$(inv_with v2 '[docker_hosts:vars]' "fleet_rollout_app_image=$APP:2" "ship_image_cache_dir=$STATE/cache")
BAD=$(inv_with bad '[docker_hosts:vars]' "fleet_rollout_app_image=$APP:2" "ship_image_cache_dir=$STATE/cache" \
  '[docker_hosts]' "${H}3 fleet_rollout_app_image=$APP:bad")

app_port() { sed -n "s/^$1 .*app_port=\([0-9]*\).*/\1/p" "$STATE/inventory.ini"; }
version_of() { curl -fsS --max-time 3 "http://127.0.0.1:$(app_port "$1")/version" 2>/dev/null || echo down; }
expect_versions() {  # expect_versions "v1 v2 ...": what each host serves, over 127.0.0.1 only
  local want=$1 got="" i
  for i in $(seq 1 $N); do got="$got $(version_of "${H}$i")"; done
  [ "${got# }" = "$want" ] || fail "hosts serve '${got# }', expected '$want'"
  echo "hosts serve: $want"
}
has_image() { docker exec "$1" docker image inspect "$2" >/dev/null 2>&1; }

step "ship in check mode: predicts, copies nothing"
play ship-check "$V1" ship_image.yml --check -e "{\"ship_image_names\": [\"$APP:1\"]}"
expect_rc 0 ship-check
# h1 also carries the controller's run_once steps: the cache directory and the archive it would write
expect_changed ship-check 3 ${H}1
expect_changed ship-check 1 $(hosts 2 $N)
expect ship-check "check mode names what each host would receive" \
  'len(R(action="ansible.builtin.debug", status="changed")) == 8 and all(r["result"]["msg"] == {"copy_and_load": [env["APP"] + ":1"], "retag": []} for r in R(action="ansible.builtin.debug"))'
expect ship-check "check mode copies and loads nothing" 'not R(action="ansible.builtin.copy", status=["ok", "changed"]) and not R(action="goship.containers.image", status=["ok", "changed"], task="load")' 
! has_image ${H}1 $APP:1 || fail "check mode shipped the image"
[ ! -d "$STATE/cache" ] || [ -z "$(ls -A "$STATE/cache")" ] || fail "check mode wrote an archive"

step "ship: copies to every host, then a re-run changes nothing"
play ship "$V1" ship_image.yml -e "{\"ship_image_names\": [\"$APP:1\"]}"
expect_rc 0 ship
expect_changed ship 3 $(hosts 2 $N)   # copy, load, remove the copied archive
expect_changed ship 5 ${H}1     # and, once for the play, the cache directory and the archive
want_id=$(docker image inspect -f '{{.Id}}' $APP:1)
for h in $(hosts 1 $N); do
  [ "$(docker exec "$h" docker image inspect -f '{{.Id}}' $APP:1)" = "$want_id" ] || fail "$h: wrong image ID"
done
[ "$(ls "$STATE/cache")" = "${want_id#sha256:}.tar" ] || fail "archive cache: $(ls "$STATE/cache")"
play ship-again "$V1" ship_image.yml -e "{\"ship_image_names\": [\"$APP:1\"]}"
expect_rc 0 ship-again
expect_changed ship-again 0 $(hosts 1 $N)
play ship-check-again "$V1" ship_image.yml --check -e "{\"ship_image_names\": [\"$APP:1\"]}"
expect_rc 0 ship-check-again
expect_changed ship-check-again 0 $(hosts 1 $N)
# h5 lost the image: it gets the archive again; h6 lost only the tag (the image ID is still
# there under another name): the tag is pointed back, nothing is copied; the others are untouched
docker exec ${H}5 docker rmi $APP:1 >/dev/null
docker exec ${H}6 sh -c "docker tag $APP:1 gs-fleet-keep:1 && docker rmi $APP:1" >/dev/null
play ship-one "$V1" ship_image.yml -e "{\"ship_image_names\": [\"$APP:1\"]}"
expect_rc 0 ship-one
expect_changed ship-one 0 $(hosts 1 4) $(hosts 7 $N)
expect_changed ship-one 3 ${H}5
expect_changed ship-one 1 ${H}6
has_image ${H}5 $APP:1 || fail "h5 did not get the image back"
[ "$(docker exec ${H}6 docker image inspect -f '{{.Id}}' $APP:1)" = "$want_id" ] || fail "h6: tag not restored"

step "rollout v1 (first deploy)"
play deploy-v1 "$V1" fleet_rollout.yml
expect_rc 0 deploy-v1
expect_versions "1 1 1 1 1 1 1 1"
expect deploy-v1 "every host deployed once, health-gated" \
  'len(R(action=env["CONTAINER_ACTION"], task="run the new version", status="changed")) == 8 and len(R(action="ansible.builtin.uri", status="ok")) == 8'
expect deploy-v1 "the lock was taken once and released once, at the end" \
  'R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["holder_status"] == "free" and one(action=env["LOCK_ACTION"], task="release", status="ok")["result"]["released"]'
for h in $(hosts 1 $N); do
  audit_expect "$h" "no 'deployed' audit line for v1" 'a["result"] == "deployed" and a["to"] == env["APP"] + ":1" and a["from"] is None and a["image_id"].startswith("sha256:")'
done

step "rollout v1 again: a no-op"
play noop-v1 "$V1" fleet_rollout.yml
expect_rc 0 noop-v1
expect_changed noop-v1 0 $(hosts 1 $N)
expect noop-v1 "a no-op probes each host once and deploys, ships or gates nothing" \
  'len(R(action=env["PLAN_ACTION"], task="Probe", status="ok")) == 8 and all(r["result"]["actions"] == [] for r in R(action=env["PLAN_ACTION"])) and not R(action=env["CONTAINER_ACTION"]) and not R(action="ansible.builtin.uri") and not R(action="goship.containers.image_info", status="ok", task="on the host")'
for h in $(hosts 1 $N); do audit_expect "$h" "no 'unchanged' audit line" 'a["result"] == "unchanged" and a["run"] != lines[-2]["run"]'; done

step "drift made out of band is found by the probe (planned on the controller) and repaired"
# h2's restart policy changed in place, h4's app stopped; the others stay as they are
docker exec ${H}2 docker update --restart=no gs-fleet-app >/dev/null
docker exec ${H}4 docker stop -t 1 gs-fleet-app >/dev/null
play drift-v1 "$V1" fleet_rollout.yml
expect_rc 0 drift-v1
expect_changed drift-v1 + ${H}2 ${H}4
expect_changed drift-v1 0 ${H}1 ${H}3 $(hosts 5 $N)
expect drift-v1 "the probe finds h2's restart policy and h4's stopped container" \
  'one(action=env["PLAN_ACTION"], task="Probe", host=env["H"] + "2")["result"]["differences"] == ["restart_policy"] and one(action=env["PLAN_ACTION"], task="Probe", host=env["H"] + "4")["result"]["actions"] != [] and sorted(r["host"] for r in R(action=env["CONTAINER_ACTION"], task="run the new version", status="changed")) == [env["H"] + "2", env["H"] + "4"]'
[ "$(docker exec ${H}2 docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' gs-fleet-app)" = unless-stopped ] ||
  fail "h2: restart policy not repaired"
audit_expect ${H}2 "the audit line does not record the repair" 'a["result"] == "deployed" and "restart_policy" in a["detail"]'
audit_expect ${H}1 "h1 is not recorded as unchanged" 'a["result"] == "unchanged"'
expect_versions "1 1 1 1 1 1 1 1"

step "an image the controller lacks is refused before the lock is taken"
NOIMG=$(inv_with noimg '[docker_hosts:vars]' "fleet_rollout_app_image=$APP:1" "ship_image_cache_dir=$STATE/cache" \
  '[docker_hosts]' "${H}4 fleet_rollout_app_image=$APP:nope")
play no-image "$NOIMG" fleet_rollout.yml
expect_rc 2 no-image
expect no-image "the refusal does not name the image and its host" \
  'one(action="goship.containers.image_info")["result"]["missing"] == [env["APP"] + ":nope"] and env["H"] + "4" in one(action="ansible.builtin.fail", status="failed")["result"]["msg"].split("hosts: ")[-1]'
expect no-image "a refused run took the lock or probed" 'not R(action=env["LOCK_ACTION"]) and not R(action=env["PLAN_ACTION"]) and not R(action=env["CONTAINER_ACTION"])'
docker exec ${H}1 test ! -e /var/lib/goship/deploy.lock || fail "a refused run left a lock"

step "a lock held by a live run elsewhere refuses the run, naming who and when"
docker exec ${H}1 sh -c 'mkdir -p /var/lib/goship/deploy.lock && printf "%s\n" \
  "{\"id\": \"run-elsewhere\", \"user\": \"alice\", \"controller\": \"ops-laptop\", \"pid\": 4242, \"started\": \"2026-01-02T03:04:05Z\", \"epoch\": $(date +%s)}" \
  > /var/lib/goship/deploy.lock/owner.json'
play locked "$V2" fleet_rollout.yml
expect_rc 2 locked
expect locked "the refusal does not say who/when" \
  'one(action=env["LOCK_ACTION"], status="failed")["result"]["holder_status"] == "live" and {k: one(action=env["LOCK_ACTION"])["result"]["holder"][k] for k in ("user", "controller", "id", "pid", "started")} == {"user": "alice", "controller": "ops-laptop", "id": "run-elsewhere", "pid": 4242, "started": "2026-01-02T03:04:05Z"}'
expect locked "a refused run went on" 'not R(action=env["PLAN_ACTION"]) and not R(action=env["CONTAINER_ACTION"])'
expect_versions "1 1 1 1 1 1 1 1"

step "that lock goes stale (older than the stale_after rule): reported with who/when and taken over; h3's new version fails"
docker exec ${H}1 sed -i 's/"epoch": [0-9]*/"epoch": 1000/' /var/lib/goship/deploy.lock/owner.json
play rollout-bad "$BAD" fleet_rollout.yml
expect_rc 2 rollout-bad
expect rollout-bad "the stale lock is not reported with who/when" \
  'R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["stale_by"] == "age" and R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["broken"]["user"] == "alice" and R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["broken"]["started"] == "2026-01-02T03:04:05Z"'
audit_expect ${H}1 "no audit line for the stale lock taken over" \
  'any(l.get("event") == "stale_lock_taken_over" and l["stale_holder"]["id"] == "run-elsewhere" and l["stale_by"] == "age" for l in lines[-3:])'
# batches [1, 25%, 50%] of 8: h1 | h2 h3 | h4..h7 | h8 ; 1 of 2 failed > 25%: h4..h8 never started
expect_versions "2 2 1 1 1 1 1 1"
expect rollout-bad "h3 did not roll back, or failed in the wrong place" \
  'one(action="ansible.builtin.fail", status="failed")["host"] == env["H"] + "3" and one(action=env["CONTAINER_ACTION"], task="roll back", host=env["H"] + "3")["status"] == "changed"'
# (h2, in h3's batch, may not get to it: Ansible stops the play when h3 fails, as for its audit line)
expect rollout-bad "image retention did not run after h1's deploy, or ran on h3 after its rollback" \
  '{r["host"] for r in R(action="goship.containers.prune")} - {env["H"] + "2"} == {env["H"] + "1"}'
expect rollout-bad "hosts after the stopping batch were deployed" \
  'sorted(r["host"] for r in R(action=env["CONTAINER_ACTION"], task="run the new version")) == [env["H"] + "1", env["H"] + "2", env["H"] + "3"]'
want_v1=$(docker image inspect -f '{{.Id}}' $APP:1)
[ "$(docker exec ${H}3 docker inspect -f '{{.Image}}' gs-fleet-app)" = "$want_v1" ] || fail "h3 does not run v1 again"
audit_expect ${H}3 "no rolled_back audit line" 'a["result"] == "rolled_back" and a["from"] == env["APP"] + ":1" and a["to"] == env["APP"] + ":bad"'
for h in $(hosts 4 $N); do  # untouched by the stopped run: only the audit lines of the three v1 runs
  audit_expect "$h" "the stopped rollout reached it" 'len([l for l in lines if "run" in l]) == 3'
done
# the failing host released the lock before it failed: Ansible stopped the run right after
expect rollout-bad "the failing host did not release the lock" \
  'one(action=env["LOCK_ACTION"], task="release", status="ok")["host"] == env["H"] + "3" and one(action=env["LOCK_ACTION"], task="release", status="ok")["result"]["released"]'
docker exec ${H}1 test ! -e /var/lib/goship/deploy.lock || fail "the stopped run left its lock behind"

step "a run that crashed (its ansible-playbook is gone) left its lock: reported as stale with who/when; the re-run completes"
sleep 0 & dead_pid=$!; wait "$dead_pid"   # a pid whose process has exited
docker exec ${H}1 sh -c "mkdir -p /var/lib/goship/deploy.lock && printf '%s\n' \
  '{\"id\": \"run-crashed\", \"user\": \"$(id -un)\", \"controller\": \"$(hostname)\", \"pid\": $dead_pid, \"started\": \"2026-01-02T03:04:05Z\", \"epoch\": $(date +%s)}' \
  > /var/lib/goship/deploy.lock/owner.json"
play rollout-fixed "$V2" fleet_rollout.yml
expect_rc 0 rollout-fixed
expect_versions "2 2 2 2 2 2 2 2"
export DEAD_PID=$dead_pid
expect rollout-fixed "the crashed run's lock is not reported as stale with who/when" \
  'R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["stale_by"] == "process" and R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["broken"]["id"] == "run-crashed" and R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["broken"]["pid"] == int(env["DEAD_PID"])'
expect rollout-fixed "the completed run does not release the lock at its end" \
  'one(action=env["LOCK_ACTION"], task="release", status="ok")["result"]["released"] and one(action=env["LOCK_ACTION"], task="release", status="ok")["result"]["run"]["id"] == R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["run"]["id"]'
expect_changed rollout-fixed 0 ${H}2   # already on v2 since the stopped run
docker exec ${H}1 test ! -e /var/lib/goship/deploy.lock || fail "lock not released"
for h in $(hosts 1 $N); do
  audit_expect "$h" "fewer audit lines than deploy runs" 'len([l for l in lines if "result" in l]) >= 3'
done

step "check mode predicts a rollout back to v1 and changes nothing"
play check-v1 "$V1" fleet_rollout.yml --check
expect_rc 0 check-v1
expect_changed check-v1 1 $(hosts 1 $N)
expect check-v1 "check mode took the lock or wrote audit lines" \
  'all(r["status"] == "skipped" for r in R(action=env["LOCK_ACTION"])) and all(r["status"] == "skipped" for r in R(action="ansible.builtin.raw", task="Audit"))'
expect_versions "2 2 2 2 2 2 2 2"

step "the tag moved on the controller (same name, another image ID): every host gets the new ID (the role in one play)"
# The hosts' own $APP:2 still matches their containers, so only the controller's ID can tell.
# tests/fleet/one_play.yml: the role's main entry point in one serial play, as a user includes it
docker tag $APP:1 $APP:2
play moved-tag "$V2" tests/fleet/one_play.yml
expect_rc 0 moved-tag
expect_changed moved-tag + $(hosts 1 $N)
expect moved-tag "the one-play rollout did not take the lock once, keep it per batch and release it at the end" \
  'R(action=env["LOCK_ACTION"], task="take it")[0]["result"]["holder_status"] == "free" and all(r["result"]["holder_status"] == "own" for r in R(action=env["LOCK_ACTION"], task="take it")[1:]) and one(action=env["LOCK_ACTION"], task="release", status="ok")["result"]["released"]'
# the hosts have that ID already (as $APP:1): the ship role only points their $APP:2 tag at it
expect moved-tag "each host was not retagged and deployed" \
  'len(R(action=env["CONTAINER_ACTION"], task="run the new version", status="changed")) == 8 and len(R(action="goship.containers.image", task="point tags", status="changed")) == 8 and not R(action="ansible.builtin.copy", status=["ok", "changed"])'
docker exec ${H}1 test ! -e /var/lib/goship/deploy.lock || fail "the one-play rollout left its lock"
expect_versions "1 1 1 1 1 1 1 1"
for h in $(hosts 1 $N); do
  [ "$(docker exec "$h" docker inspect -f '{{.Image}}' gs-fleet-app)" = "$want_id" ] || fail "$h: not running the moved tag's ID"
done

step "image retention: versions 3, 4, 5 on h7 and h8 (keep 3, then 2): only the last tags stay; an image a stopped container uses stays"
# Three versions with IDs of their own (a label each; --no-cache, so each is newer than the last
# and than the hosts' tags of the step above), rolled out on two hosts only. After 5 with keep 2,
# h7 has 4 and 5; h8 keeps 3 as well: a stopped container made out of band uses it.
for v in 3 4 5; do
  printf 'FROM %s\nLABEL io.goship.test.fleet-version=%s\n' "$APP:1" "$v-$(date +%s%N)" |
    DOCKER_BUILDKIT=0 docker build -q --no-cache -t "$APP:$v" - >/dev/null
done
id_of() { docker image inspect -f '{{.Id}}' "$1"; }
ID1=$(id_of $APP:1) ID3=$(id_of $APP:3)
export ID1 ID3
tags_on() { docker exec "$1" docker images --format '{{.Tag}}' "$APP" | sort | tr '\n' ' '; }
RET="${H}7,${H}8"
KEEP2=$(inv_with keep2 '[docker_hosts:vars]' "ship_image_cache_dir=$STATE/cache" "fleet_rollout_keep_versions=2")
play keep-v3 "$V1" fleet_rollout.yml --limit "$RET" -e "fleet_rollout_app_image=$APP:3"
expect_rc 0 keep-v3
expect keep-v3 "with keep 3 and two versions, retention did not run on both hosts or removed something" \
  'sorted(r["host"] for r in R(action="goship.containers.prune", status="ok")) == [env["H"] + "7", env["H"] + "8"] and all(r["result"]["versions"][0]["keep"] == 3 and r["result"]["versions"][0]["repository"] == env["APP"] and r["result"]["versions"][0]["removed"] == [] for r in R(action="goship.containers.prune"))'
docker exec ${H}8 docker create --name gs-fleet-pin $APP:3 >/dev/null
play keep-v4 "$KEEP2" fleet_rollout.yml --limit "$RET" -e "fleet_rollout_app_image=$APP:4"
expect_rc 0 keep-v4
expect keep-v4 "with keep 2, version 1 (tags 1 and 2) did not go on both hosts" \
  'len(R(action="goship.containers.prune", status="changed")) == 2 and all(r["result"]["versions"][0]["removed"] == [env["ID1"]] and sorted(r["result"]["versions"][0]["references"]) == [env["APP"] + ":1", env["APP"] + ":2"] for r in R(action="goship.containers.prune"))'
play keep-v5 "$KEEP2" fleet_rollout.yml --limit "$RET" -e "fleet_rollout_app_image=$APP:5"
expect_rc 0 keep-v5
expect keep-v5 "h7 did not remove version 3, or h8 did not keep it for its stopped container" \
  'one(action="goship.containers.prune", host=env["H"] + "7")["result"]["versions"][0]["removed"] == [env["ID3"]] and one(action="goship.containers.prune", host=env["H"] + "8")["result"]["versions"][0]["in_use"] == [env["ID3"]] and one(action="goship.containers.prune", host=env["H"] + "8")["result"]["versions"][0]["removed"] == []'
[ "$(tags_on ${H}7)" = "4 5 " ] || fail "${H}7: after 3, 4, 5 with keep 2 the tags are: $(tags_on ${H}7)"
[ "$(tags_on ${H}8)" = "3 4 5 " ] || fail "${H}8: with a stopped container on 3, the tags are: $(tags_on ${H}8)"
[ "$(docker exec ${H}8 docker inspect -f '{{.Image}}' gs-fleet-pin)" = "$ID3" ] || fail "${H}8: the stopped container lost its image"
for h in ${H}7 ${H}8; do
  [ "$(docker exec "$h" docker inspect -f '{{.Image}}' gs-fleet-app)" = "$(id_of $APP:5)" ] || fail "$h: not running version 5"
done

step "fleet down"
"$FLEET" down
[ -z "$(docker ps -aq --filter name="^${H}[0-9]")" ] || fail "fleet hosts left behind"
echo "70-fleet: OK in $((SECONDS - t_stage)) s"
