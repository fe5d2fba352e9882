# shellcheck shell=bash
# A new user's world, for the stages that run the user guides (tests/stages/22, 52). Sourced:
#   . tests/support/user-env.sh
#   user_env_prepare TMP      # TMP/work: an empty folder holding goship-containers/ (the "clone")
#   run_guide GUIDE.md ARGS   # tests/support/run_guide.py in the user's environment
# The user has nothing of this checkout's environment:
#   - TMP/work/goship-containers is a copy of this checkout's files (tracked and untracked, not
#     ignored ones): what the guide's `git clone` would give, uncommitted work included;
#   - HOME is TMP/home: ~/.ansible/collections, the guide's virtualenv and Molecule's cache start empty;
#   - PATH has no project venv; `python3` is the interpreter .venv was made from, and `pip install`
#     takes the pinned wheels of .build/wheelhouse (scripts/setup makes it; nothing is fetched);
#   - `docker compose` works (the CLI plugin scripts/setup links), DOCKER_HOST passes through;
#   - PROXY_IMAGE names the local Caddy stand-in (images/caddy/build): nothing can be pulled.
# Needs ROOT (the checkout).

user_env_prepare() {
  USER_ENV_TMP=$1
  USER_ENV_WHEELHOUSE=$ROOT/.build/wheelhouse
  [ -f "$USER_ENV_WHEELHOUSE/.stamp" ] || { echo "user-env: no $USER_ENV_WHEELHOUSE (run scripts/setup)" >&2; return 1; }
  USER_ENV_PROXY_IMAGE=$("$ROOT/images/caddy/build")
  mkdir -p "$USER_ENV_TMP/work/goship-containers" "$USER_ENV_TMP/home/.docker" "$USER_ENV_TMP/bin"
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | grep -zv '^\.venv' |
    rsync -a --from0 --files-from=- ./ "$USER_ENV_TMP/work/goship-containers/")
  ln -sf "$("$ROOT/.venv/bin/python" -c 'import sys; print(sys._base_executable)')" "$USER_ENV_TMP/bin/python3"
  if [ -e "$HOME/.docker/cli-plugins" ]; then cp -a "$HOME/.docker/cli-plugins" "$USER_ENV_TMP/home/.docker/"; fi
}

run_guide() {  # run_guide GUIDE [run_guide.py options...]
  env -i HOME="$USER_ENV_TMP/home" USER="${USER:-root}" LANG=C.UTF-8 TERM=dumb \
    PATH="$USER_ENV_TMP/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    ${DOCKER_HOST:+DOCKER_HOST="$DOCKER_HOST"} \
    GOCACHE="${GOCACHE:-/tmp/goship-gocache}" GOPROXY=off \
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$USER_ENV_WHEELHOUSE" PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PROXY_IMAGE="$USER_ENV_PROXY_IMAGE" ANSIBLE_NOCOLOR=1 NO_COLOR=1 PY_COLORS=0 \
    "$ROOT/.venv/bin/python" "$ROOT/tests/support/run_guide.py" "$@"
}
