"""One-way imports, stated as import-linter contracts in pyproject.toml (layers: each package
may import only the layers below it; the domain imports no web framework); every root module is
in a layer; no circle in the domain; the public names."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

from conftest import import_layers

import mockserver

PACKAGE = Path(mockserver.__file__).parent
ROOT = PACKAGE.parent


def test_the_import_contracts_hold() -> None:
    # In a process of its own: lint-imports configures logging, which disables every logger
    # made before (the access log's among them) in the process that runs it.
    result = subprocess.run([Path(sys.executable).with_name("lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_root_module_and_package_is_in_a_layer() -> None:
    named = {name.strip() for layer in import_layers() for name in layer.split("|")}
    present = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    present |= {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert named == present


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    relative_base = path.relative_to(PACKAGE).parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(relative_base)[: len(relative_base) - node.level + 1]
                module = ".".join(["mockserver", *base, *(node.module.split(".") if node.module else [])])
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
    return found


def test_vendor_routes_are_the_named_operations() -> None:
    app = mockserver.create_app(cases=0)
    vendor = {rule.endpoint.rsplit(".", 1)[-1] for rule in app.url_map.iter_rules()
              if not rule.rule.startswith(("/_mock", "/openapi.json", "/api-docs")) and rule.rule != "/"
              and rule.endpoint != "static"}
    assert vendor == set(mockserver.fidelity.OPERATIONS)


def test_public_names() -> None:
    assert mockserver.__all__ == sorted(mockserver.__all__)
    for name in mockserver.__all__:
        assert hasattr(mockserver, name)


def test_no_module_imports_names_from_the_package_root() -> None:
    """``mockserver/__init__`` imports the app, which imports everything: a module taking a name
    from it (rather than from a module) would close an import loop."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        depth = len(path.relative_to(PACKAGE).parts) - 1
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module is None and node.level == depth + 1:
                offenders += [f"{path.relative_to(PACKAGE)}: {alias.name}" for alias in node.names
                              if not (PACKAGE / f"{alias.name}.py").exists() and not (PACKAGE / alias.name).is_dir()]
            elif isinstance(node, ast.ImportFrom) and node.module == "mockserver":
                offenders.append(f"{path.relative_to(PACKAGE)}: from mockserver import ...")
    assert offenders == []


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` -> the modules of ``package`` it imports, ``TYPE_CHECKING``
    imports counted, and each imported module's parent packages (importing runs them first)."""
    paths = {module_name(p): p for p in (PACKAGE.parent / package.replace(".", "/")).rglob("*.py")}
    graph = {}
    for name, path in paths.items():
        found = set()
        for module in imported_modules(path):
            parts = module.split(".")
            found.update(".".join(parts[:n]) for n in range(1, len(parts) + 1) if ".".join(parts[:n]) in paths)
        graph[name] = found - {name} - {p for p in paths if name.startswith(p + ".")}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One import path around each circle found (depth-first search)."""
    found, done, path = [], set(), []

    def visit(node: str) -> None:
        path.append(node)
        for nxt in sorted(graph[node]):
            if nxt in path:
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in done:
                visit(nxt)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        if node not in done:
            visit(node)
    return found


def test_the_domain_has_no_import_circle_counting_type_checking_imports() -> None:
    graph = import_graph("mockserver.domain")
    assert "mockserver.domain.workgroup" in graph["mockserver.domain.processing"]  # the graph sees them
    assert circles(graph) == []


def test_circles_finds_every_circle_and_nothing_else() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_every_view_and_hook_is_a_plain_function() -> None:
    """The app skips Flask's check for ``async def`` on each call (``app.SyncFlask``)."""
    app = mockserver.create_app(cases=0)
    assert isinstance(app, mockserver.app.SyncFlask)
    hooks = [f for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
                                app.url_value_preprocessors) for funcs in registry.values() for f in funcs]
    called = [*app.view_functions.values(), *hooks]
    assert len(called) > len(app.view_functions) >= len(mockserver.fidelity.OPERATIONS)
    assert [f for f in called if inspect.iscoroutinefunction(f)] == []
