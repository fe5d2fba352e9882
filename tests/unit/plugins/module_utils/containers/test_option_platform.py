"""The container's `platform`: specifiers in the engine's normal form, completed from the image's
platform, compared with the platform of the container's own image, sent as the create's query
parameter (never in the body) and refused on Engine APIs older than 1.41."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.engine import create_container
from ansible_collections.goship.containers.plugins.module_utils.containers.platforms import (
    Platform, complete, image_platform, parse_platform,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.spec import (
    ContainerSpec, create_query, to_create_request,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.task_plan import (
    api_refusals, container_task, needs_current_image, plan_from_inspect,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.tests.unit.plugins.module_utils.containers.test_plan import (
    CONTAINER, IMAGE, PARAMS,
)

AMD64_IMAGE = dict(IMAGE, Os="linux", Architecture="amd64")
DEFAULTS = dict(state="started", pull="missing", pull_check_mode_behavior="image_not_present", comparisons=None,
                recreate=False, restart=False)


@pytest.mark.parametrize("text, normal", [
    ("linux/amd64", "linux/amd64"), ("LINUX/X86_64", "linux/amd64"), ("linux/x86-64", "linux/amd64"),
    ("amd64", "amd64"), ("x86_64", "amd64"), ("linux", "linux"), ("macos", "darwin"),
    ("linux/aarch64", "linux/arm64"), ("linux/arm64/v8", "linux/arm64"), ("linux/arm64/8", "linux/arm64"),
    ("linux/arm", "linux/arm/v7"), ("linux/arm/6", "linux/arm/v6"), ("linux/armhf", "linux/arm/v7"),
    ("linux/armel", "linux/arm/v6"), ("linux/amd64/v1", "linux/amd64"), ("linux/amd64/v3", "linux/amd64/v3"),
    ("i386", "386"),
])
def test_specifiers_take_the_engines_normal_form(text, normal):
    assert str(parse_platform(text)) == normal


@pytest.mark.parametrize("text", ["", "linux/", "linux/amd64/v1/x", "lin ux", "plan10", "linux//v7"])
def test_a_bad_specifier_is_refused_naming_the_option(text):
    with pytest.raises(OptionError) as raised:
        parse_platform(text, "platform")
    assert str(raised.value).startswith("platform")


def test_an_os_or_an_architecture_alone_is_completed_from_the_image():
    image = image_platform(dict(AMD64_IMAGE, Architecture="x86_64"))
    assert image == Platform("linux", "amd64", "")
    assert complete(parse_platform("linux"), image) == image
    assert complete(parse_platform("amd64"), image) == image
    assert complete(parse_platform("arm64"), image) == Platform("linux", "arm64", "")
    assert complete(parse_platform("amd64"), None) == Platform("", "amd64", "")
    assert image_platform({"Id": "x"}) is None


def test_it_is_a_query_parameter_of_the_create_not_a_body_field():
    spec = ContainerSpec(name="c", image="app:1", platform=parse_platform("x86_64"))
    assert create_query(spec) == {"platform": "amd64"}
    assert "platform" not in to_create_request(spec) and "platform" not in to_create_request(spec)["HostConfig"]
    assert create_query(ContainerSpec(name="c", image="app:1")) == {}

    class Client:
        def __init__(self):
            self.calls = []

        def create_container_from_config(self, body, name=None, platform=None):
            self.calls.append((name, platform))
            return {"Id": "c1"}

    client = Client()
    create_container(client, spec)
    assert client.calls == [("c", "amd64")]


def _plan(container, image, current_image=None, **params):
    task = container_task(dict(DEFAULTS, **dict(PARAMS, **params)))
    return plan_from_inspect(task, container, image, current_image=current_image).plan


def test_the_same_platform_in_another_spelling_is_no_change():
    for given in ("linux/amd64", "x86_64", "amd64", "linux", "LINUX/X86-64"):
        plan = _plan(CONTAINER, AMD64_IMAGE, platform=given)
        assert plan.steps == () and plan.differences == (), (given, plan.differences)


def test_another_platform_recreates_and_says_so():
    plan = _plan(CONTAINER, AMD64_IMAGE, platform="linux/arm64")
    assert plan.kinds[0] == "recreate" and plan.differences == ("platform",)
    assert plan.before["platform"] == "linux/amd64" and plan.after["platform"] == "linux/arm64"
    assert "platform differs" in plan.steps[0].reason


def test_a_changed_image_is_compared_with_the_containers_own_image():
    """The container's inspect data name its OS only: when the image changed (a recreate anyway),
    the platform is compared with the container's own image, which the module reads then."""
    other = dict(AMD64_IMAGE, Id="sha256:" + "c" * 64)
    container = dict(copy.deepcopy(CONTAINER), Platform="linux")
    # without it (the container_plan action) the platform is listed beside the image
    assert _plan(container, other, platform="linux").differences == ("image", "platform")
    # its own image, read separately when the image changed, gives the whole platform
    assert "platform" not in _plan(container, other, current_image=AMD64_IMAGE, platform="amd64").differences
    assert "platform" in _plan(container, other, current_image=AMD64_IMAGE, platform="arm64").differences


def test_the_module_reads_the_containers_own_image_only_when_it_changed():
    task = container_task(dict(DEFAULTS, **dict(PARAMS, platform="amd64")))
    assert needs_current_image(task, CONTAINER, AMD64_IMAGE) is None
    assert needs_current_image(task, CONTAINER, dict(AMD64_IMAGE, Id="sha256:" + "c" * 64)) == CONTAINER["Image"]
    plain = container_task(dict(DEFAULTS, **PARAMS))
    assert needs_current_image(plain, CONTAINER, dict(AMD64_IMAGE, Id="sha256:" + "c" * 64)) is None


def test_older_engine_apis_are_refused_naming_the_version():
    task = container_task(dict(DEFAULTS, **dict(PARAMS, platform="linux/amd64")))
    assert ("platform", "1.41") in api_refusals(task, "1.40")
    assert ("platform", "1.41") not in api_refusals(task, "1.41")
