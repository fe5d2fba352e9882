#!/usr/bin/env bash
# Docs stage: the container module's options must be what the option registry says
# (scripts/gen_container_options.py --check), docs/modules must be what scripts/gen-docs makes from
# the modules' DOCUMENTATION right now (regenerated into a temp dir and diffed), every module must
# load in ansible-doc, and `ansible-doc goship.containers.X` must print full docs (options,
# examples, return values).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "[docs] checking the container module's options against the option registry"
if ! "$ROOT/.venv/bin/python" scripts/gen_container_options.py --check; then
  echo "[docs] FAIL: plugins/modules/container.py's options are stale; run scripts/gen-docs and commit" >&2
  exit 1
fi

echo "[docs] regenerating the module reference into $tmp"
if ! scripts/gen-docs --output "$tmp/modules"; then
  echo "[docs] FAIL: some module documentation does not load (see above)" >&2
  exit 1
fi
if ! diff -ru docs/modules "$tmp/modules"; then
  echo "[docs] FAIL: docs/modules is stale; run scripts/gen-docs and commit docs/modules" >&2
  exit 1
fi
echo "[docs] docs/modules is up to date ($(ls "$tmp/modules" | wc -l) pages)"

# The text ansible-doc prints for users, from the collection tree the tests use (one call for all).
coll_root=$(dirname "$(dirname "$(dirname "$(scripts/collection-tree)")")")
modules=$(cd plugins/modules && ls *.py | grep -v '^__init__' | sed 's/\.py$//' | sed 's/^/goship.containers./')
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
