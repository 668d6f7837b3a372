"""Raw documents are stored zlib-compressed, one document at a time, in a column DuckDB leaves uncompressed.

DuckDB compressed `documents.content` with ZSTD a vector (2,048 rows) at a time: reading one
document decompressed every document before it in its vector. A batch of 64 took 10 s at
1,000 documents, and a scan held a whole vector of pages (hundreds of MB) in memory.
Compressed per document, a read costs about 1 ms, and a new warehouse's file is smaller
(an upgraded file keeps its size: DuckDB reuses the freed blocks but does not shrink it).
SQL reads the bytes with `zlib_decompress(content_zlib)` on connections opened by covpipe.
"""

import zlib

COMMENTS = {
    None: "Every raw document ever acquired, content-addressed and never deleted: re-processing reads these bytes, "
          "not the source.",
    "doc_id": "SHA-256 (hex) of the raw bytes, gzip transport encoding removed.",
    "content_zlib": "The raw bytes exactly as acquired (decompressed when the source was gzip), zlib-compressed "
                    "(RFC 1950) one document at a time. In `covpipe sql`: zlib_decompress(content_zlib); in "
                    "Python: zlib.decompress.",
    "byte_size": "Length of the raw bytes (before zlib).",
    "media_type": "text/html or text/plain, from the file name or the first bytes.",
    "first_source_uri": "The file path or URL the bytes were first acquired from.",
    "first_seen_at": "When the bytes were first acquired (UTC).",
    "run_id": "The run that first stored the bytes.",
}


def migrate(con) -> None:
    """Copy the documents into the new layout, a few hundred at a time, compressing each in Python."""
    import logging

    import pyarrow as pa

    (count,) = con.execute("SELECT count(*) FROM documents").fetchone()
    if count:
        logging.getLogger("warehouse.db").warning("migration 004: compressing %d raw documents once", count)
    con.execute(
        """
        CREATE TABLE documents_v4 (
            doc_id VARCHAR PRIMARY KEY,
            content_zlib BLOB NOT NULL USING COMPRESSION uncompressed,
            byte_size BIGINT NOT NULL,
            media_type VARCHAR NOT NULL,
            first_source_uri VARCHAR NOT NULL,
            first_seen_at TIMESTAMPTZ NOT NULL,
            run_id VARCHAR NOT NULL
        )
        """
    )
    reader = con.cursor()  # its own connection: it streams the committed rows while `con` writes
    try:
        stream = reader.sql("SELECT * FROM documents").to_arrow_reader(256)
        for batch in stream:
            packed = [zlib.compress(raw, 6) for raw in batch.column("content").to_pylist()]  # load.ZLIB_LEVEL then
            chunk = pa.Table.from_batches([batch]).drop_columns(["content"]).append_column(
                "content_zlib", pa.array(packed, pa.binary()))
            con.register("documents_chunk", chunk)
            try:
                con.execute("INSERT INTO documents_v4 BY NAME SELECT * FROM documents_chunk")
            finally:
                con.unregister("documents_chunk")
    finally:
        reader.close()
    con.execute("DROP TABLE documents")
    con.execute("ALTER TABLE documents_v4 RENAME TO documents")
    for column, text in COMMENTS.items():
        target = "TABLE documents" if column is None else f"COLUMN documents.{column}"
        quoted = text.replace("'", "''")
        con.execute(f"COMMENT ON {target} IS '{quoted}'")
