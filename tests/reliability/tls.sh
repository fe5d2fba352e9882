#!/usr/bin/env bash
# The TLS matrix (issue 20) against a Docker engine of its own, started with --tlsverify on
# 127.0.0.1 with certificates made for this run (tls/make-certs.sh; the engine: tls/engine.sh).
#   phase good   the daemon's certificate names 127.0.0.1 and localhost: the good path (check mode,
#                create, re-run unchanged, check again), a wrong CA, a CA with tls: true (used to skip
#                verification), no client certificate, one of another CA, a key of no certificate,
#                a missing CA file, tls without verification, plain HTTP to the TLS port (also with a
#                pinned api_version), DOCKER_HOST/DOCKER_TLS_VERIFY/DOCKER_CERT_PATH/DOCKER_TLS
#   phase wrong  restarted with a certificate for gs-tls-wrong.example only: the name mismatch, and
#                tls_hostname (matching, not matching, DOCKER_TLS_HOSTNAME), tls without verification
# Phase good runs twice: with the system bundle in REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE (as this machine
# sets it) and with the test CA itself (which would turn the wrong-CA cases green if requests'
# environment leaked into verification); every verdict and message must be identical. Phase wrong
# runs once, with the test CA as the bundle (the CA is the daemon's own there, so it is the variant
# that could hide a missing hostname check). Without any bundle was measured identical when this was
# written; three runs per phase cost 5-9 min on a loaded 2-core machine. tls/check.py judges.
# Last line: RESULT tls <passed>/<total>; the exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_FORCE_COLOR=0 LC_ALL=C.UTF-8
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build"
HERE=$ROOT/tests/reliability/tls
# shellcheck source=tls/engine.sh
source "$HERE/engine.sh"
log() { printf '[tls] %s\n' "$*" >&2; }
t_start=$SECONDS

WORK=$(mktemp -d /tmp/gs-tls.XXXXXX)  # short: the engine's containerd socket lives below it
STATE=$WORK/e CERTS=$WORK/certs BRIDGE=gs-tls0 BRIDGE_CIDR=10.198.51.1/24
RESULT_LINE="RESULT tls 0/1"  # until check.py has counted
finish() {
  local rc=$?
  engine_stop || true
  engine_remove || true
  rm -rf "$WORK"
  printf '%s\n' "$RESULT_LINE"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

SYSTEM_BUNDLE=/etc/ssl/certs/ca-certificates.crt
[ -f "$SYSTEM_BUNDLE" ] || SYSTEM_BUNDLE=$(python3 -c 'import ssl;print(ssl.get_default_verify_paths().openssl_cafile)')
engine_session

# run_matrix PHASE VARIANT: the matrix with REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE as VARIANT says;
# its results in $WORK/PHASE-VARIANT.json, then the engine's volumes are removed for the next run
run_matrix() {
  local phase=$1 variant=$2 bundle="" rc=0 t0=$SECONDS
  case $variant in
    no-bundle) ;;
    system-bundle) bundle=$SYSTEM_BUNDLE ;;
    test-ca-bundle) bundle=$CERTS/ca.pem ;;
  esac
  env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE ${bundle:+REQUESTS_CA_BUNDLE=$bundle CURL_CA_BUNDLE=$bundle} \
    timeout 900 ansible-playbook "$HERE/matrix.yml" -e "phase=$phase tls_port=$PORT certs=$CERTS" \
      -e "engine_sock=$STATE/docker.sock results_file=$WORK/$phase-$variant.json" >"$WORK/$phase-$variant.log" 2>&1 || rc=$?
  log "phase $phase, $variant: playbook rc=$rc in $((SECONDS - t0)) s"
  if [ $rc -ne 0 ]; then tail -n 40 "$WORK/$phase-$variant.log" >&2; return 1; fi
  engine_docker volume ls -q | xargs -r env DOCKER_HOST="unix://$STATE/docker.sock" docker volume rm >/dev/null
}

matrix_ok=0
for variant in system-bundle test-ca-bundle; do run_matrix good $variant || matrix_ok=1; done
engine_stop
t0=$SECONDS; engine_start wrong-server 9>&-; log "restarted with the gs-tls-wrong.example certificate in $((SECONDS - t0)) s"
run_matrix wrong test-ca-bundle || matrix_ok=1

args=()
for phase in good wrong; do
  files=()
  for variant in no-bundle system-bundle test-ca-bundle; do
    [ -f "$WORK/$phase-$variant.json" ] && files+=("$WORK/$phase-$variant.json")
  done
  [ ${#files[@]} -gt 0 ] && args+=("$phase=$(IFS=,; echo "${files[*]}")")
done
check_rc=0
python3 "$HERE/check.py" "${args[@]}" >"$WORK/check.txt" || check_rc=$?
grep -v '^COUNT ' "$WORK/check.txt" >&2
read -r _ passed total < <(grep '^COUNT ' "$WORK/check.txt")
[ $matrix_ok -eq 0 ] || total=$((total + 1))  # a playbook that failed as a whole is a failure of its own
RESULT_LINE="RESULT tls $passed/$total"
log "done in $((SECONDS - t_start)) s"
[ $check_rc -eq 0 ] && [ $matrix_ok -eq 0 ]
