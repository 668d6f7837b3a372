-- The first schema: raw documents, posts and their metadata, events, runs and failures,
-- and the entity and quote tables that the entity and quote stages fill.

CREATE TABLE documents (
    doc_id VARCHAR PRIMARY KEY,
    content BLOB NOT NULL,
    byte_size BIGINT NOT NULL,
    media_type VARCHAR NOT NULL,
    first_source_uri VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL
);
COMMENT ON TABLE documents IS 'Every raw document ever acquired, content-addressed and never deleted: re-processing reads these bytes, not the source.';
COMMENT ON COLUMN documents.doc_id IS 'SHA-256 (hex) of the raw bytes, gzip transport encoding removed.';
COMMENT ON COLUMN documents.content IS 'The raw bytes exactly as acquired (decompressed when the source was gzip).';
COMMENT ON COLUMN documents.byte_size IS 'Length of content in bytes.';
COMMENT ON COLUMN documents.media_type IS 'text/html or text/plain, from the file name or the first bytes.';
COMMENT ON COLUMN documents.first_source_uri IS 'The file path or URL the bytes were first acquired from.';
COMMENT ON COLUMN documents.first_seen_at IS 'When the bytes were first acquired (UTC).';
COMMENT ON COLUMN documents.run_id IS 'The run that first stored the bytes.';

CREATE TABLE document_versions (
    source_uri VARCHAR NOT NULL,
    doc_id VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL,
    PRIMARY KEY (source_uri, doc_id)
);
COMMENT ON TABLE document_versions IS 'Which bytes each source gave over time: one row per (source, content) pair; a changed page adds a row.';
COMMENT ON COLUMN document_versions.source_uri IS 'File path or URL.';
COMMENT ON COLUMN document_versions.doc_id IS 'The document (documents.doc_id) this source gave.';
COMMENT ON COLUMN document_versions.first_seen_at IS 'First time this source gave these bytes (UTC).';
COMMENT ON COLUMN document_versions.last_seen_at IS 'Last time this source gave these bytes (UTC).';
COMMENT ON COLUMN document_versions.run_id IS 'The run that last saw this version.';

CREATE TABLE posts (
    post_id VARCHAR PRIMARY KEY,
    doc_id VARCHAR NOT NULL,
    source_uri VARCHAR NOT NULL,
    url VARCHAR,
    canonical_url VARCHAR,
    site_name VARCHAR,
    title VARCHAR,
    author VARCHAR,
    authors VARCHAR[],
    published_at DATE,
    language VARCHAR,
    description VARCHAR,
    categories VARCHAR[],
    tags VARCHAR[],
    hashtags VARCHAR[],
    captions VARCHAR[],
    body_text VARCHAR NOT NULL,
    body_chars INTEGER NOT NULL,
    encoding VARCHAR,
    parser_version VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    parsed_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE posts IS 'One row per source (file or URL): the latest version of the post, cleaned, with normalised metadata.';
COMMENT ON COLUMN posts.post_id IS 'Stable id of the post: a hash of source_uri, so a new version of a page keeps its id.';
COMMENT ON COLUMN posts.doc_id IS 'The raw document this row was parsed from (documents.doc_id).';
COMMENT ON COLUMN posts.source_uri IS 'File path (absolute) or URL the post came from.';
COMMENT ON COLUMN posts.url IS 'URL the post was fetched from, when fetched.';
COMMENT ON COLUMN posts.canonical_url IS 'The canonical URL the page declares.';
COMMENT ON COLUMN posts.site_name IS 'Name of the site or publication.';
COMMENT ON COLUMN posts.title IS 'Title of the post, without the site name.';
COMMENT ON COLUMN posts.author IS 'Author names joined by ", "; NULL when the page names no person (never a site or publisher).';
COMMENT ON COLUMN posts.authors IS 'Author names, one per element.';
COMMENT ON COLUMN posts.published_at IS 'Publication date; NULL when unknown or stated in the future.';
COMMENT ON COLUMN posts.language IS 'ISO 639-1 language of the body, from a language detector.';
COMMENT ON COLUMN posts.description IS 'Summary the page declares (meta description).';
COMMENT ON COLUMN posts.categories IS 'Categories of the post on its site.';
COMMENT ON COLUMN posts.tags IS 'Tags of the post on its site.';
COMMENT ON COLUMN posts.hashtags IS 'Hashtags in the title and body, without #.';
COMMENT ON COLUMN posts.captions IS 'Image captions and image file names, kept out of body_text.';
COMMENT ON COLUMN posts.body_text IS 'Cleaned article text (NFC, paragraphs split by a blank line); every char offset in the warehouse refers to it.';
COMMENT ON COLUMN posts.body_chars IS 'Length of body_text in characters.';
COMMENT ON COLUMN posts.encoding IS 'Text encoding the raw bytes were decoded with.';
COMMENT ON COLUMN posts.parser_version IS 'Hash of the parsing code, data and options that produced this row.';
COMMENT ON COLUMN posts.run_id IS 'The run that wrote this row (runs.run_id).';
COMMENT ON COLUMN posts.parsed_at IS 'When this row was written (UTC).';

CREATE TABLE events (
    event_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    event_key VARCHAR NOT NULL UNIQUE,
    aliases VARCHAR[] NOT NULL,
    origin VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE events IS 'Events that posts cover: seeded with well-known events, grown by hashtags found in titles.';
COMMENT ON COLUMN events.event_id IS 'Stable id: a hash of event_key.';
COMMENT ON COLUMN events.name IS 'Canonical name of the event.';
COMMENT ON COLUMN events.event_key IS 'Name folded to letters and digits, lower case, no accents: "#VivaTech", "VIvaTech" and "Viva Tech" share one.';
COMMENT ON COLUMN events.aliases IS 'Other names of the event.';
COMMENT ON COLUMN events.origin IS 'known (bundled list) or hashtag (found in a post title).';
COMMENT ON COLUMN events.first_seen_at IS 'When the event entered the table (UTC).';

CREATE TABLE post_events (
    post_id VARCHAR NOT NULL,
    event_id VARCHAR NOT NULL,
    evidence VARCHAR NOT NULL,
    PRIMARY KEY (post_id, event_id)
);
COMMENT ON TABLE post_events IS 'Which post covers which event.';
COMMENT ON COLUMN post_events.post_id IS 'posts.post_id';
COMMENT ON COLUMN post_events.event_id IS 'events.event_id';
COMMENT ON COLUMN post_events.evidence IS 'What tied the post to the event: hashtag, title, body or hint (the source declares it).';

CREATE TABLE entities (
    entity_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    type VARCHAR NOT NULL
);
COMMENT ON TABLE entities IS 'One row per distinct real-world entity (person, organisation, place, event), across posts.';
COMMENT ON COLUMN entities.entity_id IS 'Stable id of the entity.';
COMMENT ON COLUMN entities.name IS 'Canonical (fullest) name.';
COMMENT ON COLUMN entities.type IS 'PERSON, ORG, LOC, EVENT or MISC.';

CREATE TABLE mentions (
    post_id VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    surface VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    sentence_start INTEGER NOT NULL,
    sentence_end INTEGER NOT NULL,
    parser_version VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    PRIMARY KEY (post_id, char_start, char_end)
);
COMMENT ON TABLE mentions IS 'Each place a post names an entity (a name, a first name, a title such as "la ministre"); body_text[char_start:char_end] = surface.';
COMMENT ON COLUMN mentions.post_id IS 'posts.post_id';
COMMENT ON COLUMN mentions.entity_id IS 'entities.entity_id';
COMMENT ON COLUMN mentions.surface IS 'The text as written in the post.';
COMMENT ON COLUMN mentions.char_start IS 'Start offset in posts.body_text (0-based, inclusive).';
COMMENT ON COLUMN mentions.char_end IS 'End offset in posts.body_text (exclusive).';
COMMENT ON COLUMN mentions.sentence_start IS 'Start offset of the sentence holding the mention.';
COMMENT ON COLUMN mentions.sentence_end IS 'End offset of that sentence (exclusive).';
COMMENT ON COLUMN mentions.parser_version IS 'Parser version that produced the row.';
COMMENT ON COLUMN mentions.run_id IS 'The run that wrote the row.';

CREATE VIEW entity_aliases AS
SELECT entity_id, surface AS alias, count(*) AS mentions, count(DISTINCT post_id) AS posts
FROM mentions GROUP BY entity_id, surface;
COMMENT ON VIEW entity_aliases IS 'Every surface form seen for each entity, with how often and in how many posts.';

CREATE TABLE roles (
    post_id VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    role VARCHAR,
    organisation VARCHAR,
    organisation_entity_id VARCHAR,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    parser_version VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL
);
COMMENT ON TABLE roles IS 'Roles and affiliations a post states for a person ("Nicolas Dufourcq, DG de BPI France").';
COMMENT ON COLUMN roles.post_id IS 'posts.post_id';
COMMENT ON COLUMN roles.entity_id IS 'entities.entity_id of the person.';
COMMENT ON COLUMN roles.role IS 'The role as written ("DG", "Ministre du numérique"); NULL for an affiliation alone.';
COMMENT ON COLUMN roles.organisation IS 'The organisation as written, when stated.';
COMMENT ON COLUMN roles.organisation_entity_id IS 'entities.entity_id of the organisation.';
COMMENT ON COLUMN roles.char_start IS 'Start offset of the evidence (name and role) in body_text.';
COMMENT ON COLUMN roles.char_end IS 'End offset of the evidence in body_text (exclusive).';
COMMENT ON COLUMN roles.parser_version IS 'Parser version that produced the row.';
COMMENT ON COLUMN roles.run_id IS 'The run that wrote the row.';

CREATE TABLE quotations (
    quote_id VARCHAR PRIMARY KEY,
    post_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    open_mark VARCHAR NOT NULL,
    close_mark VARCHAR,
    is_block BOOLEAN NOT NULL,
    continues_previous BOOLEAN NOT NULL,
    context_before VARCHAR NOT NULL,
    context_after VARCHAR NOT NULL,
    speaker VARCHAR,
    speaker_entity_id VARCHAR,
    cue VARCHAR,
    cue_start INTEGER,
    cue_end INTEGER,
    attribution_rule VARCHAR,
    confidence DOUBLE,
    parser_version VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL
);
COMMENT ON TABLE quotations IS 'Every span between quotation marks (or a dialogue dash) in a post body: reported speech (kind speech) and quoted terms, titles and names (kind term). The quotes view keeps the speech.';
COMMENT ON COLUMN quotations.quote_id IS 'Stable id: a hash of post_id and the span.';
COMMENT ON COLUMN quotations.post_id IS 'posts.post_id';
COMMENT ON COLUMN quotations.kind IS 'speech (reported speech or writing) or term (scare quotes, highlighted terms, titles of works, names).';
COMMENT ON COLUMN quotations.text IS 'What stands between the marks, inner marks kept; body_text[char_start:char_end] = text.';
COMMENT ON COLUMN quotations.char_start IS 'Start offset of text in posts.body_text (0-based, inclusive).';
COMMENT ON COLUMN quotations.char_end IS 'End offset of text in posts.body_text (exclusive).';
COMMENT ON COLUMN quotations.open_mark IS 'The opening mark («, “, ", ‹, — for a dialogue turn, empty for a block without marks).';
COMMENT ON COLUMN quotations.close_mark IS 'The closing mark; NULL when the closer is missing and the end was decided by the speech.';
COMMENT ON COLUMN quotations.is_block IS 'True for a whole paragraph or embedded post rather than marks in running text.';
COMMENT ON COLUMN quotations.continues_previous IS 'True when the quote continues an unclosed quote of the previous paragraph.';
COMMENT ON COLUMN quotations.context_before IS 'Up to 200 characters of body text before the quote.';
COMMENT ON COLUMN quotations.context_after IS 'Up to 200 characters of body text after the quote.';
COMMENT ON COLUMN quotations.speaker IS 'Canonical name of the speaker; NULL when the text does not let a careful reader decide.';
COMMENT ON COLUMN quotations.speaker_entity_id IS 'entities.entity_id of the speaker.';
COMMENT ON COLUMN quotations.cue IS 'The verb of saying or marker that ties the quote to its speaker.';
COMMENT ON COLUMN quotations.cue_start IS 'Start offset of the cue in body_text.';
COMMENT ON COLUMN quotations.cue_end IS 'End offset of the cue in body_text (exclusive).';
COMMENT ON COLUMN quotations.attribution_rule IS 'The attribution rule that chose the speaker.';
COMMENT ON COLUMN quotations.confidence IS 'Confidence of the attribution, 0 to 1.';
COMMENT ON COLUMN quotations.parser_version IS 'Parser version that produced the row.';
COMMENT ON COLUMN quotations.run_id IS 'The run that wrote the row.';

CREATE VIEW quotes AS SELECT * FROM quotations WHERE kind = 'speech';
COMMENT ON VIEW quotes IS 'Reported speech: the quotations of kind speech, with their speakers.';

CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    flow_run_id VARCHAR,
    flow_name VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status VARCHAR NOT NULL,
    parser_version VARCHAR NOT NULL,
    inputs_seen INTEGER NOT NULL DEFAULT 0,
    documents_new INTEGER NOT NULL DEFAULT 0,
    posts_written INTEGER NOT NULL DEFAULT 0,
    posts_unchanged INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    failures_by_stage JSON
);
COMMENT ON TABLE runs IS 'Every ingestion run: when, which parser version, what it did.';
COMMENT ON COLUMN runs.run_id IS 'Id of the run (the Prefect flow run id when run by Prefect).';
COMMENT ON COLUMN runs.flow_run_id IS 'Prefect flow run id.';
COMMENT ON COLUMN runs.flow_name IS 'Name of the flow (ingest, reprocess...).';
COMMENT ON COLUMN runs.started_at IS 'Start time (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'End time (UTC); NULL while running or after a crash.';
COMMENT ON COLUMN runs.status IS 'running, completed, completed_with_failures or crashed.';
COMMENT ON COLUMN runs.parser_version IS 'Parser version of the run.';
COMMENT ON COLUMN runs.inputs_seen IS 'Input files or URLs considered.';
COMMENT ON COLUMN runs.documents_new IS 'Raw documents stored for the first time.';
COMMENT ON COLUMN runs.posts_written IS 'Posts parsed and written.';
COMMENT ON COLUMN runs.posts_unchanged IS 'Posts skipped because neither the document nor the parser changed.';
COMMENT ON COLUMN runs.failures IS 'Documents that failed.';
COMMENT ON COLUMN runs.failures_by_stage IS 'Failures counted per stage (JSON object).';

CREATE TABLE failures (
    source_uri VARCHAR PRIMARY KEY,
    doc_id VARCHAR,
    stage VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    detail VARCHAR,
    run_id VARCHAR NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE failures IS 'Documents that currently fail, one row per source, with the stage and reason; cleared when the source later succeeds.';
COMMENT ON COLUMN failures.source_uri IS 'File path or URL of the document.';
COMMENT ON COLUMN failures.doc_id IS 'documents.doc_id when the bytes were read.';
COMMENT ON COLUMN failures.stage IS 'acquire, decode, clean, metadata, entities, quotes or load.';
COMMENT ON COLUMN failures.reason IS 'What went wrong, in one line.';
COMMENT ON COLUMN failures.detail IS 'Technical detail (exception text), when any.';
COMMENT ON COLUMN failures.run_id IS 'The run that last saw the failure.';
COMMENT ON COLUMN failures.failed_at IS 'When it last failed (UTC).';
