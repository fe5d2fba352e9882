"""wait_healthy: waits while `starting`, gives up at once when waiting cannot help (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.apply import HealthTimeout, wait_healthy


def inspect(status="running", health="starting", restarts=0, exit_code=0, log=(), error=""):
    state = {"Status": status, "ExitCode": exit_code, "Error": error}
    if health is not None:
        state["Health"] = {"Status": health, "Log": [{"ExitCode": code, "Output": out} for code, out in log]}
    return {"Id": "c" * 64, "Name": "/web", "Image": "sha256:" + "a" * 64, "RestartCount": restarts,
            "State": state, "Config": {}, "HostConfig": {}}


class FakeClient:
    """Answers inspect_container with the given states in turn (the last one repeats)."""

    def __init__(self, *states):
        self.states = list(states)
        self.calls = 0

    def inspect_container(self, name):
        self.calls += 1
        return self.states[min(self.calls, len(self.states)) - 1]


def test_waits_while_starting_then_returns_healthy():
    client = FakeClient(inspect(), inspect(), inspect(health="healthy"))
    assert wait_healthy(client, "web", timeout=10, poll=0).health == "healthy"
    assert client.calls == 3


def test_unhealthy_fails_at_once_with_the_health_log():
    client = FakeClient(inspect(), inspect(health="unhealthy", log=[(1, "unhealthy: 503\n")]), inspect(health="healthy"))
    with pytest.raises(HealthTimeout) as failure:
        wait_healthy(client, "web", timeout=300, poll=0)
    assert client.calls == 2
    assert "container web is unhealthy" in str(failure.value)
    assert failure.value.observed.health_log == ("exit 1: unhealthy: 503",)
    assert failure.value.waited < 5


def test_exited_container_fails_at_once_naming_status_and_exit_code():
    client = FakeClient(inspect(status="exited", exit_code=3))
    with pytest.raises(HealthTimeout, match=r"container web is exited \(exit code 3\)"):
        wait_healthy(client, "web", timeout=300, poll=0)


@pytest.mark.parametrize("states", [
    [inspect(status="restarting", restarts=1, exit_code=2)],
    # between two restarts the container may look running: the restart count tells
    [inspect(restarts=1), inspect(restarts=2)],
])
def test_restart_loop_fails_at_once(states):
    client = FakeClient(*states)
    with pytest.raises(HealthTimeout, match="container web is restarting"):
        wait_healthy(client, "web", timeout=300, poll=0)


def test_no_healthcheck_fails_at_once():
    with pytest.raises(HealthTimeout, match="has no healthcheck"):
        wait_healthy(FakeClient(inspect(health=None)), "web", timeout=300, poll=0)


def test_still_starting_times_out():
    client = FakeClient(inspect())
    with pytest.raises(HealthTimeout, match="container web is still starting after 0.05s"):
        wait_healthy(client, "web", timeout=0.05, poll=0.01)
    assert client.calls > 1
