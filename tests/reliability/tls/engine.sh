# shellcheck shell=bash
# A Docker engine of the TLS matrix's own, sourced by tests/reliability/tls.sh. Everything it uses is
# its own, so the main engine never notices it (see /work/shared/ENVIRONMENT.md): a bridge (never
# --bridge none, which deletes the main engine's docker0), data-root, exec-root, pidfile, unix
# socket, containerd namespaces, no iptables rules. It listens with --tlsverify on 127.0.0.1 only.
# Callers set: STATE (a short directory: containerd's socket path must stay under 108 bytes),
# CERTS (tests/reliability/tls/make-certs.sh), BRIDGE, BRIDGE_CIDR, PORT (engine_session picks it).

engine_log() { printf '[tls] %s\n' "$*" >&2; }

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$BRIDGE_CIDR" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

bridge_down() {
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE" type bridge; fi
}

# engine_start SERVER-PREFIX: start (or restart) the engine presenting CERTS/SERVER-PREFIX-cert.pem;
# returns once it answers on its unix socket and on the TLS port, or fails after a bounded wait.
engine_start() {
  local prefix=$1 deadline
  mkdir -p "$STATE/data" "$STATE/x"
  [ -e "$STATE/daemon.json" ] || echo '{}' > "$STATE/daemon.json"  # never /etc/docker/daemon.json
  dockerd --config-file "$STATE/daemon.json" \
    --data-root "$STATE/data" --exec-root "$STATE/x" --pidfile "$STATE/docker.pid" \
    -H "unix://$STATE/docker.sock" -H "tcp://127.0.0.1:$PORT" \
    --tlsverify --tlscacert "$CERTS/ca.pem" --tlscert "$CERTS/$prefix-cert.pem" --tlskey "$CERTS/$prefix-key.pem" \
    --bridge "$BRIDGE" --iptables=false --ip-masq=false --ip-forward=false \
    --containerd-namespace gs-tls --containerd-plugins-namespace gs-tls-plugins \
    --storage-driver vfs --log-level warn >>"$STATE/dockerd.log" 2>&1 &
  ENGINE_PID=$!
  deadline=$((SECONDS + 90))  # ~3 s on an idle machine; generous for a loaded 2-core one
  until DOCKER_HOST="unix://$STATE/docker.sock" docker version --format '{{.Server.Version}}' >/dev/null 2>&1 &&
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
    if ! kill -0 "$ENGINE_PID" 2>/dev/null; then
      tail -n 20 "$STATE/dockerd.log" >&2; engine_log "the test engine exited while starting"; return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$STATE/dockerd.log" >&2; engine_log "the test engine did not answer within 90 s"; return 1
    fi
    sleep 0.2
  done
  ENGINE_CHILDREN=$(pgrep -P "$ENGINE_PID" | tr '\n' ' ' || true)  # its managed containerd
}

# engine_stop: stop the engine (TERM, then KILL after a bounded wait) and wait until it is gone.
engine_stop() {
  local pid=${ENGINE_PID:-} deadline
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  ENGINE_PID=
  # the engine stops its containerd; one left behind (after a KILL) is still ours: its command line names STATE
  local child
  for child in ${ENGINE_CHILDREN:-}; do
    if grep -qaF -- "$STATE" "/proc/$child/cmdline" 2>/dev/null; then
      kill -TERM "$child" 2>/dev/null || true
      deadline=$((SECONDS + 15))
      while kill -0 "$child" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
      kill -KILL "$child" 2>/dev/null || true
    fi
  done
  ENGINE_CHILDREN=
}

# engine_docker ARGS...: the docker CLI on the test engine's unix socket (no TLS involved).
engine_docker() { DOCKER_HOST="unix://$STATE/docker.sock" docker "$@"; }

# engine_remove: after engine_stop, remove every file and mount the engine left behind.
engine_remove() {
  if [ -d "$STATE" ]; then
    grep -F " $STATE/" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$STATE"
  fi
  bridge_down
}


# engine_session: what every script using this engine does first (tls.sh, connection_tls.sh). One
# such engine at a time (the containerd namespace names are fixed): the lock is held on fd 9, which
# the engine itself does not inherit, so an engine that outlived its script would not keep it. Then
# the collection tree, certificates for this run in CERTS, a free port in PORT, the bridge, the engine.
engine_session() {
  exec 9>/tmp/goship-lock-tls-engine
  flock -w 1800 9 || { engine_log "another TLS engine has held the lock for 30 min"; return 1; }
  ./scripts/collection-tree >/dev/null
  "$(dirname "${BASH_SOURCE[0]}")/make-certs.sh" "$CERTS"
  PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  bridge_up
  local t0=$SECONDS
  engine_start server 9>&-
  engine_log "test engine on 127.0.0.1:$PORT answered in $((SECONDS - t0)) s"
}
