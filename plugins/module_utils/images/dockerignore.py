# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`.dockerignore` with the Docker CLI's semantics, so the digest sees exactly the files the engine gets.

Behaviour reproduced (moby/patternmatcher as used by the CLI's context archiver):
- Reading: a UTF-8 BOM on the first line is dropped; lines *starting* with ``#`` are comments;
  surrounding whitespace is trimmed; ``!`` marks an exception; patterns are path-cleaned and a
  leading ``/`` is dropped.
- Matching: ``*`` and ``?`` never cross ``/``; ``**`` matches any number of path elements;
  ``[...]`` classes and ``\\`` escapes as in Go's filepath.Match; a pattern that matches a directory
  excludes everything below it. The last matching pattern wins.
- Walking: an excluded directory is not descended into unless an exception pattern starts with it;
  parent results are reused the way the CLI does (MatchesUsingParentResults).
"""

from __future__ import annotations

import posixpath
import re
from typing import List, Optional, Sequence, Tuple

_EXACT, _PREFIX, _SUFFIX, _REGEXP = range(4)
_REGEX_SPECIALS = set(".+()|{}$")


class DockerIgnoreError(ValueError):
    """A pattern Docker would refuse (the CLI fails the build with the same kind of message)."""


def go_clean(path: str) -> str:
    """Go's filepath.Clean for slash paths (posixpath.normpath keeps a leading '//')."""
    if path == "":
        return "."
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def read_patterns(text: str) -> List[str]:
    """The patterns of a .dockerignore file's text, normalised as the CLI does."""
    patterns: List[str] = []
    for number, line in enumerate(text.split("\n")):
        if number == 0 and line.startswith("\ufeff"):
            line = line[1:]
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = go_clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        patterns.append("!" + line if invert else line)
    return patterns


def _check_go_match_syntax(pattern: str) -> None:
    """Reject what Go's filepath.Match reports as ErrBadPattern: open classes, empty classes, a
    trailing escape, or a bad range."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise DockerIgnoreError("syntax error in pattern %r: trailing backslash" % pattern)
            i += 2
            continue
        if ch == "[":
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            items = 0
            while True:
                if i >= n:
                    raise DockerIgnoreError("syntax error in pattern %r: unclosed '['" % pattern)
                if pattern[i] == "]" and items > 0:
                    i += 1
                    break
                low, i = _class_char(pattern, i)
                if i < n and pattern[i] == "-":
                    high, i = _class_char(pattern, i + 1)
                    if high < low:
                        raise DockerIgnoreError("syntax error in pattern %r: bad range" % pattern)
                items += 1
            continue
        i += 1


def _class_char(pattern: str, i: int) -> Tuple[str, int]:
    n = len(pattern)
    if i >= n or pattern[i] in "-]":
        raise DockerIgnoreError("syntax error in pattern %r: bad character class" % pattern)
    if pattern[i] == "\\":
        if i + 1 >= n:
            raise DockerIgnoreError("syntax error in pattern %r: trailing backslash" % pattern)
        return pattern[i + 1], i + 2
    return pattern[i], i + 1


class Pattern:
    """One cleaned pattern, compiled the way patternmatcher compiles it."""

    def __init__(self, text: str, exclusion: bool) -> None:
        self.text = text
        self.exclusion = exclusion
        self.kind, self.regexp = self._compile(text)

    @staticmethod
    def _compile(pattern: str) -> Tuple[int, Optional["re.Pattern[str]"]]:
        regex = "^"
        kind = _EXACT
        i, n = 0, len(pattern)
        position = 0
        while i < n:
            ch = pattern[i]
            i += 1
            if ch == "*":
                if i < n and pattern[i] == "*":
                    i += 1
                    if i < n and pattern[i] == "/":  # '**/' behaves as '**'
                        i += 1
                    if i >= n:
                        if kind == _EXACT:
                            kind = _PREFIX
                        else:
                            regex += ".*"
                            kind = _REGEXP
                    else:
                        regex += "(.*/)?"
                        kind = _REGEXP
                    if position == 0:
                        kind = _SUFFIX
                else:
                    regex += "[^/]*"
                    kind = _REGEXP
            elif ch == "?":
                regex += "[^/]"
                kind = _REGEXP
            elif ch in _REGEX_SPECIALS:
                regex += "\\" + ch
            elif ch == "\\":
                if i < n:
                    regex += "\\" + pattern[i]
                    i += 1
                    kind = _REGEXP
                else:
                    regex += "\\\\"
            elif ch in "[]":
                regex += ch
                kind = _REGEXP
            else:
                regex += ch
            position += 1
        if kind != _REGEXP:
            return kind, None
        try:
            return kind, re.compile(regex + "$")
        except re.error as exc:
            raise DockerIgnoreError("syntax error in pattern %r: %s" % (pattern, exc))

    def match(self, path: str) -> bool:
        if self.kind == _EXACT:
            return path == self.text
        if self.kind == _PREFIX:
            return path.startswith(self.text[:-2])
        if self.kind == _SUFFIX:
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]
        return self.regexp is not None and self.regexp.match(path) is not None


class PatternMatcher:
    """An ordered list of patterns; later patterns override earlier ones."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns: List[Pattern] = []
        for raw in patterns:
            text = raw.strip()
            if not text:
                continue
            text = go_clean(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise DockerIgnoreError('illegal exclusion pattern: "!"')
                text = text[1:]
            _check_go_match_syntax(text)
            self.patterns.append(Pattern(text, exclusion))
        self.has_exclusions = any(p.exclusion for p in self.patterns)

    def matches(self, path: str, parent_results: Optional[List[bool]] = None) -> Tuple[bool, List[bool]]:
        """Whether `path` (slash-separated, relative) is excluded, and the per-pattern results its
        children reuse. Without parent results, the parent directories are tried one by one."""
        matched = False
        results = [False] * len(self.patterns)
        parent_dirs: Optional[List[str]] = None
        for index, pattern in enumerate(self.patterns):
            hit = bool(parent_results[index]) if parent_results else False
            if not hit:
                if pattern.exclusion != matched:
                    continue
                hit = pattern.match(path)
                if not hit and not parent_results:
                    if parent_dirs is None:
                        parent = posixpath.dirname(path)
                        parent_dirs = parent.split("/") if parent else []
                    for depth in range(1, len(parent_dirs) + 1):
                        if pattern.match("/".join(parent_dirs[:depth])):
                            hit = True
                            break
            results[index] = hit
            if hit:
                matched = not pattern.exclusion
        return matched, results

    def must_descend(self, directory: str) -> bool:
        """An excluded directory is still walked when an exception pattern starts inside it."""
        if not self.has_exclusions:
            return False
        prefix = directory + "/"
        return any(p.exclusion and (p.text + "/").startswith(prefix) for p in self.patterns)

    def is_excluded(self, path: str) -> bool:
        """Stand-alone check of one path (parents tried one by one), as MatchesOrParentMatches."""
        path = go_clean(path)
        if path == ".":
            return False
        return self.matches(path)[0]
