"""Per-host decisions of a rollout (plugins/filter/fleet.py), read from the container probe."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.goship.containers.plugins.filter.fleet import failure_reason, fleet_current, fleet_needs_image, hosts_wanting

ID1 = "sha256:" + "1" * 64
ID2 = "sha256:" + "2" * 64


def probe(actions=(), image=ID1, health="healthy", container=True):
    return {"actions": list(actions), "container": {"Image": image, "State": {"Health": {"Status": health}}} if container else {}}


def test_current_only_when_unchanged_healthy_and_on_the_controllers_id():
    assert fleet_current(probe(), ID1)
    assert not fleet_current(probe(actions=["recreate (restart_policy differs)"]), ID1)
    assert not fleet_current(probe(health="starting"), ID1)
    assert not fleet_current(probe(image=ID2), ID1)  # the tag moved on the controller
    assert not fleet_current(probe(container=False), ID1)
    assert not fleet_current({"actions": [], "container": None}, ID1)


def test_needs_image_unless_the_container_runs_the_id_unchanged():
    assert not fleet_needs_image(probe(), ID1)
    assert not fleet_needs_image(probe(health="unhealthy"), ID1)  # has the image: the deploy repairs it
    assert fleet_needs_image(probe(image=ID2), ID1)
    assert fleet_needs_image(probe(actions=["create"], container=False), ID1)
    assert fleet_needs_image(probe(actions=["recreate"]), ID1)


def test_probe_must_be_a_container_result():
    with pytest.raises(AnsibleFilterError, match="container result"):
        fleet_current({"skipped": True}, ID1)


def test_hosts_wanting():
    hostvars = {"h1": {"img": "a:1"}, "h2": {"img": "nope:1"}, "h3": {}}
    assert hosts_wanting(["h1", "h2", "h3"], hostvars, "img", ["nope:1"]) == ["h2"]


def test_failure_reason_prefers_the_failed_item():
    assert failure_reason({"msg": "One or more items failed", "results": [{"failed": False}, {"failed": True, "msg": "disk full"}]}) == "disk full"
    assert failure_reason({"msg": "timeout"}) == "timeout"
    assert failure_reason({}) == "?"
