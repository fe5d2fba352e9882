"""ContainerSpec → the create request body."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.spec import (
    ContainerSpec, Healthcheck, Mount, NetworkAttachment, PortBinding, bind_mode, spec_digest, to_create_request,
)


def test_minimal_request_leaves_everything_to_the_engine():
    assert to_create_request(ContainerSpec("c", "img")) == {"Image": "img", "HostConfig": {}}


def test_full_request():
    spec = ContainerSpec(
        "c", "img", command=("a", "b"), env={"B": "2", "A": "1"}, labels={"l": "v"},
        published_ports=(PortBinding(80, host_ip="127.0.0.1"), PortBinding(80, host_port="8080")),
        exposed_ports=("90/udp",),
        mounts=(
            Mount("/anon"), Mount("/v", source="vol", read_only=True), Mount("/b", "bind", "/h", propagation="rshared"),
            Mount("/t", "tmpfs", tmpfs_size=1024, tmpfs_mode=0o1777),
            Mount("/d", source="dv", volume_driver="local", volume_options=(("type", "tmpfs"),)),
        ),
        networks=(NetworkAttachment("n1", aliases=("x",), ipv4_address="10.1.0.5"), NetworkAttachment("n2")),
        restart_policy="on-failure", restart_retries=3,
        healthcheck=Healthcheck(("CMD", "true"), interval_ns=10**9, retries=2),
        memory=1 << 20, nano_cpus=5 * 10**8, etc_hosts={"db": "192.0.2.1"}, init=True, stop_timeout=2,
    )
    body = to_create_request(spec)
    host = body["HostConfig"]
    assert body["Env"] == ["A=1", "B=2"]
    assert body["ExposedPorts"] == {"80/tcp": {}, "90/udp": {}}
    assert host["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}, {"HostIp": "", "HostPort": "8080"}]}
    assert body["Volumes"] == {"/anon": {}}
    assert host["Binds"] == ["vol:/v:ro", "/h:/b:rw,rshared"]
    assert host["Tmpfs"] == {"/t": "size=1024,mode=1777"}
    assert host["Mounts"][0]["VolumeOptions"]["DriverConfig"] == {"Name": "local", "Options": {"type": "tmpfs"}}
    assert host["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert host["NetworkMode"] == "n1"
    assert body["NetworkingConfig"] == {"EndpointsConfig": {"n1": {"Aliases": ["x"], "IPAMConfig": {"IPv4Address": "10.1.0.5"}}}}
    assert body["Healthcheck"] == {"Test": ["CMD", "true"], "Interval": 10**9, "Retries": 2}
    assert host["ExtraHosts"] == ["db:192.0.2.1"]
    assert body["StopTimeout"] == 2 and host["Init"] is True


def test_restart_no_and_legacy_links_on_the_default_bridge():
    body = to_create_request(ContainerSpec("c", "i", restart_policy="no",
                                           networks=(NetworkAttachment("bridge", links=("db:db",)),)))
    assert body["HostConfig"]["RestartPolicy"] == {"Name": ""}
    assert body["HostConfig"]["Links"] == ["db:db"]
    assert body["NetworkingConfig"] == {"EndpointsConfig": {"bridge": {}}}


def test_host_network_mode_has_no_endpoint():
    body = to_create_request(ContainerSpec("c", "i", network_mode="host"))
    assert body["HostConfig"]["NetworkMode"] == "host"
    assert "NetworkingConfig" not in body


def test_digest_is_stable_and_sensitive():
    a = ContainerSpec("c", "i", env={"A": "1", "B": "2"})
    b = ContainerSpec("c", "i", env={"B": "2", "A": "1"})
    assert spec_digest(a) == spec_digest(b)
    assert spec_digest(a) != spec_digest(ContainerSpec("c", "i", env={"A": "1"}))


@pytest.mark.parametrize("mount, mode", [
    (Mount("/x", "bind", "/h", read_only=True, selinux_label="Z"), "ro,Z"),
    (Mount("/x", "bind", "/h", selinux_label="z"), "rw,z"),
    (Mount("/x", "bind", "/h", read_only=True, propagation="rslave", selinux_label="z"), "ro,rslave,z"),
    (Mount("/x", "volume", "v", no_copy=True), "rw,nocopy"),
    (Mount("/x", "volume", "v", read_only=True, no_copy=True, selinux_label="Z"), "ro,nocopy,Z"),
])
def test_bind_modes_are_comma_separated_as_the_engine_takes_them(mount, mode):
    # The engine refuses '/h:/x:ro:Z' ("invalid volume specification") and takes '/h:/x:ro,Z'.
    assert bind_mode(mount) == mode
    assert to_create_request(ContainerSpec("c", "i", mounts=(mount,)))["HostConfig"]["Binds"] == [
        "%s:%s:%s" % (mount.source, mount.target, mode)]


def test_what_binds_cannot_say_goes_to_the_mount_api():
    body = to_create_request(ContainerSpec("c", "i", mounts=(
        Mount("/must", "bind", "/srv", read_only=True, propagation="rshared", source_must_exist=True),
        Mount("/anon-ro", read_only=True),
        Mount("/anon-nocopy", no_copy=True),
        Mount("/plain"),
    )))
    assert body["Volumes"] == {"/plain": {}}
    assert "Binds" not in body["HostConfig"]
    assert body["HostConfig"]["Mounts"] == [
        {"Type": "bind", "Target": "/must", "ReadOnly": True, "Source": "/srv", "BindOptions": {"Propagation": "rshared"}},
        {"Type": "volume", "Target": "/anon-ro", "ReadOnly": True, "VolumeOptions": {"NoCopy": False}},
        {"Type": "volume", "Target": "/anon-nocopy", "ReadOnly": False, "VolumeOptions": {"NoCopy": True}},
    ]


def test_how_a_bind_is_requested_is_not_part_of_the_mount():
    assert Mount("/x", "bind", "/h", source_must_exist=True) == Mount("/x", "bind", "/h")
