#!/usr/bin/env bash
# The roles, playbooks and sample app:
#   1. go vet + go test of examples/goapp (the sample app, stdlib only)
#   2. ansible-lint, production profile, on the roles and the playbooks (.ansible-lint)
#   3. molecule test, the four scenarios side by side (each has its own host and names; most of
#      their time is spent waiting on apt, SSH and the engine):
#      roles/docker_engine default  a throwaway Docker-in-Docker host without systemd, over SSH
#      roles/docker_engine systemd  a throwaway host booting systemd (Debian's docker.io installed
#                                   by the role, Docker's repository path in check mode and failing)
#      roles/go_app default         this engine, local connection
#      roles/ship_image default     a throwaway Docker-in-Docker host with its own engine, over SSH
#   The systemd scenario's host image is built on first use (debootstrap, 1.5-2.5 min), then cached.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build" DOCKER_BUILDKIT=0
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1 LC_ALL=C.UTF-8
log() { printf '[molecule-stage] %s\n' "$*" >&2; }
step() {  # step NAME COMMAND...: run, time, remember failures (in $WORK: steps may run in the background)
  local name=$1 t0=$SECONDS rc=0
  shift
  "$@" >"$WORK/$name.log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then log "$name: ok in $((SECONDS - t0)) s"
  else log "$name: FAILED (exit $rc) in $((SECONDS - t0)) s; last lines:"; tail -n 40 "$WORK/$name.log" >&2; touch "$WORK/$name.failed"; fi
}
WORK=$(mktemp -d /tmp/gs-app-molecule.XXXXXX); trap 'rm -rf "$WORK"' EXIT
./scripts/collection-tree >/dev/null

step go-test sh -c 'cd examples/goapp && go vet ./... && GOCACHE=${GOCACHE:-/tmp/goship-gocache} go test -count=1 ./...'
# ansible-lint also reads ~/.ansible/collections: a collection installed there (an older copy from
# another run) would shadow this tree, so it runs with a HOME of its own
lint_home=$WORK/lint-home; mkdir -p "$lint_home"
step ansible-lint env HOME="$lint_home" ANSIBLE_HOME="$lint_home/.ansible" ansible-lint --nocolor roles/docker_engine roles/go_app roles/ship_image roles/fleet_rollout playbooks/site.yml playbooks/deploy.yml \
  playbooks/teardown.yml playbooks/ship_image.yml playbooks/fleet_rollout.yml \
  playbooks/molecule_init.yml playbooks/molecule_create.yml playbooks/molecule_destroy.yml
t_molecule=$SECONDS
step molecule-docker_engine sh -c 'cd roles/docker_engine && molecule test -s default' &
step molecule-docker_engine-systemd sh -c 'cd roles/docker_engine && molecule test -s systemd' &
step molecule-go_app sh -c 'cd roles/go_app && molecule test' &
step molecule-ship_image sh -c 'cd roles/ship_image && molecule test' &
wait
log "molecule scenarios: $((SECONDS - t_molecule)) s side by side"
failed=$(cd "$WORK" && for f in *.failed; do [ ! -e "$f" ] || printf '%s ' "${f%.failed}"; done)
[ -z "$failed" ] || { log "failed: $failed"; exit 1; }
