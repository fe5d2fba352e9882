"""Compose creates its networks through the network module's create_kwargs (no Docker)."""

from __future__ import annotations

from ansible_collections.goship.containers.plugins.module_utils.compose.apply import resources
from ansible_collections.goship.containers.plugins.module_utils.compose.apply.context import ApplyContext, ExecOptions
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.plan import labels as L
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.actions import Action
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import desired_project

P = "gscmpnet"


class Client:
    def __init__(self):
        self.created = []

    def create_network(self, name, **kwargs):
        self.created.append(dict(kwargs, name=name))


def create(networks, used=("front",)):
    definition = {"services": {"web": {"image": "x", "networks": list(used)}}, "networks": networks}
    project = load_project(definition=definition, project_name=P, project_dir="/tmp", environ={})
    client = Client()
    context = ApplyContext(client, project, desired_project(project), ExecOptions(), lambda _text: None)
    for net in desired_project(project).networks:
        resources.create_network(context, Action("create_network", net.name, "missing"))
    return client.created


def test_a_plain_network_is_a_labelled_bridge():
    (created,) = create({"front": {}})
    assert created["name"] == P + "_front" and created["driver"] == "bridge"
    assert created["ipam"] is None and created["options"] is None and created["check_duplicate"]
    assert created["labels"][L.PROJECT] == P and created["labels"][L.NETWORK] == "front"
    assert created["labels"][L.NETWORK_SETTINGS]


def test_ipam_driver_options_and_aux_addresses_reach_the_engine():
    (created,) = create({"front": {"driver_opts": {"com.docker.network.bridge.name": "gsfront"}, "attachable": True,
                                   "ipam": {"driver": "default", "options": {"a": "1"}, "config": [
                                       {"subnet": "172.28.0.0/16", "gateway": "172.28.0.1", "ip_range": "172.28.5.0/24",
                                        "aux_addresses": {"host1": "172.28.1.5"}}]}}})
    assert created["options"] == {"com.docker.network.bridge.name": "gsfront"} and created["attachable"] is True
    assert created["ipam"] == {"Driver": "default", "Options": {"a": "1"}, "Config": [
        {"Subnet": "172.28.0.0/16", "Gateway": "172.28.0.1", "IPRange": "172.28.5.0/24",
         "AuxiliaryAddresses": {"host1": "172.28.1.5"}}]}


def test_the_implicit_default_network():
    (created,) = create({}, used=())
    assert created["name"] == P + "_default" and created["labels"][L.NETWORK] == "default"
