-- Who said what: quotes per speaker, with their posts and events.
CREATE OR REPLACE VIEW report_quotes_by_speaker AS
WITH attributed AS (
    SELECT q.speaker, q.speaker_entity_id, q.post_id, q.text, q.speaker_confidence
    FROM story_quotes q
    WHERE q.speaker IS NOT NULL
),
speaker_events AS (
    SELECT a.speaker_entity_id, list(DISTINCT e.name) AS events
    FROM attributed a
    JOIN post_events pe USING (post_id)
    JOIN events e USING (event_id)
    GROUP BY a.speaker_entity_id
),
final AS (
    SELECT a.speaker, a.speaker_entity_id, count(*) AS quotes, count(DISTINCT a.post_id) AS posts,
           round(avg(a.speaker_confidence), 2) AS mean_confidence, any_value(se.events) AS events,
           list(a.text ORDER BY length(a.text) DESC)[1:3] AS longest_quotes
    FROM attributed a
    LEFT JOIN speaker_events se USING (speaker_entity_id)
    GROUP BY a.speaker, a.speaker_entity_id
)
SELECT * FROM final ORDER BY quotes DESC, speaker;
COMMENT ON VIEW report_quotes_by_speaker IS 'Quotes per speaker: how many, in how many stories (a quote republished in the copies of one article counts once: story_quotes), about which events, and the longest ones. posts counts the stories'' canonical posts.';
COMMENT ON COLUMN report_quotes_by_speaker.speaker IS 'Canonical name of the speaker, corrections applied; quotes without a speaker are left out.';
COMMENT ON COLUMN report_quotes_by_speaker.speaker_entity_id IS 'entities.entity_id of the speaker; NULL when the name is linked to no entity (then events is NULL too).';
COMMENT ON COLUMN report_quotes_by_speaker.quotes IS 'Quotes attributed to the speaker, each counted once per story (story_quotes).';
COMMENT ON COLUMN report_quotes_by_speaker.posts IS 'Posts those quotes were counted from: one copy per story, the canonical post when it holds the quote (story_quotes), so about the stories quoting the speaker.';
COMMENT ON COLUMN report_quotes_by_speaker.mean_confidence IS 'Mean speaker_confidence of those quotes (0 to 1), rounded to 2 decimals; quotes without one (corrected speakers) are left out; NULL when none has one.';
COMMENT ON COLUMN report_quotes_by_speaker.events IS 'Distinct names of the events covered by the posts of those quotes, in no set order; NULL when none covers an event or speaker_entity_id is NULL.';
COMMENT ON COLUMN report_quotes_by_speaker.longest_quotes IS 'The texts of up to 3 of those quotes, longest first.';
