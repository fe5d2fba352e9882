# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print one container's and one image's inspect JSON, as the engine answers them, for the
container_plan action: the plan is then made on the controller.

The action runs this file on the Docker host over the task's connection as
`python3 -I -S -c "<this file>" CONTAINER IMAGE SOCKET TIMEOUT ENV_FILE [PEERS]`. IMAGE and ENV_FILE may
be empty (PEERS: the comma-separated names of the containers whose namespaces the task shares,
container:NAME); an empty SOCKET means the host's DOCKER_HOST, else /var/run/docker.sock.
`--info SOCKET TIMEOUT RECORD_DIR...` prints GET /info and the engine's discard records instead.
Standard library only, no Ansible on the host: tens of milliseconds instead of a module run. The
output is the Engine API's own JSON (GET /containers/{name}/json, /images/{ref}/json, /version),
never CLI text; a 404 becomes null, any other answer fails with the engine's message. `requests`
counts the API requests made, `socket` is the socket read, `env_file` the file's text (read here,
on the host, as the container module reads it) or the reason it could not be read.
"""
import http.client
import json
import os
import socket
import sys
import urllib.parse


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path
        self.requests = 0

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def get(connection, path, query=None):
    """The engine's JSON answer to GET path; None for 404."""
    connection.requests += 1
    connection.request("GET", urllib.parse.quote(path, safe="/:@") + ("?" + urllib.parse.urlencode(query) if query else ""))
    response = connection.getresponse()
    body = response.read()
    if response.status == 404:
        return None
    if response.status != 200:
        sys.exit("GET %s: the engine answered %s %s" % (path, response.status, body.decode("utf-8", "replace").strip()))
    return json.loads(body)


def read_state(container, image, socket_path, timeout=60, peers=()):
    """`peers`: containers whose namespaces the task shares (container:NAME): their IDs, as "peers"."""
    connection = UnixConnection(socket_path, timeout)
    try:
        state = {
            # what an interrupted replacement may have left, as the container module lists it first
            "listed": get(connection, "/containers/json", {"all": "1", "filters": json.dumps({"name": [container]})}),
            "container": get(connection, "/containers/%s/json" % container),
            "image": get(connection, "/images/%s/json" % image) if image else None,
            "version": get(connection, "/version"),
        }
        if peers:
            state["peers"] = {name: (get(connection, "/containers/%s/json" % name) or {}).get("Id") for name in peers}
    except OSError as exc:
        sys.exit("cannot read the Docker engine at %s: %s" % (socket_path, exc))
    state["requests"] = connection.requests
    return state


def read_info(socket_path, timeout, record_dirs):
    """GET /info, and the engine-discards record of that engine in each of `record_dirs` (~
    expanded on this host; null where there is none): what the container module reads when a
    limit the engine may discard differs (module_utils/containers/engine_discards.py)."""
    connection = UnixConnection(socket_path, timeout)
    try:
        info = get(connection, "/info") or {}
    except OSError as exc:
        sys.exit("cannot read the Docker engine at %s: %s" % (socket_path, exc))
    name = str(info.get("ID") or "").replace(":", "-").replace("/", "-")
    records = []
    for folder in record_dirs:
        try:
            with open(os.path.join(os.path.expanduser(folder), name + ".json"), encoding="utf-8") as handle:
                records.append(handle.read() if name else None)
        except OSError:
            records.append(None)
    return {"info": info, "records": records, "requests": connection.requests}


def read_env_file(path):
    """{"path": ..., "text": ...} or {"path": ..., "error": why}: the file as the module reads it
    (a `path` option: ~ and variables expanded on this host)."""
    path = os.path.expanduser(os.path.expandvars(path))
    try:
        with open(path, encoding="utf-8") as handle:
            return {"path": path, "text": handle.read()}
    except OSError as exc:
        return {"path": path, "error": exc.strerror or str(exc)}


def socket_path(given):
    """The socket given, else the host's DOCKER_HOST (as a shipped module would read it), else the default."""
    if given:
        return given
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    if not host.startswith("unix://"):
        sys.exit("DOCKER_HOST on this host is %s: the engine state is read over a unix socket only" % host)
    return host[len("unix://"):]


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--info":
        print(json.dumps(read_info(socket_path(sys.argv[2]), float(sys.argv[3]), sys.argv[4:])))
        sys.exit(0)
    if len(sys.argv) not in (6, 7):
        sys.exit("usage: read_engine_state CONTAINER IMAGE SOCKET TIMEOUT ENV_FILE [PEER,...]")
    used = socket_path(sys.argv[3])
    found = read_state(sys.argv[1], sys.argv[2], used, float(sys.argv[4]),
                       [name for name in (sys.argv[6] if len(sys.argv) == 7 else "").split(",") if name])
    found["socket"] = used
    found["env_file"] = read_env_file(sys.argv[5]) if sys.argv[5] else None
    print(json.dumps(found))
