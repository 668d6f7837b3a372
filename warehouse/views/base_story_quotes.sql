-- Reported speech counted once per story (the views named report_* count quotes from here).
CREATE OR REPLACE VIEW story_quotes AS
WITH numbered AS (
    SELECT q.*, coalesce(p.story_id, p.post_id) AS story_id, p.post_id = coalesce(p.story_id, p.post_id) AS canonical,
           quote_key(q.text) AS text_key
    FROM quotes q
    JOIN posts p USING (post_id)
),
counted AS (
    -- the k-th time a post gives a text is that text's k-th quote: « Non » said twice by two people is two quotes
    SELECT *, row_number() OVER (PARTITION BY post_id, text_key ORDER BY char_start) AS occurrence FROM numbered
)
SELECT * EXCLUDE (canonical, text_key, occurrence)
FROM counted
QUALIFY row_number() OVER (PARTITION BY story_id, text_key, occurrence
                           ORDER BY canonical DESC, speaker IS NULL, post_id, char_start) = 1;
COMMENT ON VIEW story_quotes IS 'Reported speech counted once per story: of the copies of one quote in the posts of a story (the same article republished), the canonical post''s, else one that names a speaker; a text a post gives twice is two quotes. The reporting views count quotes from here.';
COMMENT ON COLUMN story_quotes.story_id IS 'The story of the quote''s post (posts.story_id; the post itself when it has no copy).';
