"""Dependencies point one way: flows -> tasks -> schemas, flows -> report -> warehouse -> schemas."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "schemas": {"tasks", "warehouse", "flows", "prefect", "duckdb"},
    "tasks": {"warehouse", "flows", "prefect", "duckdb", "httpx", "httpcore"},
    "warehouse": {"tasks", "flows", "prefect"},
    # The report renders; its SQL lives in warehouse/coverage.py.
    "report": {"tasks", "flows", "prefect", "duckdb"},
}
# The one seam of the core that does network IO (STYLE.md: fetching, behind one seam), and
# the transport it connects through.
ALLOWED = {"tasks/sources/fetch.py": {"httpx"}, "tasks/sources/pinned_transport.py": {"httpx", "httpcore"}}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downstream(package):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package] - ALLOWED.get(
            str(path.relative_to(ROOT)), set()))
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_cli_commands_without_flows_do_not_import_prefect():
    import subprocess
    import sys

    code = "import sys, flows.cli; print('prefect' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def _modules() -> dict[str, Path]:
    found = {}
    for package in ("flows", "tasks", "warehouse", "schemas", "report"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, str | None]]:
    """(module, name) of each `from module import name` of ours in `path` (name None for `import module`)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module in modules:
            out += [(f"{node.module}.{a.name}", None) if f"{node.module}.{a.name}" in modules else (node.module, a.name)
                    for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names if a.name in modules]
    return out


def test_no_private_name_is_imported_from_another_module():
    modules = _modules()
    private = {f"{name}: {module}.{what}" for name, path in modules.items()
               for module, what in _imports(path, modules) if what and what.startswith("_")}
    assert private == set()


def test_no_import_cycle():
    modules = _modules()
    edges = {name: {m for m, _ in _imports(path, modules) if m != name} for name, path in modules.items()}
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for nxt in sorted(edges.get(name, ())):
            if state.get(nxt) == 1:
                return path + [name, nxt]
            if nxt not in state and (cycle := visit(nxt, path + [name])):
                return cycle
        state[name] = 2
        return None

    cycles = [cycle for name in sorted(modules) if name not in state and (cycle := visit(name, []))]
    assert cycles == []
