"""Removing a project network right after its containers: Docker 20.10 may answer "has active
endpoints" for a moment (moby/moby#42119); the executor retries for a bounded time (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import resources as ex
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ApplyContext
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.errors import ExecutionError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action


class EngineError(Exception):
    def __init__(self, message, status=500):
        super().__init__(message)
        self.response = type("Response", (), {"status_code": status})()


class Client:
    def __init__(self, answers, attached=None):
        self.answers = list(answers)
        self.calls = 0
        self.attached = attached or {}

    def inspect_network(self, name):
        return {"Name": name, "Containers": self.attached}

    def remove_network(self, name):
        self.calls += 1
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            raise answer


def remove(client):
    context = ApplyContext.__new__(ApplyContext)  # only the client is used here
    context.client = client
    ex.remove_network(context, Action("remove_network", "gsproj_default", "state: absent"))


ENDPOINTS = "error while removing network: network gsproj_default id 1f2e has active endpoints"


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(ex, "POLL_SECONDS", 0.01)


def test_a_moment_of_active_endpoints_is_waited_out():
    client = Client([EngineError(ENDPOINTS), EngineError(ENDPOINTS)])
    remove(client)
    assert client.calls == 3


def test_a_stale_endpoint_that_stays_fails_after_the_grace_saying_what_clears_it(monkeypatch):
    monkeypatch.setattr(ex, "NETWORK_REMOVE_GRACE", 0.1)
    client = Client([EngineError(ENDPOINTS)] * 1000)
    with pytest.raises(ExecutionError, match="no container is attached .*moby/moby#42119.*restart of the Docker daemon"):
        remove(client)
    assert client.calls > 1


def test_a_container_still_attached_is_named(monkeypatch):
    monkeypatch.setattr(ex, "NETWORK_REMOVE_GRACE", 0.05)
    client = Client([EngineError(ENDPOINTS)] * 1000, attached={"abc123": {"Name": "someone-else"}})
    with pytest.raises(ExecutionError, match="containers outside this run are attached: someone-else"):
        remove(client)


def test_other_errors_fail_at_once_and_a_missing_network_is_fine():
    client = Client([EngineError("permission denied")])
    with pytest.raises(EngineError, match="permission denied"):
        remove(client)
    assert client.calls == 1
    remove(Client([EngineError("no such network", status=404)]))


def test_a_recreated_network_detaches_each_of_its_containers_once(monkeypatch):
    """recreate_network detaches, removes, creates: removing must not detach the containers again
    (the engine answers "is not connected" to a second disconnect)."""
    calls = []

    class Recreating(Client):
        def stop(self, container, timeout=None):
            calls.append(("stop", container))

        def disconnect_container_from_network(self, container, network, force=False):
            if ("disconnect", container) in calls:
                raise EngineError("container %s is not connected to the network %s" % (container, network))
            calls.append(("disconnect", container))

        def remove_network(self, name):
            calls.append(("remove", name))

    context = ApplyContext.__new__(ApplyContext)
    context.client = Recreating([], attached={"c1": {"Name": "w1"}, "c2": {"Name": "w2"}})
    context.options = type("Options", (), {"stop_timeout": None})()
    monkeypatch.setattr(ex, "create_network", lambda context, action: calls.append(("create", action.target)))
    ex.recreate_network(context, Action("recreate_network", "gsproj_back", "changed: labels", attached=("c1", "c2")))
    assert calls == [("stop", "c1"), ("disconnect", "c1"), ("stop", "c2"), ("disconnect", "c2"),
                     ("remove", "gsproj_back"), ("create", "gsproj_back")]
