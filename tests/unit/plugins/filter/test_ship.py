"""Ship planning (plugins/filter/ship.py): which images a host receives, from image_info answers."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.goship.containers.plugins.filter.ship import (
    FilterModule,
    archive_name,
    image_archives,
    image_ids,
    ship_lookup,
    ship_plan,
    short_id,
    wanted_images,
)

ID1 = "sha256:" + "1" * 64
ID2 = "sha256:" + "2" * 64
IDS = {"app:1": ID1, "app:latest": ID1, "app:2": ID2}


def info(*entries):
    return {"results": [{"name": name, "exists": image_id is not None, "id": image_id} for name, image_id in entries]}


def test_image_ids_keep_found_names():
    assert image_ids(info(("app:1", ID1), ("gone:1", None))) == {"app:1": ID1}
    assert image_ids([{"name": "app:2", "exists": True, "id": ID2}]) == {"app:2": ID2}
    with pytest.raises(AnsibleFilterError, match="image_info result"):
        image_ids("app:1")


def test_archive_names_and_short_ids():
    assert archive_name(ID1) == "1" * 64 + ".tar" and short_id(ID1) == "1" * 12
    assert archive_name("abc") == "abc.tar"


def test_one_archive_per_image_id():
    assert image_archives(IDS) == [
        {"name": "app:1", "id": ID1, "file": "1" * 64 + ".tar", "short": "1" * 12},
        {"name": "app:2", "id": ID2, "file": "2" * 64 + ".tar", "short": "2" * 12},
    ]


def test_lookup_asks_names_and_ids_once():
    assert ship_lookup(["app:1", "app:latest", "app:2"], IDS) == ["app:1", ID1, "app:latest", "app:2", ID2]
    with pytest.raises(AnsibleFilterError, match="image nope:1 is not among"):
        ship_lookup(["nope:1"], IDS)


def test_host_that_has_everything_receives_nothing():
    plan = ship_plan(info(("app:1", ID1), (ID1, ID1)), ["app:1"], IDS)
    assert plan == {"copy_and_load": [], "retag": [], "archives": [], "loads": [], "receives": False}


def test_host_lacking_an_id_gets_its_archive_once_and_a_load_per_name():
    plan = ship_plan(info(("app:1", None), (ID1, None), ("app:latest", None)), ["app:1", "app:latest"], IDS)
    assert plan["copy_and_load"] == ["app:1", "app:latest"]
    assert plan["archives"] == [{"id": ID1, "file": "1" * 64 + ".tar", "short": "1" * 12}]
    assert [load["name"] for load in plan["loads"]] == ["app:1", "app:latest"] and plan["receives"]


def test_host_with_the_id_under_another_tag_is_only_retagged():
    # app:1 on the host leads to another image; the wanted ID is there (under some other name)
    plan = ship_plan(info(("app:1", ID2), (ID1, ID1)), ["app:1"], IDS)
    assert plan["copy_and_load"] == [] and plan["retag"] == ["app:1"] and plan["receives"]
    # the tag is missing entirely, the ID is there
    assert ship_plan(info(("app:1", None), (ID1, ID1)), ["app:1"], IDS)["retag"] == ["app:1"]


def test_wanted_images_across_hosts():
    hostvars = {"h1": {"w": ["a:1", "b:1"]}, "h2": {}, "h3": {"w": ["b:1", "c:1"]}}
    assert wanted_images(["h1", "h2", "h3"], hostvars, "w") == ["a:1", "b:1", "c:1"]


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"image_ids", "image_archive_name", "image_short_id", "image_archives",
                                             "ship_lookup", "ship_plan", "wanted_images"}
