-- Every version each source gave, oldest first, and which one the posts table shows.
CREATE OR REPLACE VIEW document_history AS
WITH versions AS (
    SELECT v.source_uri, v.doc_id, v.first_seen_at, v.last_seen_at, d.byte_size, d.media_type,
           row_number() OVER (PARTITION BY v.source_uri ORDER BY v.first_seen_at, v.doc_id) AS version
    FROM document_versions v JOIN documents d USING (doc_id)
)
SELECT versions.*, coalesce(p.doc_id = versions.doc_id, false) AS is_current, p.post_id
FROM versions LEFT JOIN posts p USING (source_uri)
ORDER BY source_uri, version;
COMMENT ON VIEW document_history IS 'Every version of every source (document_versions with sizes), numbered oldest first; is_current marks the one posts shows.';
COMMENT ON COLUMN document_history.source_uri IS 'File path or URL of the source (document_versions.source_uri).';
COMMENT ON COLUMN document_history.doc_id IS 'The document this source gave (documents.doc_id).';
COMMENT ON COLUMN document_history.first_seen_at IS 'First time this source gave these bytes (UTC).';
COMMENT ON COLUMN document_history.last_seen_at IS 'Last time this source gave these bytes (UTC).';
COMMENT ON COLUMN document_history.byte_size IS 'Length of the raw bytes, in bytes (documents.byte_size).';
COMMENT ON COLUMN document_history.media_type IS 'text/html or text/plain (documents.media_type).';
COMMENT ON COLUMN document_history.version IS 'Number of the version within its source: 1 for the oldest, by first_seen_at (then doc_id).';
COMMENT ON COLUMN document_history.is_current IS 'True for the version the source''s post was parsed from (posts.doc_id); false for the others, and for every version of a source without a post.';
COMMENT ON COLUMN document_history.post_id IS 'The source''s post (posts.post_id), the same on every version; NULL when no version of the source was ever written as a post.';
