"""healthcheck.start_interval: parsed, sent, read back and compared like the other healthcheck
durations, and named as needing API 1.44 (the registry test walks the round trip)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_needing_newer_api
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import observed_container
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import plan_container
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import to_create_request
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

CHECK = {"test": ["CMD", "/app", "health"], "interval": "30s"}


def spec(**healthcheck):
    return spec_from_params(dict(name="web", image="i", healthcheck=dict(CHECK, **healthcheck)))


def inspect_of(body):
    return {"Id": "abc", "Name": "/web", "Image": "sha256:img", "Config": {"Healthcheck": body},
            "HostConfig": {}, "State": {"Status": "running"}, "NetworkSettings": {"Networks": {}}}


def test_sent_in_nanoseconds_and_read_back():
    desired = spec(start_interval="500ms")
    body = to_create_request(desired)["Healthcheck"]
    assert body == {"Test": ["CMD", "/app", "health"], "Interval": 30 * 10 ** 9, "StartInterval": 5 * 10 ** 8}
    assert plan_container(desired, observed_container(inspect_of(body)), "started", "sha256:img").steps == ()


def test_a_change_recreates():
    body = to_create_request(spec(start_interval="1s"))["Healthcheck"]
    plan = plan_container(spec(start_interval="2s"), observed_container(inspect_of(body)), "started", "sha256:img")
    assert plan.kinds[0] == "recreate" and plan.steps[0].reason == "healthcheck differs"
    assert plan.after["healthcheck"]["start_interval_ns"] == 2 * 10 ** 9


def test_needs_api_1_44():
    assert options_needing_newer_api(spec(start_interval="1s"), "1.41") == [("healthcheck.start_interval", "1.44")]
    assert options_needing_newer_api(spec(start_interval="1s"), "1.44") == []
    assert options_needing_newer_api(spec(), "1.41") == []
    disabled = spec_from_params(dict(name="web", image="i", healthcheck={"test": ["NONE"], "start_interval": "1s"}))
    assert options_needing_newer_api(disabled, "1.41") == []  # a disabled healthcheck sends no interval


@pytest.mark.parametrize("value, message", [
    ("soon", "healthcheck.start_interval: invalid duration 'soon'"),
    ("-1s", "healthcheck.start_interval: "),
])
def test_bad_values_name_the_key(value, message):
    with pytest.raises(OptionError, match=message):
        spec(start_interval=value)
