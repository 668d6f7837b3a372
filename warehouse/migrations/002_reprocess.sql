-- Re-processing: every derived row says which parser and run wrote it, runs say how they
-- were asked to run, and re-processing records what it changed per post.

ALTER TABLE post_events ADD COLUMN parser_version VARCHAR;
ALTER TABLE post_events ADD COLUMN run_id VARCHAR;
UPDATE post_events SET parser_version = p.parser_version, run_id = p.run_id FROM posts p WHERE p.post_id = post_events.post_id;
COMMENT ON COLUMN post_events.parser_version IS 'Parser version that produced the row.';
COMMENT ON COLUMN post_events.run_id IS 'The run that wrote the row.';

ALTER TABLE entities ADD COLUMN parser_version VARCHAR;
ALTER TABLE entities ADD COLUMN run_id VARCHAR;
COMMENT ON COLUMN entities.parser_version IS 'Parser version of the run that last wrote the name.';
COMMENT ON COLUMN entities.run_id IS 'The run that last wrote the name (NULL for rows older than migration 002).';

ALTER TABLE runs ADD COLUMN options JSON;
ALTER TABLE runs ADD COLUMN posts_changed INTEGER DEFAULT 0;
COMMENT ON COLUMN runs.options IS 'How the run was asked to run (JSON): for reprocess, its selection (stale, all, where) and dry_run.';
COMMENT ON COLUMN runs.posts_changed IS 'Posts whose output changed (reprocess runs).';

CREATE TABLE reprocess_changes (
    run_id VARCHAR NOT NULL,
    post_id VARCHAR NOT NULL,
    source_uri VARCHAR NOT NULL,
    change VARCHAR NOT NULL,
    item VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR,
    old_parser_version VARCHAR,
    new_parser_version VARCHAR NOT NULL
);
COMMENT ON TABLE reprocess_changes IS 'What each re-process changed, one row per change per post: quotes added, removed or re-attributed, entities added, removed or merged, metadata fields changed.';
COMMENT ON COLUMN reprocess_changes.run_id IS 'The reprocess run (runs.run_id).';
COMMENT ON COLUMN reprocess_changes.post_id IS 'posts.post_id';
COMMENT ON COLUMN reprocess_changes.source_uri IS 'File path or URL of the post.';
COMMENT ON COLUMN reprocess_changes.change IS 'post_added, post_failed, body_changed, metadata_changed, quote_added, quote_removed, quote_text_changed, speaker_changed, entity_added, entity_removed or entity_merged.';
COMMENT ON COLUMN reprocess_changes.item IS 'What changed: the metadata field, the quote text (shortened) or the entity name.';
COMMENT ON COLUMN reprocess_changes.old_value IS 'The value before (NULL when added).';
COMMENT ON COLUMN reprocess_changes.new_value IS 'The value after (NULL when removed).';
COMMENT ON COLUMN reprocess_changes.old_parser_version IS 'Parser version of the replaced post (NULL when there was none).';
COMMENT ON COLUMN reprocess_changes.new_parser_version IS 'Parser version of the run.';

ALTER TABLE posts ADD COLUMN content_hash VARCHAR;
COMMENT ON COLUMN posts.content_hash IS 'Hash of everything parsed from the document (metadata, body, events, quotes, entities, roles), parser version excluded: re-processing rewrites a post only when it changes.';
