# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`wait` hands the containers list that met its condition to the run's result: after a change the
module reports from that list instead of listing the project once more."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.goship.containers.plugins.module_utils.compose import run
from ansible_collections.goship.containers.plugins.module_utils.compose.apply import waits


def _item(health: str) -> dict:
    return {"Id": "c1", "Names": ["/p-web-1"], "State": "running", "Status": "Up 2 seconds (%s)" % health,
            "Image": "app:1", "ImageID": "sha256:1",
            "Labels": {"com.docker.compose.project": "p", "com.docker.compose.service": "web",
                       "com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False"}}


class CountingClient:
    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = 0

    def containers(self, all=False, filters=None):  # noqa: A002 - the SDK's keyword
        self.calls += 1
        return [self.answers.pop(0)]


def _context(client):
    desired = SimpleNamespace(services={"web": SimpleNamespace(replicas=1, restart_policy="no")})
    return SimpleNamespace(client=client, project=SimpleNamespace(name="p"), desired=desired,
                           options=SimpleNamespace(wait_timeout=30))


def test_wait_returns_the_list_that_met_the_condition(monkeypatch):
    monkeypatch.setattr(waits.time, "sleep", lambda _s: None)
    client = CountingClient([_item("health: starting"), _item("healthy")])
    listed = waits.wait_for_services(_context(client), ["web"])
    assert client.calls == 2
    assert [(c.name, c.health) for c in listed] == [("p-web-1", "healthy")]


def test_the_result_reports_from_the_waited_list_without_a_request():
    client = CountingClient([])
    listed = [object()]
    result = SimpleNamespace(project="p", observed=SimpleNamespace(containers=[]))
    assert run.current_containers(client, result, refresh=True, listed=listed) is listed
    assert client.calls == 0
