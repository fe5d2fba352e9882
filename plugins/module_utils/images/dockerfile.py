# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What in a Dockerfile only BuildKit can run, found before any build step does.

The engine's classic builder (what `POST /build` runs without BuildKit) stops at the first
instruction it cannot run, after the steps before it ran (a Go Dockerfile with
`RUN --mount=type=cache,...` failed at step 4 of 8), and silently ignores a `# syntax=` line.
`buildkit_features` reads the file the way the Dockerfile parser does (parser directives, the escape
character, line continuations, comments, heredoc bodies) and names each line that needs BuildKit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Tuple

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$")
_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
KNOWN_DIRECTIVES = ("syntax", "escape", "check")
_FLAG = re.compile(r"^--([a-z-]+)(?:=(\S*))?$")
# Build arguments only BuildKit fills in; the classic builder leaves them empty.
AUTOMATIC_ARGS = ("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
                  "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT")
# Instruction flags the classic builder of Engine 20.10 does not run (flag: what it is).
BUILDKIT_FLAGS = {
    "RUN": {"mount": "RUN --mount (cache, secret, ssh and bind mounts)", "network": "RUN --network",
            "security": "RUN --security"},
    "COPY": {"link": "COPY --link", "chmod": "COPY --chmod", "parents": "COPY --parents",
             "exclude": "COPY --exclude"},
    "ADD": {"link": "ADD --link", "chmod": "ADD --chmod", "checksum": "ADD --checksum",
            "keep-git-dir": "ADD --keep-git-dir", "exclude": "ADD --exclude"},
}


@dataclass(frozen=True)
class Instruction:
    line: int        # 1-based line where the instruction starts
    keyword: str     # upper case: FROM, RUN, ...
    text: str        # the instruction as written, continuation lines joined (first 200 characters)
    flags: Tuple[Tuple[str, str], ...]
    args: str        # after the flags


@dataclass(frozen=True)
class Feature:
    line: int
    what: str        # "RUN --mount (cache, ...)", "a # syntax= directive", ...
    text: str        # the line as written

    def describe(self) -> str:
        return "line %d: %s (%s)" % (self.line, self.what, self.text)


def _directives(lines: List[str]) -> Tuple[dict, int]:
    """Parser directives at the top of the file ({name: (value, line)}) and the index after them."""
    found: dict = {}
    index = 0
    while index < len(lines):
        matched = _DIRECTIVE.match(lines[index].strip())
        # an unknown directive is a comment, and the first comment ends the directives
        if not matched or matched.group(1).lower() not in KNOWN_DIRECTIVES or matched.group(1).lower() in found:
            break
        found[matched.group(1).lower()] = (matched.group(2), index + 1)
        index += 1
    return found, index


def parse(content: str) -> Tuple[dict, List[Instruction]]:
    """(parser directives, instructions) of a Dockerfile."""
    lines = content.splitlines()
    directives, index = _directives(lines)
    escape = (directives.get("escape") or ("\\", 0))[0] or "\\"
    instructions: List[Instruction] = []
    while index < len(lines):
        start = index
        raw = lines[index]
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = [stripped]
        while parts[-1].endswith(escape) and index < len(lines):
            parts[-1] = parts[-1][:-1].rstrip()
            following = lines[index].strip()
            index += 1
            # comment and empty lines inside a continuation are dropped; the continuation goes on
            while (not following or following.startswith("#")) and index < len(lines):
                following = lines[index].strip()
                index += 1
            if following.startswith("#"):
                break
            parts.append(following)
        text = " ".join(part for part in parts if part)
        keyword, _space, rest = text.partition(" ")
        keyword = keyword.upper()
        flags, args = _split_flags(rest.strip())
        instructions.append(Instruction(start + 1, keyword, text[:200], flags, args))
        if keyword in ("RUN", "COPY", "ADD"):
            index = _skip_heredoc_bodies(args, lines, index)
    return directives, instructions


def _split_flags(rest: str) -> Tuple[Tuple[Tuple[str, str], ...], str]:
    flags = []
    words = rest.split(" ")
    while words and words[0].startswith("--"):
        matched = _FLAG.match(words[0])
        if not matched:
            break
        flags.append((matched.group(1), matched.group(2) or ""))
        words.pop(0)
    return tuple(flags), " ".join(words).strip()


def _heredocs(args: str) -> List[str]:
    """Heredoc markers of an instruction (`<<EOF`, `<<-"EOF"`), not bash here-strings (`<<<`)."""
    markers = []
    for matched in _HEREDOC.finditer(args):
        if args[matched.start():matched.start() + 3] == "<<<" or (matched.start() > 0 and args[matched.start() - 1] == "<"):
            continue
        markers.append(matched.group(3))
    return markers


def _skip_heredoc_bodies(args: str, lines: List[str], index: int) -> int:
    for marker in _heredocs(args):
        while index < len(lines) and lines[index].strip() != marker:
            index += 1
        index += 1
    return index


def buildkit_features(content: str) -> List[Feature]:
    """Every line of the Dockerfile that only BuildKit runs, in file order."""
    directives, instructions = parse(content)
    lines = content.splitlines()
    found: List[Feature] = []
    if "syntax" in directives:
        value, line = directives["syntax"]
        found.append(Feature(line, "a # syntax= directive (the BuildKit frontend %s)" % value, lines[line - 1].strip()))
    for item in instructions:
        for flag, value in item.flags:
            what = BUILDKIT_FLAGS.get(item.keyword, {}).get(flag)
            if what:
                found.append(Feature(item.line, what, item.text))
            elif item.keyword == "FROM" and flag == "platform" and "$" in value:
                found.append(Feature(item.line, "FROM --platform with %s (set only by BuildKit)" % value, item.text))
        if item.keyword in ("RUN", "COPY", "ADD") and _heredocs(item.args):
            found.append(Feature(item.line, "a heredoc (<<%s)" % _heredocs(item.args)[0], item.text))
        if item.keyword == "ARG":
            for word in item.args.split():
                name = word.split("=", 1)[0]
                if name in AUTOMATIC_ARGS and "=" not in word:
                    found.append(Feature(item.line, "ARG %s without a default (filled in only by BuildKit;"
                                         " the classic builder leaves it empty)" % name, item.text))
    unique = dict(((feature.line, feature.what), feature) for feature in found)  # two --mount flags: one line
    return sorted(unique.values(), key=lambda feature: feature.line)
