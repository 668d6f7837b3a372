-- Corrections that last: the user's fixes are rows of their own, applied by the views, so that
-- re-processing (which writes quotations again) keeps them.
CREATE TABLE corrections (
    correction_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    post_id VARCHAR,
    quote_key VARCHAR,
    source_uri VARCHAR,
    speaker VARCHAR,
    speaker_entity_id VARCHAR,
    entity_id VARCHAR,
    target_entity_id VARCHAR,
    name VARCHAR,
    reason VARCHAR,
    created_at TIMESTAMPTZ NOT NULL,
    withdrawn_at TIMESTAMPTZ
);
COMMENT ON TABLE corrections IS 'The user''s corrections (covpipe correct): a quote''s speaker, a quote hidden, a failure dismissed, two entities merged, an entity renamed; each with its time and reason, applied by the views (speaker, hide, dismiss) or to the rows at the end of every run (merge, rename), and kept through reprocess.';
COMMENT ON COLUMN corrections.correction_id IS 'Id of the correction (covpipe correct undo takes it).';
COMMENT ON COLUMN corrections.kind IS 'speaker (the quote''s speaker is another, or nobody), hide (the quote is no reported speech), dismiss (a failure the user has seen), merge (two entities are one) or rename (an entity''s name).';
COMMENT ON COLUMN corrections.post_id IS 'speaker, hide: the post of the quote.';
COMMENT ON COLUMN corrections.quote_key IS 'speaker, hide: the quote''s text in lower case, its punctuation and spacing folded (quote_key(text)): it finds the quote again after a reprocess moved it.';
COMMENT ON COLUMN corrections.source_uri IS 'dismiss: the failing source.';
COMMENT ON COLUMN corrections.speaker IS 'speaker: the right speaker''s name; NULL: nobody.';
COMMENT ON COLUMN corrections.speaker_entity_id IS 'speaker: the entity of that name in the post, when it names one.';
COMMENT ON COLUMN corrections.entity_id IS 'merge: the entity merged away; rename: the entity renamed.';
COMMENT ON COLUMN corrections.target_entity_id IS 'merge: the entity it is merged into (its mentions, roles and quotes go there).';
COMMENT ON COLUMN corrections.name IS 'rename: the entity''s new name.';
COMMENT ON COLUMN corrections.reason IS 'Why, in the user''s words.';
COMMENT ON COLUMN corrections.created_at IS 'When the correction was made (UTC).';
COMMENT ON COLUMN corrections.withdrawn_at IS 'When the user withdrew it (covpipe correct undo); NULL while it applies.';
CREATE MACRO quote_key(t) AS trim(lower(regexp_replace(t, '[^[:alnum:]]+', ' ', 'g')));
CREATE OR REPLACE VIEW quotes AS
WITH fixes AS (
    SELECT coalesce(p.story_id, c.post_id) AS story_id, c.quote_key, c.kind, c.speaker, c.speaker_entity_id,
           c.correction_id
    FROM corrections c
    LEFT JOIN posts p ON p.post_id = c.post_id
    WHERE c.kind IN ('speaker', 'hide') AND c.withdrawn_at IS NULL
    QUALIFY row_number() OVER (PARTITION BY coalesce(p.story_id, c.post_id), c.quote_key
                               ORDER BY c.created_at DESC, c.correction_id DESC) = 1
)
SELECT q.* REPLACE (
           CASE WHEN f.kind = 'speaker' THEN f.speaker ELSE q.speaker END AS speaker,
           CASE WHEN f.kind = 'speaker' THEN f.speaker_entity_id ELSE q.speaker_entity_id END AS speaker_entity_id,
           CASE WHEN f.kind = 'speaker' THEN NULL ELSE q.speaker_confidence END AS speaker_confidence,
           CASE WHEN f.kind = 'speaker' THEN 'corrected' ELSE q.attribution_rule END AS attribution_rule),
       f.correction_id
FROM quotations q
JOIN posts p USING (post_id)
LEFT JOIN fixes f ON f.story_id = coalesce(p.story_id, p.post_id) AND f.quote_key = quote_key(q.text)
WHERE q.kind = 'speech' AND f.kind IS DISTINCT FROM 'hide';
COMMENT ON VIEW quotes IS 'Reported speech: the quotations of kind speech, with their speakers and the user''s corrections, which apply to the quote in every copy of its post''s story (a corrected speaker has attribution_rule corrected and its correction_id; a hidden quote is left out).';
COMMENT ON COLUMN quotes.correction_id IS 'The speaker correction applied to the quote (corrections.correction_id; the latest in force for its story and text); NULL when the quote is not corrected.';
CREATE VIEW open_failures AS
SELECT f.* FROM failures f
WHERE NOT EXISTS (SELECT 1 FROM corrections c WHERE c.kind = 'dismiss' AND c.withdrawn_at IS NULL
                  AND c.source_uri = f.source_uri AND c.created_at >= f.failed_at);
COMMENT ON VIEW open_failures IS 'The failures the user has not dismissed (covpipe correct dismiss); a source that fails again after its dismissal is back.';
COMMENT ON COLUMN open_failures.source_uri IS 'File path or URL of the document.';
COMMENT ON COLUMN open_failures.doc_id IS 'documents.doc_id when the bytes were read.';
COMMENT ON COLUMN open_failures.stage IS 'acquire, decode, clean, metadata, entities, quotes or load.';
COMMENT ON COLUMN open_failures.reason IS 'What went wrong, in one line.';
COMMENT ON COLUMN open_failures.detail IS 'Technical detail (exception text), when any.';
COMMENT ON COLUMN open_failures.run_id IS 'The run that last saw the failure.';
COMMENT ON COLUMN open_failures.failed_at IS 'When it last failed (UTC).';
