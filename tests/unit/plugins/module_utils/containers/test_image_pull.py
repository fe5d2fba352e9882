"""docker_container's `pull`: policy parsing, the pull decision, the pull against a fake engine, and reading the pull stream."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images.store import ImageError, pull_image as pull
from ansible_collections.goship.containers.plugins.module_utils.containers.image_pull import (
    is_image_id, parse_pull_policy, pull_reason, resolve_image,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError

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


def test_missing_with_never_fails_naming_pull():
    with pytest.raises(OptionError, match="^pull: is never and the image app:1 is not present locally$"):
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

    def pull(self, repo, tag=None, stream=False, decode=False, **extra):
        self.calls.append((repo, tag) + tuple(sorted(extra.items())))
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


def test_a_platform_goes_with_the_pull():
    client = FakeClient([{"status": "Downloaded newer image"}])
    pull(client, "app:1", "linux/arm64")
    assert client.calls == [("app", "1", ("platform", "linux/arm64"))]


def test_error_in_the_stream_is_a_failure():
    client = FakeClient([{"status": "Pulling"}, {"error": "x", "errorDetail": {"message": "manifest unknown"}}])
    with pytest.raises(ImageError, match="^pulling app:1 failed: .*manifest unknown"):
        pull(client, "app:1")


def test_http_error_is_a_failure_with_the_engine_explanation():
    from docker.errors import APIError
    error = APIError("500 Server Error", explanation='Get "http://127.0.0.1:5055/v2/": connection refused')
    with pytest.raises(ImageError, match="connection refused"):
        pull(FakeClient(error=error), "app:1")


class Failed(Exception):
    pass


class FakeOutcome:
    def __init__(self, check_mode=False):
        self.check_mode, self.actions = check_mode, []

    def apply(self, action):
        self.actions.append(action)

    def fail(self, msg, **extra):
        raise Failed(msg)


class FakeEngine:
    """inspect_image answers from `images` (reference → Id); a pull moves the reference to `registry`'s Id."""

    def __init__(self, images, registry=None, pull_error=None):
        self.images, self.registry, self.pull_error, self.calls = dict(images), dict(registry or {}), pull_error, []

    def inspect_image(self, reference):
        from ansible_collections.goship.containers.plugins.module_utils.client import NotFound
        self.calls.append("inspect")
        if reference not in self.images:
            raise NotFound("no such image: %s" % reference)
        return {"Id": self.images[reference]}

    def pull(self, repo, tag=None, stream=False, decode=False):
        self.calls.append("pull")
        if self.pull_error:
            return iter([{"error": "x", "errorDetail": {"message": self.pull_error}}])
        self.images["%s:%s" % (repo, tag)] = self.registry["%s:%s" % (repo, tag)]
        return iter([{"status": "done"}])


REF = "127.0.0.1:5055/app:1"


@pytest.mark.parametrize("policy", ["missing", "never"])
def test_present_image_is_one_inspect_and_no_pull(policy):
    engine, outcome = FakeEngine({REF: "sha256:old"}, {REF: "sha256:new"}), FakeOutcome()
    assert resolve_image(engine, outcome, REF, policy) == {"Id": "sha256:old"}
    assert engine.calls == ["inspect"] and outcome.actions == []


def test_missing_pulls_the_absent_image():
    engine, outcome = FakeEngine({}, {REF: "sha256:new"}), FakeOutcome()
    assert resolve_image(engine, outcome, REF, "missing") == {"Id": "sha256:new"}
    assert engine.calls == ["inspect", "pull", "inspect"]
    assert outcome.actions == ["pull %s (not present locally)" % REF]


def test_always_with_the_same_image_is_no_change():
    engine, outcome = FakeEngine({REF: "sha256:same"}, {REF: "sha256:same"}), FakeOutcome()
    assert resolve_image(engine, outcome, REF, "always") == {"Id": "sha256:same"}
    assert "pull" in engine.calls and outcome.actions == []


def test_always_with_a_moved_tag_records_the_pull():
    engine, outcome = FakeEngine({REF: "sha256:old"}, {REF: "sha256:new"}), FakeOutcome()
    assert resolve_image(engine, outcome, REF, "always") == {"Id": "sha256:new"}
    assert outcome.actions == ["pull %s (pull is always)" % REF]


@pytest.mark.parametrize("local, behavior, actions", [
    ({}, "image_not_present", ["pull %s (pull is always)" % REF]),
    ({REF: "sha256:old"}, "image_not_present", []),
    ({REF: "sha256:old"}, "always", ["pull %s (pull is always)" % REF]),
])
def test_check_mode_never_pulls(local, behavior, actions):
    engine, outcome = FakeEngine(local, {REF: "sha256:new"}), FakeOutcome(check_mode=True)
    image = resolve_image(engine, outcome, REF, "always", behavior)
    assert image == ({"Id": "sha256:old"} if local else None)
    assert "pull" not in engine.calls and outcome.actions == actions


def test_check_mode_predicts_a_missing_pull():
    engine, outcome = FakeEngine({}, {REF: "sha256:new"}), FakeOutcome(check_mode=True)
    assert resolve_image(engine, outcome, REF, "missing") is None
    assert engine.calls == ["inspect"] and outcome.actions == ["pull %s (not present locally)" % REF]


def test_never_with_an_absent_image_fails_before_any_pull():
    engine = FakeEngine({}, {REF: "sha256:new"})
    with pytest.raises(OptionError, match="^pull: is never"):
        resolve_image(engine, FakeOutcome(), REF, "never")
    assert "pull" not in engine.calls


def test_failed_pull_fails_naming_the_image_and_reason():
    engine = FakeEngine({}, pull_error="manifest unknown")
    with pytest.raises(Failed, match=r"^image: pulling .* failed: .*manifest unknown.*\(pulled because: not present locally\); nothing was changed$"):
        resolve_image(engine, FakeOutcome(), REF, "missing")
