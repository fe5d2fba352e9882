"""`build: policy` and `pull: policy`, docker_compose_v2's defaults, in the planner (no Docker)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredNetwork, DesiredProject, DesiredService
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedImage, ObservedNetwork, ObservedProject,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.compose.run import ComposeRequest, _images_needed
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError

P = "gscmpv2unit"
WEB = "gscmpv2unit-web"
PRESENT = {"goship-test/app:1": ObservedImage("sha256:img")}


def svc(name, image="goship-test/app:1", **kw):
    return DesiredService(name=name, image=image, replicas=1, config_hash="h", settings="image=a", **kw)


def ctr(service, image, build_digest=""):
    return ObservedContainer(
        id="id-" + service, name=L.container_name(P, service, 1), service=service, number=1, state="running",
        status="Up 1 minute", health=None, exit_code=None, image_ref=image, image_id="sha256:img",
        config_hash="h", settings="image=a", build_digest=build_digest, oneoff=False, networks=(P + "_default",),
    )


def project(*services):
    return DesiredProject(name=P, services={s.name: s for s in services},
                          networks=(DesiredNetwork("default", P + "_default"),))


def observed(*containers):
    obs = ObservedProject(name=P, containers=list(containers))
    obs.networks[P + "_default"] = ObservedNetwork("nid", P + "_default", "default", P, "bridge", False, False)
    return obs


def kinds(plan):
    return [(a.kind, a.target) for a in plan.actions]


def test_build_policy_builds_a_missing_image():
    desired = project(svc("web", image=WEB, build_digest="sha256:new"))
    plan = plan_project(desired, observed(), PlanOptions(build="policy"), {})
    assert kinds(plan) == [("build", WEB), ("create", P + "-web-1")]
    assert plan.actions[0].reason == "no image yet"


def test_build_policy_does_not_rebuild_for_changed_inputs_where_auto_does():
    desired = project(svc("web", image=WEB, build_digest="sha256:new"))
    stale = observed(ctr("web", image=WEB, build_digest="sha256:old"))
    assert kinds(plan_project(desired, stale, PlanOptions(build="policy"), {})) == []
    assert kinds(plan_project(desired, stale, PlanOptions(build="auto"), {}))[0] == ("build", WEB)
    # the image exists (not proven by a container): no build either
    plan = plan_project(desired, observed(), PlanOptions(build="policy"), {WEB: ObservedImage("sha256:x", None)})
    assert kinds(plan) == [("create", P + "-web-1")]


def test_build_policy_with_pull_policy_build_builds_every_time():
    desired = project(svc("web", image=WEB, build_digest="sha256:new", pull_policy="build"))
    fresh = observed(ctr("web", image=WEB, build_digest="sha256:new"))
    plan = plan_project(desired, fresh, PlanOptions(build="policy"), {})
    assert kinds(plan) == [("build", WEB), ("recreate", P + "-web-1")]
    assert plan.actions[0].reason == "pull_policy: build"
    # the executor skips the recreate when the build keeps the image ID: no change then
    assert plan.actions[1].unless_image == "sha256:img"


def test_build_never_still_refuses_a_missing_image():
    desired = project(svc("web", image=WEB, build_digest="sha256:new"))
    with pytest.raises(PlanError, match="build is 'never'"):
        plan_project(desired, observed(), PlanOptions(build="never"), {})


@pytest.mark.parametrize("pull", ["policy", "missing"])
def test_pull_policy_follows_the_services_pull_policy(pull):
    missing_image = project(svc("web", image="goship-test/other:1"))
    plan = plan_project(missing_image, observed(), PlanOptions(pull=pull), {})
    assert kinds(plan)[0] == ("pull", "goship-test/other:1")
    never = project(svc("web", image="goship-test/other:1", pull_policy="never"))
    with pytest.raises(PlanError, match=r"services\.web\.pull_policy"):
        plan_project(never, observed(), PlanOptions(pull=pull), {})
    present = project(svc("web"))
    assert kinds(plan_project(present, observed(), PlanOptions(pull=pull), PRESENT)) == [("create", P + "-web-1")]


@pytest.mark.parametrize("build, looked_up", [("auto", [WEB]), ("always", [WEB]), ("policy", []), ("never", [])])
def test_images_list_call_only_when_the_build_value_needs_the_digest(build, looked_up):
    # a container runs the tag built from older inputs: `policy` and `never` need no image lookup
    # (no request), so a no-op keeps its four requests
    desired = project(svc("web", image=WEB, build_digest="sha256:new"))
    stale = observed(ctr("web", image=WEB, build_digest="sha256:old"))
    assert _images_needed(desired, stale, ["web"], ComposeRequest(build=build)) == looked_up
    assert _images_needed(desired, observed(), ["web"], ComposeRequest(build=build)) == [WEB]
