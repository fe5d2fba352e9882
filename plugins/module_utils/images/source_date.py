# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When a Go image was made, taken from its sources so that the same sources give the same image ID:

1. SOURCE_DATE_EPOCH (reproducible-builds.org), from `build_env` or the module's environment;
2. else, when the sources are in a git work tree and none of the files that go into the image is
   changed or untracked, the time of the newest commit that touched the source directory;
3. else the newest modification time of those files.

A fixed 1970 date told users nothing (`docker images` said "56 years ago"); each of these is stable
for unchanged sources, and 1 and 2 are the same on every machine.
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Callable, Dict, List, Optional, Tuple

Runner = Callable[[List[str], Optional[str], Dict[str, str]], Tuple[int, str, str]]


def rfc3339(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def source_date_epoch(build_env: Dict[str, str]) -> Optional[str]:
    """The SOURCE_DATE_EPOCH given (build_env first), or None."""
    value = build_env.get("SOURCE_DATE_EPOCH")
    if value is None:
        value = os.environ.get("SOURCE_DATE_EPOCH")
    return None if value is None or str(value).strip() == "" else str(value).strip()


def git_commit_time(root: str, files: List[str], runner: Runner) -> Optional[Tuple[int, str]]:
    """(commit time, short hash) of the newest commit touching `root`, when the files are committed as
    they are; None when git is missing, `root` is not in a work tree, or a file is changed or untracked."""
    if not shutil.which("git"):
        return None
    rc, prefix, _err = runner(["git", "-C", root, "rev-parse", "--show-prefix"], None, {})
    if rc != 0:
        return None
    prefix = prefix.strip()
    wanted = {prefix + os.path.relpath(path, root).replace(os.sep, "/") for path in files}
    rc, status, _err = runner(["git", "-C", root, "status", "--porcelain", "-z", "--untracked-files=all",
                               "--no-renames", "--", "."], None, {})
    if rc != 0:
        return None
    for entry in status.split("\0"):
        if len(entry) > 3 and entry[3:] in wanted:
            return None  # the image is built from something no commit holds
    rc, out, _err = runner(["git", "-C", root, "log", "-1", "--format=%ct %h", "--", "."], None, {})
    parts = out.split()
    if rc != 0 or len(parts) != 2 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1]


def image_created(root: str, files: List[str], build_env: Dict[str, str], runner: Runner) -> Tuple[int, str]:
    """(Unix time, where it came from) for the image config's `created`. Raises ValueError naming
    SOURCE_DATE_EPOCH when it is not a non-negative integer."""
    given = source_date_epoch(build_env)
    if given is not None:
        if not given.isdigit():
            raise ValueError("build_env.SOURCE_DATE_EPOCH: %r is not a Unix time (whole seconds)" % given)
        return int(given), "SOURCE_DATE_EPOCH"
    committed = git_commit_time(root, files, runner)
    if committed is not None:
        return committed[0], "git commit %s" % committed[1]
    newest = max((int(os.stat(path).st_mtime) for path in files), default=0)
    return newest, "the newest source file's modification time"
