"""Options newer than a pinned Engine API version are named before anything is created."""

from __future__ import annotations

from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_needing_newer_api
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import ContainerSpec, Healthcheck, Mount


def test_nothing_needed_for_a_plain_spec():
    assert options_needing_newer_api(ContainerSpec(name="a", image="b"), "1.24") == []


def test_each_option_names_its_minimum():
    spec = ContainerSpec(name="a", image="b", init=True, nano_cpus=10 ** 9, stop_timeout=3,
                         healthcheck=Healthcheck(test=("CMD", "true"), start_period_ns=10 ** 9),
                         mounts=(Mount(target="/data", source="vol"),))
    assert options_needing_newer_api(spec, "1.24") == [
        ("init", "1.25"), ("cpus", "1.25"), ("stop_timeout", "1.25"),
        ("healthcheck.start_period", "1.29"), ("volumes/mounts", "1.30"),
    ]
    assert options_needing_newer_api(spec, "1.29") == [("volumes/mounts", "1.30")]
    assert options_needing_newer_api(spec, "1.41") == []
