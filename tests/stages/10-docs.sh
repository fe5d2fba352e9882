#!/usr/bin/env bash
# Docs stage: the container options' documentation must be what the option registry says
# (scripts/gen_container_options.py --check), docs/modules (the modules' and plugins'
# DOCUMENTATION), and the list of modules, plugins, roles and playbooks in README.md, must be what
# scripts/gen-docs makes from the collection right now (regenerated into a temp dir and diffed),
# every module must load in ansible-doc, and
# `ansible-doc goship.containers.X` must print full docs (options, examples, return values).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "[docs] checking the container module's options against the option registry"
if ! "$ROOT/.venv/bin/python" scripts/gen_container_options.py --check; then
  echo "[docs] FAIL: plugins/doc_fragments/container.py's options are stale; run scripts/gen-docs and commit" >&2
  exit 1
fi

echo "[docs] regenerating the module reference into $tmp"
if ! scripts/gen-docs --output "$tmp/modules" --readme-output "$tmp/README.md"; then
  echo "[docs] FAIL: some module documentation does not load (see above)" >&2
  exit 1
fi
if ! diff -ru docs/modules "$tmp/modules"; then
  echo "[docs] FAIL: docs/modules is stale; run scripts/gen-docs and commit docs/modules" >&2
  exit 1
fi
echo "[docs] docs/modules is up to date ($(ls "$tmp/modules" | wc -l) pages)"
if ! diff -u README.md "$tmp/README.md"; then
  echo "[docs] FAIL: README.md's list of modules, roles and playbooks is stale; run scripts/gen-docs and commit README.md" >&2
  exit 1
fi
echo "[docs] README.md lists every module, role and playbook"

# The text ansible-doc prints for users, from the collection tree the tests use (one call for all).
coll_root=$(dirname "$(dirname "$(dirname "$(scripts/collection-tree)")")")
# module_runner documents the action plugin the modules run through: no options, not a task
modules=$(cd plugins/modules && ls *.py | grep -v -e '^__init__' -e '^module_runner\.py$' | sed 's/\.py$//' | sed 's/^/goship.containers./')
# shellcheck disable=SC2086
ANSIBLE_COLLECTIONS_PATH="$coll_root" ANSIBLE_NOCOLOR=1 ANSIBLE_PAGER=cat \
  "$ROOT/.venv/bin/ansible-doc" -t module $modules > "$tmp/ansible-doc.txt" 2>&1 || true
"$ROOT/.venv/bin/python" - "$tmp/ansible-doc.txt" $modules <<'PY'
import re, sys
text = open(sys.argv[1]).read()
pages = dict(re.findall(r"^> MODULE (\S+) .*?\n(.*?)(?=^> MODULE |\Z)", text, re.S | re.M))
failed = False
for module in sys.argv[2:]:
    page = pages.get(module, "")
    missing = [s for s in ("OPTIONS", "EXAMPLES", "RETURN VALUES", "docker_host") if s not in page]
    if missing:
        failed = True
        print("[docs] FAIL: ansible-doc %s prints no %s" % (module, ", ".join(missing)), file=sys.stderr)
if failed:
    sys.exit(1)
print("[docs] ansible-doc prints full docs for %d modules" % len(sys.argv[2:]))
PY

# The connection and inventory plugins: ansible-doc prints their options (the shared daemon options
# included) and examples.
for kind in connection inventory; do
  for source in plugins/$kind/*.py; do
    [ -e "$source" ] || continue
    name=goship.containers.$(basename "$source" .py)
    text=$(ANSIBLE_COLLECTIONS_PATH="$coll_root" ANSIBLE_NOCOLOR=1 ANSIBLE_PAGER=cat \
      "$ROOT/.venv/bin/ansible-doc" -t "$kind" "$name" 2>&1 || true)
    for section in OPTIONS EXAMPLES docker_host; do
      grep -q "$section" <<<"$text" || { echo "[docs] FAIL: ansible-doc -t $kind $name prints no $section" >&2; exit 1; }
    done
    echo "[docs] ansible-doc prints full docs for the $kind plugin $name"
  done
done
