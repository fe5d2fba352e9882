# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dockerfile-less, reproducible Go images: compile, assemble the image tar ourselves, load it.

Reproducible: the binary is built with CGO_ENABLED=0, -trimpath, -buildvcs=false and an empty build
ID; every tar entry has a fixed owner, mode and mtime, entries are sorted, and the image config is
canonical JSON whose creation time comes from the sources (source_date.py: SOURCE_DATE_EPOCH, the
newest commit, or the newest file). The image ID is the sha256 of that config, so the same sources
and options give the same ID with the same Go version, whatever the build cache.

Idempotent: the *source digest* (Go files, go.mod/go.sum/go.work, vendor/, embedded directories,
options, extra files, CA bundle, Go version) is stored as the label goship.go.digest; when the
tagged image carries it, nothing is compiled.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.goship.containers.plugins.module_utils.containers.options_config import healthcheck_api
from ansible_collections.goship.containers.plugins.module_utils.containers.parse import parse_exposed_port, parse_healthcheck
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.file_tar import DirectoryEntry, FileEntry, files_tar
from ansible_collections.goship.containers.plugins.module_utils.images.archive import (
    archive_file_mode,
    archive_holds,
    load_archive,
    save_archive,
)
from ansible_collections.goship.containers.plugins.module_utils.images.source_date import (
    image_created,
    rfc3339,
    source_date_epoch,
)
from ansible_collections.goship.containers.plugins.module_utils.images.store import (
    ImageError,
    find_by_label,
    inspect_image,
    normalise_reference,
    summary,
    tag_image,
)

GO_DIGEST_LABEL = "goship.go.digest"
NONROOT_UID = 65532
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Where the Go toolchain keeps caches: they change nothing in the output, so not in the digest.
CACHE_ENV = ("GOCACHE", "GOMODCACHE", "GOTMPDIR", "GOPATH", "HOME", "TMPDIR")
# Runs a command: (argv, working directory, environment additions) -> (rc, stdout, stderr).
# The module passes AnsibleModule.run_command; tests can pass anything with that shape.
CommandRunner = Callable[[List[str], Optional[str], Dict[str, str]], Tuple[int, str, str]]


class GoImageError(ValueError):
    """Bad input, naming the option."""


class CompileError(Exception):
    """`go build` failed; `output` is what the compiler printed."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


@dataclass
class GoImageRequest:
    name: str
    source: str
    package: str = "."
    goos: str = "linux"
    goarch: Optional[str] = None          # None: the engine's architecture
    ldflags: str = ""
    tags: List[str] = field(default_factory=list)
    keep_build_id: bool = False
    buildvcs: bool = False
    build_env: Dict[str, str] = field(default_factory=dict)
    go: str = "go"
    binary_path: str = "/app"
    entrypoint: Optional[List[str]] = None
    cmd: List[str] = field(default_factory=list)
    user: str = "%d:%d" % (NONROOT_UID, NONROOT_UID)
    env: Dict[str, str] = field(default_factory=dict)
    labels: Dict[str, str] = field(default_factory=dict)
    exposed_ports: List[str] = field(default_factory=list)
    workdir: str = "/"
    healthcheck: Optional[Dict[str, Any]] = None
    ca_certificates: bool = False
    ca_bundle: str = "/etc/ssl/certs/ca-certificates.crt"
    files: List[FileEntry] = field(default_factory=list)
    archive_path: Optional[str] = None
    force: bool = False
    validated: bool = False


@dataclass
class GoImageResult:
    name: str
    digest: str
    changed: bool = False
    compiled: bool = False
    loaded: bool = False
    archive_written: bool = False
    image_id: Optional[str] = None
    previous_id: Optional[str] = None
    image: Optional[Dict[str, Any]] = None
    actions: List[str] = field(default_factory=list)
    before: Optional[Dict[str, Any]] = None
    after: Optional[Dict[str, Any]] = None
    go_version: str = ""
    created: Optional[str] = None           # the image's creation time (RFC 3339), when assembled
    created_from: Optional[str] = None


# --- validation ------------------------------------------------------------------------------------

def _absolute_image_path(value: str, option: str) -> str:
    if not value.startswith("/"):
        raise GoImageError("%s: %r must be an absolute path inside the image" % (option, value))
    cleaned = os.path.normpath(value)
    if cleaned == "/":
        raise GoImageError("%s: %r is not a file path" % (option, value))
    return cleaned


def validate(request: GoImageRequest) -> None:
    """Normalise the request in place; raises GoImageError naming the option. Safe to call twice."""
    if request.validated:
        return
    request.name = normalise_reference(request.name, "name")
    if not os.path.isdir(request.source):
        raise GoImageError("source: %s is not a directory" % request.source)
    request.source = os.path.abspath(request.source)
    if not os.path.isfile(os.path.join(request.source, "go.mod")):
        raise GoImageError("source: %s has no go.mod (give the Go module's root directory)" % request.source)
    if request.package.startswith("/") or ".." in request.package.split("/"):
        raise GoImageError("package: %r must be a path inside source, such as ./cmd/app" % request.package)
    if not os.path.isdir(os.path.join(request.source, request.package)):
        raise GoImageError("package: %s is not a directory of %s" % (request.package, request.source))
    request.binary_path = _absolute_image_path(request.binary_path, "binary_path")
    if request.entrypoint is None:
        request.entrypoint = [request.binary_path]
    if not request.workdir.startswith("/"):
        raise GoImageError("workdir: %r must be absolute" % request.workdir)
    ports = []
    for index, port in enumerate(request.exposed_ports):
        try:
            ports.extend(parse_exposed_port(port, "exposed_ports[%d]" % index))
        except OptionError as exc:
            raise GoImageError(str(exc))
    request.exposed_ports = sorted(set(ports))
    if request.healthcheck is not None:
        request.healthcheck = _healthcheck(request.healthcheck)
    if GO_DIGEST_LABEL in request.labels:
        raise GoImageError("labels: %s is set by the module itself" % GO_DIGEST_LABEL)
    epoch = source_date_epoch(request.build_env)
    if epoch is not None and not epoch.isdigit():
        raise GoImageError("build_env.SOURCE_DATE_EPOCH: %r is not a Unix time (whole seconds)" % epoch)
    if request.ca_certificates and not os.path.isfile(request.ca_bundle):
        raise GoImageError("ca_bundle: %s does not exist on the managed host" % request.ca_bundle)
    seen = set()
    for index, extra in enumerate(request.files):
        extra.path = _absolute_image_path(extra.path, "files[%d].dest" % index)
        if extra.path in seen or extra.path == request.binary_path:
            raise GoImageError("files[%d].dest: %s is given twice" % (index, extra.path))
        seen.add(extra.path)
    request.validated = True


def _healthcheck(spec: Dict[str, Any]) -> Dict[str, Any]:
    """The image's healthcheck, read by the parser the container module uses (containers/parse.py);
    only the exec form, since the image has no shell."""
    test = spec.get("test")
    if not isinstance(test, list) or not test or not all(isinstance(item, str) for item in test):
        raise GoImageError("healthcheck.test: a list of strings (exec form) is required")
    if test[0] == "CMD-SHELL":
        raise GoImageError("healthcheck.test: CMD-SHELL needs a shell, which this image does not have; use exec form")
    unknown = set(spec) - {"test", "interval", "timeout", "start_period", "retries"}
    if unknown:
        raise GoImageError("healthcheck: unknown keys %s" % ", ".join(sorted(unknown)))
    try:
        return healthcheck_api(parse_healthcheck({key: value for key, value in spec.items() if value is not None}))
    except OptionError as exc:
        raise GoImageError(str(exc))


# --- digest ----------------------------------------------------------------------------------------

def go_version(request: GoImageRequest, runner: CommandRunner) -> str:
    try:
        rc, out, err = runner([request.go, "env", "GOVERSION"], None, _go_env(request))
    except OSError as exc:
        raise GoImageError("go: cannot run %r: %s" % (request.go, exc))
    if rc != 0 or not out.strip():
        raise GoImageError("go: %r env GOVERSION failed (rc %s): %s" % (request.go, rc, (err or out).strip()))
    return out.strip()


def source_files(root: str) -> List[str]:
    """The files that can change the binary: non-test .go files, go.mod/go.sum/go.work(.sum),
    vendor/, and every file below a directory whose Go files use //go:embed. Directories Go ignores
    (names starting with '.' or '_', testdata) are skipped."""
    selected: List[str] = []
    embed_dirs: List[str] = []
    others: List[Tuple[str, str]] = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith((".", "_")) and d != "testdata")
        relative_dir = os.path.relpath(directory, root)
        in_vendor = relative_dir == "vendor" or relative_dir.startswith("vendor" + os.sep)
        for name in sorted(names):
            path = os.path.join(directory, name)
            if name.endswith(".go") and not name.endswith("_test.go"):
                selected.append(path)
                with open(path, "rb") as handle:
                    if b"//go:embed" in handle.read():
                        embed_dirs.append(directory + os.sep)
            elif name in ("go.mod", "go.sum", "go.work", "go.work.sum") or in_vendor:
                selected.append(path)
            elif not name.startswith("."):
                others.append((directory + os.sep, path))
    for directory, path in others:
        if any(directory.startswith(embed) for embed in embed_dirs):
            selected.append(path)
    return sorted(set(selected))


def source_digest(request: GoImageRequest, goarch: str, version: str) -> str:
    total = hashlib.sha256(b"goship-go-image-v1\n")
    for path in source_files(request.source):
        with open(path, "rb") as handle:
            content = hashlib.sha256(handle.read()).hexdigest()
        total.update(("%s\0%s\n" % (os.path.relpath(path, request.source), content)).encode("utf-8", "surrogateescape"))
    options = dict(
        package=request.package, goos=request.goos, goarch=goarch, ldflags=request.ldflags,
        tags=request.tags, keep_build_id=request.keep_build_id, buildvcs=request.buildvcs,
        build_env={k: v for k, v in request.build_env.items() if k not in CACHE_ENV},
        source_date_epoch=source_date_epoch(request.build_env),
        go_version=version, config=image_config_body(request, goarch, {}),
        ca=_file_hash(request.ca_bundle) if request.ca_certificates else None,
        files=[(f.path, hashlib.sha256(f.content).hexdigest(), f.mode, f.uid, f.gid) for f in request.files],
    )
    total.update(json.dumps(options, sort_keys=True).encode())
    return "sha256:" + total.hexdigest()


def _file_hash(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


# --- compile ---------------------------------------------------------------------------------------

def _go_env(request: GoImageRequest, goarch: Optional[str] = None) -> Dict[str, str]:
    """Environment additions for the go command."""
    env = dict(request.build_env)
    env["CGO_ENABLED"] = "0"
    env["GOOS"] = request.goos
    if goarch:
        env["GOARCH"] = goarch
    # Variables that change the compiler's output count only when given in build_env (digested);
    # set empty (= Go's default) so the managed host's environment cannot leak in.
    for key in ("GOFLAGS", "GOAMD64", "GOARM", "GO386", "GOEXPERIMENT"):
        env.setdefault(key, "")
    if "HOME" not in os.environ and "HOME" not in env:  # go needs a cache location
        env["HOME"] = tempfile.gettempdir()
    return env


def compile_binary(request: GoImageRequest, goarch: str, output: str, runner: CommandRunner) -> None:
    ldflags = request.ldflags
    if not request.keep_build_id:
        ldflags = ("-buildid= " + ldflags).strip()
    command = [request.go, "build", "-trimpath", "-buildvcs=%s" % ("true" if request.buildvcs else "false"),
               "-ldflags=" + ldflags, "-o", output]
    if request.tags:
        command.append("-tags=" + ",".join(request.tags))
    command.append(request.package if request.package.startswith(".") else "./" + request.package)
    rc, out, err = runner(command, request.source, _go_env(request, goarch))
    if rc != 0:
        text = (out + err).strip()
        raise CompileError("go build failed (exit %d): %s" % (rc, text[-2000:]), text)


# --- assembly --------------------------------------------------------------------------------------

def _passwd_files() -> List[FileEntry]:
    passwd = ("root:x:0:0:root:/root:/sbin/nologin\n"
              "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
              "nonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n" % (NONROOT_UID, NONROOT_UID))
    group = "root:x:0:\nnobody:x:65534:\nnonroot:x:%d:\n" % NONROOT_UID
    return [FileEntry("/etc/passwd", passwd.encode()), FileEntry("/etc/group", group.encode())]


def layer_tar(request: GoImageRequest, binary: bytes) -> bytes:
    """The image's single layer: sorted entries, root-owned unless asked, fixed mtime."""
    directories = [DirectoryEntry("/tmp", 0o1777), DirectoryEntry("/home"),
                   DirectoryEntry("/home/nonroot", 0o755, NONROOT_UID, NONROOT_UID)]
    files = _passwd_files() + list(request.files)
    files.append(FileEntry(request.binary_path, binary, 0o755))
    if request.ca_certificates:
        with open(request.ca_bundle, "rb") as handle:
            files.append(FileEntry("/etc/ssl/certs/ca-certificates.crt", handle.read()))
    return files_tar(files, directories)


def image_config_body(request: GoImageRequest, goarch: str, labels: Dict[str, str]) -> Dict[str, Any]:
    env = dict(request.env)
    env.setdefault("PATH", DEFAULT_PATH)
    if request.ca_certificates:
        env.setdefault("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
    config: Dict[str, Any] = {
        "User": request.user,
        "Env": ["%s=%s" % (key, env[key]) for key in sorted(env)],
        "Entrypoint": request.entrypoint,
        "WorkingDir": request.workdir,
        "Labels": dict(sorted(dict(request.labels, **labels).items())),
    }
    if request.cmd:
        config["Cmd"] = request.cmd
    if request.exposed_ports:
        config["ExposedPorts"] = {port: {} for port in request.exposed_ports}
    if request.healthcheck:
        config["Healthcheck"] = request.healthcheck
    return config


def image_archive(request: GoImageRequest, goarch: str, binary: bytes, digest: str,
                  created: str = "1970-01-01T00:00:00Z") -> Tuple[str, bytes]:
    """(image ID, docker-load-able tar bytes); `created` (RFC 3339) is the config's creation time."""
    layer = layer_tar(request, binary)
    diff_id = hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": goarch,
        "os": request.goos,
        "created": created,
        "config": image_config_body(request, goarch, {GO_DIGEST_LABEL: digest}),
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
        "history": [{"created": created, "created_by": "goship.containers.go_image"}],
    }
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    image_hex = hashlib.sha256(config_bytes).hexdigest()
    manifest = [{"Config": image_hex + ".json", "RepoTags": [request.name], "Layers": [diff_id + "/layer.tar"]}]
    members = [
        (diff_id + "/layer.tar", layer),
        (image_hex + ".json", config_bytes),
        ("manifest.json", json.dumps(manifest, sort_keys=True).encode()),
    ]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        directory = tarfile.TarInfo(diff_id)
        directory.type, directory.mode, directory.mtime = tarfile.DIRTYPE, 0o755, 0
        archive.addfile(directory)
        for member_name, content in members:
            info = tarfile.TarInfo(member_name)
            info.size, info.mode, info.mtime = len(content), 0o644, 0
            archive.addfile(info, io.BytesIO(content))
    return "sha256:" + image_hex, out.getvalue()


# --- ensure ----------------------------------------------------------------------------------------

def engine_goarch(client: Any) -> str:
    arch = str(client.version().get("Arch") or "amd64")
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(arch, arch)


def ensure_go_image(client: Any, request: GoImageRequest, check_mode: bool, runner: CommandRunner) -> GoImageResult:
    """Make `request.name` point at the image built from the request. Raises GoImageError (bad
    input, before any write), CompileError or ImageError."""
    validate(request)
    goarch = request.goarch or engine_goarch(client)
    version = go_version(request, runner)
    digest = source_digest(request, goarch, version)
    result = GoImageResult(name=request.name, digest=digest, go_version=version)
    current = inspect_image(client, request.name)
    result.previous_id = current.get("Id") if current else None
    result.before = summary(current, GO_DIGEST_LABEL)
    current_digest = ((current or {}).get("Config") or {}).get("Labels", {}) or {}
    target_id: Optional[str] = result.previous_id
    archive_bytes: Optional[bytes] = None

    if current is not None and current_digest.get(GO_DIGEST_LABEL) == digest and not request.force:
        pass
    else:
        labelled = [] if request.force else find_by_label(client, GO_DIGEST_LABEL, digest)
        if labelled:
            target_id = labelled[0]["Id"]
        elif check_mode:
            result.actions.append("compile %s and assemble the image (source digest %s)" % (request.package, digest[7:19]))
            result.compiled = True
            target_id = None
        else:
            with tempfile.TemporaryDirectory(prefix="goship-go-") as work:
                output = os.path.join(work, "binary")
                compile_binary(request, goarch, output, runner)
                with open(output, "rb") as handle:
                    binary = handle.read()
            result.compiled = True
            try:
                epoch, result.created_from = image_created(request.source, source_files(request.source),
                                                           request.build_env, runner)
            except ValueError as exc:
                raise GoImageError(str(exc))
            result.created = rfc3339(epoch)
            target_id, archive_bytes = image_archive(request, goarch, binary, digest, result.created)
            result.actions.append("compile %s and assemble image %s" % (request.package, target_id[7:19]))
            if inspect_image(client, target_id) is None:
                result.actions.append("load image %s" % target_id[7:19])
                _load_bytes(client, archive_bytes)
                result.loaded = True
                result.changed = True

    if target_id is None or target_id != result.previous_id:
        result.actions.append("tag %s as %s" % (target_id[7:19] if target_id else "(new image)", request.name))
        result.changed = True
        if not check_mode:
            tag_image(client, target_id, request.name)  # type: ignore[arg-type]

    if request.archive_path and (target_id is None or request.force or not archive_holds(request.archive_path, target_id)):
        result.actions.append("write archive %s" % request.archive_path)
        result.changed = True
        if not check_mode:
            _write_archive(client, request, target_id, archive_bytes)  # type: ignore[arg-type]
            result.archive_written = True

    result.image_id = target_id
    result.image = inspect_image(client, target_id) if target_id else None
    result.after = summary(result.image, GO_DIGEST_LABEL) or dict(id="(known after build)", build_digest=digest)
    if check_mode and result.image is not None:
        result.after["tags"] = sorted(set(result.after["tags"]) | {request.name})
    return result


def _load_bytes(client: Any, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(prefix="goship-go-image-", suffix=".tar") as handle:
        handle.write(data)
        handle.flush()
        load_archive(client, handle.name)


def _write_archive(client: Any, request: GoImageRequest, image_id: str, data: Optional[bytes]) -> None:
    path = str(request.archive_path)
    if data is None:
        save_archive(client, [request.name], path)
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ImageError("archive_path: directory %s does not exist" % directory)
    handle, temporary = tempfile.mkstemp(prefix=".goship-save-", dir=directory)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(temporary, archive_file_mode(path))  # the umask's, or the existing file's
    os.replace(temporary, path)
