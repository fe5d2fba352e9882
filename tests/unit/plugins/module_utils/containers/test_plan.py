"""Inspect data → observed spec, image defaults, and plans (pure: no Docker)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.observed import (
    image_defaults, observed_container, with_image_defaults,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import plan_container, resolve_comparisons

IMAGE = {
    "Id": "sha256:" + "a" * 64,
    "Config": {
        "Env": ["PATH=/bin", "LANG=C"], "Labels": {"img": "1"}, "Cmd": ["serve"], "Entrypoint": ["/app"],
        "ExposedPorts": {"8080/tcp": {}}, "Volumes": {"/cache": {}},
        "Healthcheck": {"Test": ["CMD", "/app", "health"], "Interval": 1000000000, "Timeout": 2000000000, "Retries": 3},
    },
}

CONTAINER = {
    "Id": "b" * 64,
    "Name": "/web",
    "Image": "sha256:" + "a" * 64,
    "State": {"Status": "running", "Running": True, "Health": {"Status": "healthy", "Log": [
        {"ExitCode": 0, "Output": "ok\n"}]}},
    "Config": {
        "Image": "app:1", "Env": ["PATH=/bin", "LANG=C", "MODE=prod"], "Labels": {"img": "1", "team": "web"},
        "Cmd": ["serve"], "Entrypoint": ["/app"], "ExposedPorts": {"8080/tcp": {}}, "Volumes": {"/cache": {}},
        "Healthcheck": {"Test": ["CMD", "/app", "health"], "Interval": 1000000000, "Timeout": 2000000000, "Retries": 3},
        "Hostname": "bbbbbbbbbbbb", "User": "", "StopTimeout": 2,
    },
    "HostConfig": {
        "Binds": ["data:/data:rw"], "Tmpfs": {"/run": "size=1048576"},
        "PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]},
        "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2},
        "Memory": 67108864, "MemorySwap": 134217728, "NanoCpus": 500000000, "NetworkMode": "front",
        "CapAdd": ["NET_ADMIN"], "LogConfig": {"Type": "json-file", "Config": {}}, "Init": True,
    },
    "NetworkSettings": {"Networks": {
        "front": {"Aliases": ["web", "bbbbbbbbbbbb"], "IPAMConfig": None, "Links": None, "NetworkID": "n1"},
    }},
}

PARAMS = dict(
    name="web", image="app:1", env={"MODE": "prod"}, labels={"team": "web"},
    published_ports=["127.0.0.1::8080"], volumes=["data:/data"], tmpfs=["/run:size=1m"],
    restart_policy="on-failure", restart_retries=2, memory="64m", cpus=0.5, capabilities=["net_admin"],
    networks=[{"name": "front", "aliases": ["web"]}], healthcheck={"interval": "1s"}, init=True, stop_timeout=2,
    exposed_ports=[],
)


def plan_for(params=None, container=None, state="started", image=None, comparisons=None, **kwargs):
    merged = dict(PARAMS)
    merged.update(params or {})
    desired = with_image_defaults(spec_from_params(merged), image_defaults(image or IMAGE))
    observed = observed_container(container or CONTAINER) if container is not False else None
    return plan_container(desired, observed, state, (image or IMAGE)["Id"], resolve_comparisons(comparisons), **kwargs)


def test_matching_container_is_a_noop():
    plan = plan_for()
    assert plan.steps == () and plan.differences == ()


def test_observed_container_summary():
    observed = observed_container(CONTAINER)
    assert observed.running and observed.health == "healthy" and observed.health_log == ("exit 0: ok",)
    assert observed.spec.networks[0].aliases == ("web",)  # the engine's short-ID alias is not the user's
    assert {m.target for m in observed.spec.mounts} == {"/cache", "/data", "/run"}


def test_missing_container_is_created_and_started():
    assert plan_for(container=False).kinds == ["create", "start"]
    assert plan_for(container=False, state="present").kinds == ["create"]
    assert plan_for(container=False, state="stopped").kinds == ["create"]


def test_create_diff_shows_the_new_container():
    plan = plan_for(container=False)
    assert plan.before == {"exists": False}
    after = plan.after
    assert after["exists"] is True and after["running"] is True and after["image"] == IMAGE["Id"]
    assert after["env"]["MODE"] == "prod" and after["memory"] == 67108864 and after["restart_policy"] == "on-failure"
    assert after["networks"] == [{"name": "front", "aliases": ["web"]}]
    assert "privileged" not in after  # options left unset are not shown


def test_env_change_recreates_with_reason():
    plan = plan_for({"env": {"MODE": "dev"}})
    assert plan.kinds == ["recreate", "start"]
    assert plan.steps[0].reason == "env differs"
    assert plan.before["env"]["MODE"] == "prod" and plan.after["env"]["MODE"] == "dev"


def test_image_compared_by_id():
    other = dict(IMAGE, Id="sha256:" + "c" * 64)
    plan = plan_for(image=other)
    assert plan.kinds == ["recreate", "start"] and "image app:1 is cccccccccccc" in plan.steps[0].reason


def test_resources_update_in_place():
    plan = plan_for({"memory": "128m", "cpus": 1, "restart_policy": "always", "restart_retries": None})
    assert plan.kinds == ["update"]
    assert plan.steps[0].update == {
        "Memory": 134217728, "NanoCpus": 1000000000, "RestartPolicy": {"Name": "always"}}


def test_memory_above_swap_sets_swap_too():
    plan = plan_for({"memory": "256m"})
    assert plan.steps[0].update == {"Memory": 268435456, "MemorySwap": 536870912}
    unlimited = copy.deepcopy(CONTAINER)
    unlimited["HostConfig"].update(Memory=0, MemorySwap=0)
    assert plan_for({"memory": "32m"}, container=unlimited).steps[0].update == {"Memory": 33554432, "MemorySwap": 67108864}
    unlimited["HostConfig"].update(MemorySwap=-1)
    assert plan_for({"memory": "32m"}, container=unlimited).steps[0].update == {"Memory": 33554432, "MemorySwap": -1}


def test_sizes_and_durations_in_other_forms_are_equal():
    assert plan_for({"memory": "0.0625g", "cpus": "0.50", "healthcheck": {"interval": "1000ms", "retries": 3}}).steps == ()


def test_networks_connect_disconnect_without_recreate():
    plan = plan_for({"networks": [{"name": "front", "aliases": ["web"]}, {"name": "back"}]})
    assert [s.action for s in plan.steps] == ["connect back (not connected)"]
    container = copy.deepcopy(CONTAINER)
    container["NetworkSettings"]["Networks"]["extra"] = {"Aliases": None, "NetworkID": "n2"}
    assert plan_for(container=container).steps == ()
    strict = plan_for(container=container, comparisons={"networks": "strict"})
    assert [s.action for s in strict.steps] == ["disconnect extra (not in networks (comparisons: strict))"]
    alias = plan_for({"networks": [{"name": "front", "aliases": ["web", "www"]}]})
    assert alias.kinds == ["disconnect", "connect"]


def test_comparisons_modes():
    assert plan_for({"labels": {}}, comparisons={"labels": "strict"}).kinds == ["recreate", "start"]
    assert plan_for({"labels": {}}, comparisons={"*": "strict"}).kinds == ["recreate", "start"]
    assert plan_for({"labels": {}}).steps == ()  # allow_more_present by default, as community.docker
    assert plan_for({"env": {"MODE": "dev"}}, comparisons={"env": "ignore"}).steps == ()
    assert plan_for({"env": {"MODE": "dev"}, "memory": "1g"}, comparisons={"*": "ignore"}).steps == ()
    with pytest.raises(ValueError, match="comparisons.colour: unknown option"):
        resolve_comparisons({"colour": "strict"})
    with pytest.raises(ValueError, match="comparisons.env: 'loose' is not one of"):
        resolve_comparisons({"env": "loose"})


def test_image_defaults_merged():
    # The image's anonymous volume, exposed port, env and healthcheck test are not differences.
    desired = with_image_defaults(spec_from_params(dict(PARAMS)), image_defaults(IMAGE))
    assert desired.env == {"PATH": "/bin", "LANG": "C", "MODE": "prod"}
    assert desired.healthcheck.test == ("CMD", "/app", "health") and desired.healthcheck.retries == 3
    assert "/cache" in {m.target for m in desired.mounts}
    assert desired.exposed_ports == ("8080/tcp",)


def test_default_path_added_when_image_has_none():
    image = copy.deepcopy(IMAGE)
    image["Config"]["Env"] = []
    desired = with_image_defaults(spec_from_params(dict(name="c", image="i", env={"A": "1"})), image_defaults(image))
    assert desired.env["PATH"].startswith("/usr/local/sbin")


def test_states():
    assert plan_for(state="stopped").kinds == ["stop"]
    stopped = copy.deepcopy(CONTAINER)
    stopped["State"] = {"Status": "exited", "Running": False}
    assert plan_for(container=stopped).kinds == ["start"]
    assert plan_for(container=stopped, state="present").kinds == []
    assert plan_for(container=stopped, state="stopped").kinds == []
    assert plan_for(restart=True).kinds == ["restart"]
    assert plan_for(recreate=True).kinds == ["recreate", "start"]
    assert plan_for({"env": {"MODE": "x"}}, state="present").kinds == ["recreate", "start"]
    assert plan_for({"env": {"MODE": "x"}}, container=stopped, state="present").kinds == ["recreate"]
    absent = plan_container(None, observed_container(CONTAINER), "absent")
    assert absent.kinds == ["remove"]
    assert plan_container(None, None, "absent").kinds == []


def test_volumes_handed_on_by_a_recreate_are_the_anonymous_ones_asked_for():
    # After a recreate the new container mounts the old anonymous volumes by name (Binds), for
    # /anon (a volumes entry) and /cache (the image's VOLUME): still no difference.
    handed_on = copy.deepcopy(CONTAINER)
    handed_on["HostConfig"]["Binds"] = ["data:/data:rw", "%s:/anon:rw" % ("e" * 64), "%s:/cache:rw" % ("f" * 64)]
    handed_on["Config"]["Volumes"] = None
    assert plan_for({"volumes": ["data:/data", "/anon"]}, container=handed_on).steps == ()
    assert plan_for({"volumes": ["data:/data", "/anon:/elsewhere"]}, container=handed_on).kinds == ["recreate", "start"]


def test_mount_modes_read_back_from_binds_are_no_difference():
    container = copy.deepcopy(CONTAINER)
    container["HostConfig"]["Binds"] = ["data:/data:rw", "/srv:/srv:ro,Z", "/tmp:/t:rw,rslave,z"]
    assert plan_for({"volumes": ["data:/data", "/srv:/srv:Z,ro", "/tmp:/t:z,rslave"]}, container=container).steps == ()
    assert plan_for({"volumes": ["data:/data", "/srv:/srv:ro", "/tmp:/t:z,rslave"]}, container=container).kinds[0] == "recreate"
