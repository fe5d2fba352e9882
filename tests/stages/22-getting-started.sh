#!/usr/bin/env bash
# Getting-started stage: docs/getting-started.md is run as a new user follows it, and is the test
# (tests/support/run_guide.py runs its marked blocks in order, in one terminal-like session).
# The user starts from scratch, outside this checkout, with a HOME, PATH and environment of their
# own (tests/support/user-env.sh says what they have: a "clone" of this checkout, Python, Go,
# Docker; the guide's pip installs take pinned wheels from .build/wheelhouse).
# It prints the wall-clock at the guide's milestones (installed, first app deployed, ...), and
# checks that the guide's own clean-up left no gs-gs- container, network, volume or image behind.
# Whatever a failed run leaves (named gs-gs-*) is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
log() { printf '[getting-started] %s\n' "$*" >&2; }

leftovers() {  # the guide's Docker objects still on the engine, one "kind name" per line
  docker ps -a --filter name=gs-gs- --format 'container {{.Names}}'
  docker network ls --filter name=gs-gs- --format 'network {{.Name}}'
  docker volume ls --filter name=gs-gs- --format 'volume {{.Name}}'
  docker images --format 'image {{.Repository}}:{{.Tag}}' | grep -E '^image gs-gs-' || true
}
remove_leftovers() {
  local ids
  ids=$(docker ps -aq --filter name=gs-gs-); [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
  for n in $(docker network ls -q --filter name=gs-gs-); do docker network rm "$n" >/dev/null 2>&1 || true; done
  for v in $(docker volume ls -q --filter name=gs-gs-); do docker volume rm "$v" >/dev/null 2>&1 || true; done
  for i in $(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^gs-gs-' || true); do
    docker rmi -f "$i" >/dev/null 2>&1 || true
  done
}
tmp=$(mktemp -d /tmp/gs-gs-guide.XXXXXX)
trap 'remove_leftovers; rm -rf "$tmp"' EXIT
remove_leftovers  # a run killed earlier

# The user's world, prepared as the guide assumes it (tests/support/user-env.sh).
. tests/support/user-env.sh
t0=$SECONDS
user_env_prepare "$tmp"
log "prepared the user's empty folder in $((SECONDS - t0)) s: $tmp/work"
start=$SECONDS since=$(date +%s)
run_guide docs/getting-started.md --workdir "$tmp/work" --state "$tmp/session" --since "$since"
log "the guide passed in $((SECONDS - start)) s (wall-clock from an empty folder, milestones above)"

left=$(leftovers)
[ -z "$left" ] || { log "FAIL: the guide's clean-up left on the engine:"; sed 's/^/  /' <<<"$left" >&2; exit 1; }
log "its clean-up left nothing named gs-gs- on the engine"
