-- Live sources: every HTTP fetch, the validators that make the next fetch conditional, what
-- each listing said about its pages, and the hints a source gave with each document.

CREATE TABLE fetches (
    run_id VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    status INTEGER,
    final_url VARCHAR,
    content_type VARCHAR,
    byte_size BIGINT NOT NULL,
    elapsed_seconds DOUBLE NOT NULL,
    attempts INTEGER NOT NULL,
    error VARCHAR,
    error_kind VARCHAR,
    doc_id VARCHAR,
    fetched_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE fetches IS 'Every HTTP fetch of a poll run, one row per URL asked for (after retries and redirects), failures included: the crawl log.';
COMMENT ON COLUMN fetches.run_id IS 'The poll run (runs.run_id).';
COMMENT ON COLUMN fetches.source_name IS 'The source of sources.toml the fetch was for.';
COMMENT ON COLUMN fetches.url IS 'The URL asked for.';
COMMENT ON COLUMN fetches.kind IS 'What was asked for: page, feed, sitemap, json (WordPress API) or robots.';
COMMENT ON COLUMN fetches.outcome IS 'ok (content received), not_modified (HTTP 304 to a conditional GET) or failed.';
COMMENT ON COLUMN fetches.status IS 'HTTP status of the last answer; NULL when no server answered (timeout, connection error, refused before asking).';
COMMENT ON COLUMN fetches.final_url IS 'The URL that answered, after redirects.';
COMMENT ON COLUMN fetches.content_type IS 'Media type the server declared (without parameters).';
COMMENT ON COLUMN fetches.byte_size IS 'Bytes received (decoded); 0 for a 304 or a failure.';
COMMENT ON COLUMN fetches.elapsed_seconds IS 'Time from the first request to the last answer, retries and their pauses included.';
COMMENT ON COLUMN fetches.attempts IS 'Requests made for this URL, retries and redirects included (0 when refused before asking).';
COMMENT ON COLUMN fetches.error IS 'Why the fetch failed (timeout, HTTP 503 after retries, robots.txt, private address, size or content type); NULL when it did not.';
COMMENT ON COLUMN fetches.error_kind IS 'transient (timeout, connection, 5xx, 429) or terminal (robots.txt, 4xx, size, type, redirects); NULL when it did not fail.';
COMMENT ON COLUMN fetches.doc_id IS 'The document the page gave (documents.doc_id), for pages fetched with content.';
COMMENT ON COLUMN fetches.fetched_at IS 'When the fetch started (UTC).';

CREATE TABLE url_states (
    url VARCHAR PRIMARY KEY,
    etag VARCHAR,
    last_modified VARCHAR,
    doc_id VARCHAR,
    outcome VARCHAR NOT NULL,
    status INTEGER,
    error VARCHAR,
    last_fetched_at TIMESTAMPTZ NOT NULL,
    last_ok_at TIMESTAMPTZ
);
COMMENT ON TABLE url_states IS 'The latest state of each URL fetched: the validators for the next conditional GET, and whether the last fetch failed (failed URLs are asked for again next run).';
COMMENT ON COLUMN url_states.url IS 'The URL asked for.';
COMMENT ON COLUMN url_states.etag IS 'ETag of the last answer with content, sent back as If-None-Match.';
COMMENT ON COLUMN url_states.last_modified IS 'Last-Modified of the last answer with content, sent back as If-Modified-Since.';
COMMENT ON COLUMN url_states.doc_id IS 'The document the URL last gave (documents.doc_id); NULL for listings (feeds, API pages, sitemaps).';
COMMENT ON COLUMN url_states.outcome IS 'Outcome of the last fetch: ok, not_modified or failed.';
COMMENT ON COLUMN url_states.status IS 'HTTP status of the last fetch; NULL when no server answered.';
COMMENT ON COLUMN url_states.error IS 'Why the last fetch failed; NULL when it did not.';
COMMENT ON COLUMN url_states.last_fetched_at IS 'When the URL was last asked for (UTC).';
COMMENT ON COLUMN url_states.last_ok_at IS 'When the URL last answered with content or 304 (UTC).';

CREATE TABLE source_items (
    source_name VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    stamp VARCHAR,
    hints JSON NOT NULL,
    first_listed_at TIMESTAMPTZ NOT NULL,
    last_listed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source_name, url)
);
COMMENT ON TABLE source_items IS 'Every page a source listed (feed entry, WordPress post, sitemap URL, listed URL), with what the listing said: a page is asked for again when its stamp changes or its last fetch failed.';
COMMENT ON COLUMN source_items.source_name IS 'The source of sources.toml.';
COMMENT ON COLUMN source_items.url IS 'The page (url_states.url, and posts.source_uri once parsed).';
COMMENT ON COLUMN source_items.stamp IS 'Modification date the listing gave (WordPress modified_gmt, feed updated, sitemap lastmod); NULL when it gave none, and then the page is revalidated with a conditional GET each run.';
COMMENT ON COLUMN source_items.hints IS 'What the listing said about the page (JSON of SourceHints: source, origin, event, language, title, authors, published_at, categories, tags).';
COMMENT ON COLUMN source_items.first_listed_at IS 'When a listing first named the page (UTC).';
COMMENT ON COLUMN source_items.last_listed_at IS 'When a listing last named the page (UTC).';

CREATE TABLE document_hints (
    source_uri VARCHAR NOT NULL,
    doc_id VARCHAR NOT NULL,
    source_name VARCHAR,
    origin VARCHAR NOT NULL,
    event VARCHAR,
    language VARCHAR,
    title VARCHAR,
    authors VARCHAR[],
    published_at DATE,
    categories VARCHAR[],
    tags VARCHAR[],
    updated_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL,
    PRIMARY KEY (source_uri, doc_id)
);
COMMENT ON TABLE document_hints IS 'The hints a source gave with a document version, which parsing used: re-processing reads them back, so a post re-derived from stored bytes keeps its source''s event, date and taxonomy.';
COMMENT ON COLUMN document_hints.source_uri IS 'URL or file path (document_versions.source_uri).';
COMMENT ON COLUMN document_hints.doc_id IS 'The document version (documents.doc_id).';
COMMENT ON COLUMN document_hints.source_name IS 'The source of sources.toml that gave the hints.';
COMMENT ON COLUMN document_hints.origin IS 'Where the hints came from: wordpress-api (its date, categories and tags win over the page), feed, sitemap, urls or folder (they only fill what the page lacks).';
COMMENT ON COLUMN document_hints.event IS 'Event the source is declared to cover (post_events.evidence = hint).';
COMMENT ON COLUMN document_hints.language IS 'Language the source is declared to be in (ISO 639-1); the detector uses it for short bodies.';
COMMENT ON COLUMN document_hints.title IS 'Title the listing gave.';
COMMENT ON COLUMN document_hints.authors IS 'Author names the listing gave (WordPress: the embedded authors'' display names).';
COMMENT ON COLUMN document_hints.published_at IS 'Publication date the listing gave.';
COMMENT ON COLUMN document_hints.categories IS 'Categories the listing gave (WordPress: embedded category terms; feeds: their category elements).';
COMMENT ON COLUMN document_hints.tags IS 'Tags the listing gave (WordPress: embedded post_tag terms).';
COMMENT ON COLUMN document_hints.updated_at IS 'When these hints were last written (UTC).';
COMMENT ON COLUMN document_hints.run_id IS 'The run that last wrote them.';

ALTER TABLE runs ADD COLUMN pages_fetched INTEGER DEFAULT 0;
ALTER TABLE runs ADD COLUMN posts_new INTEGER DEFAULT 0;
COMMENT ON COLUMN runs.pages_fetched IS 'HTTP fetches of the run (poll runs: robots.txt, listings and pages, failures included).';
COMMENT ON COLUMN runs.posts_new IS 'Posts written for a source seen for the first time (ingest and poll runs).';
COMMENT ON COLUMN runs.posts_changed IS 'Posts whose output changed: reprocess runs, and poll runs for pages that gave new bytes.';
COMMENT ON COLUMN events.origin IS 'known (bundled list), hashtag (found in a post title) or hint (a source of sources.toml declares it).';
