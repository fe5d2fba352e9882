"""The com.docker.compose.* label contract and the service → planner adapter (no Docker)."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError, DependsOn
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import container_spec, content_fingerprint
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import to_create_request


def test_container_labels_follow_compose():
    base = L.project_labels("shop", "/srv/shop", ["/srv/shop/compose.yaml", "/srv/shop/prod.yaml"])
    labels = L.container_labels(base, "web", 2, "abc", "db:service_healthy:true", "sha256:1", "image=x")
    assert labels[L.PROJECT] == "shop"
    assert labels[L.SERVICE] == "web"
    assert labels[L.CONTAINER_NUMBER] == "2"
    assert labels[L.ONEOFF] == "False"
    assert labels[L.CONFIG_FILES] == "/srv/shop/compose.yaml,/srv/shop/prod.yaml"
    assert labels[L.WORKING_DIR] == "/srv/shop"
    assert labels[L.IMAGE] == "sha256:1"
    assert labels[L.VERSION] == L.COMPOSE_VERSION
    assert L.BUILD_DIGEST not in labels


def test_depends_on_label_format():
    deps = {"db": DependsOn("service_healthy", True), "cache": DependsOn()}
    assert L.format_depends_on(deps) == "cache:service_started:false,db:service_healthy:true"


def test_network_and_volume_labels_keep_user_labels_but_not_over_ours():
    net = L.network_labels("shop", "default", {"team": "a", L.PROJECT: "evil"})
    assert net[L.PROJECT] == "shop" and net[L.NETWORK] == "default" and net["team"] == "a"
    vol = L.volume_labels("shop", "data", {})
    assert vol[L.VOLUME] == "data"


def test_settings_fingerprint_names_changed_keys():
    before = L.settings_fingerprint({"image": "a", "environment": {"A": "1"}})
    after = L.settings_fingerprint({"image": "a", "environment": {"A": "2"}, "ports": []})
    assert L.changed_settings(before, after) == ["environment", "ports"]
    assert L.changed_settings(after, after) == []


def test_project_filter():
    assert L.project_filter("p") == {"label": ["com.docker.compose.project=p"]}
    assert L.project_filter("p", "web")["label"][1] == "com.docker.compose.service=web"


def _project(services, **top):
    definition = {"services": services}
    definition.update(top)
    return load_project(definition=definition, project_name="gscmpunit", project_dir="/tmp")


def test_scaling_does_not_change_the_config_hash():
    one = desired_project(_project({"web": {"image": "goship-test/app:1"}}))
    two = desired_project(_project({"web": {"image": "goship-test/app:1", "deploy": {"replicas": 2}}}))
    three = desired_project(_project({"web": {"image": "goship-test/app:1", "deploy": {"replicas": 3}}}))
    scaled = desired_project(_project({"web": {"image": "goship-test/app:1", "scale": 2}}))
    assert one.services["web"].config_hash == scaled.services["web"].config_hash
    assert two.services["web"].config_hash == three.services["web"].config_hash
    assert three.services["web"].replicas == 3
    # As in Compose, a `deploy` section is a setting even with only replicas in it (Go marshals its
    # empty resources and placement): adding one changes the hash, and `docker compose up` recreates.
    assert one.services["web"].config_hash != two.services["web"].config_hash
    env = desired_project(_project({"web": {"image": "goship-test/app:1", "environment": {"A": "1"}}}))
    assert env.services["web"].config_hash != one.services["web"].config_hash


def test_start_first_with_a_fixed_host_port_is_an_error_naming_the_path():
    with pytest.raises(PlanError) as err:
        desired_project(_project({"web": {"image": "x", "ports": ["8000:8080"],
                                          "deploy": {"update_config": {"order": "start-first"}}}}))
    assert err.value.path == "services.web.deploy.update_config.order"
    assert "fixed host port" in str(err.value)
    # the module default falls back to stop-first for such services
    desired = desired_project(_project({"web": {"image": "x", "ports": ["8000:8080"]}, "api": {"image": "x"}}),
                              default_order="start-first")
    assert desired.services["web"].update_order == "stop-first"
    assert desired.services["api"].update_order == "start-first"
    assert desired.services["api"].failure_action == "rollback"


def test_container_name_with_replicas_is_an_error():
    with pytest.raises(ComposeError) as err:  # the file says so: refused when loading, as the CLI does
        _project({"web": {"image": "x", "container_name": "fixed", "scale": 2}})
    assert err.value.path == "services.web.container_name"
    project = _project({"web": {"image": "x", "container_name": "fixed"}})
    scaled = dataclasses.replace(project, services={"web": dataclasses.replace(project.services["web"], scale=2)})
    with pytest.raises(PlanError) as err:  # the module's scale option: refused when planning
        desired_project(scaled)
    assert err.value.path == "services.web.container_name"


def test_container_spec_maps_compose_to_the_create_request():
    project = _project({
        "web": {
            "image": "goship-test/app:1", "environment": {"A": "1", "UNSET": None},
            "ports": ["127.0.0.1:8000:8080"], "volumes": ["data:/data", "/tmp:/host:ro"],
            "networks": {"front": {"aliases": ["www"]}, "back": None},
            "healthcheck": {"test": ["CMD", "/testapp", "healthcheck"], "interval": "2s"},
            "restart": "unless-stopped", "stop_grace_period": "3s",
        }}, networks={"front": {}, "back": {}}, volumes={"data": {}})
    made = container_spec(project, project.services["web"], 1, {"x": "y"})
    body = to_create_request(made.spec)
    assert made.spec.name == "gscmpunit-web-1"
    assert body["Env"] == ["A=1"]
    assert body["Labels"]["x"] == "y"
    assert body["HostConfig"]["PortBindings"] == {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8000"}]}
    assert "gscmpunit_data:/data:rw" in body["HostConfig"]["Binds"]
    assert body["HostConfig"]["RestartPolicy"] == {"Name": "unless-stopped"}
    assert body["StopTimeout"] == 3
    assert body["Healthcheck"]["Interval"] == 2_000_000_000
    endpoints = body["NetworkingConfig"]["EndpointsConfig"]
    (first,) = endpoints
    assert first in ("gscmpunit_back", "gscmpunit_front")
    names = [n.name for n in made.spec.networks]
    assert sorted(names) == ["gscmpunit_back", "gscmpunit_front"]
    front = [n for n in made.spec.networks if n.name == "gscmpunit_front"][0]
    assert front.aliases == ("web", "gscmpunit-web-1", "www")


def test_inline_secrets_become_injected_files():
    project = _project({"web": {"image": "x", "secrets": ["token"], "configs": [{"source": "conf", "target": "/etc/app.conf"}]}},
                       secrets={"token": {"environment": "GSCMP_TOKEN"}}, configs={"conf": {"content": "a=1"}})
    project.secrets["token"].value = "s3cret"
    made = container_spec(project, project.services["web"], 1, {})
    paths = {f.path: f.content for f in made.files}
    assert paths == {"/run/secrets/token": b"s3cret", "/etc/app.conf": b"a=1"}


def test_content_fingerprint_follows_the_inline_secrets_and_configs_never_their_values():
    project = _project({"web": {"image": "x", "secrets": ["token", "onfile"], "configs": [{"source": "conf", "target": "/c"}]}},
                       secrets={"token": {"environment": "GSCMP_TOKEN"}, "onfile": {"file": "./token.txt"}},
                       configs={"conf": {"content": "a=1"}})
    project.secrets["token"].value = "canary-71c0-1"
    first = content_fingerprint(project, project.services["web"])
    assert sorted(L.parse_settings(first)) == ["configs.conf", "secrets.token"]  # a file source is a bind mount
    assert "canary" not in first
    project.secrets["token"].value = "canary-71c0-2"
    assert L.changed_settings(first, content_fingerprint(project, project.services["web"])) == ["secrets.token"]
    plain = _project({"a": {"image": "x"}})
    assert content_fingerprint(plain, plain.services["a"]) == ""  # no label at all without inline content
