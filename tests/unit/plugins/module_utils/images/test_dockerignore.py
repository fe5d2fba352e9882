""".dockerignore reading and matching with the Docker CLI's rules (moby/patternmatcher)."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.images.dockerignore import (
    DockerIgnoreError, PatternMatcher, go_clean, read_patterns,
)


def test_read_patterns_normalises_like_the_cli():
    text = "\ufeff# comment\n\n  *.log  \n/build\n!  keep.log\n./src/../lib\n # not a comment\n//abs\n"
    assert read_patterns(text) == ["*.log", "build", "!keep.log", "lib", "# not a comment", "abs"]


def test_go_clean():
    assert go_clean("a//b/./c/..") == "a/b"
    assert go_clean("//x") == "/x"
    assert go_clean("") == "."


@pytest.mark.parametrize("patterns, path, excluded", [
    (["*.go"], "main.go", True),
    (["*.go"], "dir/main.go", False),            # '*' does not cross '/'
    (["**/*.go"], "dir/sub/main.go", True),
    (["**/*.go"], "main.go", True),              # '**/' also matches zero directories
    (["dir"], "dir/deep/file", True),            # a matching parent excludes its children
    (["dir/**"], "dir", False),
    (["dir/**"], "dir/x", True),
    (["a?c"], "abc", True),
    (["a?c"], "a/c", False),                     # '?' does not match '/'
    (["[a-c]x"], "bx", True),
    (["[^a-c]x"], "bx", False),
    (["\\*x"], "*x", True),                      # escaped '*'
    (["\\*x"], "ax", False),
    (["file.txt"], "fileatxt", False),           # '.' is literal
    (["*.log", "!keep.log"], "keep.log", False),
    (["*.log", "!keep.log", "keep*"], "keep.log", True),   # the last match wins
    (["docs", "!docs/api"], "docs/api/ref.md", False),
    (["docs", "!docs/api"], "docs/readme.md", True),
    (["**"], "anything/at/all", True),
    (["**/vendor"], "src/vendor/x.go", True),
    (["a/**/b"], "a/b", True),
    (["a/**/b"], "a/x/y/b", True),
    (["a/**/b"], "a/x/y/c", False),
])
def test_matches(patterns, path, excluded):
    assert PatternMatcher(patterns).is_excluded(path) is excluded


def test_root_is_never_excluded():
    assert PatternMatcher(["*"]).is_excluded(".") is False


def test_parent_results_are_reused_like_the_walker():
    matcher = PatternMatcher(["docs", "!docs/api"])
    excluded, results = matcher.matches("docs")
    assert excluded and matcher.must_descend("docs")
    assert matcher.matches("docs/api", results)[0] is False
    assert matcher.matches("docs/other", results)[0] is True


def test_must_descend_only_for_exceptions_inside():
    matcher = PatternMatcher(["build", "!build/out/keep.txt", "!other"])
    assert matcher.must_descend("build")
    assert not matcher.must_descend("nothing")
    assert not PatternMatcher(["build"]).must_descend("build")


@pytest.mark.parametrize("pattern", ["!", "[abc", "abc\\", "[]"])
def test_bad_patterns_are_refused(pattern):
    with pytest.raises(DockerIgnoreError):
        PatternMatcher([pattern])
