"""Compose project → Swarm ServiceSpecs and networks, as docker stack deploy names and labels them."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.swarm.service_spec import (
    IMAGE_LABEL, NAMESPACE_LABEL, SPEC_HASH_LABEL, TASK_HASH_LABEL, StackServiceBuilder, spec_hash,
)

SECOND = 1_000_000_000


def build(definition, stack="st"):
    builder = StackServiceBuilder(load_project(definition=definition, project_name=stack, environ={}), stack)
    return builder, builder.networks(), builder.services()


WEB = {
    "image": "goship-test/app:1",
    "command": ["serve", "--port", "8080"],
    "entrypoint": ["/testapp"],
    "environment": {"B": "2", "A": "1"},
    "labels": {"c": "d"},
    "ports": ["18080:8080", {"target": 9090, "published": 19090, "mode": "host"}],
    "healthcheck": {"test": ["CMD", "/testapp", "healthcheck"], "interval": "2s", "timeout": "5s", "retries": 3},
    "volumes": ["data:/data", "/srv:/srv:ro"],
    "deploy": {"replicas": 2, "labels": {"a": "b"}, "update_config": {"monitor": "3s"},
               "resources": {"limits": {"cpus": "0.5", "memory": "64m"}},
               "restart_policy": {"condition": "on-failure", "max_attempts": 3},
               "placement": {"constraints": ["node.role == worker"]}},
}


def test_names_and_labels_follow_docker_stack():
    _builder, networks, services = build({"services": {"web": WEB, "db": {"image": "db", "networks": ["back"]}},
                                          "networks": {"back": {}}, "volumes": {"data": {}}})
    assert sorted(networks) == ["st_back", "st_default"]
    assert networks["st_back"] == {"Name": "st_back", "Driver": "overlay", "Labels": {NAMESPACE_LABEL: "st"}}
    assert list(services) == ["st_db", "st_web"]
    web = services["st_web"]
    assert web["Name"] == "st_web"
    assert web["Labels"][NAMESPACE_LABEL] == "st" and web["Labels"][IMAGE_LABEL] == "goship-test/app:1"
    assert web["Labels"]["a"] == "b"
    container = web["TaskTemplate"]["ContainerSpec"]
    assert container["Labels"] == {"c": "d", NAMESPACE_LABEL: "st"}
    assert container["Env"] == ["A=1", "B=2"]
    assert container["Command"] == ["/testapp"] and container["Args"] == ["serve", "--port", "8080"]
    assert web["TaskTemplate"]["Networks"] == [{"Target": "st_default", "Aliases": ["web"]}]
    assert services["st_db"]["TaskTemplate"]["Networks"] == [{"Target": "st_back", "Aliases": ["db"]}]


def test_service_settings_map_to_the_api():
    _builder, _networks, services = build({"services": {"web": WEB}, "volumes": {"data": {}}})
    web = services["st_web"]
    container = web["TaskTemplate"]["ContainerSpec"]
    assert container["Healthcheck"] == {"Test": ["CMD", "/testapp", "healthcheck"], "Interval": 2 * SECOND,
                                        "Timeout": 5 * SECOND, "Retries": 3}
    assert container["Mounts"] == [
        {"Type": "volume", "Target": "/data", "Source": "st_data", "VolumeOptions": {"Labels": {NAMESPACE_LABEL: "st"}}},
        {"Type": "bind", "Target": "/srv", "Source": "/srv", "ReadOnly": True},
    ]
    assert web["Mode"] == {"Replicated": {"Replicas": 2}}
    assert web["EndpointSpec"] == {"Mode": "vip", "Ports": [
        {"Protocol": "tcp", "TargetPort": 8080, "PublishedPort": 18080, "PublishMode": "ingress"},
        {"Protocol": "tcp", "TargetPort": 9090, "PublishedPort": 19090, "PublishMode": "host"},
    ]}
    assert web["TaskTemplate"]["Resources"] == {"Limits": {"NanoCPUs": SECOND // 2, "MemoryBytes": 64 * 1024 ** 2}}
    assert web["TaskTemplate"]["RestartPolicy"] == {"Condition": "on-failure", "MaxAttempts": 3}
    assert web["TaskTemplate"]["Placement"] == {"Constraints": ["node.role == worker"]}


def test_updates_default_to_start_first_with_rollback_and_compose_overrides_fields():
    api = {"image": "x", "deploy": {"update_config": {"order": "stop-first"}}}
    _b, _n, services = build({"services": {"web": WEB, "api": api}, "volumes": {"data": {}}})
    assert services["st_web"]["UpdateConfig"] == {"Parallelism": 1, "Order": "start-first",
                                                  "FailureAction": "rollback", "Monitor": 3 * SECOND}
    assert services["st_api"]["UpdateConfig"]["Order"] == "stop-first"
    assert services["st_api"]["UpdateConfig"]["FailureAction"] == "rollback"
    assert services["st_api"]["RollbackConfig"]["Order"] == "start-first"


def test_hash_labels_are_stable_and_track_changes():
    _b, _n, first = build({"services": {"web": WEB}, "volumes": {"data": {}}})
    _b, _n, again = build({"services": {"web": WEB}, "volumes": {"data": {}}})
    assert first == again
    spec = first["st_web"]
    assert spec["Labels"][SPEC_HASH_LABEL] == spec_hash(spec)
    changed = dict(WEB, image="goship-test/app:2")
    _b, _n, second = build({"services": {"web": changed}, "volumes": {"data": {}}})
    assert second["st_web"]["Labels"][SPEC_HASH_LABEL] != spec["Labels"][SPEC_HASH_LABEL]
    assert second["st_web"]["Labels"][TASK_HASH_LABEL] != spec["Labels"][TASK_HASH_LABEL]
    scaled = dict(WEB, deploy=dict(WEB["deploy"], replicas=5))
    _b, _n, third = build({"services": {"web": scaled}, "volumes": {"data": {}}})
    assert third["st_web"]["Labels"][SPEC_HASH_LABEL] != spec["Labels"][SPEC_HASH_LABEL]
    assert third["st_web"]["Labels"][TASK_HASH_LABEL] == spec["Labels"][TASK_HASH_LABEL]  # scaling rolls nothing


def test_global_mode_and_external_network():
    _b, networks, services = build({"services": {"agent": {"image": "a", "deploy": {"mode": "global"},
                                                           "networks": ["shared"]}},
                                    "networks": {"shared": {"external": True, "name": "infra"}}})
    assert networks == {}
    assert services["st_agent"]["Mode"] == {"Global": {}}
    assert services["st_agent"]["TaskTemplate"]["Networks"] == [{"Target": "infra", "Aliases": ["agent"]}]


@pytest.mark.parametrize("service, path", [
    ({"build": "."}, "services.web.image"),
    ({"image": "x", "privileged": True}, "services.web.privileged"),
    ({"image": "x", "network_mode": "host"}, "services.web.network_mode"),
    ({"image": "x", "ports": ["8000-8001:80"]}, "services.web.ports[0]"),
    ({"image": "x", "ports": ["127.0.0.1:80:80"]}, "services.web.ports[0]"),
    ({"image": "x", "deploy": {"mode": "global", "replicas": 2}}, "services.web.deploy.replicas"),
])
def test_what_swarm_cannot_do_fails_naming_the_path(service, path):
    with pytest.raises(ComposeError) as err:
        build({"services": {"web": service}})
    assert err.value.path == path


def test_ignored_keys_warn_like_docker_stack():
    builder, _n, services = build({"services": {"web": {"image": "x", "container_name": "web-1", "restart": "always"}}})
    assert "st_web" in services
    assert builder.warnings == ["services.web: ignoring options Swarm services do not have (as docker stack"
                                " deploy does): container_name, restart"]
