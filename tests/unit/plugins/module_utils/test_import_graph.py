"""The shape of plugins/module_utils: one import style (absolute), no import cycles (read from the
source, so a function-level import that dodges a cycle is still a cycle), every module importable
in a fresh interpreter, and no file over 600 lines."""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys

PACKAGE = "ansible_collections.goship.containers.plugins.module_utils"
MODULE_UTILS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "plugins", "module_utils")
MAX_LINES = 600
# containers/ moves to absolute imports on the branch that owns it (the option registry); until it is
# merged its files other than the short-syntax parsers keep their relative imports.
RELATIVE_FOR_NOW = "containers" + os.sep
ABSOLUTE_ALREADY = (os.path.join("containers", "parse.py"), os.path.join("containers", "parse_mounts.py"))


def module_files() -> dict[str, str]:
    """Dotted module name → file, for every .py file under module_utils."""
    found = {}
    for folder, _dirs, files in os.walk(MODULE_UTILS):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, MODULE_UTILS)[:-3].replace(os.sep, ".")
                if relative == "__init__" or relative.endswith(".__init__"):
                    relative = relative[:-len("__init__")].rstrip(".")
                found[(PACKAGE + "." + relative).rstrip(".")] = path
    return found


MODULES = module_files()


def _resolve(name: str) -> str:
    """The module (or package) of the collection a dotted name lives in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


@functools.lru_cache(maxsize=None)
def imports_of(module: str, path: str) -> tuple[frozenset[str], tuple[int, ...]]:
    """The collection's modules `module` imports anywhere in its file (top level or in a function),
    and the lines of its relative imports."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    found: set[str] = set()
    relative: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                relative.append(node.lineno)
                base = package
                for _level in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = base + ("." + node.module if node.module else "")
            else:
                source = node.module or ""
            if source.startswith(PACKAGE):
                for alias in node.names:
                    target = source + "." + alias.name
                    found.add(_resolve(target) if target in MODULES else _resolve(source))
        elif isinstance(node, ast.Import):
            found.update(_resolve(alias.name) for alias in node.names if alias.name.startswith(PACKAGE))
    found.discard(module)
    found.discard("")
    return frozenset(found), tuple(relative)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_reader_sees_a_cycle_made_by_a_function_level_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    graph = {module: imports_of(module, path)[0] for module, path in MODULES.items()}
    assert len(graph) > 50
    short = [[name[len(PACKAGE) + 1:] for name in component] for component in cycles(graph)]
    assert short == [], "import cycles: %s" % short


def test_one_import_style():
    relative = {}
    for module, path in MODULES.items():
        lines = imports_of(module, path)[1]
        name = os.path.relpath(path, MODULE_UTILS)
        if lines and not (name.startswith(RELATIVE_FOR_NOW) and name not in ABSOLUTE_ALREADY):
            relative[name] = lines
    assert relative == {}, "relative imports (use %s...): %s" % (PACKAGE, relative)


def test_no_file_over_the_limit():
    long_files = {}
    for path in MODULES.values():
        with open(path, encoding="utf-8") as handle:
            count = sum(1 for _line in handle)
        if count > MAX_LINES:
            long_files[os.path.relpath(path, MODULE_UTILS)] = count
    assert long_files == {}


IMPORT_ALL = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        failed.append("%s: %s" % (name, traceback.format_exc(limit=3)))
print("\\n".join(failed))
"""


def test_every_module_imports_in_a_fresh_interpreter():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL] + sorted(MODULES), capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
