"""docker_container's `pull`: policy parsing, the pull decision, and reading the pull stream."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images.store import ImageError, pull_image as pull
from ansible_collections.goship.containers.plugins.module_utils.containers.image_pull import (
    is_image_id, parse_pull_policy, pull_reason,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.parse import OptionError

LOCAL = {"Id": "sha256:" + "a" * 64}


@pytest.mark.parametrize("value, policy", [
    (True, "always"), (False, "missing"), ("always", "always"), ("missing", "missing"), ("never", "never"),
    ("yes", "always"), ("no", "missing"), ("Always", "always"),
])
def test_policies_as_docker_container_takes_them(value, policy):
    assert parse_pull_policy(value) == policy


@pytest.mark.parametrize("value", ["sometimes", "missing_image", 1, ""])
def test_bad_policy_names_the_option(value):
    with pytest.raises(OptionError, match="^pull: "):
        parse_pull_policy(value)


@pytest.mark.parametrize("reference, local, policy, reason", [
    ("app:1", LOCAL, "missing", None),
    ("app:1", LOCAL, "never", None),
    ("app:1", None, "missing", "not present locally"),
    ("app:1", LOCAL, "always", "pull is always"),
    ("app:1", None, "always", "pull is always"),
    ("sha256:" + "a" * 64, LOCAL, "always", None),  # an ID cannot be pulled: ignored
    ("a" * 12, LOCAL, "always", None),
])
def test_pull_reason(reference, local, policy, reason):
    assert pull_reason(reference, local, policy) == reason


def test_missing_with_never_fails_naming_image():
    with pytest.raises(OptionError, match="^image: app:1 is not present locally and pull is never"):
        pull_reason("app:1", None, "never")


def test_missing_image_id_fails_naming_image():
    with pytest.raises(OptionError, match="^image: .* is an image ID that is not present locally"):
        pull_reason("b" * 64, None, "missing")


def test_image_ids():
    assert is_image_id("sha256:" + "0" * 64) and is_image_id("0123456789ab")
    assert not is_image_id("app:1") and not is_image_id("busybox") and not is_image_id("deadbeef")


class FakeClient:
    def __init__(self, stream=(), error=None):
        self.stream, self.error, self.calls = list(stream), error, []

    def pull(self, repo, tag=None, stream=False, decode=False):
        self.calls.append((repo, tag))
        if self.error:
            raise self.error
        return iter(self.stream)


@pytest.mark.parametrize("reference, call", [
    ("app:1", ("app", "1")), ("app", ("app", "latest")), ("registry:5000/team/app", ("registry:5000/team/app", "latest")),
    ("registry:5000/app:2", ("registry:5000/app", "2")), ("app@sha256:" + "c" * 64, ("app", "sha256:" + "c" * 64)),
])
def test_pull_splits_the_reference(reference, call):
    client = FakeClient([{"status": "Downloaded newer image"}])
    pull(client, reference)
    assert client.calls == [call]


def test_error_in_the_stream_is_a_failure():
    client = FakeClient([{"status": "Pulling"}, {"error": "x", "errorDetail": {"message": "manifest unknown"}}])
    with pytest.raises(ImageError, match="^pulling app:1 failed: .*manifest unknown"):
        pull(client, "app:1")


def test_http_error_is_a_failure_with_the_engine_explanation():
    from docker.errors import APIError
    error = APIError("500 Server Error", explanation='Get "http://127.0.0.1:5055/v2/": connection refused')
    with pytest.raises(ImageError, match="connection refused"):
        pull(FakeClient(error=error), "app:1")
