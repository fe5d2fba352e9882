"""A project volume whose definition changed: kept with a warning, or recreated with assume_yes (no Docker)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredVolume, desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedNetwork, ObservedProject, ObservedVolume,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.volume_change import (
    check_foreign_users, volume_change,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError

P = "gscmpunitvol"
OPTS = {"type": "tmpfs", "device": "tmpfs", "o": "size=8m"}


def desired(driver_opts=None, labels=None, driver=None, network=None):
    volume = {k: v for k, v in (("driver_opts", driver_opts), ("labels", labels), ("driver", driver)) if v is not None}
    definition = {"services": {"db": {"image": "goship-test/app:1", "volumes": ["data:/data"]},
                               "web": {"image": "goship-test/app:1", "volumes": ["data:/srv"], "depends_on": ["db"]},
                               "solo": {"image": "goship-test/app:1"}},
                  "volumes": {"data": volume}}
    if network is not None:
        definition["networks"] = {"default": network}
    return desired_project(load_project(definition=definition, project_name=P, project_dir="/tmp"))


def ctr(service, spec, number=1, oneoff=False, volumes=(P + "_data",)):
    return ObservedContainer(
        id="id-%s-%d" % (service, number), name=L.container_name(P, service, number), service=service, number=number,
        state="running", status="Up", health=None, exit_code=None, image_ref="goship-test/app:1", image_id="sha256:1",
        config_hash=spec.config_hash, settings=spec.settings, build_digest="", oneoff=oneoff,
        networks=(P + "_default",), volumes=volumes, volume_mounts=tuple(("/data", v) for v in volumes))


def deployed(project, options=None, labels=None, driver="local", owner=P):
    """The project deployed, its volume created with `options` (OPTS) and user `labels`."""
    obs = ObservedProject(name=P, containers=[
        ctr(name, spec, volumes=() if name == "solo" else (P + "_data",)) for name, spec in project.services.items()])
    for net in project.networks:
        obs.networks[net.name] = ObservedNetwork("nid-" + net.key, net.name, net.key, P, net.driver or "bridge",
                                                 net.internal, net.attachable, {L.NETWORK_SETTINGS: net.settings})
    own = {L.PROJECT: owner, L.VOLUME: "data", L.VERSION: L.COMPOSE_VERSION} if owner else {}
    obs.volumes[P + "_data"] = ObservedVolume(P + "_data", "data" if owner else None, owner, driver,
                                              dict(own, **(labels or {})), dict(OPTS if options is None else options))
    return obs


def actions(plan):
    return [(a.kind, a.target, a.reason) for a in plan.actions]


def test_an_unchanged_volume_is_a_no_op_whatever_labels_compose_adds():
    base = desired(driver_opts=OPTS, labels={"tier": "db"})
    obs = deployed(base, labels={"tier": "db", "com.docker.compose.config-hash": "abc", L.MANAGED_BY: L.MANAGER})
    plan = plan_project(base, obs, PlanOptions())
    assert not plan.changed and plan.warnings == () and plan.volumes == {}
    # `driver: local` spelled out is the default, not a change
    assert not plan_project(desired(driver_opts=OPTS, labels={"tier": "db"}, driver="local"), obs, PlanOptions()).changed


@pytest.mark.parametrize("change, named", [
    ({"driver_opts": {"type": "tmpfs", "device": "tmpfs", "o": "size=16m"}}, "driver_opts"),
    ({"driver_opts": OPTS, "labels": {"tier": "cache"}}, "labels"),
    ({"driver_opts": OPTS, "driver": "other"}, "driver"),
])
def test_by_default_a_changed_volume_is_kept_with_a_warning_naming_it(change, named):
    plan = plan_project(desired(**change), deployed(desired(driver_opts=OPTS)), PlanOptions())
    assert not plan.changed  # nothing is written: the volume and its data stay
    (warning,) = plan.warnings
    assert warning.startswith("volumes.data: volume %s_data differs from the compose file (%s)" % (P, named))
    assert "assume_yes: true" in warning and "its data is lost" in warning


def test_assume_yes_removes_the_users_dependents_first_recreates_the_volume_then_the_containers():
    changed = desired(driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=16m"})
    plan = plan_project(changed, deployed(changed), PlanOptions(assume_yes=True))
    why = "its container was removed to recreate volume data"
    assert actions(plan) == [
        ("remove", P + "-web-1", "it uses volume data, which is recreated"),
        ("remove", P + "-db-1", "it uses volume data, which is recreated"),
        ("remove_volume", P + "_data", "changed: driver_opts; assume_yes: true, its data is lost"),
        ("create_volume", P + "_data", "recreated with the compose file's definition"),
        ("create", P + "-db-1", why),
        ("create", P + "-web-1", why),
    ]
    steps = {step.name: step for step in plan.steps}
    assert "volume:data" in steps["db"].after and "volume:data" in steps["web"].after
    assert plan.warnings == ()
    # the service that does not use it is left alone
    assert not [a for a in plan.actions if a.service == "solo"]
    diff = plan.volumes["data"]
    assert diff["before"] == {"name": P + "_data", "driver": "local", "driver_opts": OPTS, "labels": {}}
    assert diff["after"]["driver_opts"]["o"] == "size=16m" and diff["after"]["containers_recreated"] == 2
    assert plan.services["db"]["before"]["replicas"] == 1  # the service's diff shows the real before


def test_assume_yes_with_state_stopped_creates_the_containers_stopped():
    changed = desired(driver_opts={"o": "size=1m", "type": "tmpfs", "device": "tmpfs"})
    plan = plan_project(changed, deployed(changed), PlanOptions(assume_yes=True, state="stopped"))
    assert [a.start for a in plan.actions if a.kind == "create"] == [False, False]


def test_assume_yes_does_nothing_to_a_volume_that_matches():
    base = desired(driver_opts=OPTS)
    assert not plan_project(base, deployed(base), PlanOptions(assume_yes=True)).changed


def test_a_recreated_volume_waits_for_a_network_recreated_in_the_same_run():
    changed = desired(driver_opts={"o": "size=2m", "type": "tmpfs", "device": "tmpfs"},
                      network={"driver_opts": {"com.docker.network.driver.mtu": "1400"}})
    obs = deployed(changed)
    obs.networks[P + "_default"] = ObservedNetwork("nid", P + "_default", "default", P, "bridge", False, False,
                                                   {L.NETWORK_SETTINGS: "driver_opts=old"})
    plan = plan_project(changed, obs, PlanOptions(assume_yes=True))
    steps = {step.name: step for step in plan.steps}
    assert "network:default" in steps["volume:data"].after
    assert steps["network:default"].actions[0].kind == "recreate_network"


@pytest.mark.parametrize("options, extra, message", [
    (PlanOptions(assume_yes=True), [("db", 2, True)], "containers this run does not manage use it: %s-db-run" % P),
    (PlanOptions(assume_yes=True, selected=("web",)), [], "use it: %s-db-1" % P),
    (PlanOptions(assume_yes=True, recreate="never"), [], "but recreate is 'never'"),
])
def test_a_recreation_that_would_touch_what_the_run_does_not_manage_is_refused(options, extra, message):
    changed = desired(driver_opts={"o": "size=3m", "type": "tmpfs", "device": "tmpfs"})
    obs = deployed(changed)
    for service, number, oneoff in extra:
        c = ctr(service, changed.services[service], number, oneoff)
        obs.containers.append(dataclasses.replace(c, name=P + "-db-run"))
    with pytest.raises(PlanError) as err:
        plan_project(changed, obs, options)
    assert err.value.path == "volumes.data" and message in str(err.value)


def test_a_volume_not_made_for_the_project_is_never_recreated():
    changed = desired(driver_opts={"o": "size=4m", "type": "tmpfs", "device": "tmpfs"})
    # options differ but it is not the project's: not compared (as the CLI, which has no hash on it)
    assert not plan_project(changed, deployed(changed, owner=None), PlanOptions(assume_yes=True)).changed
    # a driver that differs fails before any change, as before, whatever assume_yes
    with pytest.raises(PlanError) as err:
        plan_project(desired(driver="other"), deployed(changed, owner="someone"), PlanOptions(assume_yes=True))
    assert err.value.path == "volumes.data" and "exists with driver local, not other" in str(err.value)


def test_the_diff_masks_secrets_in_mount_options_and_labels():
    secret = "hunter2-canary"
    changed = desired(driver_opts={"type": "cifs", "o": "addr=10.0.0.1,username=app,password=%s" % secret},
                      labels={"api_token": secret})
    plan = plan_project(changed, deployed(changed, options={"type": "cifs", "o": "addr=10.0.0.1,username=app,password=old"},
                                          labels={"api_token": "old"}), PlanOptions(assume_yes=True))
    text = json.dumps(plan.volumes)
    assert secret not in text and "password=old" not in text
    assert "username=app" in text and plan.volumes["data"]["after"]["labels"]["api_token"].startswith("********")


def test_a_volume_known_only_from_labels_is_not_compared():
    vol = DesiredVolume("data", P + "_data", defined=False)
    assert volume_change(vol, ObservedVolume(P + "_data", "data", P, "local", {}, {"o": "x"})) == []


class FakeClient:
    def __init__(self, items):
        self.items, self.calls = items, []

    def containers(self, all=False, filters=None):
        self.calls.append(filters)
        return self.items


def test_containers_outside_the_plan_using_a_volume_to_recreate_refuse_it_before_any_write():
    changed = desired(driver_opts={"o": "size=5m", "type": "tmpfs", "device": "tmpfs"})
    plan = plan_project(changed, deployed(changed), PlanOptions(assume_yes=True))
    ours = [{"Id": "id-db-1", "Names": ["/%s-db-1" % P]}, {"Id": "id-web-1", "Names": ["/%s-web-1" % P]}]
    check_foreign_users(FakeClient(ours), plan, changed)  # only the containers the plan removes: fine
    client = FakeClient(ours + [{"Id": "other", "Names": ["/by-hand"]}])
    with pytest.raises(PlanError) as err:
        check_foreign_users(client, plan, changed)
    assert err.value.path == "volumes.data" and "by-hand" in str(err.value)
    assert client.calls == [{"volume": [P + "_data"]}]
    idle = FakeClient([])
    check_foreign_users(idle, plan_project(changed, deployed(changed), PlanOptions()), changed)
    assert idle.calls == []  # no recreation planned: no request


def test_two_recreated_volumes_run_one_after_the_other_and_remove_a_shared_user_once():
    definition = {"services": {"db": {"image": "goship-test/app:1", "volumes": ["a:/a", "b:/b"]}},
                  "volumes": {"a": {"labels": {"rev": "2"}}, "b": {"labels": {"rev": "2"}}}}
    project = desired_project(load_project(definition=definition, project_name=P, project_dir="/tmp"))
    obs = ObservedProject(name=P, containers=[ctr("db", project.services["db"], volumes=(P + "_a", P + "_b"))])
    for net in project.networks:
        obs.networks[net.name] = ObservedNetwork("nid", net.name, net.key, P, "bridge", False, False,
                                                 {L.NETWORK_SETTINGS: net.settings})
    for key in ("a", "b"):
        obs.volumes[P + "_" + key] = ObservedVolume(P + "_" + key, key, P, "local", {L.PROJECT: P, "rev": "1"}, {})
    plan = plan_project(project, obs, PlanOptions(assume_yes=True))
    steps = {step.name: step for step in plan.steps}
    assert [a.kind for a in steps["volume:a"].actions] == ["remove", "remove_volume", "create_volume"]
    assert [a.kind for a in steps["volume:b"].actions] == ["remove_volume", "create_volume"]
    assert "volume:a" in steps["volume:b"].after
    assert [(a.kind, a.target) for a in steps["db"].actions] == [("create", P + "-db-1")]
