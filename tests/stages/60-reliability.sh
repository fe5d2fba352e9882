#!/usr/bin/env bash
# Reliability: runs every part script tests/reliability/*.sh in name order, each in its own process,
# and then prints one summary line of their results, e.g. `reliability: go_app 6/6, tls 34/34`.
#   go_app.sh  zero-downtime updates of the go_app role under load: update, scale, a hung replica,
#              a failed update rolled back, data kept
#   tls.sh     the TLS matrix against an engine of its own started with --tlsverify
#   connection_tls.sh  the docker connection plugin over TLS, against such an engine
# A part prints as its last line `RESULT <name> <passed>/<total>` and exits non-zero on any failure.
# Every part runs even when an earlier one failed. The stage fails when a part fails or ends
# without its RESULT line.
set -uo pipefail
cd "$(dirname "$0")/../.."
summary=() failed=()
for part in tests/reliability/*.sh; do
  name=$(basename "$part" .sh)
  printf '\n--- reliability part %s\n' "$name"
  out=$(mktemp)
  bash "$part" | tee "$out"
  rc=${PIPESTATUS[0]}
  last=$(tail -n 1 "$out")
  rm -f "$out"
  if [[ $last =~ ^RESULT\ $name\ ([0-9]+/[0-9]+)$ ]]; then
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
