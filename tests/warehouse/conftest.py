"""A fresh, migrated warehouse per test."""

from pathlib import Path

import pytest

from warehouse import connect


@pytest.fixture
def con(tmp_path: Path):
    con = connect(tmp_path / "w.duckdb")
    yield con
    con.close()
