# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The build context: which files the engine gets (after .dockerignore), their digest, their tar.

`BuildContextDigest` is computed from exactly the entries `write_context_tar` sends, so a file that
.dockerignore excludes can never change the digest, and a file that is sent always can.
Each entry contributes its relative path, type, permission bits, and content hash (files) or link
target (symlinks). Owners and mtimes are left out: the classic builder's cache ignores them too.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, Dict, List, Optional, Tuple

from ansible_collections.goship.containers.plugins.module_utils.images.dockerignore import (
    DockerIgnoreError,
    PatternMatcher,
    read_patterns,
)

DIGEST_SCHEME = "goship-context-v1"
_SMALL_FILE = 1 << 20


class ContextError(ValueError):
    """The context or Dockerfile cannot be used; `option` names the module option at fault."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__("%s: %s" % (option, message))
        self.option = option


class ContextEntry:
    """One file, directory or symlink of the context, as sent to the engine."""

    __slots__ = ("path", "kind", "mode", "size", "link", "source", "mtime", "content_hash", "stamp")

    def __init__(self, path: str, kind: str, mode: int, size: int, source: str, mtime: float,
                 link: str = "", stamp: Optional[List[int]] = None) -> None:
        self.path = path            # relative, slash-separated
        self.kind = kind            # "f" file, "d" directory, "l" symlink
        self.mode = mode            # permission bits incl. setuid/setgid/sticky
        self.size = size
        self.source = source        # absolute path on disk
        self.mtime = mtime
        self.link = link
        self.content_hash = ""
        self.stamp = stamp          # files: size, mtime_ns, ctime_ns, inode, device (hash-cache key)

    def record(self) -> bytes:
        value = self.content_hash if self.kind == "f" else self.link
        return ("%s\0%s\0%o\0%s\n" % (self.kind, self.path, self.mode, value)).encode("utf-8", "surrogateescape")


class BuildContext:
    """The context directory, its .dockerignore and the Dockerfile, resolved and validated."""

    def __init__(self, path: str, dockerfile: Optional[str] = None) -> None:
        self.root = os.path.abspath(path)
        if not os.path.isdir(self.root):
            raise ContextError("path", "build context %s is not a directory" % self.root)
        dockerfile = dockerfile or "Dockerfile"
        candidate = dockerfile if os.path.isabs(dockerfile) else os.path.join(self.root, dockerfile)
        self.dockerfile_source = os.path.abspath(candidate)
        if not os.path.isfile(self.dockerfile_source):
            raise ContextError("dockerfile", "Dockerfile %s does not exist" % self.dockerfile_source)
        with open(self.dockerfile_source, "rb") as handle:
            self.dockerfile_content = handle.read()
        relative = os.path.relpath(self.dockerfile_source, self.root)
        self.dockerfile_inside = not (relative == ".." or relative.startswith(".." + os.sep))
        if self.dockerfile_inside:
            self.dockerfile_name = relative.replace(os.sep, "/")
        else:
            # Named after its content so the build cache still works (a random name would not).
            self.dockerfile_name = ".dockerfile." + hashlib.sha256(self.dockerfile_content).hexdigest()[:20]
        try:
            self.patterns = self._read_ignore_file()
            self.matcher = PatternMatcher(self.patterns)
        except DockerIgnoreError as exc:
            raise ContextError("path", "%s/.dockerignore: %s" % (self.root, exc))
        self._entries: Optional[List[ContextEntry]] = None

    def _read_ignore_file(self) -> List[str]:
        ignore_file = os.path.join(self.root, ".dockerignore")
        if not os.path.isfile(ignore_file):
            return []
        with open(ignore_file, "rb") as handle:
            patterns = read_patterns(handle.read().decode("utf-8", "surrogateescape"))
        # Like the CLI: the Dockerfile and .dockerignore are always sent, even when ignored.
        probe = PatternMatcher(patterns) if patterns else None
        if probe is not None:
            if probe.is_excluded(".dockerignore"):
                patterns.append("!.dockerignore")
            if self.dockerfile_inside and probe.is_excluded(self.dockerfile_name):
                patterns.append("!" + self.dockerfile_name)
        return patterns

    def entries(self) -> List[ContextEntry]:
        """Every entry sent to the engine, in path order."""
        if self._entries is None:
            found: List[ContextEntry] = []
            self._walk(self.root, "", None, found)
            found.sort(key=lambda entry: entry.path)
            self._entries = found
        return self._entries

    def _walk(self, directory: str, prefix: str, parent_results: Optional[List[bool]],
              found: List[ContextEntry]) -> None:
        try:
            with os.scandir(directory) as iterator:
                children = sorted(iterator, key=lambda item: item.name)
        except OSError as exc:
            raise ContextError("path", "cannot read %s: %s" % (directory, exc))
        matcher = self.matcher if self.matcher.patterns else None
        for child in children:
            relative = prefix + child.name
            info = child.stat(follow_symlinks=False)
            is_dir = stat.S_ISDIR(info.st_mode)
            excluded, results = (False, None) if matcher is None else matcher.matches(relative, parent_results)
            if excluded:
                if is_dir and matcher is not None and matcher.must_descend(relative):
                    self._walk(child.path, relative + "/", results, found)
                continue
            mode = stat.S_IMODE(info.st_mode)
            if is_dir:
                found.append(ContextEntry(relative, "d", mode, 0, child.path, info.st_mtime))
                self._walk(child.path, relative + "/", results, found)
            elif stat.S_ISREG(info.st_mode):
                found.append(ContextEntry(relative, "f", mode, info.st_size, child.path, info.st_mtime,
                                          stamp=[info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                                 info.st_ino, info.st_dev]))
            elif stat.S_ISLNK(info.st_mode):
                found.append(ContextEntry(relative, "l", mode, 0, child.path, info.st_mtime,
                                          link=os.readlink(child.path)))
            # sockets, fifos and devices are not sent by the CLI either

    def digest(self, cache_dir: Optional[str] = None) -> str:
        """sha256 over every entry sent plus the Dockerfile (content and name in the context).

        With `cache_dir`, file hashes are reused from the previous run for files whose size, mtime,
        ctime, inode and device are unchanged (git's index does the same), so a no-op reads no file.
        """
        entries = self.entries()
        files = [entry for entry in entries if entry.kind == "f"]
        cache = HashCache(cache_dir, self.root) if cache_dir else None
        todo = [entry for entry in files if cache is None or not cache.fill(entry)]
        # hashlib releases the GIL on large buffers: two threads keep both cores busy on big contexts.
        if len(todo) > 64:
            with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 1) + 1)) as pool:
                for entry, value in zip(todo, pool.map(_hash_file, [e.source for e in todo])):
                    entry.content_hash = value
        else:
            for entry in todo:
                entry.content_hash = _hash_file(entry.source)
        if cache is not None:
            cache.save(files, changed=bool(todo))
        total = hashlib.sha256(DIGEST_SCHEME.encode() + b"\n")
        total.update(b"".join(entry.record() for entry in entries))
        total.update(b"dockerfile\0" + self.dockerfile_name.encode("utf-8", "surrogateescape") + b"\0")
        total.update(hashlib.sha256(self.dockerfile_content).hexdigest().encode())
        return total.hexdigest()

    def write_tar(self, fileobj: IO[bytes]) -> None:
        """The context as an uncompressed tar, owned by root like the CLI sends it."""
        with tarfile.open(fileobj=fileobj, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for entry in self.entries():
                info = tarfile.TarInfo(entry.path)
                info.mode = entry.mode
                info.mtime = int(entry.mtime)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                if entry.kind == "d":
                    info.type = tarfile.DIRTYPE
                    archive.addfile(info)
                elif entry.kind == "l":
                    info.type = tarfile.SYMTYPE
                    info.linkname = entry.link
                    archive.addfile(info)
                else:
                    with open(entry.source, "rb") as handle:
                        info.size = os.fstat(handle.fileno()).st_size
                        archive.addfile(info, handle)
            if not self.dockerfile_inside:
                info = tarfile.TarInfo(self.dockerfile_name)
                info.mode = 0o644
                info.size = len(self.dockerfile_content)
                archive.addfile(info, io.BytesIO(self.dockerfile_content))


class HashCache:
    """Content hashes of a context's files from the last run, keyed by their stat data.

    A hash is reused only when size, mtime, ctime, inode and device are all unchanged, and only for
    files last modified more than RACY_SECONDS before the hash was taken (a file written in the same
    clock tick as its hashing could change without its mtime changing). Any error just disables it.
    """

    RACY_SECONDS = 2

    def __init__(self, directory: str, root: str) -> None:
        name = hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        self.path = os.path.join(directory, "context-" + name + ".json")
        self.root = root
        self.started_ns = time.time_ns()
        self.known: Dict[str, List[Any]] = {}
        try:
            with open(self.path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("scheme") == DIGEST_SCHEME and data.get("root") == root:
                self.known = data.get("files") or {}
        except (OSError, ValueError, AttributeError):
            self.known = {}

    def fill(self, entry: ContextEntry) -> bool:
        cached = self.known.get(entry.path)
        if cached and cached[:-1] == entry.stamp:
            entry.content_hash = cached[-1]
            return True
        return False

    def save(self, files: List[ContextEntry], changed: bool) -> None:
        limit = self.started_ns - self.RACY_SECONDS * 1_000_000_000
        keep = dict((e.path, list(e.stamp or []) + [e.content_hash]) for e in files
                    if e.stamp and e.stamp[1] < limit and e.stamp[2] < limit)
        if not changed and keep == self.known:
            return
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".ctx-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(dict(scheme=DIGEST_SCHEME, root=self.root, files=keep), out)
            os.replace(temporary, self.path)
            self._prune(os.path.dirname(self.path))
        except OSError:
            pass

    @staticmethod
    def _prune(directory: str, max_age_days: int = 14) -> None:
        """Drop caches of contexts not built for a while (temporary build dirs leave them behind)."""
        limit = time.time() - max_age_days * 86400
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            try:
                if os.stat(path).st_mtime < limit:
                    os.unlink(path)
            except OSError:
                continue


def default_cache_dir() -> Optional[str]:
    """Where the module keeps context hash caches: $XDG_CACHE_HOME or ~/.cache, per user."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not base or base.startswith("~"):
        return None
    return os.path.join(base, "goship.containers", "build-context")


def _hash_file(path: str) -> str:
    try:
        return _hash_readable(path)
    except OSError as exc:
        raise ContextError("path", "cannot read %s: %s" % (path, exc))


def _hash_readable(path: str) -> str:
    with open(path, "rb", buffering=0) as handle:
        data = handle.read(_SMALL_FILE)
        if len(data) < _SMALL_FILE:
            return hashlib.sha256(data).hexdigest()
        digest = hashlib.sha256(data)
        while True:
            chunk = handle.read(_SMALL_FILE)
            if not chunk:
                return digest.hexdigest()
            digest.update(chunk)


def build_inputs_digest(context: BuildContext, args: Dict[str, str], target: Optional[str],
                        labels: Dict[str, str], extra: Tuple[str, ...] = (), cache_dir: Optional[str] = None) -> str:
    """The digest stored on the image: context + Dockerfile + args + target + labels."""
    total = hashlib.sha256(b"goship-build-inputs-v1\n")
    total.update(context.digest(cache_dir).encode() + b"\n")
    for key in sorted(args):
        total.update(("arg\0%s\0%s\n" % (key, args[key])).encode("utf-8", "surrogateescape"))
    total.update(("target\0%s\n" % (target or "")).encode())
    for key in sorted(labels):
        total.update(("label\0%s\0%s\n" % (key, labels[key])).encode("utf-8", "surrogateescape"))
    for item in extra:
        total.update(("extra\0%s\n" % item).encode("utf-8", "surrogateescape"))
    return "sha256:" + total.hexdigest()
