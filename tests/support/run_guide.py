# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a Markdown guide the way a reader follows it, so that the guide is the test.

    run_guide.py GUIDE.md --workdir DIR [--state DIR] [--continue] [--until NAME] [--list]

Only the fenced blocks after a marker comment (invisible when the page is rendered) are acted on,
in the order of the page:

    <!-- guide: run -->                 run the block's shell commands
    <!-- guide: run expect="REGEX" -->  ... and fail unless their output matches REGEX (Python re)
    <!-- guide: run timeout=600 -->     ... and give them at most that many seconds (default 900)
    <!-- guide: file PATH -->           write the block's text to PATH (relative to the current directory)
    <!-- guide: milestone NAME -->      print the time elapsed since the first step (or --since), as `[guide] milestone NAME: N s`

Blocks run in bash (-e -o pipefail) one after the other, like commands typed into one terminal:
the working directory and the exported environment (a `cd`, an activated virtualenv) carry over
from one block to the next, kept in --state between blocks. The first block starts in --workdir.
A failing block stops the run; its exit code and line in the guide are printed.
`--until NAME` stops after that milestone, and `--continue` goes on in the session a previous run
left in --state (its directory and environment), so one guide can be the first part of another's
run; `--list` prints the steps without running anything.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

MARKER = re.compile(r"^<!--\s*guide:\s*(run|file|milestone)\b(.*?)-->\s*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")
DEFAULT_TIMEOUT = 900


@dataclass(frozen=True)
class Step:
    kind: str          # run | file | milestone
    line: int          # line of the marker in the guide
    arg: str = ""      # file: the path; milestone: the name
    text: str = ""     # the block's content
    expect: Optional[str] = None
    timeout: int = DEFAULT_TIMEOUT


class GuideError(Exception):
    pass


def _options(raw: str, line: int) -> dict:
    try:
        words = shlex.split(raw)
    except ValueError as exc:
        raise GuideError("line %d: marker options: %s" % (line, exc)) from exc
    options = {"_args": []}
    for word in words:
        key, sep, value = word.partition("=")
        if sep:
            options[key] = value
        else:
            options["_args"].append(word)
    return options


def parse(text: str) -> List[Step]:
    """The guide's steps. Raises GuideError for a marker without its block or with unknown options."""
    lines = text.splitlines()
    steps: List[Step] = []
    i = 0
    while i < len(lines):
        match = MARKER.match(lines[i].strip())
        if not match:
            i += 1
            continue
        kind, line = match.group(1), i + 1
        options = _options(match.group(2), line)
        args = options.pop("_args")
        if kind == "milestone":
            if len(args) != 1 or options:
                raise GuideError("line %d: milestone takes one name" % line)
            steps.append(Step("milestone", line, arg=args[0]))
            i += 1
            continue
        # the block: the next fence, with only blank lines between
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE.match(lines[j].strip()) if j < len(lines) else None
        if not fence:
            raise GuideError("line %d: a %s marker must be followed by a fenced block" % (line, kind))
        indent = len(lines[j]) - len(lines[j].lstrip())
        end = j + 1
        while end < len(lines) and not lines[end].strip().startswith(fence.group(1)):
            end += 1
        if end == len(lines):
            raise GuideError("line %d: the block is not closed" % (j + 1))
        body = "\n".join(l[indent:] if l[:indent].strip() == "" else l for l in lines[j + 1:end]) + "\n"
        if kind == "file":
            if len(args) != 1 or options:
                raise GuideError("line %d: file takes one path" % line)
            steps.append(Step("file", line, arg=args[0], text=body))
        else:
            unknown = set(options) - {"expect", "timeout"}
            if args or unknown:
                raise GuideError("line %d: run takes expect= and timeout=, not %s" % (line, sorted(unknown) or args))
            expect = options.get("expect")
            if expect is not None:
                re.compile(expect)
            steps.append(Step("run", line, text=body, expect=expect,
                              timeout=int(options.get("timeout", DEFAULT_TIMEOUT))))
        i = end + 1
    return steps


def _summary(step: Step) -> str:
    if step.kind == "file":
        return "write %s" % step.arg
    if step.kind == "milestone":
        return "milestone %s" % step.arg
    first = next((l for l in step.text.splitlines() if l.strip() and not l.lstrip().startswith("#")), "")
    return "run: %s" % first.strip()


class Session:
    """One terminal: the directory and the exported environment carry over between blocks."""

    def __init__(self, workdir: Path, state: Path, resume: bool = False) -> None:
        self.state = state
        state.mkdir(parents=True, exist_ok=True)
        self.env_file = state / "env.sh"
        self.cwd_file = state / "cwd"
        if resume and self.env_file.is_file() and self.cwd_file.is_file():
            return
        self.env_file.write_text("", encoding="utf-8")
        self.cwd_file.write_text(str(workdir), encoding="utf-8")

    @property
    def cwd(self) -> Path:
        return Path(self.cwd_file.read_text(encoding="utf-8").strip())

    def write(self, step: Step) -> None:
        path = self.cwd / step.arg
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(step.text, encoding="utf-8")

    def run(self, step: Step, guide: str) -> None:
        block = self.state / ("block-%d.sh" % step.line)
        block.write_text(step.text, encoding="utf-8")
        # The block runs in a fresh bash that first takes the previous block's directory and
        # exported variables, and afterwards leaves its own for the next block.
        wrapper = (
            'source %(env)s\ncd "$(cat %(cwd)s)"\nset -eo pipefail\nsource %(block)s\nset +e\n'
            'export -p > %(env)s.new && mv %(env)s.new %(env)s\npwd > %(cwd)s\n'
        ) % {"env": shlex.quote(str(self.env_file)), "cwd": shlex.quote(str(self.cwd_file)),
             "block": shlex.quote(str(block))}
        output: List[str] = []
        proc = subprocess.Popen(["bash", "-c", wrapper], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace", start_new_session=True)
        expired = threading.Event()

        def stop() -> None:  # the whole process group: the block's commands and their children
            expired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(step.timeout, stop)
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:  # streamed: a reader of the CI log sees progress
                sys.stdout.write("    " + line)
                sys.stdout.flush()
                output.append(line)
            rc = proc.wait()
        finally:
            timer.cancel()
        if expired.is_set():
            raise GuideError("%s:%d: the block ran longer than %d s" % (guide, step.line, step.timeout))
        if rc != 0:
            raise GuideError("%s:%d: the block failed (exit %d)" % (guide, step.line, rc))
        if step.expect and not re.search(step.expect, "".join(output), re.M):
            raise GuideError("%s:%d: the output does not match %r" % (guide, step.line, step.expect))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("guide")
    parser.add_argument("--workdir", help="directory the first block starts in")
    parser.add_argument("--state", help="where the session is kept between blocks (default: WORKDIR/../.guide-state)")
    parser.add_argument("--continue", dest="resume", action="store_true",
                        help="go on in the session left in --state (directory and environment)")
    parser.add_argument("--until", help="stop after this milestone")
    parser.add_argument("--since", type=float,
                        help="measure milestones from this UNIX time (default: this run's start)")
    parser.add_argument("--list", action="store_true", help="print the steps, run nothing")
    args = parser.parse_args()
    name = os.path.relpath(args.guide)
    try:
        steps = parse(Path(args.guide).read_text(encoding="utf-8"))
    except GuideError as exc:
        print("[guide] %s: %s" % (name, exc), file=sys.stderr)
        return 2
    if args.until and not any(s.kind == "milestone" and s.arg == args.until for s in steps):
        print("[guide] %s has no milestone %s" % (name, args.until), file=sys.stderr)
        return 2
    if args.list:
        for step in steps:
            print("%s:%d %s" % (name, step.line, _summary(step)))
        return 0
    if not args.workdir:
        parser.error("--workdir is required unless --list")
    workdir = Path(args.workdir).resolve()
    session = Session(workdir, Path(args.state).resolve() if args.state else workdir.parent / ".guide-state",
                      resume=args.resume)
    clock_offset = time.time() - args.since if args.since else 0.0
    start = time.monotonic() - clock_offset
    for number, step in enumerate(steps, 1):
        began = time.monotonic()
        print("[guide] %s:%d step %d/%d: %s" % (name, step.line, number, len(steps), _summary(step)), flush=True)
        try:
            if step.kind == "file":
                session.write(step)
            elif step.kind == "run":
                session.run(step, name)
            else:
                print("[guide] milestone %s: %d s" % (step.arg, round(time.monotonic() - start)), flush=True)
                if step.arg == args.until:
                    return 0
                continue
        except GuideError as exc:
            print("[guide] FAIL %s" % exc, file=sys.stderr, flush=True)
            return 1
        if step.kind == "run":
            print("[guide]   done in %.1f s" % (time.monotonic() - began), flush=True)
    print("[guide] %s: %d steps passed in %d s" % (name, len(steps), round(time.monotonic() - start - clock_offset)),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
