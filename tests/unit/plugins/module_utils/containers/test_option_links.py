"""links: legacy links on the default bridge (the registry test walks the round trip; these are the
syntax, the engine's own form in inspect data, and the refusals)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.observed import observed_container
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import plan_container
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import to_create_request
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


def spec(**params):
    return spec_from_params(dict(dict(name="web", image="i"), **params))


def test_links_are_container_alias_pairs_sent_in_host_config():
    links = spec(links=["db", "cache:c", "db"]).links
    assert links == ("cache:c", "db:db")
    assert to_create_request(spec(links=["db:database"]))["HostConfig"]["Links"] == ["db:database"]


def test_the_engines_form_reads_back_as_the_same_links():
    inspect = {"Id": "abc", "Name": "/web", "Image": "sha256:img", "Config": {}, "State": {"Status": "running"},
               "HostConfig": {"Links": ["/db:/web/database", "/cache:/web/cache"]}, "NetworkSettings": {"Networks": {}}}
    observed = observed_container(inspect)
    assert observed.spec.links == ("cache:cache", "db:database")
    assert plan_container(spec(links=["db:database", "cache"]), observed, "started", "sha256:img").steps == ()
    changed = plan_container(spec(links=["db:db2"]), observed, "started", "sha256:img")
    assert changed.kinds[0] == "recreate" and changed.steps[0].reason == "links differs"


@pytest.mark.parametrize("params, message", [
    (dict(links=["db:a:b"]), r"links\[0\]: 'db:a:b' is not 'container' or 'container:alias'"),
    (dict(links=[":alias"]), r"links\[0\]"),
    (dict(links=["db"], network_mode="backend"), "links: legacy links work on the default bridge network only"),
    (dict(links=["db"], networks=[{"name": "backend"}]), "the container's network is backend"),
    (dict(links=["db"], network_mode="host"), "links: legacy links"),
    (dict(links=["db"], networks=[{"name": "bridge", "links": ["cache"]}]), "links: cannot be combined"),
])
def test_refused_where_the_engine_would_drop_them(params, message):
    with pytest.raises(OptionError, match=message):
        spec(**params)


def test_allowed_on_the_default_bridge():
    assert spec(links=["db"], network_mode="bridge").links == ("db:db",)
    assert spec(links=["db"], networks=[{"name": "bridge"}]).links == ("db:db",)
