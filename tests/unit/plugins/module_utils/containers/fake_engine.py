"""A small in-memory engine for replace/apply tests: containers with names and states, volumes,
a log of the calls, and refusals injected per call (no Docker)."""

from __future__ import annotations

import itertools


class EngineError(Exception):
    def __init__(self, message, status=500):
        super().__init__(message)
        self.explanation = message
        self.response = type("Response", (), {"status_code": status})()


class ContainerTable(dict):
    """id -> inspect-like dict; called, it answers GET /containers/json as the SDK's
    `client.containers(all=True, filters={"name": ...})` does (the name filter matches a part)."""

    def __init__(self, calls):
        super().__init__()
        self.calls = calls

    def __call__(self, all=False, filters=None):  # noqa: A002 - the SDK's name
        wanted = (filters or {}).get("name") or ""
        self.calls.append(("list", wanted))
        return [{"Id": cid, "Names": [c["Name"]], "State": c["State"]["Status"]}
                for cid, c in self.items() if wanted in c["Name"]]


class FakeEngine:
    def __init__(self):
        self.calls = []
        self.containers = ContainerTable(self.calls)  # id -> inspect-like dict
        self.volumes = set()
        self.refuse = {}  # "create" | "start:<name>" | "stop" | "rename" | "remove:<name>" -> message
        self._ids = itertools.count(1)

    # ---- helpers for tests
    def add(self, name, status="running", auto_remove=False, volumes=()):
        cid = ("%x" % next(self._ids)) * 64
        cid = cid[:64]
        self.containers[cid] = {"Id": cid, "Name": "/" + name, "State": {"Status": status},
                                "HostConfig": {"AutoRemove": auto_remove},
                                "Mounts": [{"Type": "volume", "Name": v, "Destination": t} for t, v in volumes]}
        self.volumes.update(v for _t, v in volumes)
        return cid

    def by_name(self):
        return {c["Name"].lstrip("/"): (cid, c["State"]["Status"]) for cid, c in self.containers.items()}

    def _find(self, ref):
        for cid, container in self.containers.items():
            if ref == cid or container["Name"] == "/" + ref:
                return cid
        raise EngineError("No such container: %s" % ref, 404)

    def _check(self, key):
        if key in self.refuse:
            raise EngineError(self.refuse[key], 400)

    def _name(self, ref):
        return self.containers[self._find(ref)]["Name"].lstrip("/")

    # ---- the API calls the code under test makes
    def inspect_container(self, ref):
        self.calls.append(("inspect", ref[:12]))
        return self.containers[self._find(ref)]

    def create_container_from_config(self, body, name=None):
        self.calls.append(("create", name))
        self._check("create")
        if any(c["Name"] == "/" + name for c in self.containers.values()):
            raise EngineError("Conflict. The container name /%s is already in use" % name, 409)
        named = [(b.split(":")[1], b.split(":")[0]) for b in body.get("HostConfig", {}).get("Binds", ())
                 if not b.startswith("/")]
        cid = self.add(name, status="created", volumes=named)
        self.containers[cid]["body"] = body
        return {"Id": cid}

    def connect_container_to_network(self, container, network, **_kwargs):
        self.calls.append(("connect", network))
        self._check("connect")

    def stop(self, ref, timeout=None):
        name = self._name(ref)
        self.calls.append(("stop", name))
        self._check("stop")
        cid = self._find(ref)
        self.containers[cid]["State"]["Status"] = "exited"
        if self.containers[cid]["HostConfig"]["AutoRemove"]:
            del self.containers[cid]

    def start(self, ref):
        name = self._name(ref)
        self.calls.append(("start", name))
        self._check("start:" + name)
        self.containers[self._find(ref)]["State"]["Status"] = "running"

    def rename(self, ref, new_name):
        self.calls.append(("rename", self._name(ref), new_name))
        self._check("rename")
        self.containers[self._find(ref)]["Name"] = "/" + new_name

    def remove_container(self, ref, v=False, force=False):
        cid = self._find(ref)
        name = self._name(ref)
        self.calls.append(("remove", name, v))
        self._check("remove:" + name)
        del self.containers[cid]

    def remove_volume(self, name):
        self.calls.append(("remove_volume", name))
        if name not in self.volumes:
            raise EngineError("no such volume", 404)
        if any(m["Name"] == name for c in self.containers.values() for m in c["Mounts"]):
            raise EngineError("volume is in use", 409)
        self.volumes.discard(name)
