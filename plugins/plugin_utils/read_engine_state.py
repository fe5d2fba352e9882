# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print one container's and one image's inspect JSON, as the engine answers them, for the
container module's `observed_state`: the plan is then made on the controller.

The container action plugin (plan_on_controller) runs this file on the Docker host over the task's
connection as `python3 -I -S -c "<this file>" CONTAINER IMAGE SOCKET`. IMAGE may be empty; an empty
SOCKET means the host's DOCKER_HOST, else /var/run/docker.sock.
Standard library only, no Ansible on the host: tens of milliseconds instead of a module run. The
output is the Engine API's own JSON (GET /containers/{name}/json, /images/{ref}/json, /version),
never CLI text; a 404 becomes null, any other answer fails with the engine's message.
"""
import http.client
import json
import os
import socket
import sys
import urllib.parse


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=30)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def get(connection, path):
    """The engine's JSON answer to GET path; None for 404."""
    connection.request("GET", urllib.parse.quote(path, safe="/:@"))
    response = connection.getresponse()
    body = response.read()
    if response.status == 404:
        return None
    if response.status != 200:
        sys.exit("GET %s: the engine answered %s %s" % (path, response.status, body.decode("utf-8", "replace").strip()))
    return json.loads(body)


def read_state(container, image, socket_path):
    connection = UnixConnection(socket_path)
    try:
        return {
            "container": get(connection, "/containers/%s/json" % container),
            "image": get(connection, "/images/%s/json" % image) if image else None,
            "version": get(connection, "/version"),
        }
    except OSError as exc:
        sys.exit("cannot read the Docker engine at %s: %s" % (socket_path, exc))


def socket_path(given):
    """The socket given, else the host's DOCKER_HOST (as a shipped module would read it), else the default."""
    if given:
        return given
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    if not host.startswith("unix://"):
        sys.exit("DOCKER_HOST on this host is %s: the engine state is read over a unix socket only" % host)
    return host[len("unix://"):]


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: read_engine_state CONTAINER IMAGE SOCKET")
    print(json.dumps(read_state(sys.argv[1], sys.argv[2], socket_path(sys.argv[3]))))
