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
ALLOWED = {"tasks/fetch.py": {"httpx"}, "tasks/pinned_transport.py": {"httpx", "httpcore"}}


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
