"""The docker_containers inventory's grouping and variables (no Docker): host names and variables
from the engine's container list, the Compose and label groups with safe names, how hosts are
reached (exec API or a published SSH port), include/exclude filters (first match decides), and when
containers must be inspected. The plugin itself is run against a fake client in a real Ansible
inventory, with constructed's compose, groups, keyed_groups and strict."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.plugin_utils.container_inventory import (
    InventoryConfigError, accepted, compose_groups, connection_vars, host_name, host_vars, label_groups,
    needs_inspect, parse_filters, safe_group, ssh_address)

WEB_1 = {
    "Id": "4294a30260ab20158263bc5d5d698be7c685111299d15cc27dd933aeefcf752e",
    "Names": ["/shop-web-1"],
    "Image": "goship-test/app:2",
    "ImageID": "sha256:7d10",
    "Command": "/testapp",
    "Created": 1796315781,
    "Ports": [{"IP": "127.0.0.1", "PrivatePort": 8080, "PublicPort": 32768, "Type": "tcp"},
              {"PrivatePort": 9090, "Type": "tcp"}],
    "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "web",
               "com.docker.compose.container-number": "1", "tier": "front"},
    "State": "running",
    "Status": "Up 57 seconds (healthy)",
    "HostConfig": {"NetworkMode": "shop_default"},
    "NetworkSettings": {"Networks": {"shop_default": {"IPAddress": "172.22.0.5"}}},
}
LONE = {"Id": "c52cb1c13725" + "0" * 52, "Names": ["/db", "/shop-web-1/db"], "Image": "postgres:16", "State": "exited",
        "Labels": None, "Ports": None, "NetworkSettings": None}


def test_host_name_is_the_container_name_without_links():
    assert host_name(WEB_1) == "shop-web-1"
    assert host_name({"Names": ["/web-1/db", "/db"], "Id": "abc"}) == "db"
    assert host_name({"Names": [], "Id": "0123456789abcdef"}) == "0123456789ab"


def test_host_vars_from_the_list_entry():
    variables = host_vars(WEB_1)
    assert variables["docker_name"] == "shop-web-1"
    assert variables["docker_short_id"] == "4294a30260ab"
    assert variables["docker_image"] == "goship-test/app:2"
    assert variables["docker_state"] == "running" and variables["docker_running"] is True
    assert variables["docker_networks"] == {"shop_default": "172.22.0.5"}
    assert variables["docker_network_mode"] == "shop_default"
    assert variables["docker_ports"] == [
        {"container_port": 8080, "protocol": "tcp", "host_ip": "127.0.0.1", "host_port": 32768},
        {"container_port": 9090, "protocol": "tcp"},
    ]
    assert (variables["docker_compose_project"], variables["docker_compose_service"], variables["docker_compose_number"]) == ("shop", "web", 1)
    assert "docker_stack" not in variables


def test_host_vars_of_a_bare_stopped_container():
    variables = host_vars(LONE)
    assert variables["docker_name"] == "db"
    assert variables["docker_running"] is False and variables["docker_state"] == "exited"
    assert variables["docker_labels"] == {} and variables["docker_networks"] == {} and variables["docker_ports"] == []
    assert "docker_compose_project" not in variables


def test_swarm_task_labels():
    variables = host_vars(dict(WEB_1, Labels={"com.docker.stack.namespace": "shop", "com.docker.swarm.service.name": "shop_web"}))
    assert variables["docker_stack"] == "shop" and variables["docker_swarm_service"] == "shop_web"


def test_compose_and_label_groups_have_safe_names():
    assert compose_groups(host_vars(WEB_1)) == ["compose_shop", "compose_shop_web"]
    dotted = dict(WEB_1, Labels={"com.docker.compose.project": "gs-dconn-shop", "com.docker.compose.service": "api.v2"})
    assert compose_groups(host_vars(dotted)) == ["compose_gs_dconn_shop", "compose_gs_dconn_shop_api_v2"]
    assert compose_groups(host_vars(LONE)) == []
    labels = {"tier": "front", "com.example.team": "pay-ments", "empty": ""}
    assert label_groups(labels, ["tier", "com.example.team", "missing", "empty"]) == [
        "label_tier_front", "label_com_example_team_pay_ments", "label_empty_"]
    assert safe_group("compose", "a b/c") == "compose_a_b_c"


def test_exec_api_connection_with_the_daemon_settings():
    reach = connection_vars("docker-api", host_vars(WEB_1), {"ansible_docker_docker_host": "tcp://10.0.0.2:2376"})
    assert reach == {"ansible_connection": "goship.containers.docker", "ansible_host": "shop-web-1",
                     "ansible_docker_docker_host": "tcp://10.0.0.2:2376"}


@pytest.mark.parametrize("address, expected", [
    ("127.0.0.1", ("127.0.0.1", 2222)),
    ("0.0.0.0", ("192.0.2.7", 2222)),
    ("", ("192.0.2.7", 2222)),
    ("::", ("192.0.2.7", 2222)),
])
def test_ssh_reaches_the_published_port(address, expected):
    entry = dict(WEB_1, Ports=[{"IP": address, "PrivatePort": 22, "PublicPort": 2222, "Type": "tcp"}])
    assert ssh_address(host_vars(entry), 22, "192.0.2.7") == expected
    assert connection_vars("ssh", host_vars(entry), {}, 22, "192.0.2.7") == {"ansible_host": expected[0], "ansible_port": 2222}


def test_ssh_without_a_published_port_sets_nothing():
    assert connection_vars("ssh", host_vars(WEB_1), {"ansible_docker_tls": True}) == {}
    udp = dict(WEB_1, Ports=[{"IP": "127.0.0.1", "PrivatePort": 22, "PublicPort": 2222, "Type": "udp"}])
    assert ssh_address(host_vars(udp), 22, "127.0.0.1") is None


def test_filters_are_checked_for_shape():
    assert parse_filters(None) == []
    assert parse_filters([{"include": "docker_running"}, {"exclude": True}]) == [("include", "docker_running"), ("exclude", True)]
    for bad, message in [
        ("docker_running", "filters: must be a list"),
        ([{"include": "a", "exclude": "b"}], r"filters\[0\]: must have exactly one key"),
        ([{"include": "a"}, {"keep": "b"}], r"filters\[1\]: must have exactly one key"),
        ([{"exclude": ["a"]}], r"filters\[0\].exclude: must be a condition"),
    ]:
        with pytest.raises(InventoryConfigError, match=message):
            parse_filters(bad)


def test_first_matching_filter_decides_and_unmatched_hosts_are_included():
    facts = {"running": False, "name": "gs-web"}
    evaluated = []

    def evaluate(index, condition):
        evaluated.append(index)
        return {"not running": not facts["running"], "web": "web" in facts["name"], "never": False}[condition]

    assert accepted([("exclude", "not running"), ("include", "web")], evaluate) is False
    assert evaluated == [0]  # the first match decides: later conditions are not evaluated
    assert accepted([("include", "never"), ("exclude", "never")], evaluate) is True
    assert accepted([("include", "web"), ("exclude", True)], evaluate) is True
    assert accepted([("include", "never"), ("exclude", True)], evaluate) is False
    assert accepted([], evaluate) is True


def test_containers_are_inspected_only_when_the_data_is_used():
    assert needs_inspect(True) is True
    assert needs_inspect(False, None, {}, [], []) is False
    assert needs_inspect(False, {"mem": "docker_inspect.HostConfig.Memory"}) is True
    assert needs_inspect(False, None, None, [{"key": "docker_inspect.Config.User", "prefix": "user"}]) is True
    assert needs_inspect(False, None, None, None, [{"include": "docker_inspect.State.Health is defined"}]) is True
    assert needs_inspect(False, {"x": "docker_labels.tier"}) is False
