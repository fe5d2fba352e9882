#!/usr/bin/env bash
# Reliability: runs every part script tests/reliability/*.sh side by side, each in its own process,
# and then prints one summary line of their results, e.g.
# `reliability: go_app 7/7, secrets 0 leaks in 40 outputs, tls 31/31,
# connection_tls 8/8, bad_inputs bad inputs 171/171 clear, honest 20/20, 0 bytes lost in 4 recreates`.
#   go_app.sh   zero-downtime updates of the go_app role under load: update, scale, a hung replica,
#               a failed update rolled back, data kept
#   secrets.sh  a canary in every secret channel, grepped for in every output of every run
#   tls.sh      the TLS matrix against an engine of its own started with --tlsverify
#   compose_update.sh  compose runs that overlap (5 at once, one lock per project), duplicate
#               networks repaired, stop-first failure_action pause/rollback, start-first behind a proxy
#   connection_tls.sh  the docker connection plugin over TLS, against such an engine (the two
#               TLS engines take turns: they share a lock)
#   bad_inputs.sh  the loader's fuzz corpus (171 hostile or broken inputs) through the compose
#               module: each one clear line, no traceback, nothing left on the engine
#   honest.sh   honest results: refused creates are no change, runs and a dockerd killed half-way
#               are recovered from (a test engine of its own), volume data through every recreate
# A part prints as its last line `RESULT <name> <figures>` and exits non-zero on any failure. The
# parts share no Docker object (each has its own prefix; tls has an engine of its own) and spend most
# of their time waiting on the engine, so they run at the same time, except go_app: it counts failed
# requests during updates, which a machine loaded by the other parts turns into timeouts, so it runs
# first, alone. Outputs are printed one after the other when all are done. The stage fails when a
# part fails or ends without its RESULT line.
set -uo pipefail
cd "$(dirname "$0")/../.."
./scripts/collection-tree >/dev/null  # once, before the parts read it side by side
WORK=$(mktemp -d /tmp/gs-reliability.XXXXXX); trap 'rm -rf "$WORK"' EXIT
ALONE=(go_app)
run_part() {  # run_part NAME: its output and "exit-code seconds" in $WORK
  local start=$SECONDS rc=0
  bash "tests/reliability/$1.sh" >"$WORK/$1.out" 2>&1 || rc=$?
  echo "$rc $((SECONDS - start))" >"$WORK/$1.rc"
}
parts=() pids=()
for name in "${ALONE[@]}"; do [ -f "tests/reliability/$name.sh" ] && { parts+=("$name"); run_part "$name"; }; done
for part in tests/reliability/*.sh; do
  name=$(basename "$part" .sh)
  [[ " ${ALONE[*]} " == *" $name "* ]] && continue
  parts+=("$name")
  run_part "$name" &
  pids+=($!)
done
[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
summary=() failed=()
for name in "${parts[@]}"; do
  read -r rc took <"$WORK/$name.rc"
  printf '\n--- reliability part %s (exit %s, %s s)\n' "$name" "$rc" "$took"
  cat "$WORK/$name.out"
  last=$(tail -n 1 "$WORK/$name.out")
  if [[ $last =~ ^RESULT\ $name\ (.+)$ ]]; then
    summary+=("$name ${BASH_REMATCH[1]}")
  else
    summary+=("$name: no RESULT line")
    [ "$rc" -ne 0 ] || rc=1
  fi
  [ "$rc" -eq 0 ] || failed+=("$name (exit $rc)")
done
printf -v joined '%s, ' "${summary[@]}"
printf '\nreliability: %s\n' "${joined%, }"
[ ${#failed[@]} -eq 0 ] || { echo "failed parts: ${failed[*]}"; exit 1; }
