"""What a prune would remove, from list answers: the engine's rules, the filters, the retention rule."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.prune import plan as P
from ansible_collections.goship.containers.plugins.module_utils.prune.run import PruneRequest

NOW = 1_800_000_000.0


def test_filters_are_validated_and_passed_on():
    f = P.parse_filters("images", {"dangling": False, "label": ["a=1", "b"], "until": "24h"}, NOW)
    assert f.engine == {"dangling": ["false"], "label": ["a=1", "b"], "until": ["24h"]}
    assert not f.dangling and f.until == NOW - 86400
    with pytest.raises(OptionError, match=r"^images_filters\.since: not a image prune filter"):
        P.parse_filters("images", {"since": "x"}, NOW)
    with pytest.raises(OptionError, match=r"^containers_filters\.until: 'soon' is not a duration"):
        P.parse_filters("containers", {"until": "soon"}, NOW)
    with pytest.raises(OptionError, match=r"^volumes_filters\.all: must be true or false"):
        P.parse_filters("volumes", {"all": "maybe"}, NOW)


@pytest.mark.parametrize("text, expected", [
    ("1700000000", 1700000000.0), ("2026-12-01", 1796083200.0), ("2026-12-01T10:00:00Z", 1796119200.0),
    ("2026-12-01T12:00:00+02:00", 1796119200.0), ("90m", NOW - 5400),
])
def test_until(text, expected):
    assert P.parse_until(text, NOW, "x") == expected


def test_containers_and_labels():
    containers = [
        {"Id": "run", "State": "running", "Created": 1, "Labels": {"t": "1"}},
        {"Id": "paused", "State": "paused", "Created": 1, "Labels": {"t": "1"}},
        {"Id": "old", "State": "exited", "Created": 1, "Labels": {"t": "1"}},
        {"Id": "new", "State": "exited", "Created": NOW, "Labels": {"t": "1"}},
        {"Id": "other", "State": "created", "Created": 1, "Labels": {"t": "2"}},
    ]
    f = P.parse_filters("containers", {"until": "1h", "label": "t=1"}, NOW)
    assert [c["Id"] for c in P.containers_to_prune(containers, f)] == ["old"]
    keep_t2 = P.parse_filters("containers", {"label!": "t=2"}, NOW)
    assert [c["Id"] for c in P.containers_to_prune(containers, keep_t2)] == ["old", "new"]


def test_images_never_one_in_use():
    images = [{"Id": "a", "RepoTags": ["<none>:<none>"]}, {"Id": "b", "RepoTags": []},
              {"Id": "c", "RepoTags": ["app:1"]}]
    dangling = P.parse_filters("images", None, NOW)
    assert [i["Id"] for i in P.images_to_prune(images, {"b"}, dangling)] == ["a"]
    every = P.parse_filters("images", {"dangling": False}, NOW)
    assert [i["Id"] for i in P.images_to_prune(images, {"b"}, every)] == ["a", "c"]


def test_networks_and_volumes():
    networks = [{"Id": "1", "Name": "bridge", "Scope": "local"}, {"Id": "2", "Name": "app_default", "Scope": "local"},
                {"Id": "3", "Name": "busy", "Scope": "local"}, {"Id": "4", "Name": "ingress", "Scope": "swarm"}]
    f = P.parse_filters("networks", None, NOW)
    assert [n["Name"] for n in P.networks_to_prune(networks, {"busy"}, f)] == ["app_default"]
    volumes = [{"Name": "named", "Labels": {}}, {"Name": "anon", "Labels": {P.ANONYMOUS_VOLUME_LABEL: ""}},
               {"Name": "used", "Labels": {}}]
    plain = P.parse_filters("volumes", None, NOW)
    assert [v["Name"] for v in P.volumes_to_prune(volumes, {"used"}, plain, (1, 41))] == ["named", "anon"]
    assert [v["Name"] for v in P.volumes_to_prune(volumes, {"used"}, plain, (1, 43))] == ["anon"]
    every = P.parse_filters("volumes", {"all": True}, NOW)
    assert [v["Name"] for v in P.volumes_to_prune(volumes, {"used"}, every, (1, 43))] == ["named", "anon"]


def version(image_id, tags, tagged, digests=()):
    return {"Id": image_id, "RepoTags": tags, "RepoDigests": list(digests), "Created": 1,
            "Metadata": {"LastTagTime": tagged}}


def test_retention_keeps_the_most_recently_tagged_and_never_one_in_use():
    images = [
        version("v1", ["app:1"], "2026-12-01T10:00:00Z"),
        version("v2", ["app:2", "other/app:2"], "2026-12-01T11:00:00Z"),
        version("v3", ["app:3"], "2026-12-01T12:00:00Z", ["app@sha256:" + "3" * 64]),
        version("v4", ["app:4", "app:latest"], "2026-12-01T13:00:00Z"),
        version("v0", ["app:0"], "2026-12-01T14:00:00.123456789Z"),  # re-tagged last: a rollback
    ]
    rule = P.plan_retention("app", 2, images, used_ids={"v1"})
    assert rule.kept == ["v0", "v4"]
    assert rule.in_use == ["v1"]
    assert rule.removed == ["v3", "v2"]
    assert rule.references == ["app:3", "app@sha256:" + "3" * 64, "app:2"]  # other/app:2 stays
    assert P.plan_retention("app", 0, images, set()).kept == []


def test_never_tagged_images_count_by_creation():
    images = [version("a", ["app:1"], "0001-01-01T00:00:00Z"), version("b", ["app:2"], "0001-01-01T00:00:00Z")]
    images[1]["Created"] = 5
    assert P.plan_retention("app", 1, images, set()).kept == ["b"]


def test_request_validation_names_the_option():
    base = {k: False for k in ("containers", "images", "networks", "volumes", "builder_cache")}
    with pytest.raises(OptionError, match=r"^images_filters: only used with images=true"):
        PruneRequest(dict(base, images_filters={"dangling": False}), NOW)
    with pytest.raises(OptionError, match=r"^keep_versions\[0\]\.repository: 'app:1': give the repository without a tag"):
        PruneRequest(dict(base, keep_versions=[{"repository": "app:1", "keep": 3}]), NOW)
    with pytest.raises(OptionError, match=r"^keep_versions\[1\]\.repository: app is listed twice"):
        PruneRequest(dict(base, keep_versions=[{"repository": "app", "keep": 3}, {"repository": "app", "keep": 1}]), NOW)
    with pytest.raises(OptionError, match=r"^keep_versions\[0\]\.keep: must be 0 or more"):
        PruneRequest(dict(base, keep_versions=[{"repository": "app", "keep": -1}]), NOW)
    ok = PruneRequest(dict(base, keep_versions=[{"repository": "localhost:5000/team/app", "keep": 2}]), NOW)
    assert ok.retention == [("localhost:5000/team/app", 2)]


def test_tags_of_one_second_are_ordered_by_their_fraction():
    """Releases tagged in a row share a second; the sub-second part of LastTagTime orders them, not the ID."""
    assert P.rfc3339_time("2026-12-03T14:51:47.5Z") - P.rfc3339_time("2026-12-03T14:51:47Z") == 0.5
    images = [{"Id": "sha256:%s" % name, "RepoTags": ["app:%s" % name],
               "Metadata": {"LastTagTime": "2026-12-03T14:51:47.%sZ" % fraction}}
              for name, fraction in (("a", "900000000"), ("b", "100000000"), ("c", "500000000"))]
    retention = P.plan_retention("app", 2, images, set())
    assert retention.kept == ["sha256:a", "sha256:c"] and retention.removed == ["sha256:b"]
