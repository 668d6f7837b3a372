"""Raw documents leave DuckDB for a content-addressed folder of gzip files beside it (warehouse.store).

Held in a BLOB column, the pages made every checkpoint of a long run rewrite the table's
growing row group: the writer's memory rose with the corpus (+600 MB in spikes at 10,000
posts) and loading slowed. `documents` keeps one row per document; its bytes are the file
`<warehouse>.documents/<first two hex digits of doc_id>/<doc_id>.gz`, which `zcat` reads.
"""

COMMENTS = {
    None: "Every raw document ever acquired, content-addressed and never deleted: re-processing reads these bytes, "
          "not the source. The bytes are a gzip file beside the warehouse, "
          "<warehouse>.documents/<first two hex digits of doc_id>/<doc_id>.gz (data/coverage.documents/... for "
          "data/coverage.duckdb): copy, move or rename it with the DuckDB file. "
          "In `covpipe sql`, raw_document(doc_id) returns them.",
    "byte_size": "Length of the raw bytes (before gzip).",
}


def migrate(con) -> None:
    """Write every stored document to the store (a few hundred at a time), then drop the column."""
    import logging
    import zlib

    from warehouse.store import DocumentStore

    (count,) = con.execute("SELECT count(*) FROM documents").fetchone()
    if count:
        logging.getLogger(__name__).warning("migration 005: moving %d raw documents to the document store", count)
        store = DocumentStore.of(con)
        reader = con.cursor()  # its own connection: it streams the committed rows while `con` alters the table
        try:
            for batch in reader.sql("SELECT doc_id, content_zlib FROM documents").to_arrow_reader(256):
                store.put((doc_id, zlib.decompress(packed)) for doc_id, packed in
                          zip(batch.column("doc_id").to_pylist(), batch.column("content_zlib").to_pylist(), strict=True))
        finally:
            reader.close()
    con.execute("ALTER TABLE documents DROP COLUMN content_zlib")
    for column, text in COMMENTS.items():
        target = "TABLE documents" if column is None else f"COLUMN documents.{column}"
        quoted = text.replace("'", "''")
        con.execute(f"COMMENT ON {target} IS '{quoted}'")
