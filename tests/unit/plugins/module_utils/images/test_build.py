"""Build planning and the classic builder's stream."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images.build import (
    DIGEST_LABEL, BuildFailure, BuildRequest, _read_build_stream, plan_build,
)
from ansible_collections.goship.containers.plugins.module_utils.images.store import split_reference


def image(digest):
    return {"Id": "sha256:" + "a" * 64, "Config": {"Labels": {DIGEST_LABEL: digest}}}


def test_plan():
    assert plan_build(image("d1"), "d1", "auto", []) == "none"
    assert plan_build(image("d0"), "d1", "auto", []) == "build"
    assert plan_build(image("d0"), "d1", "auto", [{"Id": "x"}]) == "tag"
    assert plan_build(None, "d1", "auto", [{"Id": "x"}]) == "tag"
    assert plan_build(image("d1"), "d1", "always", []) == "build"
    assert plan_build(image("d0"), "d1", "never", []) == "none"
    assert plan_build(None, "d1", "never", []) == "build"


def test_stream_success():
    stream = [
        {"stream": "Step 1/2 : FROM base\n"}, {"stream": " ---> abc\n"},
        {"stream": "Step 2/2 : RUN true\n"}, {"aux": {"ID": "sha256:" + "b" * 64}},
        {"stream": "Successfully built bbbbbbbbbbbb\n"},
    ]
    image_id, log = _read_build_stream(stream)
    assert image_id == "sha256:" + "b" * 64
    assert log[0] == "Step 1/2 : FROM base"


def test_stream_failure_names_the_step_and_keeps_its_output():
    stream = [
        {"stream": "Step 1/3 : FROM base\n"}, {"stream": "Step 2/3 : RUN make\n"},
        {"stream": "compiling\nerror: "}, {"stream": "boom\n"},
        {"error": "The command '/bin/sh -c make' returned a non-zero code: 2",
         "errorDetail": {"message": "The command '/bin/sh -c make' returned a non-zero code: 2", "code": 2}},
    ]
    with pytest.raises(BuildFailure) as caught:
        _read_build_stream(stream)
    assert caught.value.step == "Step 2/3 : RUN make"
    assert caught.value.output == ["compiling", "error: boom"]
    assert "non-zero code: 2" in caught.value.message


def test_request_validation_names_options():
    with pytest.raises(ValueError, match="^rebuild:"):
        BuildRequest(name="a:1", path=".", rebuild="sometimes").validate()
    with pytest.raises(ValueError, match="^labels:"):
        BuildRequest(name="a:1", path=".", labels={DIGEST_LABEL: "x"}).validate()
    with pytest.raises(ValueError, match=r"^extra_tags\[0\]:"):
        BuildRequest(name="a:1", path=".", extra_tags=["Bad"]).validate()
    request = BuildRequest(name="a", path=".")
    request.validate()
    assert request.name == "a:latest"


@pytest.mark.parametrize("name, expected", [
    ("app", ("app", "latest")), ("app:1", ("app", "1")),
    ("localhost:5000/team/app", ("localhost:5000/team/app", "latest")),
    ("registry.example.com:443/app:v1.2", ("registry.example.com:443/app", "v1.2")),
])
def test_split_reference(name, expected):
    assert split_reference(name) == expected


@pytest.mark.parametrize("name", ["App:1", "app:", "app@sha256:abc", " app", "a b"])
def test_split_reference_refuses(name):
    with pytest.raises(ValueError, match="^name:"):
        split_reference(name)
