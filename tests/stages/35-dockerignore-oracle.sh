#!/usr/bin/env bash
# .dockerignore oracle: the files our build context sends must be exactly the files the Docker CLI
# sends. One tricky context (exceptions, **, ?, [], escapes, excluded dirs with re-included files,
# comments, a BOM, leading slashes) is built with `docker build` (classic builder, the CLI's own
# matcher) listing /ctx, and compared with BuildContext(...).entries(). Runs in ~5 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COLL=$(scripts/collection-tree)
tmp=$(mktemp -d /tmp/gs-img-oracle.XXXXXX)
tag=gs-img-oracle:$$
cleanup() { docker rmi -f "$tag" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

ctx=$tmp/ctx
mkdir -p "$ctx"/{src/pkg,src/vendor/x,docs/api,build/out,node_modules/m,a/b/c,keep/deep,logs,'sp ace'}
for f in src/main.go src/main_test.go src/pkg/util.go src/vendor/x/x.go docs/readme.md docs/api/ref.md \
         build/out/bin build/out/keep.txt node_modules/m/index.js a/b/c/d.txt a/b/e.log keep/deep/f.txt \
         keep/g.tmp logs/1.log logs/important.log x.tmp y.tmp 'sp ace/f' '[lit].txt' 'q1.txt' 'q22.txt' \
         .env .git-like Dockerfile.dev README.md; do
  printf '%s\n' "$f" > "$ctx/$f"
done
ln -s ../README.md "$ctx/docs/link"
printf 'FROM goship-test/busybox:latest\nCOPY . /ctx\n' > "$ctx/Dockerfile"
# a BOM on the first line, comments, blank lines, leading slash, ./ and .. in patterns
printf '\xef\xbb\xbf# comment with BOM\n\n*.tmp\n!keep/*.tmp\n/build\n!build/out/keep.txt\n**/*.log\n!logs/important.log\nnode_modules\ndocs/**\n!docs/api\nsrc/**/*_test.go\n./src/vendor/../vendor\nq?.txt\n\\[lit].txt\nsp[ a]ace\n.env\n  # not a comment (leading space)\nDockerfile\n' > "$ctx/.dockerignore"

echo "[oracle] docker build (classic builder) of the tricky context"
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >/dev/null 2>"$tmp/build.err" || { cat "$tmp/build.err" >&2; exit 1; }
docker run --rm "$tag" sh -c 'cd /ctx && find . -mindepth 1 | sed "s|^\./||" | sort' > "$tmp/docker.txt"

PYTHONPATH="$ROOT/.build" "$ROOT/.venv/bin/python" - "$ctx" > "$tmp/ours.txt" <<'PY'
import sys
import posixpath
from ansible_collections.goship.containers.plugins.module_utils.images.context import BuildContext
from ansible_collections.goship.containers.plugins.module_utils.images.dockerignore import PatternMatcher, read_patterns
context = BuildContext(sys.argv[1])
original = PatternMatcher(read_patterns(open(sys.argv[1] + "/.dockerignore", encoding="utf-8").read()))
paths = set()
for entry in context.entries():
    # The daemon drops the Dockerfile and .dockerignore from what COPY sees when .dockerignore
    # excludes them (the CLI and we still send them: the daemon needs them).
    if entry.path in ("Dockerfile", ".dockerignore") and original.is_excluded(entry.path):
        continue
    paths.add(entry.path)
    parent = posixpath.dirname(entry.path)
    while parent:  # COPY creates the parents of a re-included file even when they were excluded
        paths.add(parent)
        parent = posixpath.dirname(parent)
print("\n".join(sorted(paths)))
PY
sort -o "$tmp/ours.txt" "$tmp/ours.txt"
cat "$tmp/ours.txt" | tr "\n" " "; echo
if diff -u "$tmp/docker.txt" "$tmp/ours.txt" > "$tmp/diff.txt"; then
  echo "[oracle] identical: $(wc -l < "$tmp/ours.txt") entries"
else
  echo "[oracle] differences (- docker, + ours):"; cat "$tmp/diff.txt"
  exit 1
fi
