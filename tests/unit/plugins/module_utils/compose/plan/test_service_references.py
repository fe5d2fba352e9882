"""Services naming another service's container (network_mode / ipc / pid service:, volumes_from):
the config-hash `docker compose up` writes for them, and the planner's and applier's use of it
(no Docker).

`docker compose up` (2.40.3) hashes such a service only after rewriting each reference to the ID
of the named service's first container (first by name); `config --hash` does not rewrite them.
UP_LABELS are the labels `docker compose up -d` wrote for fixtures/service_references/compose.yaml
on a real engine, with the ID its owner's first container had then (OWNER_1).
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import containers as apply_containers
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.compose_hash import (
    compose_config_hash, hashed_config, resolve_references, service_references,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import (
    ObservedContainer, ObservedProject, container_from_list,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.planner import PlanOptions, plan_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_references import first_container
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_resources import resolved_volumes_from
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import container_spec

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "service_references")
P = "gs-svchash-unit"

# docker compose config --hash '*' (2.40.3): the references as written, not what `up` labels
CONFIG_HASHES = {
    "joiner": "9865f1741647f0b83949beb37d310c78fb305dd85a98755d7157bf588e1b72dd",
    "sharer": "742f0212f59e64974b6031288d8dbb9039342a2377b3a9d01267de373e592be8",
    "reader": "a3e4e97c8d7fd9b8a6e80d6a219a12a5e1e0d972d18400e79c29f3c1e65a9288",
    "byname": "9e36945e3912589ccc81316c55e21423d43d261970a04b9f3e704cadec740bda",
    "owner": "ec5ead773b304b72e91e492551968073f449ea6caf345990f600c9643d1d8ae4",
}

# docker compose up -d (2.40.3) on a 20.10 engine: the ID of gs-svchash-unit-owner-1, and the labels
OWNER_1 = "c5163fa8628dff31904af09801fe13b7867a01bd7e91f62d892bbbb7e3b1bf46"
UP_LABELS = {
    "joiner": "d235547866725676afecc162dbb8340f75fe0279f6f8b44cf308a639963b4afd",
    "sharer": "2b93b2473d0b31337d344a5ee793052fa7e6bf2ca027e97aa9721702e79dce00",
    "reader": "4604e7b2b3fb0b9d64bc53dfedca00988cd199d8dda6addb0058ee9557a57e7c",
    "byname": "ed57aa1ffce33f9b8f6a70e6bd483ed68e39cc2fb490db466d987f10363a0a99",
    "owner": "ec5ead773b304b72e91e492551968073f449ea6caf345990f600c9643d1d8ae4",
}


@pytest.fixture(scope="module")
def project():
    return load_project(FIXTURE, environ={"PATH": "/usr/bin:/bin"})


def test_what_compose_resolves_before_hashing(project):
    byname = hashed_config(project.services["byname"])
    assert service_references(byname) == (("volumes_from", "owner", "owner"),)
    assert resolve_references(byname, {"owner": "o1"})["volumes_from"] == ["gs-svchash-unit-store", "o1"]
    sharer = hashed_config(project.services["sharer"])
    assert service_references(sharer) == (("ipc", "service:owner", "owner"), ("pid", "service:owner", "owner"))
    resolved = resolve_references(sharer, {"owner": "o1"})
    assert (resolved["ipc"], resolved["pid"]) == ("container:o1", "container:o1")
    assert resolve_references(hashed_config(project.services["reader"]), {"owner": "o1"})["volumes_from"] == ["o1"]
    assert resolve_references(hashed_config(project.services["joiner"]), {"owner": "o1"})["network_mode"] == "container:o1"
    assert service_references(hashed_config(project.services["owner"])) == ()  # ipc: shareable names no one


@pytest.mark.parametrize("name", sorted(UP_LABELS))
def test_the_labels_docker_compose_up_wrote(project, name):
    assert compose_config_hash(project.services[name], first_ids={"owner": OWNER_1}) == UP_LABELS[name]
    assert desired_project(project).services[name].resolved_hash({"owner": OWNER_1}) == UP_LABELS[name]


def test_unresolved_hashes_are_config_hash(project):
    """Without IDs the references stay as written: the hash `config --hash` prints (container:
    entries aside, which `up` rewrites without any ID)."""
    for name in ("joiner", "sharer", "reader", "owner"):
        assert compose_config_hash(project.services[name]) == CONFIG_HASHES[name], name
    assert compose_config_hash(project.services["byname"]) != CONFIG_HASHES["byname"]


def test_the_hash_follows_the_owner_id(project):
    joiner = project.services["joiner"]
    assert compose_config_hash(joiner, first_ids={"owner": "a"}) != compose_config_hash(joiner, first_ids={"owner": "b"})
    reader = project.services["reader"]  # the mode is not hashed: Compose keeps what comes before the second colon
    assert resolve_references(hashed_config(reader), {"owner": "a"}) == \
        resolve_references(dict(hashed_config(reader), volumes_from=["owner"]), {"owner": "a"})


def test_desired_services_carry_their_references(project):
    desired = desired_project(project)
    assert desired.services["owner"].references == ()
    assert desired.services["owner"].resolved_hash({"x": "y"}) == desired.services["owner"].config_hash
    assert desired.services["reader"].reference_owners == ("owner",)
    assert desired.services["byname"].resolved_hash({"owner": "o1"}) == \
        compose_config_hash(project.services["byname"], first_ids={"owner": "o1"})


# ---------------------------------------------------------------- planner

def ctr(service, cid, number=1, config_hash="", name=None, network_mode="", oneoff=False):
    return ObservedContainer(
        id=cid, name=name or L.container_name(P, service, number), service=service, number=number, state="running",
        status="Up", health=None, exit_code=None, image_ref="goship-test/busybox:latest", image_id="sha256:1",
        config_hash=config_hash, settings="", build_digest="", oneoff=oneoff, network_mode=network_mode,
        networks=() if network_mode else (P + "_default",))


def deployed(desired, owner_ids=("o1", "o2"), joined=None):
    """The project as docker compose up leaves it: each label hashes the owner's first container."""
    first = {"owner": owner_ids[0], "store": "s1"}
    joined = joined or first["owner"]
    containers = [ctr("owner", cid, number, desired.services["owner"].config_hash)
                  for number, cid in enumerate(owner_ids, 1)]
    containers.append(ctr("store", "s1", 1, desired.services["store"].config_hash, name="gs-svchash-unit-store"))
    for name in ("sharer", "reader", "byname"):
        containers.append(ctr(name, name + "-id", 1, desired.services[name].resolved_hash(first)))
    containers.append(ctr("joiner", "joiner-id", 1, desired.services["joiner"].resolved_hash({"owner": joined}),
                          network_mode="container:" + joined))
    return ObservedProject(name=P, containers=containers, networks_in_use={P + "_default"})


def kinds(plan):
    return [(a.kind, a.target, a.reason) for a in plan.actions]


def test_what_the_cli_deployed_is_kept(project):
    desired = desired_project(project)
    assert kinds(plan_project(desired, deployed(desired), PlanOptions())) == []


def test_a_replaced_owner_takes_every_dependent_along(project):
    desired = desired_project(project)
    observed = deployed(desired)
    observed.containers[0] = ctr("owner", "o1", 1, "an older hash")
    plan = plan_project(desired, observed, PlanOptions())
    recreated = {target: reason for kind, target, reason in kinds(plan) if kind == "recreate"}
    assert recreated == {
        P + "-owner-1": "configuration changed (config-hash)",
        P + "-joiner-1": "network_mode service:owner: its container is replaced",
        P + "-sharer-1": "ipc service:owner: its container is replaced",
        P + "-reader-1": "volumes_from owner:ro: its container is replaced",
        P + "-byname-1": "volumes_from owner: its container is replaced",
    }
    assert all(a.strategy == "stop-first" for a in plan.actions if a.service != "owner")


def test_a_replaced_second_owner_container_changes_nothing(project):
    desired = desired_project(project)
    observed = deployed(desired)
    observed.containers[1] = ctr("owner", "o2", 2, "an older hash")
    plan = plan_project(desired, observed, PlanOptions())
    assert [t for k, t, _r in kinds(plan) if k == "recreate"] == [P + "-owner-2"]
    # the namespace sharers restart with their dependency (depends_on restart, as Compose stops them)
    assert sorted(t for k, t, _r in kinds(plan) if k == "restart") == [P + "-joiner-1", P + "-sharer-1"]


def test_the_first_container_is_the_first_by_name_as_compose_sorts(project):
    """Containers 2..10 (no 1): Compose names gs-...-owner-10 first; so do we."""
    desired = desired_project(project)
    observed = deployed(desired, owner_ids=("o10",))
    observed.containers[0] = ctr("owner", "o10", 10, desired.services["owner"].config_hash)
    observed.containers.insert(1, ctr("owner", "o2", 2, desired.services["owner"].config_hash))
    plan = plan_project(desired, observed, PlanOptions())
    assert kinds(plan) == []
    assert first_container(observed.service_containers("owner")).id == "o10"


def test_scaling_the_first_owner_container_away_moves_the_dependents(project):
    desired = desired_project(load_project(definition={"services": {
        "owner": {"image": "goship-test/busybox:latest", "scale": 1},
        "reader": {"image": "goship-test/busybox:latest", "volumes_from": ["owner"]},
    }}, project_name=P, project_dir="/tmp"))
    owner_hash = desired.services["owner"].config_hash
    observed = ObservedProject(name=P, containers=[
        ctr("owner", "o10", 10, owner_hash), ctr("owner", "o9", 9, owner_hash),  # by name, -10 comes first
        ctr("reader", "r1", 1, desired.services["reader"].resolved_hash({"owner": "o10"})),
    ], networks_in_use={P + "_default"})
    assert kinds(plan_project(desired, observed, PlanOptions())) == [
        ("remove", P + "-owner-10", "scale down to 1"),
        ("recreate", P + "-reader-1", "volumes_from owner: its container is replaced"),
    ]


def test_a_joiner_made_for_another_container_is_recreated(project):
    desired = desired_project(project)
    plan = plan_project(desired, deployed(desired, joined="gone"), PlanOptions())
    assert kinds(plan) == [("recreate", P + "-joiner-1", "network_mode service:owner: joined to a container that is gone")]


def test_a_label_without_the_resolved_ids_is_recreated(project):
    """What releases before this one wrote (the references unresolved): recreated once, then kept."""
    desired = desired_project(project)
    observed = deployed(desired)
    observed.containers[-2] = ctr("byname", "byname-id", 1, desired.services["byname"].config_hash)
    assert [(k, t) for k, t, _r in kinds(plan_project(desired, observed, PlanOptions()))] == [("recreate", P + "-byname-1")]


def test_the_listed_name_is_the_containers_own():
    item = {"Id": "x", "Names": ["/p-web-1/db", "/p-db-1"], "Labels": {}}
    assert container_from_list(item).name == "p-db-1"


# ---------------------------------------------------------------- applier

class FakeClient:
    def __init__(self, items):
        self.items = items
        self.calls = 0

    def containers(self, all=False, filters=None):  # noqa: A002 (docker-py's name)
        self.calls += 1
        return self.items


class Context:
    def __init__(self, project, client):
        self.project = project
        self.desired = desired_project(project)
        self.client = client


def listed(service, cid, name, oneoff="False"):
    return {"Id": cid, "Names": ["/" + name], "Labels": {L.SERVICE: service, L.PROJECT: P, L.ONEOFF: oneoff}}


def test_the_applier_resolves_the_ids_and_the_label(project):
    client = FakeClient([listed("owner", "o2", P + "-owner-2"), listed("owner", "o1", P + "-owner-1"),
                         listed("owner", "run", P + "-owner-run-1", oneoff="True")])
    context = Context(project, client)
    action = type("Action", (), {"service": "byname", "number": 1})()
    first_ids = apply_containers._first_ids(context, action)
    assert first_ids == {"owner": "o1"} and client.calls == 1
    spec = container_spec(project, project.services["byname"], 1, {}).spec
    resolved = apply_containers._resolved(spec, project.services["byname"], first_ids)
    assert resolved.volumes_from == ("gs-svchash-unit-store:ro", "o1")  # the mode is kept on the engine
    sharer = apply_containers._resolved(container_spec(project, project.services["sharer"], 1, {}).spec,
                                        project.services["sharer"], first_ids)
    assert (sharer.ipc_mode, sharer.pid_mode) == ("container:o1", "container:o1")
    assert context.desired.services["byname"].resolved_hash(first_ids) == \
        compose_config_hash(project.services["byname"], first_ids=first_ids)


def test_the_applier_lists_nothing_for_a_service_without_references(project):
    client = FakeClient([])
    assert apply_containers._first_ids(Context(project, client), type("Action", (), {"service": "owner"})()) == {}
    assert client.calls == 0


def test_the_applier_names_a_missing_owner(project):
    with pytest.raises(Exception) as err:
        apply_containers._first_ids(Context(project, FakeClient([])), type("Action", (), {"service": "reader"})())
    assert "volumes_from owner:ro, but owner has no container" in str(err.value)


def test_volumes_from_keeps_the_mode_for_the_engine(project):
    assert resolved_volumes_from(project.services["reader"], {"owner": "o1"}) == ("o1:ro",)
