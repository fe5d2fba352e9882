"""Module options → ContainerSpec: syntaxes, normal forms, and errors that name the option."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.observed import observed_container
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.parse import (
    parse_device, parse_env_file, parse_exposed_port, parse_healthcheck, parse_mount, parse_port,
    parse_tmpfs, parse_ulimit, parse_volume,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import Mount, PortBinding, to_create_request
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


def spec(**params):
    return spec_from_params(dict(dict(name="c", image="i"), **params))


@pytest.mark.parametrize("text, expected", [
    ("80", [PortBinding(80)]),
    ("8080:80", [PortBinding(80, host_port="8080")]),
    ("127.0.0.1::80", [PortBinding(80, host_ip="127.0.0.1")]),
    ("127.0.0.1:8080:80/udp", [PortBinding(80, "udp", "127.0.0.1", "8080")]),
    ("[::1]:8080:80", [PortBinding(80, host_ip="::1", host_port="8080")]),
    ("8000-8001:80-81", [PortBinding(80, host_port="8000"), PortBinding(81, host_port="8001")]),
    ("8000-8010:80", [PortBinding(80, host_port="8000-8010")]),
    (8080, [PortBinding(8080)]),
])
def test_port_syntaxes(text, expected):
    assert parse_port(text) == expected


@pytest.mark.parametrize("text, message", [
    ("99999:80", "published_ports: host port 99999 is out of range"),
    ("80:0", "container port 0 is out of range"),
    ("8000-8002:80-81", "ranges differ in length"),
    ("80/icmp", "unknown protocol"),
    ("300.1.1.1:80:80", "is not an IP address"),
    ("web:80", "host port 'web' is not a port"),
])
def test_port_errors_name_the_option(text, message):
    with pytest.raises(OptionError, match=message):
        parse_port(text)


def test_published_ports_sorted_deduplicated_and_all():
    result = spec(published_ports=["81", "80", "80", "all"])
    assert result.published_ports == (PortBinding(80), PortBinding(81))
    assert result.publish_all_ports is True
    with pytest.raises(OptionError, match=r"published_ports\[1\]: host port 99999"):
        spec(published_ports=["80", "99999:80"])
    with pytest.raises(OptionError, match="published twice"):
        spec(published_ports=["8080:80", "8080:81"])


def test_exposed_ports():
    assert parse_exposed_port("7000-7001/udp") == ["7000/udp", "7001/udp"]
    assert spec(exposed_ports=["90", "80/tcp", 80]).exposed_ports == ("80/tcp", "90/tcp")


def test_volume_syntaxes():
    assert parse_volume("/data") == Mount("/data")
    assert parse_volume("vol:/data:ro") == Mount("/data", "volume", "vol", read_only=True)
    assert parse_volume("/host/:/data/:rw,Z,rshared") == Mount(
        "/data", "bind", "/host", propagation="rshared", selinux_label="Z")
    assert parse_volume("vol:/data:nocopy").no_copy


@pytest.mark.parametrize("text, message", [
    ("data", "'data' has no target path"),
    ("vol:data", "no target path"),
    ("vol:/data:sometimes", "unknown mode 'sometimes'"),
    ("vol:/data:shared", "propagation applies to bind mounts only"),
    ("a:b:c:d", "too many"),
    ("/tmp:/x:ro:Z", "too many ':' fields .* separated by commas as in 'ro,Z'"),
    ("/tmp:/x:ro,rw", "ro and rw exclude each other"),
    ("/tmp:/x:ro,ro", "a mode is given twice"),
    ("/tmp:/x:z,Z", "z and Z exclude each other"),
    ("/tmp:/x:rshared,rslave", "rshared and rslave exclude each other"),
    ("/tmp:/x:nocopy", "nocopy applies to volumes only"),
    ("./rel:/x", "use an absolute host path instead of './rel'"),
])
def test_volume_errors(text, message):
    with pytest.raises(OptionError, match="volumes: .*" + message):
        parse_volume(text)


@pytest.mark.parametrize("text, expected", [
    ("/tmp:/somewhereelse:ro,Z", Mount("/somewhereelse", "bind", "/tmp", read_only=True, selinux_label="Z")),
    ("/tmp:/x:Z,ro", Mount("/x", "bind", "/tmp", read_only=True, selinux_label="Z")),
    ("/tmp:/x:rw,z", Mount("/x", "bind", "/tmp", selinux_label="z")),
    ("/tmp:/x:rslave,ro", Mount("/x", "bind", "/tmp", read_only=True, propagation="rslave")),
    ("/tmp:/x:cached", Mount("/x", "bind", "/tmp")),
    ("vol:/x:ro,nocopy", Mount("/x", "volume", "vol", read_only=True, no_copy=True)),
    ("vol:/x:z", Mount("/x", "volume", "vol", selinux_label="z")),
])
def test_volume_modes_in_any_order(text, expected):
    assert parse_volume(text) == expected


@pytest.mark.parametrize("text", [
    "/tmp:/x:ro,Z", "/tmp:/x:Z,ro", "/tmp:/x:rw,z", "/tmp:/x:z", "/tmp:/x:rslave,ro,z", "/tmp:/x:delegated,ro",
    "vol:/x:ro,nocopy", "vol:/x:nocopy,Z", "/tmp:/x", "vol:/x", "/x",
])
def test_a_volume_reads_back_from_the_engine_as_it_was_asked(text):
    """Idempotency: the create request's Binds entry, as inspect returns it, is the same mount."""
    wanted = spec(volumes=[text])
    body = to_create_request(wanted)
    inspect = {"Id": "c" * 64, "Config": {"Volumes": body.get("Volumes")}, "HostConfig": body["HostConfig"]}
    assert observed_container(inspect).spec.mounts == wanted.mounts


def test_a_bind_in_mounts_must_exist_one_in_volumes_is_created():
    assert parse_mount(dict(type="bind", source="/srv", target="/x")).source_must_exist
    assert not parse_volume("/srv:/x").source_must_exist
    assert not parse_mount(dict(source="vol", target="/x")).source_must_exist


def test_volume_and_mount_syntax_have_one_normal_form():
    assert parse_volume("/h:/t:ro") == parse_mount(dict(type="bind", source="/h/", target="/t", read_only=True))
    assert parse_volume("v:/t") == parse_mount(dict(source="v", target="/t"))
    assert parse_tmpfs("/s:size=16m,mode=1777") == parse_mount(
        dict(type="tmpfs", target="/s", tmpfs_size="16m", tmpfs_mode="1777"))


def test_mount_errors():
    with pytest.raises(OptionError, match=r"mounts.target"):
        parse_mount(dict(source="v"))
    with pytest.raises(OptionError, match=r"mounts.source: a bind mount needs an absolute host path"):
        parse_mount(dict(type="bind", source="rel", target="/t"))
    with pytest.raises(OptionError, match=r"mounts.tmpfs_size"):
        parse_mount(dict(type="tmpfs", target="/t", tmpfs_size="huge"))
    with pytest.raises(OptionError, match="two mounts have the target /t"):
        spec(volumes=["/t"], tmpfs=["/t"])


def test_healthcheck_forms():
    assert parse_healthcheck(dict(test="curl -f x")).test == ("CMD-SHELL", "curl -f x")
    assert parse_healthcheck(dict(test=["/app", "check"])).test == ("CMD", "/app", "check")
    assert parse_healthcheck(dict(test=["CMD-SHELL", "true"])).test == ("CMD-SHELL", "true")
    check = parse_healthcheck(dict(test=["NONE"], interval="1s"))
    assert check.disabled and check.interval_ns is None
    check = parse_healthcheck(dict(interval="1m30s", timeout=2, start_period="500ms", retries=3))
    assert (check.interval_ns, check.timeout_ns, check.start_period_ns, check.retries) == (
        90 * 10**9, 2 * 10**9, 5 * 10**8, 3)
    with pytest.raises(OptionError, match="healthcheck.interval: invalid duration 'soon'"):
        parse_healthcheck(dict(interval="soon"))


def test_sizes_cpus_and_restart():
    result = spec(memory="512m", memory_swap="1g", shm_size="64MiB", cpus=1.5, restart_policy="on-failure",
                  restart_retries=3)
    assert (result.memory, result.memory_swap, result.shm_size) == (512 << 20, 1 << 30, 64 << 20)
    assert result.nano_cpus == 1_500_000_000
    assert (result.restart_policy, result.restart_retries) == ("on-failure", 3)
    assert spec(memory_swap="-1").memory_swap == -1
    for params, message in [
        (dict(memory="lots"), "memory: invalid size 'lots'"),
        (dict(memory="1g", memory_swap="512m"), "memory_swap: must be at least memory"),
        (dict(cpus=0), "cpus: must be more than 0"),
        (dict(restart_policy="sometimes"), "restart_policy: 'sometimes' is not one of"),
        (dict(restart_policy="always", restart_retries=2), "restart_retries: applies only"),
        (dict(pids_limit=-5), "pids_limit: must be -1 or more"),
    ]:
        with pytest.raises(OptionError, match=message):
            spec(**params)


def test_env_and_labels_are_strings():
    assert spec(env={"A": 1, "B": None, "C": 1.5}).env == {"A": "1", "B": "", "C": "1.5"}
    with pytest.raises(OptionError, match="env.FLAG: quote the boolean"):
        spec(env={"FLAG": True})
    assert spec_from_params(dict(name="c", image="i", env={"B": "2"}), "A=1\n# c\nB=1\n\nC\n").env == {"A": "1", "B": "2"}
    with pytest.raises(OptionError, match="env_file: line 1"):
        parse_env_file("NOT A PAIR")


def test_command_forms_and_capabilities():
    assert spec(command="sleep 'a b'").command == ("sleep", "a b")
    assert spec(command=["sleep", 5]).command == ("sleep", "5")
    assert spec(capabilities=["net_admin", "CAP_SYS_TIME"]).cap_add == ("CAP_NET_ADMIN", "CAP_SYS_TIME")


def test_networks():
    result = spec(networks=[{"name": "a", "aliases": ["y", "x"]}, {"name": "b", "links": ["db"]}], network_mode="b")
    assert [n.name for n in result.networks] == ["b", "a"]  # network_mode is joined first
    assert result.networks[1].aliases == ("x", "y")
    assert result.networks[0].links == ("db:db",)
    with pytest.raises(OptionError, match="networks: cannot join networks with network_mode host"):
        spec(networks=[{"name": "a"}], network_mode="host")
    with pytest.raises(OptionError, match=r"networks\[0\].ipv4_address"):
        spec(networks=[{"name": "a", "ipv4_address": "10.0.0.300"}])


def test_small_items():
    assert parse_ulimit("nofile:1024:2048").hard == 2048
    assert parse_ulimit("nproc:64").hard == 64
    assert parse_device("/dev/fuse").path_in_container == "/dev/fuse"
    assert parse_device("/dev/a:/dev/b:r").permissions == "r"
    with pytest.raises(OptionError, match="ulimits"):
        parse_ulimit("nofile")
    with pytest.raises(OptionError, match="etc_hosts.db"):
        spec(etc_hosts={"db": "not-an-ip"})
