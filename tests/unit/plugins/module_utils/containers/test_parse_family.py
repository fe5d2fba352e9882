"""One parser per short syntax, for the container module and Compose alike: each case below is
read the same way by both, and where the two used to differ the Docker CLI / engine / `docker
compose` decided (probed on engine 20.10 and Compose 2.40; noted per case)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.service_spec import container_spec
from ansible_collections.goship.containers.plugins.module_utils.containers.parse import (
    PortMapping, parse_device, parse_env_file, parse_exposed_port, parse_healthcheck, parse_healthcheck_spec,
    parse_port, parse_port_mappings, parse_tmpfs, parse_ulimit, parse_volume,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.mounts import observed_mounts
from ansible_collections.goship.containers.plugins.module_utils.containers.parse_mounts import parse_mount_spec
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import Device, Mount, PortBinding
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


def service(**keys):
    project = load_project(definition={"services": {"web": dict({"image": "x"}, **keys)}}, project_name="p",
                           project_dir="/tmp", environ={})
    return project, project.services["web"]


def spec_of(**keys):
    project, web = service(**keys)
    return container_spec(project, web, 1, {}).spec


def compose_error(**keys):
    with pytest.raises(ComposeError) as info:
        service(**keys)
    return str(info.value)


# ---------------------------------------------------------------- ports

@pytest.mark.parametrize("text", ["127.0.0.1:8000-8001:80-81/udp", "[::1]:9000:9000", "::1:9000:9000", "8000-8010:80",
                                  "80", "0:80", "80/SCTP"])
def test_ports_read_the_same_for_both(text):
    assert spec_of(ports=[text]).published_ports == tuple(parse_port(text))


def test_host_port_zero_lets_the_engine_pick_and_a_protocol_is_case_insensitive():
    # docker run -p 0:80 and docker compose both take port 0 on the host side; both lowercase the protocol
    assert parse_port("0:80") == [PortBinding(80, host_port="0")]
    assert parse_port("80/UDP") == [PortBinding(80, "udp")]
    with pytest.raises(OptionError, match="container port 0 is out of range"):
        parse_port("80:0")  # docker compose: "missing a target port"


def test_long_ports_are_the_same_values_as_short_ones():
    assert parse_port_mappings({"target": 80, "published": "8080", "host_ip": "127.0.0.1"}) == \
        parse_port_mappings("127.0.0.1:8080:80")
    assert parse_port_mappings({"target": 80, "mode": "host", "name": "web"}) == [
        PortMapping(80, mode="host", name="web")]
    assert "ports[0].host_ip" in compose_error(ports=[{"target": 80, "host_ip": "nope"}])  # compose: invalid ip
    assert "ports[0].target" in compose_error(ports=[{"target": 0}])


def test_expose_is_checked_when_loading_and_expanded_the_same_way():
    assert spec_of(expose=["8000-8001/udp", 90]).exposed_ports == tuple(
        parse_exposed_port("8000-8001/udp") + parse_exposed_port(90))
    assert compose_error(expose=["http"]).startswith("services.web.expose[0]: ")
    assert parse_exposed_port("0") == ["0/tcp"]  # `docker run --expose 0` is taken


# ---------------------------------------------------------------- volumes and mounts

def test_short_volumes_read_the_same_for_both():
    _project, web = service(volumes=["/h/:/d//x/:ro,rshared,Z", "/anon"])
    assert [(m.type, m.target) for m in web.volumes] == [("bind", "/d/x"), ("volume", "/anon")]
    assert spec_of(volumes=["/h:/d//x/:ro,rshared,Z"]).mounts == (parse_volume("/h:/d//x/:ro,rshared,Z"),)
    # the engine stores the cleaned target (Destination /a/c for /a//b/../c/)
    assert parse_volume("/h:/a//b/../c/").target == "/a/c"


@pytest.mark.parametrize("text, message", [
    ("/h:/d:ro,rw", "ro and rw exclude each other"),  # engine: invalid mode: ro,rw
    ("/h:/d:nocopy", "nocopy applies to volumes only"),  # engine: VolumeOptions must not be specified
    (":/d", "empty field"),  # docker CLI: empty section between colons
    ("/h:/d:", "empty field"),
    ("v:/d:shared", "bind mounts only"),  # engine: BindOptions must not be specified
])
def test_short_volume_rules_are_the_engines(text, message):
    with pytest.raises(OptionError, match=message):
        parse_volume(text)
    assert compose_error(volumes=[text.replace("v:", "/v:") if "shared" not in text else text]).startswith(
        "services.web.volumes[0]: ")


def test_a_one_letter_volume_name_is_not_a_drive():
    assert parse_volume("v:/t") == Mount("/t", "volume", "v")


def test_long_mounts_take_both_vocabularies():
    nested = parse_mount_spec({"type": "volume", "source": "v", "target": "/t", "volume": {"nocopy": True}})
    flat = parse_mount_spec({"type": "volume", "source": "v", "target": "/t", "no_copy": True})
    assert nested.to_mount() == flat.to_mount() == Mount("/t", "volume", "v", no_copy=True)
    bind = parse_mount_spec({"type": "bind", "source": "/h", "target": "/t", "bind": {"create_host_path": False}})
    assert bind.bind.create_host_path is False
    with pytest.raises(OptionError, match="mounts.type"):
        parse_mount_spec({"target": "/t"}, default_type=None)  # Compose requires the type


# ---------------------------------------------------------------- tmpfs, devices, ulimits

def test_tmpfs_mode_and_read_only_reach_the_container():
    # Compose's service_spec used to read only size= and drop mode silently
    assert spec_of(tmpfs=["/run:size=64m,mode=1777,ro"]).mounts == (parse_tmpfs("/run:size=64m,mode=1777,ro"),)
    assert parse_tmpfs("/run:mode=1777").tmpfs_mode == 0o1777


def test_tmpfs_options_docker_run_takes_reach_the_engine_and_others_are_refused():
    # the mount flags and tmpfs data keys of `docker run --tmpfs` (HostConfig.Tmpfs carries them)
    mount = spec_of(tmpfs=["/run:noexec,nosuid,uid=1000"]).mounts[0]
    assert mount.tmpfs_options == ("noexec", "nosuid", "uid=1000")
    assert "unknown tmpfs option 'bogus'" in compose_error(tmpfs=["/run:bogus"])


def test_the_engines_tmpfs_options_are_read_back_by_the_same_parser():
    # HostConfig.Tmpfs as the engine keeps what `docker run --tmpfs` or a create request gave it
    sent = parse_tmpfs("/test1:rw,noexec,nosuid,size=65536k,mode=1777")
    host = {"Tmpfs": {"/test1": "size=67108864,mode=1777,noexec,nosuid", "/other": "tmpcopyup,uid=1000"}}
    observed = dict((m.target, m) for m in observed_mounts({"HostConfig": host}))
    assert observed["/test1"] == sent
    # an option only a newer engine knows: it took it, so it is kept as written, not refused
    assert observed["/other"].tmpfs_options == ("tmpcopyup", "uid=1000")
    with pytest.raises(OptionError, match="unknown tmpfs option 'tmpcopyup'"):
        parse_tmpfs("/other:tmpcopyup")


def test_devices_as_docker_run_reads_them():
    # `docker run --device /dev/fuse:rwm`: permissions, not a container path (compose-go takes "rwm" as the path)
    assert parse_device("/dev/fuse:rwm") == Device("/dev/fuse", "/dev/fuse", "rwm")
    assert spec_of(devices=["/dev/fuse:rwm", {"source": "/dev/a", "target": "/dev/b", "permissions": "r"}]).devices == (
        Device("/dev/fuse", "/dev/fuse", "rwm"), Device("/dev/a", "/dev/b", "r"))
    with pytest.raises(OptionError, match="made of r, w, m"):
        parse_device("/dev/a:/dev/b:rx")  # docker: bad mode specified
    with pytest.raises(OptionError, match="not absolute"):
        parse_device("/dev/a:b:r")
    assert compose_error(devices=[{"source": "/dev/a"}]).startswith("services.web.devices[0].target: ")


def test_ulimits_soft_above_hard_fails_unless_hard_is_unlimited():
    # docker run --ulimit nofile=2048:1024: "soft limit must be less than or equal to hard limit"
    with pytest.raises(OptionError, match="above the hard limit"):
        parse_ulimit("nofile:2048:1024")
    assert parse_ulimit("nofile:1024:-1").hard == -1
    assert parse_ulimit({"soft": 1, "hard": 2}, "ulimits.nofile", name="nofile") == parse_ulimit("nofile:1:2")


# ---------------------------------------------------------------- healthcheck

def test_a_string_test_is_always_a_shell_command():
    # docker run --health-cmd NONE, community.docker and docker compose: ["CMD-SHELL", "NONE"]
    assert parse_healthcheck({"test": "NONE"}).test == ("CMD-SHELL", "NONE")
    assert parse_healthcheck({"test": ["NONE"]}).disabled


def test_the_two_syntaxes_differ_only_in_how_a_test_names_its_form():
    assert parse_healthcheck_spec({"test": ["/app"]}).test == ("CMD", "/app")
    with pytest.raises(OptionError, match="must start with CMD, CMD-SHELL or NONE"):
        parse_healthcheck_spec({"test": ["/app"]}, compose_forms=True)
    assert parse_healthcheck_spec({"test": ""}).test is None
    assert parse_healthcheck_spec({"test": ""}, compose_forms=True).test == ("CMD-SHELL", "")
    for forms in (False, True):
        assert parse_healthcheck_spec({"test": []}, compose_forms=forms).test is None  # docker compose: {}


def test_negative_healthcheck_durations_fail_in_both():
    # the engine refuses them when the container is created
    with pytest.raises(OptionError, match="healthcheck.interval: must not be negative"):
        parse_healthcheck({"interval": "-1s"})
    assert compose_error(healthcheck={"interval": "-1s"}).startswith("services.web.healthcheck.interval: ")


# ---------------------------------------------------------------- env files

def test_env_files_as_docker_run_reads_them():
    text = "A=1\n  B= 2  \nC\nZ\n# c\n   # indented\nD=\"q\" \nF=x # not a comment\nG=\nH=a=b\n\n \t\n"
    # the output of `docker run --env-file` / Compose's `format: raw` on the same file, with C=fromshell
    assert parse_env_file(text, lookup={"C": "fromshell"}.get) == {
        "A": "1", "B": " 2  ", "C": "fromshell", "D": '"q" ', "F": "x # not a comment", "G": "", "H": "a=b"}
    with pytest.raises(OptionError, match="env_file: line 1 is not KEY=VALUE") as error:
        parse_env_file("export E=5")
    assert "export" not in str(error.value)  # the line may hold a secret


def test_compose_raw_env_files_use_the_same_reader(tmp_path):
    (tmp_path / "raw.env").write_text("A=1 \nB\nC\n")
    project = load_project(definition={"services": {"web": {"image": "x", "env_file": [
        {"path": str(tmp_path / "raw.env"), "format": "raw"}]}}}, project_name="p", project_dir=str(tmp_path),
        environ={"B": "from shell"})
    assert project.services["web"].environment == {"A": "1 ", "B": "from shell"}


def test_selinux_on_a_named_volume_reads_as_docker_compose_prints_it():
    # the engine takes `vol:/d:z` (Mode z); `docker compose config` prints bind.selinux on the volume
    project = load_project(definition={"services": {"web": {"image": "x", "volumes": ["vol:/d:z"]}},
                                       "volumes": {"vol": {}}}, project_name="p", project_dir="/tmp", environ={})
    assert project.to_config()["services"]["web"]["volumes"] == [
        {"type": "volume", "source": "vol", "target": "/d", "bind": {"selinux": "z"}, "volume": {}}]
    assert container_spec(project, project.services["web"], 1, {}).spec.mounts == (
        Mount("/d", "volume", "p_vol", selinux_label="z"),)
