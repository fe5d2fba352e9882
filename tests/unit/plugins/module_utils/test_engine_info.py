"""host_info filters and summaries (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.engine_info import (
    HOST_INFO_OPTIONS, OptionError, disk_usage, engine_summary, normalise_filters, summarise,
)


def test_filters_become_lists_of_strings():
    assert normalise_filters("f", None) == {}
    assert normalise_filters("f", {"label": "a=1", "dangling": True, "name": ["x", "y"], "since": 3}) == {
        "label": ["a=1"], "dangling": ["true"], "name": ["x", "y"], "since": ["3"]}
    assert normalise_filters("f", {"label": {"app": "shop", "tier": None}}) == {"label": ["app=shop", "tier"]}


@pytest.mark.parametrize("filters, message", [
    ({"label": None}, "containers_filters.label: a filter needs a value"),
    ({"name": {"a": "b"}}, "containers_filters.name: only the label filter takes a mapping"),
    ({"label": [["a"]]}, "containers_filters.label[0]: expected a string"),
    ({"label": []}, "containers_filters.label: an empty list matches nothing"),
])
def test_bad_filters_name_the_path(filters, message):
    with pytest.raises(OptionError) as error:
        normalise_filters("containers_filters", filters)
    assert message in str(error.value)


def test_engine_summary():
    summary = engine_summary(
        {"Version": "20.10.24", "ApiVersion": "1.41", "Os": "linux"},
        {"Driver": "overlay2", "OperatingSystem": "Debian", "Swarm": {"LocalNodeState": "inactive"}},
    )
    assert (summary["version"], summary["api_version"], summary["os"], summary["storage_driver"]) == (
        "20.10.24", "1.41", "linux", "overlay2")
    assert summary["swarm_active"] is False


def test_summaries_keep_a_few_fields_unless_verbose():
    entry = {"Id": "1", "Names": ["/web"], "Image": "app", "State": "running", "Status": "Up", "Created": 1,
             "Labels": {}, "Mounts": []}
    assert summarise("containers", [entry], False) == [
        {"Id": "1", "Names": ["web"], "Image": "app", "State": "running", "Status": "Up", "Created": 1, "Labels": {}}]
    assert summarise("containers", [entry], True) == [entry]
    assert summarise("volumes", [{"Name": "v", "Driver": "local", "Labels": None, "Mountpoint": "/x"}], False) == [
        {"Name": "v", "Driver": "local", "Labels": None}]


# GET /system/df as an API 1.41 engine answers it (trimmed)
DF = {
    "LayersSize": 1092588,
    "Images": [{"Id": "sha256:aa", "RepoTags": ["app:1"], "Size": 1092588, "SharedSize": 0, "Containers": 1,
                "Labels": {"team": "web"}}],
    "Containers": [{"Id": "c1", "Names": ["/web"], "SizeRw": 12, "SizeRootFs": 1092600, "Labels": {}}],
    "Volumes": [{"Name": "data", "Driver": "local", "UsageData": {"Size": 4096, "RefCount": 1}, "Labels": None}],
    "BuildCache": None,
}


def test_disk_usage_is_the_layers_size_unless_verbose():
    assert HOST_INFO_OPTIONS["disk_usage"] == {"type": "bool", "default": False}
    assert disk_usage(DF, verbose=False) == {"LayersSize": 1092588}
    full = disk_usage(DF, verbose=True)
    assert full["LayersSize"] == 1092588 and full["Images"] == DF["Images"] and full["Volumes"] == DF["Volumes"]
    assert full["Containers"][0]["SizeRw"] == 12
    assert full["BuildCache"] == []  # the engine's null: no build cache records
    assert disk_usage({"LayersSize": 0}, verbose=True) == {
        "LayersSize": 0, "Images": [], "Containers": [], "Volumes": [], "BuildCache": []}
