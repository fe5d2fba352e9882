#!/usr/bin/env bash
# Docs-site stage: the HTML site (scripts/docs-site: Sphinx and MyST from .build/venv-docs-site,
# offline) builds from the guides, the module reference, the roles' READMEs and README.md with no
# Sphinx warning (an unresolved cross-reference or anchor, a page outside every toctree), and
# tests/support/check_html_links.py finds every internal link and anchor of the HTML. The front
# page must lead to the guides and to every module's and role's page. No Docker engine is used.
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { printf '[docs-site] %s\n' "$*" >&2; }
tmp=$(mktemp -d /tmp/gs-docs-site.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
scripts/docs-site "$tmp/html"
front=$tmp/html/docs/site/index.html
want=(../getting-started.html ../testing-your-role.html ../fleet.html ../execution-environments.html ../modules/README.html)
for role in roles/*/; do want+=("../../roles/$(basename "$role")/README.html"); done
for module in plugins/modules/*.py; do
  name=$(basename "$module" .py); [ "$name" = __init__ ] || want+=("../modules/$name.html")
done
missing=()
for page in "${want[@]}"; do grep -q "href=\"$page\"" "$front" || missing+=("$page"); done
[ ${#missing[@]} -eq 0 ] || { log "FAIL: the front page does not link to: ${missing[*]}"; exit 1; }
log "built, ${#want[@]} pages reachable from the front page, links and anchors checked, in $((SECONDS - start)) s"
