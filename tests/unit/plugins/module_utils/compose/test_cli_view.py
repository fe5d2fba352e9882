"""docker_compose_v2's `containers` and `images` return keys, from the containers list (no Docker)."""

from __future__ import annotations

from ansible_collections.goship.containers.plugins.module_utils.compose import cli_view
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.observe import container_from_list
from ansible_collections.goship.containers.plugins.module_utils.secrets import MASK, SecretRule

CANARY = "gs-canary-Zq83hT"


def listed(name="gscmpv2-web-1", service="web", image="goship-test/app:1", state="running",
           status="Up 2 minutes (healthy)", oneoff="False", labels=None):
    all_labels = {"com.docker.compose.project": "gscmpv2", "com.docker.compose.service": service,
                  "com.docker.compose.container-number": "1", "com.docker.compose.oneoff": oneoff}
    all_labels.update(labels or {})
    return container_from_list({
        "Id": "f" * 64, "Names": ["/" + name], "Image": image, "ImageID": "sha256:" + "a" * 64,
        "Command": "/app -listen :8080", "Created": 1767355241, "State": state, "Status": status,
        "Labels": all_labels,
        "Ports": [{"IP": "127.0.0.1", "PrivatePort": 8080, "PublicPort": 18080, "Type": "tcp"},
                  {"PrivatePort": 9090, "Type": "tcp"}],
        "Mounts": [{"Type": "volume", "Name": "gscmpv2_data", "Driver": "local", "Destination": "/data"},
                   {"Type": "bind", "Source": "/srv/conf", "Destination": "/conf"}],
        "NetworkSettings": {"Networks": {"gscmpv2_default": {"NetworkID": "n1"}}},
    })


def mask(labels):
    return SecretRule().mask(labels)


def test_ps_entry_has_the_keys_docker_compose_ps_prints():
    [entry] = cli_view.ps_entries("gscmpv2", [listed()], mask, now=1767355241 + 150)
    assert entry["ID"] == "f" * 64 and entry["Name"] == "gscmpv2-web-1" and entry["Names"] == ["gscmpv2-web-1"]
    assert (entry["Project"], entry["Service"], entry["Image"]) == ("gscmpv2", "web", "goship-test/app:1")
    assert entry["Command"] == "/app -listen :8080"
    assert (entry["State"], entry["Health"], entry["ExitCode"]) == ("running", "healthy", 0)
    assert entry["Status"] == "Up 2 minutes (healthy)"
    assert entry["Created"] == 1767355241 and entry["CreatedAt"].startswith("2026-01-0")
    assert entry["RunningFor"] == "2 minutes ago"
    assert entry["Publishers"] == [
        {"URL": "127.0.0.1", "TargetPort": 8080, "PublishedPort": 18080, "Protocol": "tcp"},
        {"URL": "", "TargetPort": 9090, "PublishedPort": 0, "Protocol": "tcp"},
    ]
    assert entry["Ports"] == "127.0.0.1:18080->8080/tcp, 9090/tcp"
    assert entry["Networks"] == ["gscmpv2_default"]
    assert entry["Mounts"] == "gscmpv2_data,/srv/conf" and entry["LocalVolumes"] == "1"
    assert entry["Labels"]["com.docker.compose.service"] == "web"
    assert "Size" not in entry  # not in the list data: not made up


def test_exited_container_and_no_healthcheck():
    [entry] = cli_view.ps_entries("gscmpv2", [listed(state="exited", status="Exited (3) 5 seconds ago")], mask)
    assert (entry["State"], entry["Health"], entry["ExitCode"]) == ("exited", "", 3)


def test_secret_label_values_are_masked_and_oneoff_containers_left_out():
    containers = [listed(labels={"DB_PASSWORD": CANARY, "plain": "x"}),
                  listed(name="gscmpv2-web-run-1", oneoff="True")]
    entries = cli_view.ps_entries("gscmpv2", containers, mask)
    assert [e["Name"] for e in entries] == ["gscmpv2-web-1"]
    assert entries[0]["Labels"]["DB_PASSWORD"] == MASK and entries[0]["Labels"]["plain"] == "x"
    assert CANARY not in repr(entries) + repr(cli_view.image_entries(containers))


def test_image_entries_one_per_container():
    assert cli_view.image_entries([listed()]) == [
        {"ID": "sha256:" + "a" * 64, "ContainerName": "gscmpv2-web-1", "Repository": "goship-test/app", "Tag": "1"}]
    moved = listed(image="sha256:" + "b" * 64)
    assert cli_view.image_entries([moved])[0]["Repository"] == "<none>"


def test_split_reference():
    assert cli_view.split_reference("127.0.0.1:5055/shop/web:2") == ("127.0.0.1:5055/shop/web", "2")
    assert cli_view.split_reference("127.0.0.1:5055/shop/web") == ("127.0.0.1:5055/shop/web", "latest")
    assert cli_view.split_reference("busybox@sha256:" + "c" * 64) == ("busybox", "")


def test_running_for_words():
    assert cli_view.running_for(100, 100.2) == "Less than a second ago"
    assert cli_view.running_for(100, 130) == "30 seconds ago"
    assert cli_view.running_for(100, 190) == "About a minute ago"
    assert cli_view.running_for(100, 100 + 3600) == "About an hour ago"
    assert cli_view.running_for(100, 100 + 5 * 3600) == "5 hours ago"
    assert cli_view.running_for(100, 100 + 3 * 86400) == "3 days ago"
    assert cli_view.running_for(0, 100) == ""
