# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose files → one merged, interpolated dict, as the Compose specification reads them.

Steps, per file: parse YAML (1.2 scalars, like Compose: `22:22` and `yes` are strings), interpolate
`${VAR}` forms against shell environment over `.env`, turn the shapes that merge differently into
their mapping form, make relative paths absolute (relative to the file that wrote them), apply
`include` and `extends`. Then the files are merged in order (`!reset` / `!override` honoured).
syntax.py reads the text (YAML, interpolation, .env); normalize.py validates the merged dict and
builds the typed model.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ansible_collections.goship.containers.plugins.module_utils.compose.load import bounds
from ansible_collections.goship.containers.plugins.module_utils.compose.load.syntax import (
    Override, Reset, interpolate, parse_env_file, parse_yaml_documents,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.load.validate import list_to_dict
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.containers.parse_mounts import (
    is_host_path, is_windows_path, split_volume_spec,
)
from ansible_collections.goship.containers.plugins.module_utils.user_input import type_name

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = ("compose.override.yaml", "compose.override.yml",
                  "docker-compose.override.yml", "docker-compose.override.yaml")

# ---------------------------------------------------------------- shapes that merge as mappings

_LIST_OR_DICT = ("environment", "labels", "sysctls", "annotations")


def _absolute(base_dir: str, path: str, environ: dict[str, str]) -> str:
    if path.startswith("~"):
        home = environ.get("HOME") or os.path.expanduser("~")
        path = home + path[1:] if path == "~" or path.startswith("~/") else os.path.expanduser(path)
    if os.path.isabs(path) or is_windows_path(path):
        return path  # Compose keeps absolute paths (and a Windows host's) exactly as written
    return os.path.normpath(os.path.join(base_dir, path))


def _is_remote_context(context: str) -> bool:
    return bool(re.match(r"^(https?://|git@|git://|github\.com/|ssh://)", context)) or context.endswith(".git")


def prepare_service(service: Any, base_dir: str, environ: dict[str, str]) -> Any:
    """Resolve relative paths against `base_dir` and turn list forms that merge by key into mappings.
    Values of unexpected types are left for validation, which names their path."""
    if not isinstance(service, dict):
        return service
    service = dict(service)
    for key in _LIST_OR_DICT:
        if key in service:
            service[key] = list_to_dict(service[key])
    build = service.get("build")
    if isinstance(build, str):
        build = {"context": build}
    if isinstance(build, dict):
        build = dict(build)
        context = build.get("context")  # absent: stays absent, so merging keeps an earlier context
        if isinstance(context, str) and not _is_remote_context(context):
            build["context"] = _absolute(base_dir, context, environ)
        for key in ("args", "labels"):
            if key in build:
                build[key] = list_to_dict(build[key])
        contexts = build.get("additional_contexts")
        if isinstance(contexts, (dict, list)):
            contexts = list_to_dict(contexts)
            if isinstance(contexts, dict):
                build["additional_contexts"] = {
                    k: _absolute(base_dir, v, environ) if isinstance(v, str) and is_host_path(v) else v
                    for k, v in contexts.items()}
        service["build"] = build
    if isinstance(service.get("depends_on"), list):
        service["depends_on"] = {
            name: {"condition": "service_started"} if isinstance(name, str) else name
            for name in service["depends_on"]} if all(isinstance(n, str) for n in service["depends_on"]) \
            else service["depends_on"]
    if isinstance(service.get("extra_hosts"), dict):  # merged as a list of host=ip, like the list form
        service["extra_hosts"] = [
            "%s=%s" % (host, ip) for host, ips in service["extra_hosts"].items()
            for ip in (ips if isinstance(ips, list) else [ips])]
    if isinstance(service.get("networks"), list) and all(isinstance(n, str) for n in service["networks"]):
        service["networks"] = {name: None for name in service["networks"]}
    env_file = service.get("env_file")
    if isinstance(env_file, str):
        env_file = [env_file]
    if isinstance(env_file, list):
        entries: list[Any] = []
        for entry in env_file:
            if isinstance(entry, str):
                entry = {"path": entry}
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                entry = dict(entry, path=_absolute(base_dir, entry["path"], environ))
            entries.append(entry)
        service["env_file"] = entries
    if isinstance(service.get("volumes"), list):
        service["volumes"] = [_prepare_volume(v, base_dir, environ) for v in service["volumes"]]
    develop = service.get("develop")
    if isinstance(develop, dict) and isinstance(develop.get("watch"), list):
        service["develop"] = dict(develop, watch=[
            dict(rule, path=_absolute(base_dir, rule["path"], environ))
            if isinstance(rule, dict) and isinstance(rule.get("path"), str) else rule for rule in develop["watch"]])
    extends = service.get("extends")
    if isinstance(extends, dict) and isinstance(extends.get("file"), str):
        service["extends"] = dict(extends, file=_absolute(base_dir, extends["file"], environ))
    return service


def _prepare_volume(volume: Any, base_dir: str, environ: dict[str, str]) -> Any:
    if isinstance(volume, str):
        parts = split_volume_spec(volume)
        if len(parts) >= 2 and is_host_path(parts[0]):
            parts[0] = _absolute(base_dir, parts[0], environ)
            return ":".join(parts)
        return volume
    if isinstance(volume, dict) and volume.get("type") == "bind" and isinstance(volume.get("source"), str):
        return dict(volume, source=_absolute(base_dir, volume["source"], environ))
    return volume


def prepare_file_sources(section: Any, base_dir: str, environ: dict[str, str]) -> Any:
    """Top-level secrets/configs: `file:` relative to the file that declares it."""
    if not isinstance(section, dict):
        return section
    result = {}
    for key, value in section.items():
        if isinstance(value, dict) and isinstance(value.get("file"), str):
            value = dict(value, file=_absolute(base_dir, value["file"], environ))
        result[key] = value
    return result


# ---------------------------------------------------------------- merging

# Keys whose value replaces the earlier one instead of merging with it.
_REPLACED = {"command", "entrypoint"}
# Sequences merged by identity: a later item with the same key replaces the earlier one.
_SEQUENCE_KEYS: dict[str, Callable[[Any], Any]] = {}


def _volume_key(item: Any) -> Any:
    if isinstance(item, dict):
        return ("target", item.get("target"))
    if isinstance(item, str):
        parts = split_volume_spec(item)
        return ("target", parts[1] if len(parts) > 1 else parts[0])
    return ("value", repr(item))


def _mount_key(default_dir: str) -> Callable[[Any], Any]:
    def key(item: Any) -> Any:
        if isinstance(item, str):
            return "%s/%s" % (default_dir, item)
        if isinstance(item, dict):
            target = item.get("target") or item.get("source")
            if isinstance(target, str) and not target.startswith("/"):
                target = "%s/%s" % (default_dir, target)
            return target
        return repr(item)
    return key


def _value_key(item: Any) -> Any:
    return repr(sorted(item.items())) if isinstance(item, dict) else repr(item)


for _name in ("cap_add", "cap_drop", "dns", "dns_opt", "dns_search", "expose", "profiles", "tmpfs", "links",
              "external_links", "group_add", "security_opt", "ports", "device_cgroup_rules", "env_file",
              "extra_hosts", "volumes_from"):
    _SEQUENCE_KEYS[_name] = _value_key
_SEQUENCE_KEYS["volumes"] = _volume_key
_SEQUENCE_KEYS["devices"] = _value_key
_SEQUENCE_KEYS["secrets"] = _mount_key("/run/secrets")
_SEQUENCE_KEYS["configs"] = _mount_key("")


def _unique_merge(base: list[Any], extra: list[Any], key: Callable[[Any], Any]) -> list[Any]:
    result = list(base)
    positions = {key(item): index for index, item in enumerate(result)}
    for item in extra:
        item_key = key(item)
        if item_key in positions:
            result[positions[item_key]] = item
        else:
            positions[item_key] = len(result)
            result.append(item)
    return result


def merge_service(base: Any, override: Any) -> Any:
    """Merge one service definition over another (Compose's rules for multiple files and extends)."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return _strip(override)
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Reset):
            result.pop(key, None)
            continue
        if isinstance(value, Override) or key not in result or key in _REPLACED:
            result[key] = _strip(value)
            continue
        old = result[key]
        if key in _SEQUENCE_KEYS and isinstance(old, list) and isinstance(value, list):
            result[key] = _unique_merge(old, _strip(value), _SEQUENCE_KEYS[key])
        elif key == "ulimits" and isinstance(old, dict) and isinstance(value, dict):
            result[key] = dict(old, **_strip(value))  # a ulimit is replaced whole
        elif key == "healthcheck" and isinstance(old, dict) and isinstance(value, dict):
            result[key] = _merge_mapping(old, value, replace=("test",))
        elif key == "logging" and isinstance(old, dict) and isinstance(value, dict):
            same_driver = old.get("driver") in (None, value.get("driver")) or "driver" not in value
            result[key] = _merge_mapping(old, value) if same_driver else _strip(value)
        elif isinstance(old, dict) and isinstance(value, dict):
            result[key] = _merge_mapping(old, value)
        else:
            result[key] = _strip(value)
    return result


def _merge_mapping(base: dict[str, Any], override: dict[str, Any], replace: tuple[str, ...] = ()) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Reset):
            result.pop(key, None)
        elif isinstance(value, Override) or key in replace or key not in result:
            result[key] = _strip(value)
        elif isinstance(result[key], dict) and isinstance(value, dict):
            result[key] = _merge_mapping(result[key], value)
        elif isinstance(result[key], list) and isinstance(value, list):
            result[key] = _unique_merge(result[key], _strip(value), _value_key)
        else:
            result[key] = _strip(value)
    return result


def _strip(value: Any) -> Any:
    """Remove `!reset` / `!override` markers (in a single file they mean: empty / as written)."""
    if isinstance(value, Override):
        return _strip(value.value)
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not isinstance(v, Reset)}
    if isinstance(value, list):
        return [_strip(v) for v in value if not isinstance(v, Reset)]
    if isinstance(value, Reset):
        return None
    return value


def merge_documents(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge a later Compose file into the result of the earlier ones."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Reset):
            result.pop(key, None)
        elif key == "services" and isinstance(value, dict) and isinstance(result.get(key), dict):
            services = dict(result[key])
            for name, service in value.items():
                if isinstance(service, Reset):
                    services.pop(name, None)
                elif name in services and not isinstance(service, Override):
                    services[name] = merge_service(services[name], service)
                else:
                    services[name] = _strip(service)
            result[key] = services
        elif isinstance(value, Override) or key not in result:
            result[key] = _strip(value)
        elif isinstance(value, dict) and isinstance(result[key], dict):
            result[key] = _merge_mapping(result[key], value)
        else:
            result[key] = _strip(value)
    return result


# ---------------------------------------------------------------- files, extends, include

class LoadContext:
    """What loading found besides the merged dict: name, directories, files, environment."""

    def __init__(self, working_dir: str, environ: dict[str, str]) -> None:
        self.working_dir = working_dir
        self.environ = environ  # the interpolation environment: shell over .env
        self.config_files: list[str] = []
        self.name: Optional[str] = None  # project name from the command line/env/top-level name
        self.profiles: list[str] = []

    def lookup(self, name: str) -> Optional[str]:
        return self.environ.get(name)


def _load_file(path: str, error_path: str, base_dir: str, context: LoadContext, environ: dict[str, str],
               stack: tuple[str, ...], resolve_extends: bool = True) -> dict[str, Any]:
    """A file read within the bounds, each of its YAML documents prepared, merged in order."""
    text = bounds.read_text(path, error_path)
    merged: dict[str, Any] = {}
    for index, document in enumerate(parse_yaml_documents(text, path)):
        prepared = _prepare_document(document, base_dir, path, context, environ, stack, resolve_extends)
        merged = prepared if index == 0 else merge_documents(merged, prepared)
    return merged


def _prepare_document(document: Any, base_dir: str, source: str, context: LoadContext,
                      environ: dict[str, str], stack: tuple[str, ...], resolve_extends: bool = True) -> dict[str, Any]:
    """One parsed file: interpolated, prepared, with its `include`s (and `extends`) applied."""
    if not isinstance(document, dict):  # `---` or `null` alone is a null document, not an empty one
        raise ComposeError(source, "a Compose file must be a mapping at the top level, not %s"
                           % type_name(document))
    document = interpolate(document, environ.get, "")
    services = document.get("services")
    if isinstance(services, dict):
        document["services"] = {
            name: prepare_service(svc, base_dir, environ) for name, svc in services.items()}
    for section in ("secrets", "configs"):
        if section in document:
            document[section] = prepare_file_sources(document[section], base_dir, environ)
    if "include" in document:
        document = _apply_includes(document, base_dir, context, environ, stack)
    if resolve_extends and isinstance(document.get("services"), dict):
        services = document["services"]
        resolved: dict[str, Any] = {}
        for name in list(services):
            services[name] = _resolve_extends(name, services, resolved, source, context, environ, stack, ())
    return document


def _resolve_extends(name: str, services: dict[str, Any], resolved: dict[str, Any], source: str,
                     context: LoadContext, environ: dict[str, str], stack: tuple[str, ...],
                     chain: tuple[str, ...]) -> Any:
    """The service with its `extends` chain merged in. `chain` holds "file#service" links seen so far."""
    if name in resolved:
        return resolved[name]
    service = services[name]
    if not isinstance(service, dict) or "extends" not in service:
        resolved[name] = service
        return service
    path = "services.%s.extends" % name
    link = "%s#%s" % (source, name)
    if link in chain:
        raise ComposeError(path, "circular extends: %s" % " -> ".join(chain + (link,)))
    chain = chain + (link,)
    extends = service["extends"]
    if isinstance(extends, str):
        extends = {"service": extends}
    if not isinstance(extends, dict) or not isinstance(extends.get("service"), str):
        raise ComposeError(path, "must be a service name or a mapping with 'service' (and optional 'file')")
    unknown = sorted(set(extends) - {"service", "file"})
    if unknown:
        raise ComposeError("%s.%s" % (path, unknown[0]), "unknown key (allowed: service, file)")
    base_name = extends["service"]
    other = extends.get("file")
    if other is not None and other != source:
        if not isinstance(other, str):
            raise ComposeError(path + ".file", "must be a string")
        document = _load_file(other, path + ".file", os.path.dirname(other), context, environ, stack + (source,),
                              resolve_extends=False)
        other_services = document.get("services") or {}
        if not isinstance(other_services, dict) or base_name not in other_services:
            raise ComposeError(path, "service %r not found in %s" % (base_name, other))
        base = _resolve_extends(base_name, other_services, {}, other, context, environ, stack, chain)
    else:
        if base_name not in services:
            raise ComposeError(path, "cannot extend service %r: no such service in this file" % base_name)
        base = _resolve_extends(base_name, services, resolved, source, context, environ, stack, chain)
    own = {k: v for k, v in service.items() if k != "extends"}
    merged = merge_service(_strip(base) if isinstance(base, dict) else base, own)
    resolved[name] = merged
    return merged


def _apply_includes(document: dict[str, Any], base_dir: str, context: LoadContext,
                    environ: dict[str, str], stack: tuple[str, ...]) -> dict[str, Any]:
    includes = document.pop("include")
    if includes is None:
        return document
    if not isinstance(includes, list):
        raise ComposeError("include", "must be a list")
    result: dict[str, Any] = {}
    for index, entry in enumerate(includes):
        where = "include[%d]" % index
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict):
            raise ComposeError(where, "must be a path or a mapping with 'path'")
        unknown = sorted(set(entry) - {"path", "project_directory", "env_file"})
        if unknown:
            raise ComposeError("%s.%s" % (where, unknown[0]), "unknown key (allowed: path, project_directory, env_file)")
        paths = entry.get("path")
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise ComposeError(where + ".path", "must be a path or a list of paths")
        files = [_absolute(base_dir, p, environ) for p in paths]
        for file in files:
            if file in stack:
                raise ComposeError(where, "include cycle: %s" % " -> ".join(stack + (file,)))
        inc_dir = entry.get("project_directory")
        inc_dir = _absolute(base_dir, inc_dir, environ) if isinstance(inc_dir, str) else os.path.dirname(files[0])
        env_files = entry.get("env_file")
        if isinstance(env_files, str):
            env_files = [env_files]
        inc_environ = dict(environ)
        dotenv_files = [_absolute(base_dir, f, environ) for f in env_files] if env_files else \
            [os.path.join(inc_dir, ".env")]
        for env_path in dotenv_files:
            if os.path.isfile(env_path) or env_files:
                for key, value in parse_env_file(env_path, environ.get, where + ".env_file").items():
                    if key not in environ and value is not None:
                        inc_environ[key] = value
        included: dict[str, Any] = {}
        for number, file in enumerate(files):
            sub = _load_file(file, where + ".path", inc_dir, context, inc_environ, stack + (file,))
            included = sub if number == 0 else merge_documents(included, sub)
            context.config_files.append(file)
        included.pop("name", None)
        for section in ("services", "networks", "volumes", "secrets", "configs"):
            for key, value in (included.get(section) or {}).items():
                existing = (result.get(section) or {}).get(key)
                if existing is not None and existing != value:
                    raise ComposeError("%s.%s" % (section, key), "defined by more than one included file")
                result.setdefault(section, {})[key] = value
    for section in ("services", "networks", "volumes", "secrets", "configs"):
        mine = document.get(section)
        for key, value in (result.get(section) or {}).items():
            if isinstance(mine, dict) and key in mine:
                if section == "services" or mine[key] != value:
                    raise ComposeError("%s.%s" % (section, key),
                                       "conflicts with the one defined by an included file")
                continue
            document.setdefault(section, {})
            if document[section] is None:
                document[section] = {}
            document[section][key] = value
    return document


# ---------------------------------------------------------------- entry point

@dataclass(frozen=True)
class ProjectSource:
    """Where a project comes from, as the user gave it (load.project.load_project's arguments)."""

    project_dir: Optional[str] = None
    files: Optional[list[str]] = None
    definition: Optional[Any] = None
    project_name: Optional[str] = None
    env_files: Optional[list[str]] = None
    profiles: Optional[list[str]] = None
    environ: Optional[dict[str, str]] = None


def find_default_files(project_dir: str) -> list[str]:
    for name in DEFAULT_FILES:
        path = os.path.join(project_dir, name)
        if os.path.isfile(path):
            files = [path]
            for override in OVERRIDE_FILES:
                candidate = os.path.join(project_dir, override)
                if os.path.isfile(candidate):
                    files.append(candidate)
                    break
            return files
    raise ComposeError("project_src", "no compose file (%s) in %s" % (", ".join(DEFAULT_FILES), project_dir))


def load_config_dict(source: ProjectSource) -> tuple[dict[str, Any], LoadContext]:
    """Read, interpolate, prepare and merge the project's files; see load.project.load_project."""
    project_dir, files, definition, env_files, profiles = (
        source.project_dir, source.files, source.definition, source.env_files, source.profiles)
    shell = dict(os.environ if source.environ is None else source.environ)
    if project_dir is None:
        if files:
            project_dir = os.path.dirname(os.path.abspath(files[0]))
        else:
            project_dir = os.getcwd()
    project_dir = os.path.abspath(project_dir)

    # .env (or the env_files given) under the shell environment: the shell wins.
    merged_env: dict[str, str] = {}
    dotenv_paths = [_absolute(project_dir, f, shell) for f in env_files] if env_files else \
        [os.path.join(project_dir, ".env")]
    for index, env_path in enumerate(dotenv_paths):
        if env_files or os.path.isfile(env_path):
            where = "env_files[%d]" % index if env_files else ".env"
            lookup = _chain(shell, merged_env)
            for key, value in parse_env_file(env_path, lookup, where).items():
                if value is not None:
                    merged_env[key] = value
    merged_env.update(shell)
    context = LoadContext(project_dir, merged_env)
    # COMPOSE_FILE (and the others: profiles and project name below) come from the shell or the
    # project's .env, as the CLI reads them
    if definition is None and not files and merged_env.get("COMPOSE_FILE"):
        separator = merged_env.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
        files = [f for f in merged_env["COMPOSE_FILE"].split(separator) if f]

    if definition is not None:
        # A string is Compose YAML, read with Compose's rules; a mapping was parsed by Ansible's YAML 1.1
        # loader already (where an unquoted 22:22 has become 1342: quote such values, or pass text).
        if isinstance(definition, str):
            documents = parse_yaml_documents(definition, "definition")
        else:
            bounds.check_value_tree(definition, "definition")
            documents = [_copy(definition)]
        config = {}
        for index, document in enumerate(documents):
            if not isinstance(document, dict):
                raise ComposeError("definition", "must be a mapping (a Compose project) or Compose YAML text")
            prepared = _prepare_document(document, project_dir, "definition", context, merged_env, ())
            config = prepared if index == 0 else merge_documents(config, prepared)
    else:
        paths = [_absolute(project_dir, f, shell) for f in files] if files else find_default_files(project_dir)
        config = {}
        for index, path in enumerate(paths):
            where = "files[%d]" % index if files else path
            if not os.path.isfile(path):
                raise ComposeError(where, "compose file not found: %s" % path)
            document = _load_file(path, where, project_dir, context, merged_env, (path,))
            config = document if index == 0 else merge_documents(config, document)
        context.config_files = paths + [f for f in context.config_files if f not in paths]
    config = _strip(config)
    if not config:  # every file empty (or `{}`): refused, as `docker compose config` refuses it
        raise ComposeError("definition" if definition is not None else context.config_files[0],
                           "empty compose file")

    context.name = source.project_name or merged_env.get("COMPOSE_PROJECT_NAME") or None
    if profiles is None:
        raw = merged_env.get("COMPOSE_PROFILES", "")
        profiles = [p.strip() for p in raw.split(",") if p.strip()]
    context.profiles = list(profiles)
    return config, context


def _chain(first: dict[str, str], second: dict[str, Optional[str]]) -> Callable[[str], Optional[str]]:
    def lookup(name: str) -> Optional[str]:
        if name in first:
            return first[name]
        return second.get(name)
    return lookup


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
