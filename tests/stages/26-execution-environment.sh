#!/usr/bin/env bash
# Execution-environment stage: docs/execution-environments.md is run as written (the guide is the
# test: tests/support/run_guide.py) in an empty folder under /tmp that holds the collection's
# tarball, built from this checkout. ansible-builder comes from .build/venv-ansible-builder
# (requirements/ansible-builder.txt, installed by scripts/setup), ansible-galaxy from .venv.
# Checked: `ansible-builder create` makes a build context with the collection in it, and
# `ansible-builder introspect` reads the installed collection's meta/execution-environment.yml
# (its Python and system requirements). The image itself is not built: that needs a base image
# pull, which these machines cannot do. No Docker engine is used.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
log() { printf '[execution-environment] %s\n' "$*" >&2; }
builder=$ROOT/.build/venv-ansible-builder/bin
[ -x "$builder/ansible-builder" ] || { log "FAIL: no $builder/ansible-builder (scripts/setup installs it)"; exit 1; }
tmp=$(mktemp -d /tmp/gs-ee.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/work" "$tmp/home"
start=$SECONDS
: > "$tmp/ansible.cfg"  # none of this checkout's ansible.cfg applies
ANSIBLE_CONFIG=$tmp/ansible.cfg "$ROOT/.venv/bin/ansible-galaxy" collection build --output-path "$tmp/work" . >/dev/null
env -i HOME="$tmp/home" LANG=C.UTF-8 TERM=dumb ANSIBLE_NOCOLOR=1 \
  PATH="$builder:$ROOT/.venv/bin:/usr/local/bin:/usr/bin:/bin" \
  "$ROOT/.venv/bin/python" tests/support/run_guide.py docs/execution-environments.md \
    --workdir "$tmp/work" --state "$tmp/session"
log "build context and introspection as documented, in $((SECONDS - start)) s (the image build needs a pull: not run)"
