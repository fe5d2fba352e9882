"""Build planning, content comparison, the build record and the classic builder's stream."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images.build import (
    DIGEST_LABEL, BuildFailure, BuildRequest, _read_build_stream, content_identity, matching_digest, plan_build,
    same_content,
)
from ansible_collections.goship.containers.plugins.module_utils.images.records import BuildRecords
from ansible_collections.goship.containers.plugins.module_utils.images.store import split_reference


A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64


def image(digest=None, image_id=A):
    return {"Id": image_id, "Config": {"Labels": {DIGEST_LABEL: digest} if digest else {}}}


def test_plan_from_the_record():
    assert plan_build(image(), "d1", "auto", [A], None) == "none"        # the record lists the tagged image
    assert plan_build(image(), "d1", "auto", [], None) == "build"        # record lost: a build decides
    assert plan_build(image(), "d1", "auto", [B], B) == "tag"            # a revert: the engine has B
    assert plan_build(None, "d1", "auto", [B], B) == "tag"
    assert plan_build(None, "d1", "auto", [B], None) == "build"          # recorded, but gone from the engine
    assert plan_build(image(), "d1", "always", [A], None) == "build"
    assert plan_build(image(), "d1", "never", [], None) == "none"
    assert plan_build(None, "d1", "never", [], None) == "build"


def test_plan_reads_the_label_of_earlier_versions():
    assert plan_build(image("d1"), "d1", "auto", [], None) == "none"
    assert plan_build(image("d0"), "d1", "auto", [], None) == "build"


def built(layers, created="2026-01-01", parent="sha256:p1", **config):
    return {"Id": "sha256:x", "Created": created, "Os": "linux", "Architecture": "amd64",
            "RootFS": {"Type": "layers", "Layers": layers},
            "Config": dict({"Cmd": ["cat"], "Image": parent, "Hostname": "", "Labels": None}, **config)}


def test_same_content_ignores_what_two_builds_of_the_same_layers_differ_in():
    one = built(["sha256:l1", "sha256:l2"])
    assert same_content(one, built(["sha256:l1", "sha256:l2"], created="2027-01-01", parent="sha256:p2"))
    # the digest label of earlier versions is what this collection recorded, not content
    assert same_content(one, built(["sha256:l1", "sha256:l2"], Labels={DIGEST_LABEL: "sha256:d"}))
    assert not same_content(one, built(["sha256:l1", "sha256:l3"]))
    assert not same_content(one, built(["sha256:l1", "sha256:l2"], Cmd=["ls"]))
    assert not same_content(one, built(["sha256:l1", "sha256:l2"], Labels={"team": "a"}))
    assert not same_content(one, None)
    assert content_identity(one)["config"]["Labels"] is None


def test_records_round_trip_newest_first_and_bounded(tmp_path):
    records = BuildRecords(str(tmp_path / "records"))
    digest = "sha256:" + "d" * 64
    assert records.image_ids(digest) == []
    assert records.remember(digest, A, "app:1")
    assert records.remember(digest, B, "app:1")
    assert records.image_ids(digest) == [B, A]
    assert records.knows(digest, A)
    for n in range(6):
        records.remember(digest, "sha256:%064d" % n)
    assert len(records.image_ids(digest)) == 4
    path = records.path_for(digest)
    assert json.load(open(path))["digest"] == digest
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"


def test_records_ignore_damage_and_unwritable_directories(tmp_path):
    digest = "sha256:" + "e" * 64
    records = BuildRecords(str(tmp_path))
    with open(records.path_for(digest), "w") as handle:
        handle.write("{not json")
    assert records.image_ids(digest) == []
    assert BuildRecords(str(tmp_path)).path_for("sha256:../../etc") is None
    blocked = tmp_path / "file"
    blocked.write_text("")
    unwritable = BuildRecords(str(blocked / "below"))
    assert not unwritable.remember(digest, A)
    assert unwritable.write_error


def test_matching_digest_for_compose(tmp_path):
    records = BuildRecords(str(tmp_path))
    records.remember("sha256:" + "1" * 64, A)
    assert matching_digest(A, {}, "sha256:" + "1" * 64, records) == "sha256:" + "1" * 64
    assert matching_digest(B, {}, "sha256:" + "1" * 64, records) is None
    assert matching_digest(B, {DIGEST_LABEL: "sha256:" + "2" * 64}, "sha256:" + "2" * 64, records) == "sha256:" + "2" * 64
    assert matching_digest(A, None, None, records) is None


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


class FakeEngine:
    """inspect, tag and a classic build that returns the image the test chooses."""

    def __init__(self, images, build_gives=None):
        self.images = images            # id -> inspect data
        self.tags = {}                  # name -> id
        self.build_gives = build_gives
        self.builds = 0

    def inspect_image(self, name):
        from ansible_collections.goship.containers.plugins.module_utils.client import NotFound
        image_id = self.tags.get(name, name)
        if image_id not in self.images:
            raise NotFound("no such image")
        return dict(self.images[image_id], RepoTags=[t for t, i in self.tags.items() if i == image_id])

    def tag(self, image_id, repo, tag, force=False):
        self.tags["%s:%s" % (repo, tag)] = image_id

    def build(self, **kwargs):
        self.builds += 1
        return iter([{"stream": "Step 1/1 : FROM scratch\n"}, {"aux": {"ID": self.build_gives}}])


def engine_image(image_id, layers, created="2026-01-01"):
    return {"Id": image_id, "Created": created, "Os": "linux", "Architecture": "amd64",
            "RootFS": {"Layers": layers}, "Config": {"Cmd": ["x"], "Labels": None, "Image": image_id}}


def request(tmp_path, **kw):
    context = tmp_path / "ctx"
    context.mkdir(exist_ok=True)
    (context / "Dockerfile").write_text("FROM scratch\nCOPY app.txt /\n")
    (context / "app.txt").write_text("one\n")
    return BuildRequest(name="app:1", path=str(context), digest_cache=False,
                        records=BuildRecords(str(tmp_path / "records")), **kw)


def test_ensure_built_keeps_the_id_when_a_build_gives_the_same_content(tmp_path):
    from ansible_collections.goship.containers.plugins.module_utils.images.build import ensure_built
    old = engine_image(A, ["sha256:l1"])
    same_layers = engine_image(B, ["sha256:l1"], created="2027-01-01")
    engine = FakeEngine({A: old, B: same_layers}, build_gives=B)
    engine.tags["app:1"] = A
    first = ensure_built(engine, request(tmp_path), check_mode=False)
    assert engine.builds == 1 and not first.changed and first.image_id == A and first.kept_equal == B
    assert engine.tags["app:1"] == A
    again = ensure_built(engine, request(tmp_path), check_mode=False)   # the record now lists A
    assert engine.builds == 1 and again.build_skipped and not again.changed


def test_ensure_built_moves_the_tag_when_the_content_differs(tmp_path):
    from ansible_collections.goship.containers.plugins.module_utils.images.build import ensure_built
    engine = FakeEngine({A: engine_image(A, ["sha256:l1"]), B: engine_image(B, ["sha256:l2"])}, build_gives=B)
    engine.tags["app:1"] = A
    result = ensure_built(engine, request(tmp_path), check_mode=False)
    assert result.changed and result.image_id == B and engine.tags["app:1"] == B
    assert BuildRecords(str(tmp_path / "records")).image_ids(result.digest) == [B]


def test_rebuild_never_records_nothing(tmp_path):
    from ansible_collections.goship.containers.plugins.module_utils.images.build import ensure_built
    engine = FakeEngine({A: engine_image(A, ["sha256:l1"])})
    engine.tags["app:1"] = A
    result = ensure_built(engine, request(tmp_path, rebuild="never"), check_mode=False)
    assert not result.changed and engine.builds == 0
    assert BuildRecords(str(tmp_path / "records")).image_ids(result.digest) == []
