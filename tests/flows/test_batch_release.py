"""While a batch parses, the run lets readers open the warehouse (plain functions, no flow)."""

from pathlib import Path

from flows.ingest import outcomes_of
from tests.conftest import read_in_another_process
from warehouse import Writer


class _Job:
    """A parse job whose wait is a reader process opening the warehouse."""

    def __init__(self, path: Path):
        self.path, self.seen = path, None

    def result(self):
        self.seen = read_in_another_process(self.path)
        return []


def test_a_reader_gets_the_warehouse_while_a_batch_parses(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    writer = Writer(path)
    try:
        job = _Job(path)
        assert outcomes_of(writer, job) == []
        assert job.seen == "0"  # not "WarehouseBusy": the run let go of the file during the wait
        assert writer.con.execute("SELECT count(*) FROM posts").fetchone() == (0,)  # and took it back
    finally:
        writer.close()
