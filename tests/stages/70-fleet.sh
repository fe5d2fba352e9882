#!/usr/bin/env bash
# The fleet (issue 7): 8 Docker hosts over SSH, registry-less shipping and a rolling deploy.
#   fleet up 8 → the docker_engine role starts the engine of hosts 1-2 (check, apply, no-op, check)
#   → ship (check mode, apply, no-op) → rollout v1 → no-op rollout → out-of-band drift on two
#   hosts found by the controller-planned probe and repaired → a live lock refuses
#   a run, an image the controller lacks is refused before the lock → a stale lock is reported and
#   taken over → rollout v2 where one host's new version fails its health check: it rolls back and
#   keeps serving v1, max_fail_percentage stops the rollout, the others keep serving, the lock is
#   released → a crashed run's lock is reported as stale → the re-run after the fix completes →
#   check mode → fleet down.
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
  "$FLEET" down || true
  docker rmi $APP:1 $APP:2 $APP:bad >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT

mkdir -p "$STATE/log"
# play LOGNAME EXTRA_INVENTORY PLAYBOOK [args...]: runs it bounded; sets $rc, log in $STATE/log.
# PLAYBOOK is relative to the collection's playbooks/ (or to the collection when it has a slash).
play() {
  local name=$1 inv=$2 book=$3; shift 3
  local t0=$SECONDS
  case $book in */*) book=$COLL/$book ;; *) book=$COLL/playbooks/$book ;; esac
  rc=0
  timeout 600 ansible-playbook -i "$STATE/inventory.ini" ${inv:+-i "$inv"} "$book" "$@" \
    > "$STATE/log/$name.log" 2>&1 || rc=$?
  echo "$name: rc=$rc in $((SECONDS - t0)) s"
  [ "$rc" -ne 124 ] || { tail -n 40 "$STATE/log/$name.log"; fail "$name timed out"; }
}
expect_rc() { [ "$rc" -eq "$1" ] || { tail -n 60 "$STATE/log/$2.log"; fail "$2: rc=$rc, expected $1"; }; }
changed_of() { sed -n "s/^$1 *: .*changed=\([0-9]*\).*/\1/p" "$STATE/log/$2.log"; }
expect_changed() {  # expect_changed LOG COUNT HOSTS... (COUNT "+": at least one change)
  local log=$1 want=$2 h got; shift 2
  for h in "$@"; do
    got=$(changed_of "$h" "$log")
    if [ "$want" = + ]; then [ "${got:-0}" -gt 0 ] && continue; elif [ "$got" = "$want" ]; then continue; fi
    tail -n 40 "$STATE/log/$log.log"; fail "$log: $h changed=$got, expected $want"
  done
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

# (fleet_* defaults such as fleet_health_timeout cannot be lowered in these files: the playbook's
# group_vars/all outrank an inventory file's group vars; see docs/fleet.md)
inv_with() {  # inv_with NAME LINES...: an extra inventory file layered over the fleet's
  printf '%s\n' "${@:2}" > "$STATE/$1.ini"
  echo "$STATE/$1.ini"
}
V1=$(inv_with v1 '[docker_hosts:vars]' "fleet_app_image=$APP:1" "ship_image_cache_dir=$STATE/cache")
V2=$(inv_with v2 '[docker_hosts:vars]' "fleet_app_image=$APP:2" "ship_image_cache_dir=$STATE/cache")
BAD=$(inv_with bad '[docker_hosts:vars]' "fleet_app_image=$APP:2" "ship_image_cache_dir=$STATE/cache" \
  '[docker_hosts]' "${H}3 fleet_app_image=$APP:bad")

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
grep -q "\"$APP:1\"" "$STATE/log/ship-check.log" || fail "check mode does not name the image"
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

step "rollout v1 again: a no-op"
play noop-v1 "$V1" fleet_rollout.yml
expect_rc 0 noop-v1
expect_changed noop-v1 0 $(hosts 1 $N)

step "drift made out of band is found by the probe (planned on the controller) and repaired"
# h2's restart policy changed in place, h4's app stopped; the others stay as they are
docker exec ${H}2 docker update --restart=no gs-fleet-app >/dev/null
docker exec ${H}4 docker stop -t 1 gs-fleet-app >/dev/null
play drift-v1 "$V1" fleet_rollout.yml
expect_rc 0 drift-v1
expect_changed drift-v1 + ${H}2 ${H}4
expect_changed drift-v1 0 ${H}1 ${H}3 $(hosts 5 $N)
[ "$(docker exec ${H}2 docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' gs-fleet-app)" = unless-stopped ] ||
  fail "h2: restart policy not repaired"
docker exec ${H}2 tail -n 1 /var/log/goship/deploy.log | grep '"result": "deployed"' | grep -q 'restart_policy differs' ||
  { docker exec ${H}2 tail -n 1 /var/log/goship/deploy.log; fail "h2: the audit line does not say what the probe found"; }
expect_versions "1 1 1 1 1 1 1 1"

step "an image the controller lacks is refused before the lock is taken"
NOIMG=$(inv_with noimg '[docker_hosts:vars]' "fleet_app_image=$APP:1" "ship_image_cache_dir=$STATE/cache" \
  '[docker_hosts]' "${H}4 fleet_app_image=$APP:nope")
play no-image "$NOIMG" fleet_rollout.yml
expect_rc 2 no-image
grep -q "fleet_app_image: the controller's engine has no image $APP:nope (hosts: ${H}4)" "$STATE/log/no-image.log" ||
  { tail -n 30 "$STATE/log/no-image.log"; fail "the refusal does not name the image and its host"; }
docker exec ${H}1 test ! -e /var/lib/goship/deploy.lock || fail "a refused run left a lock"

step "a lock held by a live run elsewhere refuses the run, naming who and when"
docker exec ${H}1 sh -c 'mkdir -p /var/lib/goship/deploy.lock && printf "%s\n" \
  "{\"id\": \"run-elsewhere\", \"user\": \"alice\", \"controller\": \"ops-laptop\", \"pid\": 4242, \"started\": \"2026-01-02T03:04:05Z\", \"epoch\": $(date +%s)}" \
  > /var/lib/goship/deploy.lock/owner.json'
play locked "$V2" fleet_rollout.yml
expect_rc 2 locked
grep -q 'held by alice@ops-laptop (run run-elsewhere, pid 4242) since 2026-01-02T03:04:05Z' "$STATE/log/locked.log" ||
  { tail -n 30 "$STATE/log/locked.log"; fail "the refusal does not say who/when"; }
expect_versions "1 1 1 1 1 1 1 1"

step "that lock goes stale (older than fleet_lock_ttl): reported with who/when and taken over; h3's new version fails"
docker exec ${H}1 sed -i 's/"epoch": [0-9]*/"epoch": 1000/' /var/lib/goship/deploy.lock/owner.json
play rollout-bad "$BAD" fleet_rollout.yml
expect_rc 2 rollout-bad
grep -q "STALE deploy lock on ${H}1: held by alice@ops-laptop (run run-elsewhere, pid 4242) since 2026-01-02T03:04:05Z" \
  "$STATE/log/rollout-bad.log" || fail "the stale lock is not reported with who/when"
grep -q "$APP:bad failed on ${H}3 .*rolled back to $APP:1" "$STATE/log/rollout-bad.log" ||
  { tail -n 40 "$STATE/log/rollout-bad.log"; fail "h3 did not report its rollback"; }
# batches [1, 25%, 50%] of 8: h1 | h2 h3 | h4..h7 | h8 ; 1 of 2 failed > 25%: h4..h8 never started
expect_versions "2 2 1 1 1 1 1 1"
for h in $(hosts 4 $N); do  # untouched by the stopped run: only the audit lines of the three v1 runs
  n=$(docker exec "$h" grep -c '"run": ' /var/log/goship/deploy.log)
  [ "$n" -eq 3 ] || fail "$h: $n audit lines; the stopped rollout must not have reached it"
done
docker exec ${H}3 tail -n 1 /var/log/goship/deploy.log | grep -q '"result": "rolled_back"' || fail "h3: no rolled_back audit line"
# the batch that stopped the run released the lock before its hosts failed
grep -q "deploy lock /var/lib/goship/deploy.lock on ${H}1 released: 1 of 2 hosts of the batch failed (more than 25%)" \
  "$STATE/log/rollout-bad.log" || { tail -n 40 "$STATE/log/rollout-bad.log"; fail "the stopping batch did not release the lock"; }
docker exec ${H}1 test ! -e /var/lib/goship/deploy.lock || fail "the stopped run left its lock behind"

step "a run that crashed (its ansible-playbook is gone) left its lock: reported as stale with who/when; the re-run completes"
sleep 0 & dead_pid=$!; wait "$dead_pid"   # a pid whose process has exited
docker exec ${H}1 sh -c "mkdir -p /var/lib/goship/deploy.lock && printf '%s\n' \
  '{\"id\": \"run-crashed\", \"user\": \"$(id -un)\", \"controller\": \"$(hostname)\", \"pid\": $dead_pid, \"started\": \"2026-01-02T03:04:05Z\", \"epoch\": $(date +%s)}' \
  > /var/lib/goship/deploy.lock/owner.json"
play rollout-fixed "$V2" fleet_rollout.yml
expect_rc 0 rollout-fixed
expect_versions "2 2 2 2 2 2 2 2"
grep -q "STALE deploy lock on ${H}1: held by $(id -un)@$(hostname) (run run-crashed, pid $dead_pid) since 2026-01-02T03:04:05Z; its run is gone" \
  "$STATE/log/rollout-fixed.log" || { grep -i lock "$STATE/log/rollout-fixed.log" | tail; fail "the crashed run's lock is not reported as stale with who/when"; }
grep -q "deploy lock /var/lib/goship/deploy.lock on ${H}1 released: the run is complete" "$STATE/log/rollout-fixed.log" ||
  fail "the completed run does not report its release"
expect_changed rollout-fixed 0 ${H}2   # already on v2 since the stopped run
docker exec ${H}1 test ! -e /var/lib/goship/deploy.lock || fail "lock not released"
for h in $(hosts 1 $N); do
  n=$(docker exec "$h" grep -c '"run": ' /var/log/goship/deploy.log)
  [ "$n" -ge 3 ] || fail "$h: $n audit lines, expected one per deploy run"
done

step "check mode predicts a rollout back to v1 and changes nothing"
play check-v1 "$V1" fleet_rollout.yml --check
expect_rc 0 check-v1
expect_changed check-v1 1 $(hosts 1 $N)
expect_versions "2 2 2 2 2 2 2 2"

step "the tag moved on the controller (same name, another image ID): every host gets the new ID"
# The hosts' own $APP:2 still matches their containers, so only the controller's ID can tell
docker tag $APP:1 $APP:2
play moved-tag "$V2" fleet_rollout.yml
expect_rc 0 moved-tag
expect_changed moved-tag + $(hosts 1 $N)
expect_versions "1 1 1 1 1 1 1 1"
for h in $(hosts 1 $N); do
  [ "$(docker exec "$h" docker inspect -f '{{.Image}}' gs-fleet-app)" = "$want_id" ] || fail "$h: not running the moved tag's ID"
done

step "fleet down"
"$FLEET" down
[ -z "$(docker ps -aq --filter name="^${H}[0-9]")" ] || fail "fleet hosts left behind"
echo "70-fleet: OK in $((SECONDS - t_stage)) s"
