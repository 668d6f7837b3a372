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
