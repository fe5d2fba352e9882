#!/usr/bin/env bash
# The goship.containers.docker connection plugin over TLS, against an engine of its own started with
# --tlsverify on 127.0.0.1 (tls/engine.sh, certificates from tls/make-certs.sh). A TLS socket cannot
# half-close, so the plugin must not pipeline there: with ANSIBLE_PIPELINING=true, modules still go
# as files (put_file over TLS) and run; files come back (fetch_file over TLS); a sudo password is
# written to stdin over TLS; a CA that did not sign the daemon's certificate makes the host
# unreachable, naming the file.
# The container runs the Debian image with Python of the docker_connection integration target.
# Last line: RESULT connection_tls <passed>/<total>; the exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_FORCE_COLOR=0 LC_ALL=C.UTF-8
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build"
HERE=$ROOT/tests/reliability/connection_tls
# shellcheck source=tls/engine.sh
source "$ROOT/tests/reliability/tls/engine.sh"
log() { printf '[connection_tls] %s\n' "$*" >&2; }

WORK=$(mktemp -d /tmp/gs-ctls.XXXXXX)  # short: the engine's containerd socket lives below it
STATE=$WORK/e CERTS=$WORK/certs BRIDGE=gs-ctls0 BRIDGE_CIDR=10.198.52.1/24
passed=0 total=0
finish() {
  local rc=$?
  engine_stop || true
  engine_remove || true
  rm -rf "$WORK"
  printf 'RESULT connection_tls %d/%d\n' "$passed" "$total"
  if [ "$rc" -eq 0 ] && { [ "$total" -eq 0 ] || [ "$passed" -ne "$total" ]; }; then rc=1; fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM
check() {  # check NAME COMMAND...: count one check
  total=$((total + 1))
  if "${@:2}"; then passed=$((passed + 1)); log "ok: $1"; else log "FAILED: $1"; fi
}

image=$("$ROOT/tests/integration/targets/docker_connection/files/python-image")
engine_session
t0=$SECONDS
docker save "$image" | engine_docker load -q >/dev/null
engine_docker run -d --name gs-ctls-box "$image" >/dev/null
log "image loaded and container started in $((SECONDS - t0)) s"

rc=0
ANSIBLE_PIPELINING=true timeout 900 ansible-playbook -i "$HERE/inventory.yml" "$HERE/tls.yml" -vvv \
  -e "tls_port=$PORT certs=$CERTS out=$WORK" >"$WORK/play.log" 2>&1 || rc=$?
check "the playbook's checks (ping, copy twice, fetch, command, sudo with a password, wrong CA)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || tail -n 60 "$WORK/play.log" >&2
check "modules went as files over TLS (put_file)" grep -q "PUT .* TO .*AnsiballZ_ping.py" "$WORK/play.log"
check "nothing was pipelined over TLS, although ANSIBLE_PIPELINING=true" bash -c "! grep -q 'with stdin' '$WORK/play.log'"
check "the sudo password was answered over TLS" grep -q "answering the become prompt" "$WORK/play.log"
check "the password never shows at -vvv" bash -c "! grep -q 'gs-ctls-secret' '$WORK/play.log'"
