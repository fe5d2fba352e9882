#!/usr/bin/env bash
# Fleet benchmark (issue 7): N Docker hosts over SSH (default 8), forks = N, playbooks/fleet_rollout.yml.
#   benchmarks/fleet_bench.sh [N] [REPEATS]
# Measures (wall-clock seconds of ansible-playbook; medians of REPEATS runs where repeated):
#   first deploy      v1 to every host at once (fleet_rollout_serial ["100%"]), image shipping included
#   no-op, N hosts    the same run again: nothing to ship, nothing to change
#   no-op, 1 host     the same run limited to one host (the target: N-host no-op <= 1.5x this);
#                     N-host and 1-host runs alternate and the ratio is the median of the pairs' ratios
#   no-op, batches    a no-op with the default batches [1, "25%", "50%"] (4 sequential batches)
#   rolling update    v1 -> v2 with the default batches, canary first, health-gated
# Uses its own fleet (hosts gs-fleet-b1..bN) and image tags (goship-fleet/bench-app:*), removed at the end;
# GS_FLEET_PREFIX and GS_FLEET_STATE (tests/fleet/fleet) choose another fleet, e.g. beside a running one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-8}
REPEATS=${2:-3}
export GS_FLEET_STATE=${GS_FLEET_STATE:-/tmp/gs-fleet-bench} GS_FLEET_PREFIX=${GS_FLEET_PREFIX:-gs-fleet-b}
STATE=$GS_FLEET_STATE
APP=goship-fleet/bench-app
[ "$GS_FLEET_PREFIX" = gs-fleet-b ] || APP=goship-fleet/${GS_FLEET_PREFIX#gs-fleet-}-bench-app
FLEET="$ROOT/tests/fleet/fleet"
COLL=$(./scripts/collection-tree)
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build" ANSIBLE_NOCOLOR=1

cleanup() {
  "$FLEET" down >/dev/null 2>&1 || true
  docker rmi "$APP:1" "$APP:2" >/dev/null 2>&1 || true
}
trap cleanup EXIT

t0=$SECONDS
"$FLEET" up "$N" 2>/dev/null
t_up=$((SECONDS - t0))
eval "$("$FLEET" env)"
for t in 1 2; do docker tag "goship-test/app:$t" "$APP:$t"; done
mkdir -p "$STATE/log"
vars() { printf '[docker_hosts:vars]\nfleet_rollout_app_image=%s:%s\nship_image_cache_dir=%s/cache\n' "$APP" "$1" "$STATE" > "$STATE/v$1.ini"; }
vars 1; vars 2
rm -rf "$STATE/cache"

run() {  # run NAME VERSION [ansible-playbook args...]: prints the seconds, fails loudly
  local name=$1 v=$2 start end; shift 2
  start=$(date +%s.%N)
  timeout 600 ansible-playbook -i "$STATE/inventory.ini" -i "$STATE/v$v.ini" "$COLL/playbooks/fleet_rollout.yml" "$@" \
    > "$STATE/log/$name.log" 2>&1 || { tail -n 30 "$STATE/log/$name.log" >&2; echo "benchmark run $name failed" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print('%.2f' % ($end - $start))"
}
changed_total() { sed -n 's/.* changed=\([0-9]*\).*/\1/p' "$STATE/log/$1.log" | paste -sd+ | bc; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
repeat() {  # repeat NAME VERSION args...: median of REPEATS runs, each must change nothing
  local name=$1 v=$2 i times=(); shift 2
  for i in $(seq 1 "$REPEATS"); do
    times+=("$(run "$name-$i" "$v" "$@")")
    [ "$(changed_total "$name-$i")" = 0 ] || { echo "$name-$i changed something" >&2; exit 1; }
  done
  median "${times[@]}"
}

ALL='{"fleet_rollout_serial": ["100%"]}'
first=$(run first 1 -e "$ALL")
# N-host and 1-host no-ops alternate, so a change of load on this shared machine hits both sides of
# each pair; the ratio is the median of the pairs' ratios.
all_t=(); one_t=(); ratios=()
for i in $(seq 1 "$REPEATS"); do
  all_t+=("$(run "noop-all-$i" 1 -e "$ALL")")
  one_t+=("$(run "noop-one-$i" 1 -e "$ALL" --limit "${GS_FLEET_PREFIX}1")")
  for name in "noop-all-$i" "noop-one-$i"; do
    [ "$(changed_total "$name")" = 0 ] || { echo "$name changed something" >&2; exit 1; }
  done
  ratios+=("$(python3 -c "print('%.2f' % (${all_t[-1]} / ${one_t[-1]}))")")
done
noop_n=$(median "${all_t[@]}")
noop_1=$(median "${one_t[@]}")
ratio=$(median "${ratios[@]}")
noop_batches=$(repeat noop-batches 1)
rolling=$(run rolling 2)
for i in $(seq 1 "$N"); do
  port=$(sed -n "s/^${GS_FLEET_PREFIX}$i .*app_port=\([0-9]*\).*/\1/p" "$STATE/inventory.ini")
  [ "$(curl -fsS --max-time 3 "http://127.0.0.1:$port/version")" = 2 ] || { echo "host $i does not serve v2" >&2; exit 1; }
done

printf '\nFleet benchmark: %s hosts, forks=%s, %s cores, load average %s, medians of %s\n\n' \
  "$N" "$N" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$REPEATS"
printf '| %-52s | %9s |\n' "measure" "seconds"
printf '|%s|%s|\n' "$(printf -- '-%.0s' $(seq 54))" "$(printf -- '-%.0s' $(seq 10)):"
row() { printf '| %-52s | %9s |\n' "$1" "$2"; }
row "fleet up $N hosts (host image cached)" "$t_up"
row "first deploy v1, $N hosts (ship + run + health gate)" "$first"
row "no-op run, $N hosts" "$noop_n"
row "no-op run, 1 host" "$noop_1"
row "no-op ratio $N / 1 hosts, median of pairs (target <= 1.5)" "${ratio}x"
row "no-op run, $N hosts in batches [1, 25%, 50%]" "$noop_batches"
row "rolling update v1 -> v2, batches [1, 25%, 50%]" "$rolling"
