#!/usr/bin/env bash
# Galaxy stage: `ansible-galaxy collection build` makes a tarball that installs into an empty
# collections path, and a playbook using network, volume and host_info from that installed copy
# (and only from it) works against the local engine. Everything it creates is removed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
tmp=$(mktemp -d)
NET=gs-net-galaxy VOL=gs-vol-galaxy
cleanup() {
  docker network rm "$NET" >/dev/null 2>&1 || true
  docker volume rm "$VOL" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cleanup_engine_only() { docker network rm "$NET" >/dev/null 2>&1 || true; docker volume rm "$VOL" >/dev/null 2>&1 || true; }
cleanup_engine_only
fail() { echo "[galaxy] FAIL: $*" >&2; exit 1; }

start=$(date +%s)
# A checkout may carry an ansible.cfg (collections path, inventory...): none of it applies here.
: > "$tmp/ansible.cfg"
export ANSIBLE_CONFIG=$tmp/ansible.cfg
"$BIN/ansible-galaxy" collection build --output-path "$tmp/dist" . >/dev/null
tarball=$(ls "$tmp"/dist/goship-containers-*.tar.gz)
echo "[galaxy] built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"

# What a user gets: the modules, their docs and metadata; none of the developer files.
listing=$(tar -tzf "$tarball")
for want in MANIFEST.json FILES.json meta/runtime.yml plugins/modules/network.py plugins/modules/volume.py \
            plugins/modules/host_info.py plugins/module_utils/client.py plugins/doc_fragments/docker.py \
            docs/modules/network.md changelogs/changelog.yaml; do
  grep -qx "$want" <<<"$listing" || fail "$want is missing from the tarball"
done
for unwanted in '^\.venv' '^\.build/' '^\.git/' '^scripts/' '^tests/output/' '__pycache__' '\.pyc$'; do
  if grep -qE "$unwanted" <<<"$listing"; then fail "the tarball contains $(grep -E "$unwanted" <<<"$listing" | head -n1)"; fi
done

mkdir -p "$tmp/collections"
# Only the new path counts, for the install and for the run: a copy installed elsewhere (say in
# ~/.ansible/collections) must neither satisfy the install nor be what the playbook uses.
export ANSIBLE_COLLECTIONS_PATH=$tmp/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
"$BIN/ansible-galaxy" collection install --offline -p "$tmp/collections" "$tarball" > "$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; fail "ansible-galaxy collection install failed"; }
installed=$tmp/collections/ansible_collections/goship/containers
[ -f "$installed/plugins/modules/network.py" ] || { cat "$tmp/install.log"; fail "nothing installed at $installed"; }

export ANSIBLE_HOME=$tmp/ansible-home ANSIBLE_NOCOLOR=1 ANSIBLE_DEPRECATION_WARNINGS=false
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
doc_path=$("$BIN/ansible-doc" -t module goship.containers.network | head -n1)
[[ $doc_path == *"$installed/plugins/modules/network.py"* ]] || fail "ansible-doc does not use the installed copy: $doc_path"

cat > "$tmp/play.yml" <<YAML
- name: Use the installed collection against the local engine
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: $BIN/python
  module_defaults:
    group/goship.containers.docker:
      docker_host: unix:///var/run/docker.sock
      timeout: 30
  tasks:
    - name: A volume
      goship.containers.volume:
        name: $VOL
        labels: {gs-galaxy: "1"}
      register: vol
    - name: A network
      goship.containers.network:
        name: $NET
        labels: {gs-galaxy: "1"}
      register: net
    - name: The network again
      goship.containers.network:
        name: $NET
        labels: {gs-galaxy: "1"}
      register: net_again
    - name: What the engine has, by label
      goship.containers.host_info:
        networks: true
        networks_filters: {label: gs-galaxy=1}
        volumes: true
        volumes_filters: {label: {gs-galaxy: "1"}}
      register: info
    - name: Remove both
      goship.containers.network:
        name: $NET
        state: absent
      register: net_gone
    - name: Remove the volume
      goship.containers.volume:
        name: $VOL
        state: absent
      register: vol_gone
    - name: Everything happened as planned
      ansible.builtin.assert:
        that:
          - vol is changed and net is changed
          - net_again is not changed
          - info.engine.api_version is version('1.41', '>=')
          - info.networks | map(attribute='Name') | list == ['$NET']
          - info.volumes | map(attribute='Name') | list == ['$VOL']
          - net_gone is changed and vol_gone is changed
YAML
"$BIN/ansible-playbook" -i localhost, "$tmp/play.yml" > "$tmp/play.log" 2>&1 || { cat "$tmp/play.log"; fail "the playbook failed"; }
grep -q "failed=0" "$tmp/play.log" || { cat "$tmp/play.log"; fail "the playbook reported failures"; }
docker network inspect "$NET" >/dev/null 2>&1 && fail "$NET was not removed"
docker volume inspect "$VOL" >/dev/null 2>&1 && fail "$VOL was not removed"
echo "[galaxy] installed into an empty path and ran network/volume/host_info from it in $(( $(date +%s) - start )) s"
