#!/usr/bin/env bash
# The ship_image role through a registry: the controller (this engine) pushes each image once, and a
# host with an engine of its own pulls it by digest and gets the controller's image IDs. The host's
# engine is a second dockerd on a unix socket (its own bridge, data-root, exec-root, containerd
# namespace, no iptables; /work/shared/ENVIRONMENT.md), in this network namespace, so it reaches the
# registry on 127.0.0.1 like the main engine does. The registry asks for credentials (htpasswd); the
# Docker config both sides log in to is a temporary one (DOCKER_CONFIG).
#   1. check mode: the host would pull both images; nothing is pushed or pulled
#   2. ship: both pushed once and pulled by digest; the host has the controller's image IDs
#   3. again: nothing changes and nothing is pushed again
#   4. the host loses one image: only that one is pulled back
#   5. the password appears in no output
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" DOCKER_BUILDKIT=0 ANSIBLE_FORCE_COLOR=0 LC_ALL=C.UTF-8
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/.build"
ADDR=127.0.0.1:5064
STATE=/tmp/gs-shipreg-engine        # short: containerd's socket path must stay under 108 bytes
REG_STATE=/tmp/gs-shipreg-registry
BRIDGE=gs-shipreg0
BRIDGE_CIDR=10.199.64.1/24
WORK=$(mktemp -d /tmp/gs-shipreg.XXXXXX)
export DOCKER_CONFIG=$WORK/docker-config
PASSWORD="gsshipCanary$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
NAMES=(gs-shipreg/app:1 gs-shipreg/app:2)
log() { printf '[ship-registry] %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
hostd() { DOCKER_HOST="unix://$STATE/docker.sock" docker "$@"; }
t_start=$SECONDS

engine_stop() {
  [ -f "$STATE/docker.pid" ] || return 0
  local pid; pid=$(cat "$STATE/docker.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  # its containerd, if a KILL left it behind: its command line names STATE
  pgrep -f -- "$STATE/x/containerd" | xargs -r kill -KILL 2>/dev/null || true
}
cleanup() {
  engine_stop
  grep -F " $STATE/" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$STATE"
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE" type bridge; fi
  GS_REGISTRY_ADDR=$ADDR GS_REGISTRY_STATE=$REG_STATE tests/support/registry stop || true
  docker rmi "${NAMES[@]}" >/dev/null 2>&1 || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

./scripts/collection-tree >/dev/null
cleanup_before() { engine_stop; GS_REGISTRY_ADDR=$ADDR GS_REGISTRY_STATE=$REG_STATE tests/support/registry stop || true; }
cleanup_before  # a run cut short left them running

# --- the registry, with credentials --------------------------------------------------------------
printf '%s\n' "$PASSWORD" | htpasswd -niB gs-ship > "$WORK/htpasswd"
GS_REGISTRY_ADDR=$ADDR GS_REGISTRY_STATE=$REG_STATE GS_REGISTRY_HTPASSWD=$WORK/htpasswd tests/support/registry start
manifest_puts() { grep -c 'PUT /v2/gs/gs-shipreg/app/manifests/' "$REG_STATE/registry.log" || true; }

# --- the host's engine ---------------------------------------------------------------------------
ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
ip addr replace "$BRIDGE_CIDR" dev "$BRIDGE"
ip link set "$BRIDGE" up
mkdir -p "$STATE/data" "$STATE/x"
echo '{}' > "$STATE/daemon.json"  # never /etc/docker/daemon.json
dockerd --config-file "$STATE/daemon.json" --data-root "$STATE/data" --exec-root "$STATE/x" \
  --pidfile "$STATE/docker.pid" -H "unix://$STATE/docker.sock" --bridge "$BRIDGE" \
  --iptables=false --ip-masq=false --ip-forward=false \
  --containerd-namespace gs-shipreg --containerd-plugins-namespace gs-shipreg-plugins \
  --storage-driver vfs --log-level warn >"$WORK/dockerd.log" 2>&1 &
deadline=$((SECONDS + 90))
until hostd version --format '{{.Server.Version}}' >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { tail -n 20 "$WORK/dockerd.log" >&2; fail "the host's engine did not answer within 90 s"; }
  sleep 0.3
done
log "host engine up on unix://$STATE/docker.sock"

# --- two images on the controller ----------------------------------------------------------------
for n in 1 2; do
  printf 'FROM goship-test/busybox:latest\nLABEL gs-shipreg=%s\n' "$n" | docker build -q -t "gs-shipreg/app:$n" - >/dev/null
done
controller_ids=$(for name in "${NAMES[@]}"; do docker image inspect -f '{{.Id}}' "$name"; done)

cat > "$WORK/inventory.ini" <<INI
[ship_hosts]
shiphost ansible_connection=local ansible_python_interpreter=$ROOT/.venv/bin/python ship_image_docker_host=unix://$STATE/docker.sock
INI
python3 - "$WORK/vars.json" "$PASSWORD" <<'PY'
import json, os, sys
with open(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
    json.dump({"ship_image_names": ["gs-shipreg/app:1", "gs-shipreg/app:2"], "ship_image_registry": "127.0.0.1:5064/gs",
               "ship_image_registry_username": "gs-ship", "ship_image_registry_password": sys.argv[2]}, out)
PY
ship() {  # ship LOG [ansible-playbook args]
  local out=$1; shift
  local rc=0
  ansible-playbook -i "$WORK/inventory.ini" playbooks/ship_image.yml -e ship_hosts=ship_hosts -e "@$WORK/vars.json" "$@" >"$out" 2>&1 || rc=$?
  if grep -qF -- "$PASSWORD" "$out"; then fail "the registry password appears in $(basename "$out")"; fi
  log "$(basename "$out" .log): rc=$rc $(grep -o 'changed=[0-9]*' "$out" | head -n1)"
  return $rc
}
host_ids() {  # the CLI prints an empty line for a missing image
  local name id
  for name in "${NAMES[@]}"; do id=$(hostd image inspect -f '{{.Id}}' "$name" 2>/dev/null || true); echo "${id:-missing}"; done
}

# 1. check mode
ship "$WORK/check.log" --check || { tail -n 30 "$WORK/check.log" >&2; fail "check mode"; }
receives=$(grep -A6 'images this host receives' "$WORK/check.log" | tr -d ' \n')
[[ "$receives" == *"pull:-gs-shipreg/app:1-gs-shipreg/app:2retag:[]"* ]] || { grep -A6 'images this host receives' "$WORK/check.log" >&2; fail "check mode does not say the host would pull both images"; }
[ "$(host_ids | sort -u)" = missing ] || fail "check mode put an image on the host"
[ "$(manifest_puts)" = 0 ] || fail "check mode pushed to the registry"

# 2. ship
ship "$WORK/ship.log" || { tail -n 40 "$WORK/ship.log" >&2; fail "shipping"; }
[ "$(host_ids)" = "$controller_ids" ] || fail "the host's image IDs are not the controller's: $(host_ids | tr '\n' ' ')"
hostd image inspect -f '{{.RepoDigests}}' gs-shipreg/app:1 | grep -q "127.0.0.1:5064/gs/gs-shipreg/app@sha256:" || fail "the host did not pull by digest"
puts=$(manifest_puts)
[ "$puts" = 2 ] || fail "the registry got $puts manifest pushes, want 2"

# 3. again
ship "$WORK/again.log" || { tail -n 30 "$WORK/again.log" >&2; fail "shipping again"; }
grep -q 'changed=0 ' "$WORK/again.log" || { grep -E '^changed:|changed=' "$WORK/again.log" >&2; fail "shipping again changed something"; }
[ "$(manifest_puts)" = 2 ] || fail "shipping again pushed to the registry"

# 4. the host loses one image
hostd rmi gs-shipreg/app:2 >/dev/null
hostd images --digests --format '{{.Repository}}@{{.Digest}}' | grep '^127.0.0.1:5064/gs/gs-shipreg/app@sha256' |
  while read -r ref; do hostd rmi "$ref" >/dev/null 2>&1 || true; done
hostd image inspect gs-shipreg/app:2 >/dev/null 2>&1 && fail "the host still has gs-shipreg/app:2"
ship "$WORK/lost.log" || { tail -n 30 "$WORK/lost.log" >&2; fail "shipping to the host that lost an image"; }
grep -A4 'pull each missing image by digest' "$WORK/lost.log" | grep -q 'changed: \[shiphost\] => (item=gs-shipreg/app:2)' ||
  { grep -A4 'pull each missing image by digest' "$WORK/lost.log" >&2; fail "gs-shipreg/app:2 was not pulled back"; }
grep -A4 'pull each missing image by digest' "$WORK/lost.log" | grep -q 'item=gs-shipreg/app:1' && fail "gs-shipreg/app:1 was pulled again"
[ "$(host_ids)" = "$controller_ids" ] || fail "after the repair the host's image IDs are not the controller's"
[ "$(manifest_puts)" = 2 ] || fail "the repair pushed to the registry"

log "PASS in $((SECONDS - t_start)) s: 2 images pushed once (2 manifest PUTs over 4 runs), pulled by digest into a second engine with the controller's IDs, re-run changed=0, a lost image pulled back alone, password in no output"
