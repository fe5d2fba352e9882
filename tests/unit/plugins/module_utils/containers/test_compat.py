"""Moving tasks over from community.docker's docker_container (issue 16): option values it accepts
that used to be refused or to differ on every run, and runs it survives (pure: no Docker)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers import engine
from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_ignored_by_api
from ansible_collections.goship.containers.plugins.module_utils.containers.attached import run_attached
from ansible_collections.goship.containers.plugins.module_utils.containers.engine_discards import (
    DiscardRecord, discardable, discarded_by, kept_by_engine,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.mounts import mounts_request, observed_mounts
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import (
    image_defaults, observed_container, with_image_defaults,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.peers import (
    container_refs, with_container_ids,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import plan_container, resolve_comparisons
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import to_create_request
from ansible_collections.goship.containers.plugins.module_utils.containers.task_plan import (
    container_task, needs_current_image, plan_from_inspect,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError, PlanError

IMAGE = {"Id": "sha256:" + "a" * 64, "Config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"], "Volumes": None}}
BASE = {"name": "c", "image": "busybox", "command": ["sleep", "10m"]}


def as_engine_keeps(params, image=None, host_changes=None):
    """The inspect data of a container created from `params` (the create request echoed back, the
    image's config merged as the engine merges it)."""
    image = image or IMAGE
    request = to_create_request(spec_from_params(dict(BASE, **params)))
    host = dict(request.pop("HostConfig"), **(host_changes or {}))
    config = dict(request)
    if not config.get("Cmd") and not config.get("Entrypoint"):
        config["Cmd"] = image["Config"]["Cmd"]  # the engine fills an empty Cmd from the image
    config["Env"] = sorted(set(image["Config"]["Env"]) | set(config.get("Env") or ()))
    return {"Id": "b" * 64, "Name": "/c", "Image": image["Id"], "State": {"Status": "running"}, "Config": config,
            "HostConfig": host, "NetworkSettings": {"Networks": {}}}


def plan(params, inspect, comparisons=None):
    desired = with_image_defaults(spec_from_params(dict(BASE, **params)), image_defaults(IMAGE))
    return plan_container(desired, observed_container(inspect), "started", IMAGE["Id"], resolve_comparisons(comparisons))


# ---------------------------------------------------------------- bug 1: restart_retries 0 is "unset"

def test_restart_retries_zero_goes_with_any_policy():
    for policy in ("always", "unless-stopped", "no"):
        params = {"restart_policy": policy, "restart_retries": 0}
        assert plan(params, as_engine_keeps(params)).steps == ()
    with pytest.raises(OptionError, match="restart_retries: applies only with restart_policy on-failure"):
        spec_from_params(dict(BASE, restart_policy="always", restart_retries=2))


# ---------------------------------------------------------------- bug 2: limits the engine discards

def test_a_discarded_blkio_weight_is_compared_with_what_the_engine_kept(tmp_path):
    params = {"blkio_weight": 123}
    kept_zero = as_engine_keeps(params, host_changes={"BlkioWeight": 0})
    task = container_task(dict(BASE, **params))
    verdict = plan_from_inspect(task, kept_zero, IMAGE)
    assert verdict.plan.differences == ("blkio_weight",) and discardable(verdict.plan.differences) == ["blkio_weight"]
    # what the engine answers a create with (Debian's 20.10 lists nothing in GET /info's Warnings)
    create_warning = ("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight "
                      "discarded.")
    assert discarded_by([create_warning]) == {"blkio_weight": create_warning}
    assert discarded_by(["WARNING: No blkio weight support", "WARNING: No swap limit support"]) == {
        "blkio_weight": "WARNING: No blkio weight support", "memory_swap": "WARNING: No swap limit support"}
    assert discarded_by([create_warning], ["memory"]) == {}
    # remembered per engine and kernel
    info = {"ID": "ABCD:EFGH", "KernelVersion": "6.1.0"}
    (tmp_path / "a-file").write_text("")  # a folder that cannot be made: the next one is used
    record = DiscardRecord(info, dirs=[str(tmp_path / "a-file" / "sub"), str(tmp_path / "rec")])
    assert record.known() == {}
    assert record.remember(discarded_by([create_warning]))
    assert DiscardRecord(info, dirs=[str(tmp_path / "rec")]).known() == {"blkio_weight": create_warning}
    assert DiscardRecord(dict(info, KernelVersion="6.2.0"), dirs=[str(tmp_path / "rec")]).known() == {}
    again = plan_from_inspect(task, kept_zero, IMAGE, engine_kept=("blkio_weight",))
    assert again.plan.steps == () and again.plan.differences == ()
    # the create request still asks for it: the engine's own warning says it was discarded
    assert task.spec.blkio_weight == 123 and to_create_request(task.spec)["HostConfig"]["BlkioWeight"] == 123


def test_the_record_read_on_the_host_decides_as_the_record_read_here(tmp_path):
    # container_plan reads the record files on the host and hands their texts over (kept_by_engine)
    info = {"ID": "ABCD:EFGH", "KernelVersion": "6.1.0", "Warnings": ["WARNING: No swap limit support"]}
    warning = "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded."
    record = DiscardRecord(info, dirs=[str(tmp_path)])
    assert record.remember({"blkio_weight": warning})
    text = (tmp_path / record.file_name()).read_text()
    here = kept_by_engine(info, ["blkio_weight", "memory_swap", "memory"])
    assert here == {"memory_swap": "WARNING: No swap limit support"}  # no record of this test engine here
    on_host = kept_by_engine(info, ["blkio_weight", "memory_swap", "memory"], [None, text])
    assert on_host == {"blkio_weight": warning, "memory_swap": "WARNING: No swap limit support"}
    assert kept_by_engine(dict(info, KernelVersion="6.2.0"), ["blkio_weight"], [text]) == {}
    assert kept_by_engine(info, ["blkio_weight"], ["not json", None]) == {}


def test_options_that_are_never_discarded_ask_nothing():
    params = {"env": {"A": "1"}}
    verdict = plan_from_inspect(container_task(dict(BASE, **params)), as_engine_keeps({}), IMAGE)
    assert verdict.plan.differences == ("env",) and discardable(verdict.plan.differences) == []


# ---------------------------------------------------------------- bug 3: command: []

def test_empty_command_is_the_images_cmd():
    params = {"command": []}
    inspect = as_engine_keeps(params)
    assert inspect["Config"]["Cmd"] == ["/bin/sh"]
    assert plan(params, inspect).steps == ()
    # with an entrypoint of its own the engine keeps the empty command
    params = {"command": [], "entrypoint": ["sleep", "600"]}
    assert plan(params, as_engine_keeps(params)).steps == ()
    # an empty entrypoint resets the image's and the image's CMD is taken
    params = {"command": [], "entrypoint": []}
    assert plan(params, as_engine_keeps(params)).steps == ()
    # and another command still differs
    assert plan({"command": ["sleep", "1"]}, inspect).differences == ("command",)


# ---------------------------------------------------------------- bug 4: detach false + auto_remove

class _Gone(Exception):
    class response:  # noqa: N801 - the shape of requests' response
        status_code = 409


class AttachClient:
    def __init__(self, logs=(b"hello\n",), logs_error=None, removed_status=0, wait_error=None):
        self._logs, self._logs_error = logs, logs_error
        self._removed_status, self._wait_error = removed_status, wait_error
        self.calls = []

    def logs(self, container, **kwargs):
        self.calls.append(("logs", kwargs.get("follow")))
        if self._logs_error:
            raise self._logs_error
        return iter(self._logs)

    def wait(self, container, condition=None):
        self.calls.append(("wait", condition))
        if self._wait_error:
            raise self._wait_error
        return {"StatusCode": self._removed_status}

    def remove_container(self, container, force=False):
        self.calls.append(("remove", force))


def test_attached_run_of_an_auto_removed_container():
    client = AttachClient(logs=(b"one\n", b"two\n"), removed_status=3)
    run = run_attached(client, "f" * 64, auto_remove=True, cleanup=False)
    assert (run.status, run.output, run.note) == (3, "one\ntwo\n", "")
    assert ("wait", "removed") in client.calls and ("remove", True) not in client.calls


def test_attached_run_of_a_container_removed_before_it_was_read():
    client = AttachClient(logs_error=_Gone(), wait_error=_Gone())
    run = run_attached(client, "f" * 64, auto_remove=True, cleanup=False)
    assert run.status is None and run.output == ""
    assert "removed it (auto_remove) before its output and its exit status could be read" in run.note


def test_attached_run_without_auto_remove_reads_then_cleans_up():
    client = AttachClient(logs=(b"x",), removed_status=0)
    run = run_attached(client, "f" * 64, auto_remove=False, cleanup=True)
    assert (run.status, run.output) == (0, "x") and client.calls[-1] == ("remove", True)


def test_attached_run_passes_other_engine_errors_on():
    with pytest.raises(RuntimeError):
        run_attached(AttachClient(logs_error=RuntimeError("boom")), "f" * 64, auto_remove=True, cleanup=False)


# ---------------------------------------------------------------- bug 5: container:NAME namespaces

def test_container_namespace_names_are_resolved_to_ids():
    spec = spec_from_params(dict(BASE, ipc_mode="container:db", pid_mode="container:db", network_mode="container:db"))
    assert container_refs(spec) == {"network_mode": "db", "ipc_mode": "db", "pid_mode": "db"}
    looked_up = []

    def lookup(name):
        looked_up.append(name)
        return "d" * 64

    resolved = with_container_ids(spec, lookup)
    assert looked_up == ["db"]  # one inspect per name
    assert resolved.ipc_mode == resolved.pid_mode == resolved.network_mode == "container:" + "d" * 64
    inspect = as_engine_keeps({})
    inspect["HostConfig"].update(IpcMode="container:" + "d" * 64, PidMode="container:" + "d" * 64,
                                 NetworkMode="container:" + "d" * 64)
    desired = with_image_defaults(resolved, image_defaults(IMAGE))
    assert plan_container(desired, observed_container(inspect), "started", IMAGE["Id"]).steps == ()
    # a missing container is left as named (the engine's create names it); a full ID needs no lookup
    assert with_container_ids(spec, lambda name: None).ipc_mode == "container:db"
    assert container_refs(resolved) == {}


# ---------------------------------------------------------------- bug 6: tmpfs options

def test_tmpfs_takes_the_options_docker_run_takes():
    params = {"tmpfs": ["/run:rw,noexec,nosuid,size=65536k", "/t:uid=1000,gid=1000,mode=1770,nodev"]}
    mounts = {m.target: m for m in spec_from_params(dict(BASE, **params)).mounts}
    assert mounts["/run"].tmpfs_size == 65536 * 1024 and mounts["/run"].tmpfs_options == ("noexec", "nosuid")
    assert mounts["/t"].tmpfs_options == ("gid=1000", "nodev", "uid=1000") and mounts["/t"].tmpfs_mode == 0o1770
    inspect = as_engine_keeps(params)
    assert inspect["HostConfig"]["Tmpfs"]["/run"] == "size=67108864,noexec,nosuid"
    assert plan(params, inspect).steps == ()
    # as the engine keeps the text the user gave
    inspect["HostConfig"]["Tmpfs"] = {"/run": "rw,noexec,nosuid,size=65536k", "/t": "uid=1000,gid=1000,mode=1770,nodev"}
    assert plan(params, inspect).steps == ()
    assert plan({"tmpfs": ["/run:size=65536k", "/t:uid=1000,gid=1000,mode=1770,nodev"]}, inspect).differences == ("mounts",)
    for bad in ("/run:bogus", "/run:uid", "/run:noexec=1"):
        with pytest.raises(OptionError, match="tmpfs\\[0\\]: unknown tmpfs option"):
            spec_from_params(dict(BASE, tmpfs=[bad]))


# ---------------------------------------------------------------- bugs 7 and 9: mounts in any order, with volumes

MOUNTS = [
    {"source": "gs-vol", "target": "/data"},
    {"source": "/srv/bind", "target": "/bind", "type": "bind", "read_only": True},
    {"target": "/anon"},
    {"target": "/scratch", "type": "tmpfs", "tmpfs_size": "16m"},
    {"source": "gs-opts", "target": "/opts", "volume_driver": "local", "volume_options": {"type": "tmpfs", "device": "tmpfs"}},
]


def test_mounts_compare_whatever_their_order():
    params = {"mounts": MOUNTS}
    inspect = as_engine_keeps(params)
    for order in (MOUNTS[::-1], MOUNTS[2:] + MOUNTS[:2]):
        assert plan({"mounts": order}, inspect).steps == ()
    shuffled = copy.deepcopy(inspect)
    shuffled["HostConfig"]["Mounts"].reverse()
    shuffled["HostConfig"]["Binds"] = list(reversed(shuffled["HostConfig"].get("Binds") or []))
    assert plan(params, shuffled).steps == ()


def test_mounts_together_with_volumes():
    params = {"volumes": ["gs-vol:/data", "/srv/v:/v:ro", "/anon2"], "mounts": MOUNTS[1:], "tmpfs": ["/t:size=1m"]}
    inspect = as_engine_keeps(params)
    assert plan(params, inspect).steps == ()
    config, host = {}, {}
    mounts_request(spec_from_params(dict(BASE, **params)).mounts, config, host)
    assert len(observed_mounts({"Config": config, "HostConfig": host})) == 8


# ---------------------------------------------------------------- comparisons as community.docker's

# community.docker's docker_container compares sets and dicts allow_more_present by default, lists
# and values strictly, and ignores stop_timeout (its _module_container/base.py option table).
COMMUNITY_DOCKER_MORE = {
    "capabilities", "cap_drop", "devices", "device_requests", "device_read_bps", "device_write_bps", "device_read_iops",
    "device_write_iops", "dns_opts", "env", "etc_hosts", "groups", "labels", "links", "log_options", "networks",
    "security_opts", "storage_opts", "sysctls", "ulimits", "volumes_from", "mounts", "exposed_ports", "published_ports",
}


def test_default_comparisons_are_community_dockers():
    modes = resolve_comparisons(None)
    assert {name for name, mode in modes.items() if mode == "allow_more_present"} == COMMUNITY_DOCKER_MORE
    assert {name for name, mode in modes.items() if mode == "ignore"} == {"stop_timeout"}
    for name in ("command", "entrypoint", "dns_servers", "dns_search_domains", "image", "memory", "user"):
        assert modes[name] == "strict"
    assert set(resolve_comparisons({"*": "strict"}).values()) == {"strict"}
    assert resolve_comparisons({"volumes": "strict"})["mounts"] == "strict"  # the alias


def test_defaults_let_the_container_have_more():
    params = {"env": {"A": "1", "B": "2"}, "labels": {"a": "1", "b": "2"}, "published_ports": ["127.0.0.1:8080:80", "90"],
              "capabilities": ["NET_ADMIN", "SYS_TIME"], "stop_timeout": 5}
    inspect = as_engine_keeps(params)
    fewer = {"env": {"A": "1"}, "labels": {"a": "1"}, "published_ports": ["127.0.0.1:8080:80"],
             "capabilities": ["NET_ADMIN"], "stop_timeout": 9}
    assert plan(fewer, inspect).steps == ()
    strict = plan(fewer, inspect, comparisons={"*": "strict"})
    assert set(strict.differences) == {"env", "labels", "published_ports", "capabilities", "stop_timeout"}
    # a value the container lacks still differs
    assert plan({"env": {"A": "2"}}, inspect).differences == ("env",)


# ---------------------------------------------------------------- image options

def _task_plan(params, container, image=None, **kwargs):
    return plan_from_inspect(container_task(dict(BASE, **params)), container, image or IMAGE, **kwargs).plan


def test_image_name_mismatch():
    inspect = as_engine_keeps({})
    inspect["Config"]["Image"] = "busybox:1.36"  # same image ID, created under another name
    plan_ = _task_plan({}, inspect)
    assert plan_.kinds == ["recreate", "start"] and plan_.differences == ("image_name",)
    assert "image name busybox differs from the container's busybox:1.36" in plan_.steps[0].reason
    assert _task_plan({"image_name_mismatch": "ignore"}, inspect).steps == ()
    assert _task_plan({"comparisons": {"image": "ignore"}}, inspect).steps == ()
    inspect["Config"]["Image"] = "busybox:latest"  # no tag is :latest
    assert _task_plan({}, inspect).steps == ()
    inspect["Config"]["Image"] = IMAGE["Id"]  # given by ID: the name is the ID
    assert _task_plan({"image": IMAGE["Id"]}, inspect).steps == ()


def test_image_comparison_current_image():
    other = {"Id": "sha256:" + "c" * 64, "Config": {"Env": ["PATH=/bin", "NEW=1"], "Cmd": ["/bin/sh"]}}
    inspect = as_engine_keeps({"env": {"A": "1"}})  # made from IMAGE, which has no NEW
    strict = {"comparisons": {"env": "strict"}, "env": {"A": "1"}}
    # desired-image: the new image's NEW=1 is expected, the container lacks it (and the image ID differs)
    desired = _task_plan(strict, inspect, image=other)
    assert desired.differences == ("image", "env")
    task = container_task(dict(BASE, image_comparison="current-image", **strict))
    assert needs_current_image(task, inspect, other) == IMAGE["Id"] and needs_current_image(task, inspect, IMAGE) is None
    current = plan_from_inspect(task, inspect, other, current_image=IMAGE).plan
    assert current.differences == ("image",)  # env completed from the container's own image: equal


def test_image_label_mismatch_fail():
    image = {"Id": IMAGE["Id"], "Config": dict(IMAGE["Config"], Labels={"vendor": "x", "kept": "1"})}
    inspect = as_engine_keeps({"labels": {"kept": "1"}})
    params = {"labels": {"kept": "1"}, "comparisons": {"labels": "strict"}}
    with pytest.raises(PlanError, match="labels: the image has labels that labels does not list.*vendor"):
        _task_plan(dict(params, image_label_mismatch="fail"), inspect, image=image)
    assert _task_plan(dict(params, image_label_mismatch="fail"), None, image=image).kinds == ["create", "start"]
    _task_plan(dict(params, image_label_mismatch="fail", labels={"kept": "1", "vendor": "x"}), inspect, image=image)
    _task_plan(dict(params, image_label_mismatch="fail", comparisons={}), inspect, image=image)  # not strict: unused


def test_state_present_after_a_recreate_keeps_the_run_state():
    running = as_engine_keeps({})
    assert _task_plan({"state": "present", "env": {"A": "2"}}, running).kinds == ["recreate", "start"]
    stopped = copy.deepcopy(running)
    stopped["State"]["Status"] = "exited"
    assert _task_plan({"state": "present", "env": {"A": "2"}}, stopped).kinds == ["recreate"]


# ---------------------------------------------------------------- community.docker's other options

def test_paused():
    running = as_engine_keeps({})
    assert _task_plan({"paused": True}, running).kinds == ["pause"]
    assert _task_plan({"paused": True}, None).kinds == ["create", "start", "pause"]
    paused = copy.deepcopy(running)
    paused["State"]["Status"] = "paused"
    assert _task_plan({"paused": True}, paused).steps == ()
    assert _task_plan({}, paused).steps == ()  # unset: left paused
    assert _task_plan({"paused": False}, paused).kinds == ["unpause"]
    assert _task_plan({"paused": False, "env": {"A": "2"}}, paused).kinds == ["recreate", "start"]
    assert _task_plan({"env": {"A": "2"}}, paused).kinds == ["recreate", "start", "pause"]
    assert _task_plan({"paused": True, "state": "stopped"}, running).kinds == ["stop"]


def test_command_handling_compatibility():
    task = container_task(dict(BASE, command_handling="compatibility", command=["echo", "a b"], entrypoint=[]))
    assert task.spec.command == ("echo", "a", "b") and task.spec.entrypoint is None
    assert container_task(dict(BASE, command_handling="compatibility", command=[])).spec.command is None
    assert container_task(dict(BASE, command=["echo", "a b"])).spec.command == ("echo", "a b")


def test_container_default_behavior_compatibility():
    spec = container_task(dict(BASE, container_default_behavior="compatibility", tty=True)).spec
    assert (spec.auto_remove, spec.init, spec.privileged, spec.read_only, spec.tty, spec.memory) == (
        False, False, False, False, True, 0)
    assert container_task(dict(BASE)).spec.init is None
    assert container_task(dict(BASE, container_default_behavior="compatibility")).paused is False


def test_purge_networks_compares_networks_strictly():
    assert container_task(dict(BASE, purge_networks=True)).comparisons["networks"] == "strict"
    assert container_task(dict(BASE)).comparisons["networks"] == "allow_more_present"


def test_kill_signal_without_force_kill_warns():
    assert container_task(dict(BASE, kill_signal="SIGINT")).warnings[0].startswith("kill_signal: used only with force_kill")
    assert container_task(dict(BASE, kill_signal="SIGINT", force_kill=True)).warnings == ()


def test_publish_all_ports_and_default_host_ip():
    spec = spec_from_params(dict(BASE, publish_all_ports=True))
    assert to_create_request(spec)["HostConfig"]["PublishAllPorts"] is True
    assert spec_from_params(dict(BASE, published_ports=["all", "80"])).publish_all_ports is True
    with pytest.raises(OptionError, match="contradicts publish_all_ports=false"):
        spec_from_params(dict(BASE, published_ports=["all"], publish_all_ports=False))
    spec = spec_from_params(dict(BASE, published_ports=["8080:80", "10.0.0.1:81:81"], default_host_ip="127.0.0.1"))
    assert [b.host_ip for b in spec.published_ports] == ["127.0.0.1", "10.0.0.1"]
    with pytest.raises(OptionError, match="default_host_ip"):
        spec_from_params(dict(BASE, published_ports=["80"], default_host_ip="localhost"))


def test_networks_cli_compatible_false_joins_the_default_bridge_too():
    spec = spec_from_params(dict(BASE, networks=[{"name": "front"}], networks_cli_compatible=False))
    assert [n.name for n in spec.networks] == ["bridge", "front"] and spec.effective_network_mode == "bridge"
    assert [n.name for n in spec_from_params(dict(BASE, networks=[{"name": "front"}])).networks] == ["front"]
    with_mode = spec_from_params(dict(BASE, networks=[{"name": "front"}], network_mode="front",
                                      networks_cli_compatible=False))
    assert [n.name for n in with_mode.networks] == ["front"]


def test_mount_labels_and_device_requests_round_trip():
    params = {"mounts": [{"target": "/d", "source": "gs-labelled", "labels": {"team": "web"}}],
              "device_requests": [{"driver": "nvidia", "count": -1, "capabilities": [["gpu", "utility"]]}]}
    request = to_create_request(spec_from_params(dict(BASE, **params)))
    assert request["HostConfig"]["Mounts"][0]["VolumeOptions"]["Labels"] == {"team": "web"}
    assert request["HostConfig"]["DeviceRequests"] == [
        {"Driver": "nvidia", "Count": -1, "DeviceIDs": [], "Capabilities": [["gpu", "utility"]], "Options": {}}]
    inspect = as_engine_keeps(params)
    assert plan(params, inspect).steps == ()
    assert plan({"mounts": [{"target": "/d", "source": "gs-labelled", "labels": {"team": "api"}}]},
                inspect).differences == ("mounts",)
    with pytest.raises(OptionError, match="device_requests\\[0\\].capabilities\\[0\\]"):
        spec_from_params(dict(BASE, device_requests=[{"capabilities": ["gpu"]}]))


def test_kernel_memory_ignored_by_newer_apis():
    spec = spec_from_params(dict(BASE, kernel_memory="64m"))
    assert spec.kernel_memory == 64 << 20
    assert options_ignored_by_api(spec, "1.41") == [] and options_ignored_by_api(spec, "1.43") == [("kernel_memory", "1.42")]
    inspect = as_engine_keeps({}, host_changes={"KernelMemory": 0})
    task = container_task(dict(BASE, kernel_memory="64m"))
    assert plan_from_inspect(task, inspect, IMAGE).plan.differences == ("kernel_memory",)
    assert plan_from_inspect(task, inspect, IMAGE, engine_kept=("kernel_memory",)).plan.steps == ()


class StopClient:
    def __init__(self, gone_after=1):
        self.calls, self.inspects, self.gone_after = [], 0, gone_after
        self.kill_signal = None

    def stop(self, container, timeout=None):
        self.calls.append(("stop", timeout))

    def kill(self, container, signal=None):
        self.calls.append(("kill", signal))

    def wait(self, container, timeout=None):
        self.calls.append(("wait", timeout))
        return {"StatusCode": 137}

    def inspect_container(self, container):
        self.inspects += 1
        if self.inspects > self.gone_after:
            raise _NotFound()
        return {"Id": container}


class _NotFound(Exception):
    class response:  # noqa: N801
        status_code = 404


def test_force_kill_and_removal_wait():
    client = StopClient()
    engine.stop_container(client, "c", 3)
    assert client.calls == [("stop", 3)]
    client = StopClient()
    client.kill_signal = "SIGINT"
    engine.stop_container(client, "c", None)
    assert client.calls == [("kill", "SIGINT"), ("wait", 10)]
    client = StopClient(gone_after=2)
    engine.wait_removed(client, "c", None, poll=0)
    assert client.inspects == 3
    with pytest.raises(TimeoutError, match="removal_wait_timeout"):
        engine.wait_removed(StopClient(gone_after=10 ** 6), "c" * 64, 0.0, poll=0)
