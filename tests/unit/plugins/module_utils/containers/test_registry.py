"""The option registry, walked entry by entry: every option with a ContainerSpec field goes params →
spec → create request → the inspect data an engine would report for it → observed spec → plan, and
the plan must find no difference. The same walk proves each option reaches the create request (no
option accepted and ignored), is compared (a container made without it differs, updated in place
or recreated as its entry says), shows in container_info when it is a limit, and is refused on an
API version older than its entry's minimum."""

from __future__ import annotations

import copy

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.goship.containers.plugins.module_utils.containers.api_versions import options_needing_newer_api
from ansible_collections.goship.containers.plugins.module_utils.containers.info import summary_from_inspect
from ansible_collections.goship.containers.plugins.module_utils.containers.observed import (
    image_defaults, observed_container, with_image_defaults,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import OWN
from ansible_collections.goship.containers.plugins.module_utils.containers.options_config import DEFAULT_PATH, env_dict
from ansible_collections.goship.containers.plugins.module_utils.containers.options import (
    CONTAINER_OPTIONS, OPTIONS, OPTIONS_BY_NAME, documentation,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.params import spec_from_params
from ansible_collections.goship.containers.plugins.module_utils.containers.plan import plan_container, resolve_comparisons
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import (
    ContainerSpec, create_query, to_create_request,
)

IMAGE = {
    "Id": "sha256:" + "a" * 64, "Os": "linux", "Architecture": "amd64",
    "Config": {
        "Env": ["PATH=/bin", "LANG=C"], "Labels": {"img": "1"}, "Cmd": ["serve"], "Entrypoint": ["/app"],
        "ExposedPorts": {"8080/tcp": {}}, "Volumes": {"/cache": {}},
        "Healthcheck": {"Test": ["CMD", "/app", "health"], "Interval": 10 ** 9, "Retries": 3},
    },
}
BASE = {"name": "c", "image": "app:1"}

# Engine API 1.44 (docs.docker.com/engine/api/v1.44): the fields an entry's `api` path may name.
# A typo in an entry would round-trip through the unit tests (they echo the request back as inspect
# data); these lists catch it here, the integration target catches it on a real engine.
CONTAINER_CONFIG = {
    "Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts", "Tty",
    "OpenStdin", "StdinOnce", "Env", "Cmd", "Healthcheck", "ArgsEscaped", "Image", "Volumes", "WorkingDir",
    "Entrypoint", "NetworkDisabled", "MacAddress", "OnBuild", "Labels", "StopSignal", "StopTimeout", "Shell",
}
RESOURCES = {
    "CpuShares", "Memory", "CgroupParent", "BlkioWeight", "BlkioWeightDevice", "BlkioDeviceReadBps",
    "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "CpuPeriod", "CpuQuota",
    "CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus", "CpusetMems", "Devices", "DeviceCgroupRules",
    "DeviceRequests", "KernelMemoryTCP", "MemoryReservation", "MemorySwap", "MemorySwappiness", "NanoCpus",
    "OomKillDisable", "Init", "PidsLimit", "Ulimits", "CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth",
}
HOST_CONFIG = RESOURCES | {
    "Binds", "ContainerIDFile", "LogConfig.Type", "LogConfig.Config", "NetworkMode", "PortBindings",
    "RestartPolicy.Name", "RestartPolicy.MaximumRetryCount", "AutoRemove", "VolumeDriver", "VolumesFrom", "Mounts",
    "ConsoleSize", "Annotations", "CapAdd", "CapDrop", "CgroupnsMode", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts",
    "GroupAdd", "IpcMode", "Cgroup", "Links", "OomScoreAdj", "PidMode", "Privileged", "PublishAllPorts",
    "ReadonlyRootfs", "SecurityOpt", "StorageOpt", "Tmpfs", "UTSMode", "UsernsMode", "ShmSize", "Sysctls", "Runtime",
    "Isolation", "MaskedPaths", "ReadonlyPaths",
    "KernelMemory",  # API 1.41 and older (removed in 1.42: the entry declares ignored_from_api)
}
HEALTHCHECK = {"Test", "Interval", "Timeout", "Retries", "StartPeriod", "StartInterval"}
UPDATE = RESOURCES | {"RestartPolicy"}  # POST /containers/{id}/update
VALIDATOR = ArgumentSpecValidator(CONTAINER_OPTIONS)


def _merged_healthcheck(mine, image):
    if not mine or mine.get("Test") == ["NONE"]:
        return mine or image
    return dict(image, **mine)


def image_for(spec):
    """The image the engine creates the container from: IMAGE, of the platform the create asks for."""
    platform = create_query(spec).get("platform")
    if not platform:
        return IMAGE
    os, arch = platform.split("/")[:2]
    return dict(IMAGE, Os=os, Architecture=arch)


def engine_request(spec):
    """Everything a create sends: the body and the query parameters."""
    return to_create_request(spec), create_query(spec)


def engine_inspect(spec):
    """What the engine reports for a container made from `spec`: the create request as sent, the
    image's config merged in as the engine merges it, and every network of the spec joined."""
    request = copy.deepcopy(to_create_request(spec))
    host = request.pop("HostConfig")
    request.pop("NetworkingConfig", None)
    config, image = request, IMAGE["Config"]
    env = env_dict(image["Env"])
    env.update(env_dict(config.get("Env")))
    env.setdefault("PATH", DEFAULT_PATH)
    config["Env"] = ["%s=%s" % item for item in env.items()]
    config["Labels"] = dict(image["Labels"], **config.get("Labels", {}))
    config["ExposedPorts"] = dict(image["ExposedPorts"], **config.get("ExposedPorts", {}))
    config["Volumes"] = dict(image["Volumes"], **config.get("Volumes", {}))
    if "Entrypoint" not in config:
        config["Entrypoint"] = image["Entrypoint"]
        config.setdefault("Cmd", image["Cmd"])
    config["Healthcheck"] = _merged_healthcheck(config.get("Healthcheck"), image["Healthcheck"])
    networks = {attachment.name: dict(attachment.endpoint_config(), NetworkID="n-" + attachment.name)
                for attachment in spec.networks or ()}
    if not networks and (spec.network_mode or "bridge") == "bridge":
        networks = {"bridge": {"NetworkID": "n-bridge"}}
    return {"Id": "f" * 64, "Name": "/" + spec.name, "Image": IMAGE["Id"], "Platform": image_for(spec)["Os"],
            "Config": config, "HostConfig": host,
            "State": {"Status": "running", "Running": True}, "NetworkSettings": {"Networks": networks}}


def module_params(sample):
    """The module's params for `sample`, as AnsibleModule makes them (types converted, defaults set)."""
    result = VALIDATOR.validate(dict(BASE, **sample))
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def build(sample, option):
    """The desired spec for `sample`: module params for module options, spec fields otherwise."""
    if not option.is_module_option:
        return ContainerSpec(**dict(BASE, **sample))
    params = module_params(sample)
    return spec_from_params(params, params.get("env_file"))  # the module passes env_file's text


def without(sample, path):
    """`sample` with the key at `path` (option, or option.key for a dict option's key) removed."""
    smaller = copy.deepcopy(dict(sample))
    head, _dot, key = path.partition(".")
    if key:
        del smaller[head][key]
    else:
        del smaller[head]
    return smaller


def walked():
    """(id, option whose sample is walked, path of what the sample sets, entry that compares it)."""
    for option in OPTIONS:
        if option.field in ("name", "image"):  # the container's identity, in every sample (BASE)
            continue
        if option.field or option.part_of:
            yield option.name, option, option.name, option
        for sub in option.suboptions:
            if sub.field and sub.is_module_option:
                yield "%s.%s" % (option.name, sub.name), sub, "%s.%s" % (option.name, sub.name), option


WALKED = list(walked())


def _sample(option, path, owner):
    sample = option.sample or owner.sample
    assert sample, "%s: a registry entry needs a sample (the params that set it)" % path
    head, _dot, key = path.partition(".")
    assert head in sample and (not key or key in sample[head]), "%s: its sample does not set it" % path
    return sample


def _compared_as(option, owner):
    if option is not owner:  # a key of a nested option: the option is compared as a whole
        return owner
    if option.compare is None and option.part_of:
        return OPTIONS_BY_NAME[option.part_of]
    return option


@pytest.mark.parametrize("path, option, owner", [(p, o, w) for _i, o, p, w in WALKED], ids=[w[0] for w in WALKED])
def test_every_option_round_trips_without_a_difference(path, option, owner):
    sample = _sample(option, path, owner)
    spec = build(sample, owner)
    observed = observed_container(engine_inspect(spec), image_for(spec))
    desired = with_image_defaults(spec, image_defaults(image_for(spec)))
    plan = plan_container(desired, observed, "started", IMAGE["Id"])
    assert plan.steps == () and plan.differences == (), (plan.kinds, plan.differences, plan.before, plan.after)
    if not owner.is_module_option and owner.compare is None:  # a compose-only setting: read back as sent
        assert getattr(observed.spec, owner.field) == getattr(spec, owner.field)


@pytest.mark.parametrize("path, option, owner", [(p, o, w) for _i, o, p, w in WALKED], ids=[w[0] for w in WALKED])
def test_every_option_reaches_the_engine_and_is_compared(path, option, owner):
    sample = _sample(option, path, owner)
    spec, bare = build(sample, owner), build(without(sample, path), owner)
    assert engine_request(spec) != engine_request(bare), "%s changes nothing in the create request" % path
    compared = _compared_as(option, owner)
    if compared.compare is None:
        return
    desired = with_image_defaults(spec, image_defaults(image_for(spec)))
    # strict: compared at all (stop_timeout is ignored by default, as in community.docker)
    plan = plan_container(desired, observed_container(engine_inspect(bare), image_for(bare)), "started", IMAGE["Id"],
                          resolve_comparisons({"*": "strict"}))
    if compared.compare == OWN:  # networks: here the primary network moves too, so network_mode differs
        assert plan.differences, "%s: a container made without it does not differ" % path
    else:
        assert compared.name in plan.differences, "%s: a container made without it does not differ" % path
        assert plan.kinds[0] == ("update" if compared.update else "recreate"), plan.kinds


@pytest.mark.parametrize("option", [o for o in OPTIONS if o.info], ids=lambda o: o.name)
def test_limits_show_in_container_info(option):
    spec = build(option.sample, option)
    limits = summary_from_inspect(engine_inspect(spec))["limits"]
    assert limits[option.info] == option.info_view(getattr(spec, option.field)) != option.info_view(0)


@pytest.mark.parametrize("path, option, owner", [(p, o, w) for _i, o, p, w in WALKED if o.min_api],
                         ids=[w[0] for w in WALKED if w[1].min_api])
def test_options_newer_than_the_api_are_named(path, option, owner):
    spec = build(_sample(option, path, owner), owner)
    label = option.api_label or path
    assert (label, option.min_api) in options_needing_newer_api(spec, "1.24")
    assert (label, option.min_api) not in options_needing_newer_api(spec, option.min_api)


def test_every_module_option_is_documented_and_in_the_argument_spec():
    docs = documentation()
    for option in OPTIONS:
        if option.is_module_option:
            assert option.doc, "%s has no description" % option.name
            assert option.name in CONTAINER_OPTIONS and option.name in docs
            for sub in option.suboptions:
                assert not sub.is_module_option or sub.doc, "%s.%s has no description" % (option.name, sub.name)
        else:
            assert option.name not in CONTAINER_OPTIONS and option.sample, option.name


def test_entries_name_engine_api_fields():
    for option in OPTIONS:
        if option.api:
            section, _dot, key = option.api.partition(".")
            assert key in {"Config": CONTAINER_CONFIG, "HostConfig": HOST_CONFIG}[section], option.api
        assert not option.update or option.update in UPDATE, option.update
        for sub in option.suboptions:
            assert not sub.api or sub.api in HEALTHCHECK, sub.api


def test_every_option_of_the_container_is_compared():
    for option in OPTIONS:
        if option.field and option.is_module_option and option.field != "name":  # the name is who it is
            assert option.compare, "%s: an option never compared would be accepted and ignored on a change" % option.name


def test_spec_fields_come_from_the_registry():
    fields = [option.field for option in OPTIONS if option.field]
    assert list(ContainerSpec.__dataclass_fields__) == fields + ["extra"]
    assert fields[:2] == ["name", "image"]
