#!/usr/bin/env bash
# User-molecule stage: a user's own role, outside this checkout, tested with Molecule through the
# collection installed from its tarball, as docs/testing-your-role.md tells it (the guide is the
# test: tests/support/run_guide.py). The user starts as in tests/stages/22-getting-started.sh
# (tests/support/user-env.sh): getting-started.md up to its milestone `installed` (virtualenv,
# collection built from the "clone" and installed into ~/.ansible/collections), then the whole of
# testing-your-role.md: the sample role hello_web, `ansible-playbook goship.containers.molecule_init`,
# `molecule test` (destroy, syntax, create, converge, idempotence, verify, destroy), its own verify
# in the converge/verify/destroy loop.
# Then nothing may be left on the engine: no object labelled with the scenario's directory
# (goship.molecule.scenario) and none named gs-um- (what converge made without the label would
# be). Whatever a failed run leaves is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
log() { printf '[user-molecule] %s\n' "$*" >&2; }

tmp=$(mktemp -d /tmp/gs-um-guide.XXXXXX)
scenario_dir=$tmp/work/roles/hello_web/molecule/default
leftovers() {  # "kind name" per line: what carries the scenario's label or the gs-um- prefix
  local label=goship.molecule.scenario=$scenario_dir
  { docker ps -a --filter "label=$label" --format 'container {{.Names}}'
    docker ps -a --filter name=gs-um- --format 'container {{.Names}}'
    docker network ls --filter "label=$label" --format 'network {{.Name}}'
    docker network ls --filter name=gs-um- --format 'network {{.Name}}'
    docker volume ls --filter "label=$label" --format 'volume {{.Name}}'
    docker volume ls --filter name=gs-um- --format 'volume {{.Name}}'
    docker images --filter "label=$label" --format 'image {{.ID}}'
    docker images --format 'image {{.Repository}}:{{.Tag}}' | grep -E '^image gs-um-' || true
  } | sort -u
}
remove_leftovers() {
  local kind name
  leftovers | while read -r kind name; do
    case $kind in
      container) docker rm -f -v "$name" ;;
      network) docker network rm "$name" ;;
      volume) docker volume rm "$name" ;;
      image) docker rmi -f "$name" ;;
    esac >/dev/null 2>&1 || true
  done
  rm -rf /var/tmp/gs-um-hello-src  # the sample role's sources on the host
}
trap 'remove_leftovers; rm -rf "$tmp"' EXIT
# a run killed earlier (its scenario directory differs: by name)
for c in $(docker ps -aq --filter name=gs-um-); do docker rm -f -v "$c" >/dev/null 2>&1 || true; done

. tests/support/user-env.sh
t0=$SECONDS
user_env_prepare "$tmp"
log "prepared the user's empty folder in $((SECONDS - t0)) s: $tmp/work"

start=$SECONDS since=$(date +%s)
run_guide docs/getting-started.md --workdir "$tmp/work" --state "$tmp/session" --since "$since" --until installed
log "installed Ansible, Molecule's prerequisites and the collection in $((SECONDS - start)) s"
run_guide docs/testing-your-role.md --workdir "$tmp/work" --state "$tmp/session" --since "$since" --continue
log "the guides passed in $((SECONDS - start)) s from an empty folder (milestone molecule-test-passed above: wall-clock to a passing molecule test)"

# molecule_init refuses to overwrite a scenario, naming what is there
cat > "$tmp/again.md" <<'EOF2'
<!-- guide: run expect="molecule/default already has files \(converge.yml, create.yml, destroy.yml, molecule.yml, verify.yml\)" -->
```sh
if ansible-playbook goship.containers.molecule_init; then echo "overwrote the scenario"; exit 1; fi
```
EOF2
run_guide "$tmp/again.md" --workdir "$tmp/work" --state "$tmp/session" --since "$since" --continue

left=$(leftovers)
[ -z "$left" ] || { log "FAIL: left on the engine after destroy:"; sed 's/^/  /' <<<"$left" >&2; exit 1; }
log "destroy left nothing on the engine (nothing labelled with the scenario, nothing named gs-um-)"
