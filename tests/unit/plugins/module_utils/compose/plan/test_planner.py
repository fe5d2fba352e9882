"""The compose planner: observed + desired → ordered actions with reasons (no Docker)."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedNetwork, ObservedProject, ObservedVolume, container_from_list,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import (
    Dependency, DesiredNetwork, DesiredProject, DesiredService, DesiredVolume,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import ObservedImage
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, dependency_layers, plan_project, select_services
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import NOT_RECORDED
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.settings_values import recorded_values
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.secrets import CHANGED_MASK, MASK, SecretRule

P = "gscmpunit"
PRESENT = {"goship-test/app:1": ObservedImage("sha256:img")}


def svc(name, image="goship-test/app:1", replicas=1, settings="image=a,environment=b", **kw):
    return DesiredService(name=name, image=image, replicas=replicas, config_hash="h-" + settings,
                          settings=settings, **kw)


def ctr(service, number=1, state="running", config_hash=None, settings="image=a,environment=b",
        image="goship-test/app:1", status=None, exit_code=None, health=None, build_digest="", labels=None,
        content=""):
    name = L.container_name(P, service, number)
    return ObservedContainer(
        id="id-%s-%d" % (service, number), name=name, service=service, number=number, state=state,
        status=status or ("Up 1 minute" if state == "running" else "Exited (%s) 1 minute ago" % exit_code),
        health=health, exit_code=exit_code, image_ref=image, image_id="sha256:img",
        config_hash=config_hash or "h-" + settings, settings=settings, build_digest=build_digest, oneoff=False,
        networks=(P + "_default",), labels=labels or {}, content=content,
    )


def project(*services, networks=None, volumes=()):
    return DesiredProject(name=P, services={s.name: s for s in services},
                          networks=tuple(networks if networks is not None else [DesiredNetwork("default", P + "_default")]),
                          volumes=tuple(volumes))


def observed(*containers, networks=(P + "_default",), volumes=()):
    obs = ObservedProject(name=P, containers=list(containers))
    for name in networks:
        obs.networks[name] = ObservedNetwork("nid", name, "default", P, "bridge", False, False)
    for name in volumes:
        obs.volumes[name] = ObservedVolume(name, name.split("_", 1)[1], P, "local")
    return obs


def kinds(plan):
    return [(a.kind, a.target) for a in plan.actions]


def test_first_deploy_creates_network_volume_then_containers_in_dependency_order():
    desired = project(svc("db"), svc("web", depends_on={"db": Dependency("service_healthy")}),
                      volumes=[DesiredVolume("data", P + "_data")])
    plan = plan_project(desired, observed(networks=()), PlanOptions(), PRESENT)
    assert kinds(plan) == [
        ("create_network", P + "_default"), ("create_volume", P + "_data"),
        ("create", P + "-db-1"), ("create", P + "-web-1"),
    ]
    assert [[s.name for s in layer] for layer in plan.layers] == [["network:default", "volume:data"], ["db"], ["web"]]
    web_step = plan.layers[2][0]
    assert web_step.waits == [("db", "service_healthy")]


def test_networks_and_volumes_wait_for_the_pulls_and_builds_as_the_cli_does():
    # a pull that fails (no registry) must leave no network or volume behind
    desired = project(svc("web", image="goship-test/missing:1"), volumes=[DesiredVolume("data", P + "_data")])
    plan = plan_project(desired, observed(networks=()), PlanOptions(), {})
    steps = {step.name: step for step in plan.steps}
    assert steps["pull:web"].after == ()
    assert steps["network:default"].after == ("pull:web",) and steps["volume:data"].after == ("pull:web",)
    assert set(steps["web"].after) >= {"network:default", "volume:data", "pull:web"}


def test_no_op_when_everything_matches():
    desired = project(svc("db"), svc("web"))
    plan = plan_project(desired, observed(ctr("db"), ctr("web")), PlanOptions())
    assert not plan.changed
    assert plan.services["web"]["before"]["replicas"] == 1


def test_changed_settings_are_named_in_the_reason():
    old = {"image": "goship-test/app:1", "environment": {"A": "1"}}
    new = {"image": "goship-test/app:2", "environment": {"A": "1"}}
    desired = project(svc("web", settings="image=NEW,environment=b", values=recorded_values(new)))
    plan = plan_project(desired, observed(ctr("web", labels={L.VALUES: recorded_values(old)})), PlanOptions())
    (action,) = plan.actions
    assert action.kind == "recreate"
    assert action.reason == "changed: image"
    assert action.strategy == "stop-first"
    assert plan.services["web"]["after"]["changed_settings"] == ["image"]
    # the diff carries the values on both sides (the before side from the container's label) and the image ID
    assert plan.services["web"]["before"]["settings"] == {"image": "goship-test/app:1"}
    assert plan.services["web"]["after"]["settings"] == {"image": "goship-test/app:2"}
    assert plan.services["web"]["before"]["image_id"] == plan.services["web"]["after"]["image_id"] == "sha256:img"


CANARY = "canary-3f9a1c77d2"


def test_diff_shows_values_and_never_a_secret():
    rule = SecretRule(sensitive_keys=["MY_SETTING"])
    compose_secret = "compose-secret-" + CANARY
    old = {"environment": {"A": "1", "DB_PASSWORD": CANARY, "MY_SETTING": "x" + CANARY, "URL": "postgres://u:%s@db/x" % CANARY},
           "ports": [{"mode": "ingress", "target": 8080, "published": "8080", "protocol": "tcp"}]}
    new = {"environment": {"A": "2", "DB_PASSWORD": CANARY + "2", "MY_SETTING": "x" + CANARY, "URL": "postgres://u:%s@db/x" % CANARY,
                           "FROM_SECRET": compose_secret},
           "ports": [{"mode": "ingress", "target": 8080, "published": "9090", "protocol": "tcp"}]}
    label = recorded_values(old, rule, [compose_secret])
    assert CANARY not in label
    desired = project(svc("web", settings="environment=NEW,ports=NEW", values=recorded_values(new, rule, [compose_secret])))
    plan = plan_project(desired, observed(ctr("web", labels={L.VALUES: label})), PlanOptions(secret_rule=rule))
    before, after = plan.services["web"]["before"]["settings"], plan.services["web"]["after"]["settings"]
    assert before["environment"] == {"A": "1", "DB_PASSWORD": MASK, "MY_SETTING": MASK, "URL": MASK}
    assert after["environment"] == {"A": "2", "DB_PASSWORD": CHANGED_MASK, "MY_SETTING": MASK, "URL": MASK,
                                    "FROM_SECRET": MASK}
    assert before["ports"][0]["published"] == "8080" and after["ports"][0]["published"] == "9090"
    assert CANARY not in repr(plan.services)


def test_diff_without_a_values_label_says_so():
    desired = project(svc("web", settings="image=NEW,environment=b", values=recorded_values({"image": "x"})))
    plan = plan_project(desired, observed(ctr("web")), PlanOptions())
    assert plan.services["web"]["before"]["settings"] == {"image": NOT_RECORDED}
    assert plan.services["web"]["after"]["settings"] == {"image": "x"}


def test_diff_image_id_of_a_rebuild_is_not_the_old_one():
    desired = project(svc("web", image="gscmpunit-web", build_digest="d2"))
    plan = plan_project(desired, observed(ctr("web", image="gscmpunit-web", build_digest="d1")), PlanOptions(),
                        {"gscmpunit-web": ObservedImage("sha256:old")})
    assert plan.services["web"]["after"]["image_id"] == "(built first)"


def test_diff_image_id_of_a_new_service():
    plan = plan_project(project(svc("web")), observed(), PlanOptions(), PRESENT)
    assert plan.services["web"]["after"]["image_id"] == "sha256:img"
    missing = plan_project(project(svc("web", image="goship-test/other:1")), observed(), PlanOptions(), PRESENT)
    assert missing.services["web"]["after"]["image_id"] == "(pulled first)"


def test_added_and_removed_setting_keys_count_as_changes():
    desired = project(svc("web", settings="image=a,environment=b,ports=p"))
    (action,) = plan_project(desired, observed(ctr("web")), PlanOptions()).actions
    assert action.reason == "changed: ports"


def test_a_rotated_inline_secret_recreates_though_the_config_hash_is_the_same():
    old = L.settings_fingerprint({"secrets.api_key": CANARY + "-1", "configs.app": "x"})
    new = L.settings_fingerprint({"secrets.api_key": CANARY + "-2", "configs.app": "x"})
    desired = project(svc("web", content=new))
    the_plan = plan_project(desired, observed(ctr("web", content=old)), PlanOptions())
    (action,) = the_plan.actions
    assert action.kind == "recreate" and action.reason == "content changed: secrets.api_key"
    assert the_plan.services["web"]["after"]["changed_content"] == ["secrets.api_key"]
    assert CANARY not in repr(the_plan)
    # a container without the label (the CLI made it) is not recreated for want of it
    assert not plan_project(desired, observed(ctr("web")), PlanOptions()).changed
    assert not plan_project(desired, observed(ctr("web", content=new)), PlanOptions()).changed


def test_moved_tag_recreates_even_with_equal_hash():
    desired = project(svc("web"))
    moved = ctr("web", image="sha256:0123")
    (action,) = plan_project(desired, observed(moved), PlanOptions(), PRESENT).actions
    assert action.kind == "recreate" and "now points to a different image" in action.reason


def test_recreate_never_and_always():
    desired = project(svc("web", settings="image=NEW"))
    assert not plan_project(desired, observed(ctr("web")), PlanOptions(recreate="never")).changed
    same = project(svc("web"))
    (action,) = plan_project(same, observed(ctr("web")), PlanOptions(recreate="always")).actions
    assert action.reason == "recreate: always"


def test_stopped_container_is_started_and_completed_job_is_not():
    desired = project(svc("web"), svc("job"), svc("app", depends_on={"job": Dependency("service_completed_successfully")}))
    obs = observed(ctr("web", state="exited", exit_code=0), ctr("job", state="exited", exit_code=0), ctr("app"))
    plan = plan_project(desired, obs, PlanOptions())
    assert kinds(plan) == [("start", P + "-web-1")]
    assert plan.actions[0].reason == "container is exited (exit code 0)"


def test_failed_job_is_started_again():
    desired = project(svc("job"), svc("app", depends_on={"job": Dependency("service_completed_successfully")}))
    plan = plan_project(desired, observed(ctr("job", state="exited", exit_code=1), ctr("app")), PlanOptions())
    assert kinds(plan) == [("start", P + "-job-1")]


def test_scale_up_uses_next_numbers_and_scale_down_removes_highest_first():
    up = plan_project(project(svc("web", replicas=3)), observed(ctr("web", 1)), PlanOptions())
    assert kinds(up) == [("create", P + "-web-2"), ("create", P + "-web-3")]
    assert up.actions[0].reason == "scale up to 3"
    down = plan_project(project(svc("web", replicas=1)), observed(ctr("web", 1), ctr("web", 2), ctr("web", 3)), PlanOptions())
    assert kinds(down) == [("remove", P + "-web-3"), ("remove", P + "-web-2")]


def test_scale_up_after_a_gap_continues_after_the_highest_number():
    plan = plan_project(project(svc("web", replicas=3)), observed(ctr("web", 1), ctr("web", 4)), PlanOptions())
    assert kinds(plan) == [("create", P + "-web-5")]


def test_orphans_are_kept_with_a_warning_unless_asked():
    desired = project(svc("web"))
    obs = observed(ctr("web"), ctr("old", 1), ctr("old", 2))
    kept = plan_project(desired, obs, PlanOptions())
    assert not kept.changed and "orphan" in kept.warnings[0] and P + "-old-2" in kept.warnings[0]
    removed = plan_project(desired, obs, PlanOptions(remove_orphans=True))
    assert kinds(removed) == [("remove", P + "-old-2"), ("remove", P + "-old-1")]
    assert removed.actions[0].reason.startswith("orphan")


def test_disabled_services_are_not_orphans():
    desired = dataclasses.replace(project(svc("web")), known_services=frozenset({"debug"}))
    plan = plan_project(desired, observed(ctr("web"), ctr("debug")), PlanOptions(remove_orphans=True))
    assert not plan.changed and not plan.warnings


def test_dependency_layers_and_cycles():
    services = {
        "a": svc("a"), "b": svc("b", depends_on={"a": Dependency()}),
        "c": svc("c", depends_on={"a": Dependency(), "b": Dependency()}), "d": svc("d"),
    }
    assert dependency_layers(services) == [["a", "d"], ["b"], ["c"]]
    services["a"] = svc("a", depends_on={"c": Dependency()})
    with pytest.raises(PlanError, match="cycle"):
        dependency_layers(services)


def test_select_services_follows_required_dependencies_and_skips_optional_missing_ones():
    desired = project(svc("db"), svc("web", depends_on={"db": Dependency(), "cache": Dependency(required=False)}),
                      svc("other"))
    assert select_services(desired, ["web"], True) == ["db", "web"]
    assert select_services(desired, ["web"], False) == ["web"]
    assert select_services(desired, None, True) == ["db", "other", "web"]
    broken = project(svc("web", depends_on={"db": Dependency()}))
    with pytest.raises(PlanError) as err:
        select_services(broken, None, True)
    assert err.value.path == "services.web.depends_on.db"
    with pytest.raises(PlanError, match="no service 'nope'"):
        select_services(desired, ["nope"], True)


def test_restart_true_restarts_a_kept_dependent_when_its_dependency_is_replaced():
    desired = project(svc("db", settings="image=NEW"), svc("web", depends_on={"db": Dependency(restart=True)}),
                      svc("api", depends_on={"db": Dependency(restart=False)}))
    plan = plan_project(desired, observed(ctr("db"), ctr("web"), ctr("api")), PlanOptions())
    assert ("restart", P + "-web-1") in kinds(plan)
    assert ("restart", P + "-api-1") not in kinds(plan)
    assert plan.actions[-1].reason == "dependency db was replaced"


def test_start_first_strategy_only_for_running_containers():
    desired = project(svc("web", settings="image=NEW", update_order="start-first", failure_action="rollback"))
    (action,) = plan_project(desired, observed(ctr("web")), PlanOptions()).actions
    assert action.strategy == "start-first"
    (stopped,) = plan_project(desired, observed(ctr("web", state="exited", exit_code=0)), PlanOptions()).actions
    assert stopped.strategy == "stop-first"


def test_state_stopped_stops_in_reverse_dependency_order():
    desired = project(svc("db"), svc("web", depends_on={"db": Dependency()}))
    plan = plan_project(desired, observed(ctr("db"), ctr("web")), PlanOptions(state="stopped"))
    assert kinds(plan) == [("stop", P + "-web-1"), ("stop", P + "-db-1")]
    again = plan_project(desired, observed(ctr("db", state="exited", exit_code=0), ctr("web", state="exited", exit_code=0)),
                         PlanOptions(state="stopped"))
    assert not again.changed


def test_state_restarted_restarts_what_it_does_not_replace():
    desired = project(svc("db"), svc("web", settings="image=NEW"))
    plan = plan_project(desired, observed(ctr("db"), ctr("web")), PlanOptions(state="restarted"))
    assert sorted(kinds(plan)) == [("recreate", P + "-web-1"), ("restart", P + "-db-1")]


def test_absent_removes_dependents_first_then_networks_and_volumes_only_when_asked():
    desired = project(svc("db"), svc("web", depends_on={"db": Dependency()}),
                      volumes=[DesiredVolume("data", P + "_data")])
    obs = observed(ctr("db"), ctr("web"), volumes=(P + "_data",))
    plan = plan_project(desired, obs, PlanOptions(state="absent"))
    assert kinds(plan) == [("remove", P + "-web-1"), ("remove", P + "-db-1"), ("remove_network", P + "_default")]
    with_volumes = plan_project(desired, obs, PlanOptions(state="absent", remove_volumes=True))
    assert ("remove_volume", P + "_data") in kinds(with_volumes)
    gone = plan_project(desired, observed(networks=()), PlanOptions(state="absent", remove_volumes=True))
    assert not gone.changed


def test_absent_removes_images_only_when_present():
    desired = project(svc("web", image="gscmpunit-web", build_digest="sha256:d"), svc("db"))
    obs = observed(ctr("web", image="gscmpunit-web"), ctr("db"))
    images = {"gscmpunit-web": ObservedImage("sha256:1"), "goship-test/app:1": ObservedImage("sha256:2")}
    local = plan_project(desired, obs, PlanOptions(state="absent", remove_images="local"), images)
    assert ("remove_image", "gscmpunit-web") in kinds(local) and ("remove_image", "goship-test/app:1") not in kinds(local)
    everything = plan_project(desired, obs, PlanOptions(state="absent", remove_images="all"), images)
    assert ("remove_image", "goship-test/app:1") in kinds(everything)
    assert not any(k == "remove_image" for k, _target in kinds(plan_project(desired, obs, PlanOptions(state="absent", remove_images="all"), {})))


def test_build_auto_uses_container_and_image_digests():
    desired = project(svc("web", image="gscmpunit-web", build_digest="sha256:new"))
    fresh = observed(ctr("web", image="gscmpunit-web", build_digest="sha256:new"))
    assert not plan_project(desired, fresh, PlanOptions()).changed
    stale = observed(ctr("web", image="gscmpunit-web", build_digest="sha256:old"))
    plan = plan_project(desired, stale, PlanOptions(), {"gscmpunit-web": ObservedImage("sha256:1", "sha256:old")})
    assert kinds(plan) == [("build", "gscmpunit-web"), ("recreate", P + "-web-1")]
    assert plan.actions[1].reason == "image rebuilt from changed build inputs"
    # recreated only because of the rebuild: the executor skips it when the build keeps the container's image ID
    assert plan.actions[1].unless_image == "sha256:img"
    changed_too = observed(ctr("web", image="gscmpunit-web", build_digest="sha256:old", settings="image=a,environment=c"))
    both = plan_project(desired, changed_too, PlanOptions(), {"gscmpunit-web": ObservedImage("sha256:1", "sha256:old")})
    assert both.actions[1].unless_image is None
    prebuilt = plan_project(desired, observed(), PlanOptions(), {"gscmpunit-web": ObservedImage("sha256:1", "sha256:new")})
    assert kinds(prebuilt) == [("create", P + "-web-1")]
    with pytest.raises(PlanError, match="build is 'never'"):
        plan_project(desired, observed(), PlanOptions(build="never"))


def test_pull_missing_and_never():
    desired = project(svc("web"), svc("api"))
    assert kinds(plan_project(desired, observed(), PlanOptions())) == [
        ("pull", "goship-test/app:1"), ("create", P + "-api-1"), ("create", P + "-web-1")]
    present = {"goship-test/app:1": ObservedImage("sha256:1")}
    assert kinds(plan_project(desired, observed(), PlanOptions(), present)) == [("create", P + "-api-1"), ("create", P + "-web-1")]
    with pytest.raises(PlanError) as err:
        plan_project(desired, observed(), PlanOptions(pull="never"))
    assert err.value.path == "services.api.image"


def test_external_resources_must_exist():
    desired = project(svc("web"), networks=[DesiredNetwork("front", "shared-front", external=True)])
    with pytest.raises(PlanError) as err:
        plan_project(desired, observed(networks=()), PlanOptions())
    assert err.value.path == "networks.front"


def test_a_network_proven_by_a_container_needs_no_create():
    desired = project(svc("web"))
    obs = ObservedProject(name=P, containers=[ctr("web")], networks_in_use={P + "_default"})
    assert not plan_project(desired, obs, PlanOptions()).changed


def test_selected_services_leave_the_others_alone():
    desired = project(svc("db", settings="image=NEW"), svc("web", settings="image=NEW"))
    plan = plan_project(desired, observed(ctr("db"), ctr("web")), PlanOptions(selected=("web",)))
    assert kinds(plan) == [("recreate", P + "-web-1")]


def test_container_from_list_reads_health_exit_code_and_labels():
    item = {
        "Id": "abc", "Names": ["/gscmpunit-web-2"], "State": "running", "Status": "Up 2 minutes (health: starting)",
        "Image": "goship-test/app:1", "ImageID": "sha256:1",
        "Labels": {L.SERVICE: "web", L.CONTAINER_NUMBER: "2", L.CONFIG_HASH: "h", L.ONEOFF: "False"},
        "NetworkSettings": {"Networks": {"n1": {}}}, "Mounts": [{"Type": "volume", "Name": "v1"}],
    }
    c = container_from_list(item)
    assert (c.name, c.number, c.health, c.networks, c.volumes) == ("gscmpunit-web-2", 2, "starting", ("n1",), ("v1",))
    exited = container_from_list(dict(item, State="exited", Status="Exited (3) 5 seconds ago"))
    assert exited.exit_code == 3 and exited.health is None
    healthy = container_from_list(dict(item, Status="Up 1 second (healthy)"))
    assert healthy.health == "healthy"


def test_action_descriptions():
    desired = project(svc("web", settings="image=NEW,environment=b", update_order="start-first"))
    (action,) = plan_project(desired, observed(ctr("web")), PlanOptions()).actions
    assert action.describe() == "recreate (start-first) %s-web-1: changed: image" % P


def test_paused_container_is_resumed():
    plan = plan_project(project(svc("web")), observed(ctr("web", state="paused", status="Up 1 minute (Paused)")), PlanOptions())
    assert [(a.kind, a.reason) for a in plan.actions] == [("unpause", "container is paused")]
