"""community.docker's image option shapes (images/compat.py) mapped onto the image core, and the
core's steps they need (repository tags, removal answers, digest pulls), on a fake engine."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images import compat
from ansible_collections.goship.containers.plugins.module_utils.images.image_task import (
    ImageTask, _renamed, image_options, validate,
)
from ansible_collections.goship.containers.plugins.module_utils.outcome import Outcome
from ansible_collections.goship.containers.plugins.module_utils.secret_module import _nested

ID_A = "sha256:" + "a" * 64
ID_B = "sha256:" + "b" * 64


def image_module_params(**given):
    """What AnsibleModule gives the `image` module: every option, defaults filled in."""
    params = dict((key, spec.get("default")) for key, spec in image_options().items())
    params.update(dict((key, spec.get("default")) for key, spec in compat.compat_options().items()))
    params.update(given)
    return params


def translate(**given):
    warnings = []
    core = compat.image_params(image_module_params(**given), warnings.append)
    return core, warnings


# --- image: the nested build and the flat options ---------------------------------------------------
def test_nested_build_maps_onto_the_flat_options_and_implies_source_build():
    core, warnings = translate(name="shop/web", build=dict(
        path="/ctx", dockerfile="Dockerfile.prod", args={"A": "1"}, target="run", network="host",
        labels={"team": "shop"}, nocache=True, pull=True, cache_from=["shop/web:cache"], http_timeout=60))
    assert core["source"] == "build" and core["path"] == "/ctx" and core["dockerfile"] == "Dockerfile.prod"
    assert core["args"] == {"A": "1"} and core["target"] == "run" and core["network"] == "host"
    assert core["labels"] == {"team": "shop"} and core["nocache"] is True and core["pull"] is True
    assert core["cache_from"] == ["shop/web:cache"] and core["build_timeout"] == 60
    assert core["name"] == "shop/web:latest" and warnings == []


@pytest.mark.parametrize("flat, nested", [
    (dict(path="/a"), dict(path="/b")),
    (dict(args={"A": "1"}), dict(path="/b", args={"B": "2"})),
    (dict(nocache=True), dict(path="/b", nocache=False)),
    (dict(pull=True), dict(path="/b", pull=True)),
    (dict(build_timeout=30), dict(path="/b", http_timeout=60)),
])
def test_a_key_given_flat_and_nested_fails_naming_both(flat, nested):
    key = [k for k in nested if k != "path"][0] if len(nested) > 1 else "path"
    with pytest.raises(ValueError, match=r"^build\.%s: also given as \w+; give it once" % key):
        translate(name="shop/web", build=nested, **flat)


def test_the_build_environment_keys_are_converted():
    core = translate(name="shop/web", build=dict(
        path="/ctx", etc_hosts={"proxy.internal": "10.0.0.5"}, shm_size="128M", rm=False, use_config_proxy=False,
        container_limits=dict(memory="512M", memswap="unlimited", cpushares=512, cpusetcpus="0", )))[0]
    assert core["etc_hosts"] == {"proxy.internal": "10.0.0.5"}
    assert core["shm_size"] == 128 * 1024 * 1024
    assert core["rm"] is False and core["use_config_proxy"] is False
    assert core["container_limits"] == dict(memory=512 * 1024 * 1024, memswap=-1, cpushares=512, cpusetcpus="0")


@pytest.mark.parametrize("build, message", [
    (dict(path="/ctx", platform="linux/arm64"), r"^build\.platform: not supported: "),
    (dict(path="/ctx", shm_size="lots"), r"^build\.shm_size: "),
    (dict(path="/ctx", etc_hosts={"h": None}), r"^build\.etc_hosts\.h: must be an IP address"),
    (dict(path="/ctx", container_limits=dict(memory="x1")), r"^build\.container_limits\.memory: "),
    (dict(path="/ctx", args={"DEBUG": True}), r"^build\.args\.DEBUG: must be a string or number, got bool"),
])
def test_bad_nested_build_keys_fail_naming_the_key(build, message):
    with pytest.raises(ValueError, match=message):
        translate(name="shop/web", build=build)


def test_nested_build_with_another_source_or_absent_is_refused():
    with pytest.raises(ValueError, match=r"^build: only used when source=build \(source is pull\)"):
        translate(name="shop/web", source="pull", build=dict(path="/ctx"))
    with pytest.raises(ValueError, match=r"^build: only used with state=present"):
        translate(name="shop/web", state="absent", build=dict(path="/ctx"))


def test_pull_takes_a_bool_or_community_dockers_dictionary():
    assert translate(name="a", pull="yes")[0]["pull"] is True
    assert translate(name="a", pull={})[0]["pull"] is False
    assert translate(name="a", pull={"platform": None})[0]["pull"] is False
    with pytest.raises(ValueError, match=r"^pull\.platform: not supported"):
        translate(name="a", pull={"platform": "linux/arm64"})
    with pytest.raises(ValueError, match=r"^pull\.policy: unknown key"):
        translate(name="a", pull={"policy": "always"})
    with pytest.raises(ValueError, match=r"^pull: must be true/false"):
        translate(name="a", pull="sometimes")


def test_tag_is_added_to_a_name_without_one_and_the_names_own_tag_wins():
    assert translate(name="shop/web", tag="1.4")[0]["name"] == "shop/web:1.4"
    assert translate(name="127.0.0.1:5000/web", tag="2")[0]["name"] == "127.0.0.1:5000/web:2"
    core, warnings = translate(name="shop/web:1.3", tag="1.4")
    assert core["name"] == "shop/web:1.3"
    assert warnings == ["tag: 1.4 is not used: name carries its own tag 1.3 (as in community.docker)"]
    assert translate(name="shop/web:1.3", tag="1.3")[1] == []
    core, warnings = translate(name=ID_A, tag="1", source="local")
    assert core["name"] == ID_A and "image ID" in warnings[0]


def test_repository_with_and_without_force_tag():
    core = translate(name="shop/web:1.4", source="local", repository="reg.example.com/shop/web")[0]
    assert core["repositories"] == ["reg.example.com/shop/web:1.4"]  # the name's tag
    assert core["existing_images"] == "keep" and "force_tag: true moves it" in core["kept_hint"]
    core = translate(name="shop/web", tag="2", source="local", repository="other", force_tag=True)[0]
    assert core["repositories"] == ["other:2"] and core["existing_images"] == "overwrite"
    with pytest.raises(ValueError, match=r"^repository: must be a repository\[:tag\], not an image ID"):
        translate(name="shop/web", source="local", repository=ID_A)
    with pytest.raises(ValueError, match=r"^repository: only used with state=present"):
        translate(name="shop/web", state="absent", repository="x")
    assert "force_tag: has no effect without repository" in translate(name="a", force_tag=True)[1][0]


def test_force_source_and_force_absent():
    core, warnings = translate(name="a", source="pull", force_source=True)
    assert core["force"] is True and core["force_archive"] is False and warnings == []
    core, warnings = translate(name="a", state="absent", force_absent=True)
    assert core["force"] is True and warnings == []
    assert "force_absent: has no effect with state=present" in translate(name="a", force_absent=True)[1][0]
    assert "force_source: has no effect with state=absent" in translate(name="a", state="absent", force_source=True)[1][0]


# --- the core's validation of what compat gives it --------------------------------------------------------
def core_params(**given):
    params = compat.core_defaults()
    params.update(given)
    return params


def test_image_ids_and_digest_references_where_community_docker_takes_them():
    assert validate(core_params(name=ID_A, state="absent")) == "absent"
    assert validate(core_params(name=ID_A, source="local")) == "local"
    with pytest.raises(ValueError, match=r"^name: an image ID names an image only with state=absent or source=local"):
        validate(core_params(name=ID_A, source="pull"))
    digest = "127.0.0.1:5000/web@sha256:" + "c" * 64
    params = core_params(name=digest, source="pull")
    assert validate(params) == "pull" and params["name"] == digest
    with pytest.raises(ValueError, match=r"^name: a digest reference .* is only pulled"):
        validate(core_params(name=digest, source="local"))
    with pytest.raises(ValueError, match=r"^push: an image ID cannot be pushed"):
        validate(core_params(name=ID_A, source="local", push=True))
    with pytest.raises(ValueError, match=r"^name: required"):
        validate(core_params(name=None, source="local"))


def test_repositories_and_archive_names_are_normalised_naming_the_entry():
    params = core_params(name="a", source="local", repositories=["b", "c:1"], archive_names=["a", ID_A])
    validate(params)
    assert params["repositories"] == ["b:latest", "c:1"] and params["archive_names"] == ["a:latest", ID_A]
    with pytest.raises(ValueError, match=r"^repository\[1\]: "):
        validate(core_params(name="a", source="local", repositories=["b", "Bad Name"]))
    with pytest.raises(ValueError, match=r"^names\[1\]: "):
        validate(core_params(name="a", source="local", archive_names=["a", "Bad Name"]))


def test_the_build_environment_keys_belong_to_builds():
    with pytest.raises(ValueError, match=r"^etc_hosts: only used when source=build"):
        validate(core_params(name="a", source="local", etc_hosts={"h": "1.2.3.4"}))
    with pytest.raises(ValueError, match=r"^shm_size: only used when source=build"):
        validate(core_params(name="a", source="local", shm_size=0))


# --- the split modules ---------------------------------------------------------------------------------
def split(function, **given):
    warnings = []
    return function(given, warnings.append), warnings


def test_image_build_maps_its_options_and_refuses_what_it_cannot_apply():
    core = split(compat.build_params, name="web", tag="1", path="/ctx", pull=False, nocache=False,
                 rebuild="never", etc_hosts={"h": "host-gateway"}, shm_size="1M")[0]
    assert core["source"] == "build" and core["name"] == "web:1" and core["rebuild"] == "never"
    assert core["etc_hosts"] == {"h": "host-gateway"} and core["shm_size"] == 1024 * 1024
    assert core["args"] == {} and core["labels"] == {} and core["cache_from"] == []
    for option, value in (("platform", ["linux/arm64"]), ("secrets", [{"id": "x"}]), ("outputs", [{"type": "tar"}])):
        with pytest.raises(ValueError, match=r"^%s: not supported: " % option):
            split(compat.build_params, name="web", path="/ctx", pull=False, nocache=False, rebuild="auto",
                  **{option: value})


def test_image_pull_policies_and_platform():
    assert split(compat.pull_params, name="web", pull="always")[0]["pull_policy"] == "always"
    core = split(compat.pull_params, name="web", tag="2", pull="not_present")[0]
    assert core["pull_policy"] == "missing" and core["source"] == "pull" and core["name"] == "web:2"
    with pytest.raises(ValueError, match=r"^platform: not supported"):
        split(compat.pull_params, name="web", pull="always", platform="linux/amd64")


def test_image_push_tag_export_remove_load(tmp_path):
    core = split(compat.push_params, name="reg:5000/web", tag="3")[0]
    assert core["push"] is True and core["source"] == "local" and core["name"] == "reg:5000/web:3"
    with pytest.raises(ValueError, match=r"^name: give the repository:tag to push"):
        split(compat.push_params, name=ID_A)
    core = split(compat.tag_params, name="web:1.4", repository=["web", "reg/web:x"], existing_images="keep")[0]
    assert core["repositories"] == ["web:1.4", "reg/web:x"] and core["existing_images"] == "keep"
    core = split(compat.export_params, names=["web", ID_A], tag="2", path="/tmp/x.tar", force=True)[0]
    assert core["archive_names"] == ["web:2", ID_A] and core["archive_path"] == "/tmp/x.tar" and core["force_archive"]
    with pytest.raises(ValueError, match=r"^path: required"):
        split(compat.export_params, names=["web"], force=False)
    core = split(compat.remove_params, name="web", tag="1", force=False, prune=False)[0]
    assert core["state"] == "absent" and core["prune"] is False and core["name"] == "web:1"
    with pytest.raises(ValueError, match=r"^path: .* does not exist"):
        split(compat.load_params, path=str(tmp_path / "none.tar"))


def test_returning_keeps_only_the_modules_keys():
    result = dict(image=None, image_before={"Id": ID_A}, deleted=[ID_A], untagged=[], build_digest=None,
                  api_requests=3)
    compat.returning("image", "deleted", "untagged", removed_as_image=True)(result)
    assert result == dict(image={"Id": ID_A}, deleted=[ID_A], untagged=[], api_requests=3)


def test_errors_name_the_modules_own_option():
    assert _renamed("load_path: x does not exist", {"load_path": "path"}) == "path: x does not exist"
    assert _renamed("name: x", {"load_path": "path"}) == "name: x"


def test_nested_secret_maps_are_found():
    assert _nested({"build": {"args": {"A": "1"}}}, "build.args") == {"A": "1"}
    assert _nested({"build": None}, "build.args") is None


# --- the core's steps on a fake engine --------------------------------------------------------------------
class FakeModule:
    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self._diff = False
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


class FakeEngine:
    """Images by name and ID; records writes."""

    def __init__(self, images, digests=None):
        self.images = images  # name or ID -> inspect data
        self.digests = digests or {}
        self.writes = []

    def inspect_image(self, name):
        from ansible_collections.goship.containers.plugins.module_utils.client import NotFound
        if name not in self.images:
            raise NotFound(name)
        return self.images[name]

    def tag(self, image_id, repo, tag, force=False):
        self.writes.append(("tag", image_id, "%s:%s" % (repo, tag)))
        self.images["%s:%s" % (repo, tag)] = self.images[image_id]

    def remove_image(self, name, force=False, noprune=False):
        self.writes.append(("remove", name, force, noprune))
        return [{"Untagged": name}, {"Deleted": self.images[name]["Id"]}]

    def inspect_distribution(self, name):
        return {"Descriptor": {"digest": self.digests[name]}}

    def pull(self, *args, **kwargs):
        self.writes.append(("pull",) + args)
        return iter([])


def run(engine, params, check_mode=False):
    module = FakeModule(check_mode)
    outcome = Outcome(module)
    params = core_params(**params)
    source = validate(params)
    result = ImageTask(params, engine, outcome).run(source)
    return result, outcome, module


def image(image_id, *tags, digests=()):
    return {"Id": image_id, "RepoTags": list(tags), "RepoDigests": list(digests)}


def test_a_repository_pointing_elsewhere_is_kept_with_a_warning_or_moved():
    def engine():
        a, b = image(ID_A, "web:1"), image(ID_B, "other:1")
        return FakeEngine({"web:1": a, ID_A: a, "other:1": b, ID_B: b})
    kept = engine()
    result, outcome, module = run(kept, dict(name="web:1", source="local", repositories=["other:1"],
                                             existing_images="keep", kept_hint="force_tag: true moves it"))
    assert kept.writes == [] and not outcome.changed and result["tagged_images"] == []
    assert module.warnings == ["other:1 points at another image (bbbbbbbbbbbb) and is kept: force_tag: true moves it"]
    moved = engine()
    result, outcome, _module = run(moved, dict(name="web:1", source="local", repositories=["other:1", "new:1"],
                                               existing_images="overwrite"))
    assert moved.writes == [("tag", ID_A, "other:1"), ("tag", ID_A, "new:1")] and outcome.changed
    assert result["tagged_images"] == ["other:1", "new:1"]
    again = run(moved, dict(name="web:1", source="local", repositories=["other:1", "new:1"]))
    assert not again[1].changed and again[0]["tagged_images"] == []


def test_a_repository_in_check_mode_writes_nothing():
    a = image(ID_A, "web:1")
    engine = FakeEngine({"web:1": a, ID_A: a})
    result, outcome, _module = run(engine, dict(name="web:1", source="local", repositories=["new:1"]), check_mode=True)
    assert engine.writes == [] and outcome.changed and result["tagged_images"] == ["new:1"]


def test_removal_returns_the_engines_answer_and_passes_prune():
    a = image(ID_A, "web:1")
    engine = FakeEngine({"web:1": a, ID_A: a})
    result, outcome, _module = run(engine, dict(name="web:1", state="absent", prune=False))
    assert engine.writes == [("remove", "web:1", False, True)]
    assert result["deleted"] == [ID_A] and result["untagged"] == ["web:1"] and result["image_before"] == a
    by_id = FakeEngine({ID_A: a})
    result, outcome, _module = run(by_id, dict(name=ID_A, state="absent", force=True))
    assert by_id.writes == [("remove", ID_A, True, False)] and outcome.changed
    gone = FakeEngine({})
    result, outcome, _module = run(gone, dict(name="web:1", state="absent"))
    assert gone.writes == [] and not outcome.changed and result["deleted"] == [] and result["image_before"] is None


def test_pull_always_in_check_mode_asks_the_registry():
    digest = "sha256:" + "d" * 64
    a = image(ID_A, "reg:5000/web:1", digests=["reg:5000/web@" + digest])
    same = FakeEngine({"reg:5000/web:1": a, ID_A: a}, {"reg:5000/web:1": digest})
    _result, outcome, _module = run(same, dict(name="reg:5000/web:1", source="pull", pull_policy="always"), check_mode=True)
    assert not outcome.changed and same.writes == []
    moved = FakeEngine({"reg:5000/web:1": a, ID_A: a}, {"reg:5000/web:1": "sha256:" + "e" * 64})
    _result, outcome, _module = run(moved, dict(name="reg:5000/web:1", source="pull", pull_policy="always"), check_mode=True)
    assert outcome.changed and moved.writes == []


def test_a_digest_reference_that_is_present_is_not_pulled_again():
    ref = "reg:5000/web@sha256:" + "c" * 64
    a = image(ID_A, digests=[ref])
    engine = FakeEngine({ref: a, ID_A: a})
    result, outcome, _module = run(engine, dict(name=ref, source="pull", pull_policy="always"))
    assert engine.writes == [] and not outcome.changed and result["image_id"] == ID_A
