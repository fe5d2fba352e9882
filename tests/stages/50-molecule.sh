#!/usr/bin/env bash
# The roles, playbooks and sample app:
#   1. go vet + go test of examples/goapp (the sample app, stdlib only)
#   2. ansible-lint, production profile, on both roles and the playbooks (.ansible-lint)
#   3. molecule test for roles/docker_engine (a throwaway Docker-in-Docker host over SSH) and
#      roles/go_app (this engine, local connection): create, converge, idempotence, verify, destroy
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build" DOCKER_BUILDKIT=0
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1 LC_ALL=C.UTF-8
log() { printf '[molecule-stage] %s\n' "$*" >&2; }
failed=()
step() {  # step NAME COMMAND...: run, time, remember failures, keep going
  local name=$1 t0=$SECONDS rc=0
  shift
  "$@" >"$WORK/$name.log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then log "$name: ok in $((SECONDS - t0)) s"
  else log "$name: FAILED (exit $rc) in $((SECONDS - t0)) s; last lines:"; tail -n 40 "$WORK/$name.log" >&2; failed+=("$name"); fi
}
WORK=$(mktemp -d /tmp/gs-app-molecule.XXXXXX); trap 'rm -rf "$WORK"' EXIT
./scripts/collection-tree >/dev/null

step go-test sh -c 'cd examples/goapp && go vet ./... && GOCACHE=${GOCACHE:-/tmp/goship-gocache} go test -count=1 ./...'
step ansible-lint ansible-lint --nocolor roles/docker_engine roles/go_app playbooks/site.yml playbooks/deploy.yml playbooks/teardown.yml
for role in docker_engine go_app; do
  step "molecule-$role" sh -c "cd roles/$role && molecule test"
done
[ ${#failed[@]} -eq 0 ] || { log "failed: ${failed[*]}"; exit 1; }
