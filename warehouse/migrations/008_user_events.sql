-- Events become the user's data: hashtags, sites, editions, removal; links carry their evidence.
-- Parsing no longer decides coverage (flows.event_tagging tags stored posts against the events of
-- the table): the links already stored are kept, and made again by the next reprocess or
-- `covpipe events` command. A new warehouse gets the starter events at its first run.
ALTER TABLE events ADD COLUMN hashtags VARCHAR[];
ALTER TABLE events ADD COLUMN sites VARCHAR[];
ALTER TABLE events ADD COLUMN removed_at TIMESTAMPTZ;
UPDATE events SET origin = 'starter' WHERE origin = 'known';
CREATE TABLE event_editions (
    event_id VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    starts_on DATE,
    ends_on DATE,
    PRIMARY KEY (event_id, label)
);
ALTER TABLE post_events ADD COLUMN evidence_kinds VARCHAR[];
ALTER TABLE post_events ADD COLUMN body_mentions INTEGER;
ALTER TABLE post_events ADD COLUMN edition VARCHAR;
ALTER TABLE post_events ADD COLUMN tagged_at TIMESTAMPTZ;
UPDATE post_events SET evidence = 'declared' WHERE evidence = 'hint';
UPDATE post_events SET evidence_kinds = [evidence];
COMMENT ON TABLE events IS 'The events the user follows (`covpipe events`): a new warehouse starts with a starter set; event-like title hashtags and sources'' declared events add more.';
COMMENT ON COLUMN events.origin IS 'starter (written into a new warehouse), user (covpipe events), hashtag (an event-like hashtag of a title) or hint (a source declared to cover it).';
COMMENT ON COLUMN events.aliases IS 'Other names of the event; any of them in a title, a lead or twice in a body tags a post.';
COMMENT ON COLUMN events.hashtags IS 'Hashtags that name the event (without #).';
COMMENT ON COLUMN events.sites IS 'Domains whose every post covers the event (the event''s own site).';
COMMENT ON COLUMN events.removed_at IS 'When the user removed the event (NULL: followed); a removed event tags no post and no title hashtag brings it back.';
COMMENT ON TABLE event_editions IS 'Dated editions of an event (VivaTech 2025, VivaTech 2026).';
COMMENT ON COLUMN event_editions.event_id IS 'events.event_id';
COMMENT ON COLUMN event_editions.label IS 'The edition''s name, e.g. 2026.';
COMMENT ON COLUMN event_editions.starts_on IS 'First day of the edition.';
COMMENT ON COLUMN event_editions.ends_on IS 'Last day of the edition.';
COMMENT ON TABLE post_events IS 'Which post covers which event, tagged from the stored post (no parsing) whenever posts are loaded or the events change.';
COMMENT ON COLUMN post_events.evidence IS 'The strongest evidence: declared (the source declares the event), site, hashtag, title, lead (first 300 characters of the body) or body (named at least twice; citations such as "selon le rapport du …" do not count).';
COMMENT ON COLUMN post_events.evidence_kinds IS 'Every kind of evidence found, strongest first.';
COMMENT ON COLUMN post_events.body_mentions IS 'Mentions of the event in the body, citations left out.';
COMMENT ON COLUMN post_events.edition IS 'event_editions.label of the edition the post covers: the year named with the event, else the edition whose dates hold the post''s date, else the only one of its year.';
COMMENT ON COLUMN post_events.run_id IS 'The run or `covpipe events` command (runs.run_id) that made the link.';
COMMENT ON COLUMN post_events.parser_version IS 'Parser version of the post when it was tagged.';
COMMENT ON COLUMN post_events.tagged_at IS 'When the link was made (UTC).';
