#!/usr/bin/env bash
# The goship.containers.docker connection plugin and the goship.containers.docker_containers
# inventory plugin on the real engine. Containers are named gs-dconn-*; everything is removed at exit.
#   1. prepare.yml   users, sudoers and passwords made through the connection itself, as root
#   2. connection.yml  ansible.builtin modules through the connection as a non-root user, become
#                    (sudo with and without a password, su), working_dir, extra_env, privileged;
#                    run twice: modules copied as files (put_file), then pipelined (stdin)
#   3. errors.yml    a missing, a stopped container, an unknown user, a missing working_dir, no daemon
#   4. the inventory plugin: ansible-inventory --list checked by check_inventory.yml, and a ping
#      through the connection it presets
set -eux -o pipefail
here=$PWD
out=$(mktemp -d /tmp/gs-dconn-out.XXXXXX)
image=$(./files/python-image)
export ANSIBLE_FORCE_COLOR=0
local_inventory=(-i "$here/localhost.ini")

cleanup() {
  ansible-playbook "${local_inventory[@]}" cleanup.yml || true
  rm -rf "$out"
}
trap cleanup EXIT

head -c 2097152 /dev/urandom > "$out/big.bin"
sha1sum "$out/big.bin" | cut -d' ' -f1 > "$out/big.sha1"
ansible-playbook "${local_inventory[@]}" setup.yml -e "python_image=$image" -e "out=$out"
ansible-playbook -i inventory.yml prepare.yml
ANSIBLE_PIPELINING=false ansible-playbook -i inventory.yml connection.yml -e "out=$out" -e pipelined=false -vvv > "$out/unpiped.log" ||
  { cat "$out/unpiped.log"; exit 1; }
# every module went through put_file, none through stdin
grep -q "PUT .* TO .*AnsiballZ_" "$out/unpiped.log"
! grep -q "with stdin" "$out/unpiped.log"
ANSIBLE_PIPELINING=true ansible-playbook -i inventory.yml connection.yml -e "out=$out" -e pipelined=true -vvv > "$out/piped.log" ||
  { cat "$out/piped.log"; exit 1; }
grep -q "with stdin" "$out/piped.log"
! grep -q "PUT .* TO .*AnsiballZ_" "$out/piped.log"
# the become passwords never show, not even at -vvv
! grep -E "pw-secret|root-secret|wrong-secret" "$out/unpiped.log" "$out/piped.log"
ansible-playbook -i inventory.yml errors.yml

# the inventory plugin: what ansible-inventory prints, and tasks through the connection it presets
# ansible-inventory marks the engine's strings as untrusted ({"__ansible_unsafe": "..."}), which
# from_json refuses; plain_json removes the markers
plain_json() {
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -c 'import json, sys
def plain(v):
    if isinstance(v, dict):
        return v["__ansible_unsafe"] if set(v) == {"__ansible_unsafe"} else {k: plain(i) for k, i in v.items()}
    return [plain(i) for i in v] if isinstance(v, list) else v
json.dump(plain(json.load(sys.stdin)), sys.stdout)'
}
ansible-inventory -i inventory/gs-dconn.docker.yml --list --export | plain_json > "$out/list.json"
ansible-inventory -i inventory/gs-dconn-ssh.docker.yml --list --export | plain_json > "$out/ssh.json"
ansible-playbook "${local_inventory[@]}" check_inventory.yml -e "out=$out"
ansible -i inventory/gs-dconn.docker.yml compose_gs_dconn_shop_web -m ansible.builtin.ping | tee "$out/ping.txt"
[ "$(grep -c '| SUCCESS' "$out/ping.txt")" -eq 2 ]
ansible -i inventory/gs-dconn.docker.yml 'compose_gs_dconn_shop_web[0]' -m ansible.builtin.command -a 'cat /etc/debian_version'
