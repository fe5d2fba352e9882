"""compose `pull: always`: which services' images are pulled before observing, and which pulls count as a change."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.client import NotFound
from ansible_collections.goship.containers.plugins.module_utils.compose.plan.desired import DesiredProject, DesiredService
from ansible_collections.goship.containers.plugins.module_utils.errors import PlanError
from ansible_collections.goship.containers.plugins.module_utils.compose.run import ComposeRequest, pull_always

REG = "127.0.0.1:5056/gs/"


class Engine:
    """Images by reference; a pull moves the reference to what the registry holds (or fails)."""

    def __init__(self, local, registry, broken=()):
        self.local, self.registry, self.broken, self.pulled = dict(local), dict(registry), set(broken), []

    def inspect_image(self, reference):
        if reference not in self.local:
            raise NotFound("no such image")
        return {"Id": self.local[reference]}

    def pull(self, repo, tag=None, stream=False, decode=False):
        reference = "%s:%s" % (repo, tag)
        self.pulled.append(reference)
        if reference in self.broken:
            return iter([{"error": "x", "errorDetail": {"message": "manifest unknown"}}])
        self.local[reference] = self.registry[reference]
        return iter([{"status": "done"}])


def desired(*services):
    return DesiredProject(name="p", services={s.name: s for s in services})


def svc(name, image, **kw):
    return DesiredService(name=name, image=image, replicas=1, config_hash="h", settings="s", **kw)


def run(engine, project, pull="missing"):
    recorded = []
    pull_always(engine, project, list(project.services), ComposeRequest(pull=pull), recorded.append)
    return recorded


def test_unchanged_image_is_pulled_but_no_change():
    engine = Engine({REG + "a:1": "sha256:a"}, {REG + "a:1": "sha256:a"})
    assert run(engine, desired(svc("a", REG + "a:1")), pull="always") == []
    assert engine.pulled == [REG + "a:1"]


def test_moved_and_absent_images_are_recorded_once_per_image():
    engine = Engine({REG + "a:1": "sha256:old"}, {REG + "a:1": "sha256:new", REG + "b:1": "sha256:b"})
    project = desired(svc("a", REG + "a:1"), svc("a2", REG + "a:1"), svc("b", REG + "b:1"))
    assert run(engine, project, pull="always") == [
        "pull %sa:1 (pull: always, new image)" % REG, "pull %sb:1 (pull: always, not present)" % REG]
    assert engine.pulled == [REG + "a:1", REG + "b:1"]


def test_only_services_whose_policy_is_always_and_not_built_here():
    engine = Engine({}, {REG + "a:1": "sha256:a", REG + "b:1": "sha256:b", REG + "c:1": "sha256:c"})
    project = desired(svc("a", REG + "a:1", pull_policy="always"), svc("b", REG + "b:1"),
                      svc("c", REG + "c:1", pull_policy="always", build_digest="sha256:d"))
    assert run(engine, project) == ["pull %sa:1 (pull: always, not present)" % REG]
    assert engine.pulled == [REG + "a:1"]


def test_a_failed_pull_names_the_service():
    engine = Engine({}, {}, broken=[REG + "a:1"])
    with pytest.raises(PlanError, match=r"^services\.a\.image: pulling .*manifest unknown; nothing was changed$"):
        run(engine, desired(svc("a", REG + "a:1")), pull="always")
