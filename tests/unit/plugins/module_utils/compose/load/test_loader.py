# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The loader: YAML as Compose reads it, interpolation, .env, merging, extends, include, profiles."""

from __future__ import annotations

import os
import textwrap

import pytest

from ansible_collections.goship.containers.plugins.module_utils.compose.load.syntax import (
    interpolate_string, parse_env_file, parse_yaml,
)
from ansible_collections.goship.containers.plugins.module_utils.compose.model import ComposeError
from ansible_collections.goship.containers.plugins.module_utils.compose.load.project import load_project


def write(directory, name, text):
    path = os.path.join(str(directory), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(text))
    return path


# ---------------------------------------------------------------- YAML 1.1 traps

def test_yaml_scalars_are_read_as_compose_reads_them():
    doc = parse_yaml(textwrap.dedent("""\
        port: 22:22
        answer: yes
        off_value: off
        y: y
        flag: true
        upper: TRUE
        mode: 0440
        modern_octal: 0o17
        hex: 0x1F
        number: 1_000
        float: 1.5
        nothing: ~
        time: 12:30:45
        on: key-is-a-string
        80: key-is-a-string-too
    """), "test.yaml")
    assert doc["port"] == "22:22"
    assert doc["answer"] == "yes" and doc["off_value"] == "off" and doc["y"] == "y"
    assert doc["flag"] is True and doc["upper"] is True
    assert doc["mode"] == 0o440 and doc["modern_octal"] == 0o17 and doc["hex"] == 31
    assert doc["number"] == 1000 and doc["float"] == 1.5 and doc["nothing"] is None
    assert doc["time"] == "12:30:45"
    assert doc["on"] == "key-is-a-string" and doc["80"] == "key-is-a-string-too"


def test_yaml_duplicate_keys_fail_but_merge_keys_may_be_overridden():
    with pytest.raises(ComposeError, match="already defined"):
        parse_yaml("a: 1\na: 2\n", "dup.yaml")
    doc = parse_yaml("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", "merge.yaml")
    assert doc["use"] == {"x": 1, "y": 3}


def test_yaml_error_names_file_and_line():
    with pytest.raises(ComposeError) as info:
        parse_yaml("services:\n  web:\n    image: x\n   bad: 1\n", "/p/compose.yaml")
    assert info.value.path == "/p/compose.yaml"
    assert "line 4" in info.value.problem


# ---------------------------------------------------------------- interpolation

ENV = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize("template, expected", [
    ("plain", "plain"), ("$SET", "value"), ("${SET}", "value"), ("pre-${SET}-post", "pre-value-post"),
    ("${UNSET}", ""), ("$UNSET", ""),
    ("${UNSET:-d}", "d"), ("${EMPTY:-d}", "d"), ("${SET:-d}", "value"),
    ("${UNSET-d}", "d"), ("${EMPTY-d}", ""), ("${SET-d}", "value"),
    ("${SET:+r}", "r"), ("${EMPTY:+r}", ""), ("${UNSET:+r}", ""),
    ("${SET+r}", "r"), ("${EMPTY+r}", "r"), ("${UNSET+r}", ""),
    ("${SET:?msg}", "value"), ("${EMPTY?msg}", ""),
    ("$$", "$"), ("$${SET}", "${SET}"), ("$$SET", "$SET"), ("cost $5", "cost $5"), ("end$", "end$"),
    ("${UNSET:-${ALSO_UNSET:-deep-$SET}}", "deep-value"), ("${UNSET:-a}}", "a}"), ("$SET-x", "value-x"),
])
def test_interpolation(template, expected):
    assert interpolate_string(template, ENV.get, "p") == expected


@pytest.mark.parametrize("template, message", [
    ("${UNSET:?please set it}", "required variable UNSET is missing a value: please set it"),
    ("${EMPTY:?}", "required variable EMPTY is missing a value"),
    ("${UNSET?}", "required variable UNSET"),
    ("${SET", "missing '}'"), ("${SET:-x", "missing '}'"), ("${5}", "variable name"), ("${SET:=x}", "unexpected"),
    ("${}", "variable name"),
])
def test_interpolation_errors_name_the_path(template, message):
    with pytest.raises(ComposeError) as info:
        interpolate_string(template, ENV.get, "services.web.image")
    assert info.value.path == "services.web.image"
    assert message in info.value.problem


def test_interpolation_applies_to_values_not_keys(tmp_path):
    write(tmp_path, "compose.yaml", """\
        services:
          web:
            image: "img:${TAG}"
            labels:
              "${TAG}": "${TAG}"
    """)
    project = load_project(str(tmp_path), environ={"TAG": "7"})
    assert project.services["web"].image == "img:7"
    assert project.services["web"].labels == {"${TAG}": "7"}


# ---------------------------------------------------------------- .env and environment

def test_env_file_syntax(tmp_path):
    path = write(tmp_path, "x.env", """\
        # a comment
        PLAIN=value
        export EXPORTED=1
        SPACED = around
        INLINE=value # comment
        HASH=a#b
        DQ="line1\\nline2 $PLAIN"
        SQ='literal $PLAIN \\n'
        EMPTY=
        REF=${PLAIN}-${MISSING:-dflt}
        MULTI="first
        second"
        FROM_LOOKUP
    """)
    env = parse_env_file(path, {"FROM_LOOKUP": "looked-up"}.get)
    assert env["PLAIN"] == "value" and env["EXPORTED"] == "1" and env["SPACED"] == "around"
    assert env["INLINE"] == "value" and env["HASH"] == "a#b"
    assert env["DQ"] == "line1\nline2 value"
    assert env["SQ"] == "literal $PLAIN \\n"
    assert env["EMPTY"] == "" and env["REF"] == "value-dflt"
    assert env["MULTI"] == "first\nsecond"
    assert env["FROM_LOOKUP"] == "looked-up"


def test_env_file_unterminated_quote_fails(tmp_path):
    path = write(tmp_path, "bad.env", 'A="never closed\n')
    with pytest.raises(ComposeError, match="unterminated quote"):
        parse_env_file(path)


def test_shell_environment_wins_over_dotenv(tmp_path):
    write(tmp_path, ".env", "TAG=from-dotenv\nONLY=dotenv\n")
    write(tmp_path, "compose.yaml", "services:\n  web:\n    image: \"x:${TAG}-${ONLY}\"\n")
    assert load_project(str(tmp_path), environ={}).services["web"].image == "x:from-dotenv-dotenv"
    assert load_project(str(tmp_path), environ={"TAG": "shell"}).services["web"].image == "x:shell-dotenv"


def test_env_files_option_replaces_dotenv(tmp_path):
    write(tmp_path, ".env", "TAG=dotenv\n")
    write(tmp_path, "a.env", "TAG=a\nOTHER=a\n")
    write(tmp_path, "b.env", "TAG=b\n")
    write(tmp_path, "compose.yaml", "services:\n  web:\n    image: \"x:${TAG}-${OTHER}\"\n")
    project = load_project(str(tmp_path), env_files=["a.env", "b.env"], environ={})
    assert project.services["web"].image == "x:b-a"
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path), env_files=["missing.env"], environ={})
    assert info.value.path == "env_files[0]"


def test_service_environment_precedence(tmp_path):
    write(tmp_path, "one.env", "A=file\nB=file\nC=file\n")
    write(tmp_path, "compose.yaml", """\
        services:
          web:
            image: x
            env_file: [one.env, {path: none.env, required: false}]
            environment:
              B: explicit
              FROM_SHELL:
              UNSET:
    """)
    env = load_project(str(tmp_path), environ={"FROM_SHELL": "s", "C": "shell-does-not-override-files"}) \
        .services["web"].environment
    assert env == {"A": "file", "B": "explicit", "C": "file", "FROM_SHELL": "s", "UNSET": None}


# ---------------------------------------------------------------- project name

@pytest.mark.parametrize("explicit, environ, top_level, expected", [
    ("explicit", {"COMPOSE_PROJECT_NAME": "fromenv"}, "toplevel", "explicit"),
    (None, {"COMPOSE_PROJECT_NAME": "fromenv"}, "toplevel", "fromenv"),
    (None, {}, "Top Level.Name", "toplevelname"),
    (None, {}, None, "my_dir-1"),
])
def test_project_name_precedence(tmp_path, explicit, environ, top_level, expected):
    directory = tmp_path / "My_Dir-1"
    directory.mkdir()
    write(directory, "compose.yaml", ("name: %s\n" % top_level if top_level else "") + "services: {a: {image: x}}\n")
    assert load_project(str(directory), project_name=explicit, environ=environ).name == expected


def test_project_name_from_dotenv_and_invalid_explicit_name(tmp_path):
    write(tmp_path, ".env", "COMPOSE_PROJECT_NAME=dotenvname\n")
    write(tmp_path, "compose.yaml", "services: {a: {image: x}}\n")
    assert load_project(str(tmp_path), environ={}).name == "dotenvname"
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path), project_name="Not Valid", environ={})
    assert info.value.path == "project_name"


def test_a_top_level_name_of_the_wrong_type_is_refused_even_when_a_project_name_is_given(tmp_path):
    # the CLI's schema checks it before `-p` replaces it (found by the fuzz corpus through the module)
    write(tmp_path, "compose.yaml", "name: [a]\nservices: {a: {image: x}}\n")
    for explicit in (None, "given"):
        with pytest.raises(ComposeError) as info:
            load_project(str(tmp_path), project_name=explicit, environ={})
        assert info.value.path == "name"


# ---------------------------------------------------------------- files and merging

def test_default_files_and_override_discovery(tmp_path):
    write(tmp_path, "docker-compose.yml", "services:\n  web:\n    image: x\n    ports: ['80:80']\n")
    write(tmp_path, "docker-compose.override.yml", "services:\n  web:\n    image: y\n")
    project = load_project(str(tmp_path), environ={})
    assert project.services["web"].image == "y"
    assert project.config_files == [str(tmp_path / "docker-compose.yml"), str(tmp_path / "docker-compose.override.yml")]
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path / "nowhere"), environ={})
    assert info.value.path == "project_src"


def test_compose_file_variable(tmp_path):
    write(tmp_path, "a.yaml", "services: {a: {image: a}}\n")
    write(tmp_path, "b.yaml", "services: {b: {image: b}}\n")
    project = load_project(str(tmp_path), environ={"COMPOSE_FILE": "a.yaml:b.yaml"})
    assert sorted(project.services) == ["a", "b"]


def test_merge_rules(tmp_path):
    write(tmp_path, "base.yaml", """\
        services:
          web:
            image: web:1
            command: [serve, --port, "80"]
            environment: [A=base, B=base]
            labels: {keep: "1", drop: "1"}
            ports: ["8000:80", "8443:443"]
            volumes: [./conf:/conf, data:/data]
            dns: [1.1.1.1]
            ulimits: {nofile: {soft: 1, hard: 2}}
            healthcheck: {test: [CMD, "true"], interval: 10s}
        volumes: {data: {}}
    """)
    write(tmp_path, "over.yaml", """\
        services:
          web:
            command: [serve]
            environment: {B: over, C: new}
            labels: {drop: !reset null}
            ports: ["8000:80", "9000:90"]
            volumes: [./other:/conf]
            dns: !reset []
            ulimits: {nofile: 5}
            healthcheck: {test: [CMD, "false"]}
    """)
    web = load_project(str(tmp_path), files=["base.yaml", "over.yaml"], environ={}).services["web"]
    assert web.command == ["serve"]
    assert web.environment == {"A": "base", "B": "over", "C": "new"}
    assert web.labels == {"keep": "1"}
    assert [(p.published, p.target) for p in web.ports] == [("8000", 80), ("8443", 443), ("9000", 90)]
    assert [(v.source, v.target) for v in web.volumes] == [(str(tmp_path / "other"), "/conf"), ("data", "/data")]
    assert web.dns == []
    assert web.ulimits["nofile"].single == 5
    assert web.healthcheck.test == ["CMD", "false"] and web.healthcheck.interval == 10_000_000_000


def test_override_tag_replaces_instead_of_merging(tmp_path):
    write(tmp_path, "base.yaml", "services:\n  web:\n    image: x\n    ports: ['1:1', '2:2']\n"
                                 "    environment: {A: a, B: b}\n")
    write(tmp_path, "over.yaml", "services:\n  web:\n    ports: !override ['3:3']\n"
                                 "    environment: !override {C: c}\n")
    web = load_project(str(tmp_path), files=["base.yaml", "over.yaml"], environ={}).services["web"]
    assert [p.target for p in web.ports] == [3]
    assert web.environment == {"C": "c"}


def test_reset_removes_a_whole_service(tmp_path):
    write(tmp_path, "base.yaml", "services:\n  a: {image: a}\n  b: {image: b}\n")
    write(tmp_path, "over.yaml", "services:\n  b: !reset null\n")
    assert list(load_project(str(tmp_path), files=["base.yaml", "over.yaml"], environ={}).services) == ["a"]


def test_later_files_resolve_paths_against_the_project_directory(tmp_path):
    write(tmp_path, "compose.yaml", "services: {web: {image: x}}\n")
    write(tmp_path, "overrides/extra.yaml", "services: {web: {volumes: ['./data:/data']}}\n")
    web = load_project(str(tmp_path), files=["compose.yaml", "overrides/extra.yaml"], environ={}).services["web"]
    assert web.volumes[0].source == str(tmp_path / "data")


# ---------------------------------------------------------------- extends and include

def test_extends_same_file_chain_and_other_file(tmp_path):
    write(tmp_path, "compose.yaml", """\
        services:
          base: {image: base, environment: {LEVEL: base, KEEP: k}}
          child: {extends: base, environment: {LEVEL: child}}
          grandchild: {extends: {service: child}, command: run}
          remote: {extends: {file: lib/common.yaml, service: shared}}
    """)
    write(tmp_path, "lib/common.yaml", "services:\n  shared:\n    image: s\n    volumes: ['./d:/d']\n"
                                       "    build: ctx\n")
    project = load_project(str(tmp_path), environ={})
    assert project.services["grandchild"].environment == {"LEVEL": "child", "KEEP": "k"}
    assert project.services["grandchild"].command == ["run"]
    remote = project.services["remote"]
    assert remote.volumes[0].source == str(tmp_path / "lib" / "d")
    assert remote.build.context == str(tmp_path / "lib" / "ctx")


def test_extends_cycle_fails(tmp_path):
    write(tmp_path, "compose.yaml", "services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n")
    with pytest.raises(ComposeError, match="circular extends") as info:
        load_project(str(tmp_path), environ={})
    assert info.value.path.startswith("services.")


def test_include_with_its_own_directory_and_env(tmp_path):
    write(tmp_path, "compose.yaml", "include: [sub/compose.yaml]\nservices:\n  web: {image: w, depends_on: [db]}\n")
    write(tmp_path, "sub/compose.yaml", "services:\n  db:\n    image: 'pg:${PG}'\n    volumes: ['./init:/init']\n")
    write(tmp_path, "sub/.env", "PG=15\n")
    project = load_project(str(tmp_path), environ={})
    assert project.services["db"].image == "pg:15"
    assert project.services["db"].volumes[0].source == str(tmp_path / "sub" / "init")
    assert str(tmp_path / "sub" / "compose.yaml") in project.config_files


def test_include_conflict_and_cycle_fail(tmp_path):
    write(tmp_path, "compose.yaml", "include: [other.yaml]\nservices:\n  db: {image: mine}\n")
    write(tmp_path, "other.yaml", "services:\n  db: {image: theirs}\n")
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path), environ={})
    assert info.value.path == "services.db"
    write(tmp_path, "loop.yaml", "include: [loop2.yaml]\nservices: {a: {image: a}}\n")
    write(tmp_path, "loop2.yaml", "include: [loop.yaml]\nservices: {b: {image: b}}\n")
    with pytest.raises(ComposeError, match="include cycle"):
        load_project(str(tmp_path), files=["loop.yaml"], environ={})


# ---------------------------------------------------------------- profiles

PROFILES = """\
services:
  app: {image: app}
  debug: {image: debug, profiles: [debug]}
  tools: {image: tools, profiles: [tools, debug]}
"""


@pytest.mark.parametrize("profiles, environ, expected", [
    ([], {}, ["app"]),
    (["debug"], {}, ["app", "debug", "tools"]),
    (["tools"], {}, ["app", "tools"]),
    (["*"], {}, ["app", "debug", "tools"]),
    (None, {"COMPOSE_PROFILES": "tools, debug"}, ["app", "debug", "tools"]),
])
def test_profiles(tmp_path, profiles, environ, expected):
    write(tmp_path, "compose.yaml", PROFILES)
    project = load_project(str(tmp_path), profiles=profiles, environ=environ)
    assert sorted(project.services) == expected
    assert sorted(project.disabled_services) == sorted({"app", "debug", "tools"} - set(expected))


def test_extension_fields_are_ignored_everywhere(tmp_path):
    write(tmp_path, "compose.yaml", """\
        x-top: &defaults {restart: always}
        services:
          web:
            <<: *defaults
            image: x
            x-own: whatever
            healthcheck: {test: [CMD, "true"], x-note: 1}
        networks:
          default: {x-net: 1}
    """)
    project = load_project(str(tmp_path), environ={})
    assert project.services["web"].restart == "always"
    assert project.extensions == {"x-top": {"restart": "always"}}


def test_inline_definition(tmp_path):
    definition = {"services": {"web": {"image": "x:${TAG:-1}", "volumes": ["./d:/d"]}}}
    project = load_project(str(tmp_path), definition=definition, project_name="inline", environ={})
    assert project.name == "inline"
    assert project.services["web"].image == "x:1"
    assert project.services["web"].volumes[0].source == str(tmp_path / "d")
    assert definition["services"]["web"]["image"] == "x:${TAG:-1}"  # the caller's dict is untouched


def test_extends_cycle_across_files_fails(tmp_path):
    write(tmp_path, "compose.yaml", "services:\n  a: {image: x, extends: {file: other.yaml, service: b}}\n")
    write(tmp_path, "other.yaml", "services:\n  b: {image: x, extends: {file: compose.yaml, service: a}}\n")
    with pytest.raises(ComposeError, match="circular extends"):
        load_project(str(tmp_path), environ={})


def test_missing_pyyaml_is_a_clear_error(monkeypatch):
    from ansible_collections.goship.containers.plugins.module_utils.compose.load import syntax
    monkeypatch.setattr(syntax, "HAS_YAML", False)
    with pytest.raises(ComposeError, match="PyYAML"):
        parse_yaml("services: {}", "compose.yaml")


def test_inline_definition_as_yaml_text_keeps_compose_scalars(tmp_path):
    text = "services:\n  web:\n    image: x\n    ports: [22:22]\n    environment: {FLAG: yes}\n"
    web = load_project(str(tmp_path), definition=text, project_name="p", environ={}).services["web"]
    assert (web.ports[0].published, web.ports[0].target) == ("22", 22)
    assert web.environment == {"FLAG": "yes"}
    with pytest.raises(ComposeError) as info:
        load_project(str(tmp_path), definition="- not\n- a mapping\n", project_name="p", environ={})
    assert info.value.path == "definition"
