from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.errors import GoshipError, OptionError, PlanError


@pytest.mark.parametrize("cls", [OptionError, PlanError, ComposeError])
def test_message_starts_with_the_path(cls):
    error = cls("services.web.ports[1]", "published port 70000 is out of range")
    assert str(error) == "services.web.ports[1]: published port 70000 is out of range"
    assert error.path == "services.web.ports[1]"
    assert error.problem == "published port 70000 is out of range"
    assert isinstance(error, GoshipError) and isinstance(error, ValueError)


def test_no_path_means_just_the_problem():
    assert str(PlanError("", "the node's swarm is locked")) == "the node's swarm is locked"


def test_compose_errors_are_option_errors():
    with pytest.raises(OptionError):
        raise ComposeError("services.web", "image or build is required")
