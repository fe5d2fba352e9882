"""BuildKit-only Dockerfile syntax found before a build, the builder choice and the buildx command."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images import buildx
from ansible_collections.goship.containers.plugins.module_utils.images.buildx import (
    BuildKitRequired, buildx_argv, cli_connection, select_builder,
)
from ansible_collections.goship.containers.plugins.module_utils.images.context import BuildContext
from ansible_collections.goship.containers.plugins.module_utils.images.dockerfile import buildkit_features, parse

GO_DOCKERFILE = """# syntax=docker/dockerfile:1.6
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod ./
RUN --mount=type=cache,target=/root/.cache/go-build \\
    --mount=type=cache,target=/go/pkg/mod \\
    go build -o /app .
FROM scratch
COPY --from=build --chmod=0755 /app /app
ENTRYPOINT ["/app"]
"""


def lines(content):
    return [(f.line, f.what.split(" (")[0]) for f in buildkit_features(content)]


def test_a_go_dockerfile_names_each_line():
    assert lines(GO_DOCKERFILE) == [(1, "a # syntax= directive"), (5, "RUN --mount"), (9, "COPY --chmod")]


def test_classic_dockerfiles_have_nothing():
    content = "FROM busybox\nARG FLAVOUR=plain\nCOPY --chown=1:1 . /ctx\nRUN echo $FLAVOUR > /f && cat <<< x\nCMD [\"cat\"]\n"
    assert buildkit_features(content) == []
    assert buildkit_features("# just a comment\n# syntax=docker/dockerfile:1\nFROM scratch\n") == []  # not a directive after a comment


def test_heredocs_and_their_bodies():
    content = "FROM busybox\nRUN <<EOF\nset -e\nRUN --mount=x\nEOF\nCOPY <<-\"END\" /etc/conf\na=1\nEND\nCMD [\"sh\"]\n"
    assert lines(content) == [(2, "a heredoc"), (6, "a heredoc")]
    _directives, instructions = parse(content)
    assert [i.keyword for i in instructions] == ["FROM", "RUN", "COPY", "CMD"]  # bodies are not instructions


def test_platform_args_link_and_escape_directive():
    content = ("# escape=`\nFROM --platform=$BUILDPLATFORM golang AS b\nARG TARGETOS TARGETARCH=amd64\n"
               "RUN echo `\n  ok\nCOPY --link a /a\nFROM --platform=linux/amd64 busybox\n")
    assert lines(content) == [(2, "FROM --platform with $BUILDPLATFORM"), (3, "ARG TARGETOS without a default"),
                              (6, "COPY --link")]
    _d, instructions = parse(content)
    assert instructions[2].text == "RUN echo ok"


def test_continuations_skip_comments_and_keep_line_numbers():
    content = "FROM a\n\nRUN echo one \\\n# a comment\n    two \\\n\n    --mount=not-a-flag-here\nRUN --network=none true\n"
    assert lines(content) == [(8, "RUN --network")]


def context_with(tmp_path, content):
    (tmp_path / "Dockerfile").write_text(content)
    return BuildContext(str(tmp_path))


def probe(answer):
    calls = []

    def runner(argv, env):
        calls.append(argv)
        return (0, "github.com/docker/buildx v0.12.1\n", "") if answer else (1, "", "docker: 'buildx' is not a docker command.")
    return runner, calls


def test_without_buildx_the_error_names_lines_and_ways_out(tmp_path, monkeypatch):
    monkeypatch.setattr(buildx, "_probed", {})
    runner, _calls = probe(False)
    with pytest.raises(BuildKitRequired) as caught:
        select_builder(context_with(tmp_path, GO_DOCKERFILE), "auto", "/usr/bin/docker", runner)
    message = str(caught.value)
    assert message.startswith("dockerfile: ")
    assert "line 1: a # syntax= directive" in message and "line 5: RUN --mount" in message
    assert "has no buildx plugin" in message and "Nothing was built" in message
    assert "install the docker buildx plugin" in message and "registry" in message
    with pytest.raises(BuildKitRequired, match="no docker CLI"):
        select_builder(context_with(tmp_path, GO_DOCKERFILE), "auto", "", runner)


def test_builder_choice(tmp_path, monkeypatch):
    monkeypatch.setattr(buildx, "_probed", {})
    runner, calls = probe(True)
    assert select_builder(context_with(tmp_path, GO_DOCKERFILE), "auto", "/x/docker", runner) == "buildx"
    assert select_builder(context_with(tmp_path, GO_DOCKERFILE), "buildx", "/x/docker", runner) == "buildx"
    assert calls == [["/x/docker", "buildx", "version"]]  # asked once per process
    assert select_builder(context_with(tmp_path, "FROM a\n"), "auto", "/x/docker", runner) == "classic"
    with pytest.raises(BuildKitRequired, match="builder=classic"):
        select_builder(context_with(tmp_path, GO_DOCKERFILE), "classic", "/x/docker", runner)
    none_runner, _none_calls = probe(False)
    with pytest.raises(BuildKitRequired, match="^dockerfile: builder=buildx, but"):
        select_builder(context_with(tmp_path, "FROM a\n"), "buildx", "/y/docker", none_runner)


class FakeClient:
    def __init__(self, base_url, socket_path=None, verify=None, cert=None):
        self.base_url = base_url
        self.verify = verify
        self.cert = cert
        if socket_path:
            self._custom_adapter = type("Adapter", (), {"socket_path": socket_path})()


def test_cli_connection_reaches_the_same_engine():
    assert cli_connection(FakeClient("http+docker://localhost", "/run/docker.sock")) == ["--host", "unix:///run/docker.sock"]
    assert cli_connection(FakeClient("http://10.0.0.1:2375")) == ["--host", "tcp://10.0.0.1:2375"]
    assert cli_connection(FakeClient("https://h:2376", verify="/ca.pem", cert=("/c.pem", "/k.pem"))) == [
        "--host", "tcp://h:2376", "--tls", "--tlsverify", "--tlscacert", "/ca.pem", "--tlscert", "/c.pem", "--tlskey", "/k.pem"]
    with pytest.raises(ValueError):
        cli_connection(FakeClient("http+docker://ssh"))


def test_buildx_argv(tmp_path):
    context = context_with(tmp_path, GO_DOCKERFILE)
    argv = buildx_argv("docker", ["--host", "unix:///s"], context, {"B": "2", "A": "1"}, "build", {"team": "x"},
                       "host", True, ["cache:1"], True, "/tmp/iid")
    assert argv[:9] == ["docker", "--host", "unix:///s", "buildx", "build", "--progress", "plain", "--load", "--iidfile"]
    assert "--tag" not in argv  # the module tags after comparing the result
    assert argv[argv.index("--file") + 1] == context.dockerfile_source
    assert argv[argv.index("--build-arg") + 1] == "A=1"
    assert argv[-2:] == ["--", context.root]
    for flag in ("--pull", "--no-cache", "--target", "--network", "--cache-from", "--label"):
        assert flag in argv
