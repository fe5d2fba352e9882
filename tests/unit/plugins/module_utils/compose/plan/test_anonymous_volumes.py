"""Anonymous volumes survive a recreate, and `remove_volumes` removes them (no Docker)."""

from __future__ import annotations

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.containers.anonymous_volumes import (
    anonymous_volume_names, inherit, is_anonymous,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedNetwork, ObservedProject, ObservedVolume, container_from_list,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredNetwork, DesiredProject, DesiredService, DesiredVolume
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import Mount

P = "gscmpunit"
ANON_A = "a" * 64
ANON_B = "b" * 64


def test_only_engine_generated_names_are_anonymous():
    assert is_anonymous(ANON_A)
    assert not is_anonymous("gscmpunit_data") and not is_anonymous("A" * 64) and not is_anonymous("")
    assert anonymous_volume_names([("/data", ANON_A), ("/named", "gscmpunit_data"), ("/x", ANON_A)]) == [ANON_A]


def test_a_service_anonymous_entry_takes_the_old_volume_and_keeps_its_options():
    desired = (Mount(target="/data", read_only=True), Mount(target="/named", source="gscmpunit_data"),
               Mount(target="/tmp", type="tmpfs"))
    old = [("/data/", ANON_A), ("/named", "gscmpunit_data")]
    mounts, inherited = inherit(desired, [], old)
    assert inherited == ["/data"]
    assert mounts[0] == Mount(target="/data", source=ANON_A, read_only=True)
    assert mounts[1:] == desired[1:]


def test_an_image_volume_not_covered_by_a_mount_takes_the_old_volume():
    mounts, inherited = inherit(None, ["/var/lib/db", "/cache"], [("/var/lib/db", ANON_A), ("/other", ANON_B)])
    assert inherited == ["/var/lib/db"]
    assert mounts == (Mount(target="/var/lib/db", type="volume", source=ANON_A),)


def test_a_named_volume_or_bind_at_an_image_volume_path_is_not_replaced():
    desired = (Mount(target="/var/lib/db", source="gscmpunit_data"), Mount(target="/cache", type="bind", source="/srv"))
    mounts, inherited = inherit(desired, ["/var/lib/db", "/cache"], [("/var/lib/db", ANON_A), ("/cache", ANON_B)])
    assert (mounts, inherited) == (desired, [])


def test_no_old_volume_at_the_target_leaves_the_entry_anonymous():
    desired = (Mount(target="/data"),)
    assert inherit(desired, ["/gone"], [("/elsewhere", ANON_A)]) == (desired, [])


def ctr(service, number=1, mounts=(), cid=None, settings="image=a"):
    return ObservedContainer(
        id=cid or "id-%s-%d" % (service, number), name=L.container_name(P, service, number), service=service,
        number=number, state="running", status="Up", health=None, exit_code=None, image_ref="goship-test/app:1",
        image_id="sha256:img", config_hash="h-" + settings, settings=settings, build_digest="", oneoff=False,
        networks=(P + "_default",), volumes=tuple(sorted(name for _t, name in mounts)), volume_mounts=tuple(mounts),
    )


def project(*names, settings="image=a"):
    return DesiredProject(name=P, services={n: DesiredService(n, "goship-test/app:1", config_hash="h-" + settings,
                                                              settings=settings) for n in names},
                          networks=(DesiredNetwork("default", P + "_default"),),
                          volumes=(DesiredVolume("data", P + "_data"),))


def observed(*containers):
    obs = ObservedProject(name=P, containers=list(containers))
    obs.networks[P + "_default"] = ObservedNetwork("nid", P + "_default", "default", P, "bridge", False, False)
    obs.volumes[P + "_data"] = ObservedVolume(P + "_data", "data", P, "local")
    return obs


def test_a_recreate_carries_the_old_container_volume_mounts():
    old = ctr("web", mounts=[("/data", ANON_A), ("/named", P + "_data")])
    (action,) = plan_project(project("web", settings="image=NEW"), observed(old), PlanOptions()).actions
    assert action.kind == "recreate" and action.old_volumes == (("/data", ANON_A), ("/named", P + "_data"))


def test_absent_keeps_anonymous_volumes_unless_remove_volumes():
    obs = observed(ctr("web", mounts=[("/data", ANON_A), ("/named", P + "_data")]), ctr("db", mounts=[("/x", ANON_B)]))
    kept = plan_project(project("web", "db"), obs, PlanOptions(state="absent"))
    assert not any(a.kind == "remove_volume" for a in kept.actions)
    gone = plan_project(project("web", "db"), obs, PlanOptions(state="absent", remove_volumes=True))
    removals = [(a.target, a.reason) for a in gone.actions if a.kind == "remove_volume"]
    assert removals == [(ANON_A, "anonymous volume of %s-web-1; remove_volumes: true" % P),
                        (ANON_B, "anonymous volume of %s-db-1; remove_volumes: true" % P),
                        (P + "_data", "remove_volumes: true")]
    # the anonymous volumes go after their containers, the named one with the project's teardown
    kinds = [a.kind for a in gone.actions]
    assert kinds.index("remove_volume") > max(i for i, k in enumerate(kinds) if k == "remove")


def test_a_subset_removal_keeps_an_anonymous_volume_another_container_still_mounts():
    obs = observed(ctr("web", mounts=[("/data", ANON_A)]), ctr("db", mounts=[("/data", ANON_A), ("/y", ANON_B)]))
    plan = plan_project(project("web", "db"), obs, PlanOptions(state="absent", remove_volumes=True, selected=("db",)))
    assert [a.target for a in plan.actions if a.kind == "remove_volume"] == [ANON_B]


def test_container_from_list_reads_volume_targets():
    item = {"Id": "x", "Names": ["/c"], "Labels": {}, "Mounts": [
        {"Type": "volume", "Name": ANON_A, "Destination": "/data"}, {"Type": "bind", "Source": "/srv", "Destination": "/srv"}]}
    assert container_from_list(item).volume_mounts == (("/data", ANON_A),)
