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
