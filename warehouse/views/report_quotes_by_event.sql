-- Quotes per event and speaker.
CREATE OR REPLACE VIEW report_quotes_by_event AS
WITH event_quotes AS (
    SELECT e.name AS event, q.speaker, q.post_id, q.text
    FROM story_quotes q
    JOIN post_events pe USING (post_id)
    JOIN events e USING (event_id)
),
final AS (
    SELECT event, speaker, count(*) AS quotes, count(DISTINCT post_id) AS posts
    FROM event_quotes
    GROUP BY event, speaker
)
SELECT * FROM final ORDER BY event, quotes DESC, speaker NULLS LAST;
COMMENT ON VIEW report_quotes_by_event IS 'Quotes per event and speaker (speaker NULL: quotes nobody could be named for), each quote counted once per story (story_quotes).';
COMMENT ON COLUMN report_quotes_by_event.event IS 'Name of the event (events.name).';
COMMENT ON COLUMN report_quotes_by_event.speaker IS 'Canonical name of the speaker, corrections applied; NULL: quotes nobody could be named for.';
COMMENT ON COLUMN report_quotes_by_event.quotes IS 'Quotes of the speaker in the posts covering the event, each counted once per story (story_quotes).';
COMMENT ON COLUMN report_quotes_by_event.posts IS 'Posts those quotes were counted from: one copy per story, the canonical post when it holds the quote (story_quotes), so about the stories quoting the speaker.';
