"""While a batch parses, the run lets readers open the warehouse (plain functions, no flow)."""

from datetime import UTC, datetime
from pathlib import Path

from flows.ingest import Submitted, Tally, finish_documents
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
        tally = Tally(writer, "run-1")
        job = _Job(path)
        finish_documents(tally, Submitted(documents=0, current={}, job=job, now=datetime.now(UTC)))
        assert job.seen == "0"  # not "WarehouseBusy": the run let go of the file during the wait
        assert tally.con.execute("SELECT count(*) FROM posts").fetchone() == (0,)
    finally:
        writer.close()
