-- One row per story: an article and all its copies (the same article under several URLs, republished, trimmed).
CREATE OR REPLACE VIEW stories AS
WITH members AS (
    SELECT coalesce(p.story_id, p.post_id) AS story_id, p.post_id, md5(p.body_text) AS text_hash, p.published_at,
           coalesce(p.url, p.canonical_url, p.source_uri) AS address, coalesce(o.name, p.site_name) AS outlet
    FROM posts p
    LEFT JOIN outlets o USING (domain)
),
story_quote_counts AS (
    SELECT story_id, count(*) AS quotes FROM story_quotes GROUP BY story_id
),
final AS (
    SELECT m.story_id, c.title, c.published_at, count(*) AS posts,
           count(DISTINCT m.text_hash) AS versions,
           list(m.address ORDER BY m.published_at NULLS LAST, m.address) AS addresses,
           coalesce(list(DISTINCT m.outlet ORDER BY m.outlet) FILTER (WHERE m.outlet IS NOT NULL), []) AS outlets,
           max(m.published_at) AS last_published_at, coalesce(any_value(q.quotes), 0) AS quotes
    FROM members m
    JOIN posts c ON c.post_id = m.story_id
    LEFT JOIN story_quote_counts q ON q.story_id = m.story_id
    GROUP BY m.story_id, c.title, c.published_at
)
SELECT * FROM final ORDER BY posts DESC, published_at NULLS LAST, story_id;
COMMENT ON VIEW stories IS 'One row per story: the canonical post''s title and date with every address its copies were found at (the same article under several URLs, republished by other outlets, trimmed), the outlets and the quotes counted once.';
COMMENT ON COLUMN stories.story_id IS 'posts.story_id: the post_id of the canonical (earliest published) post of the story.';
COMMENT ON COLUMN stories.title IS 'Title of the canonical post.';
COMMENT ON COLUMN stories.published_at IS 'Publication date of the canonical post (the earliest of the story; NULL when unknown).';
COMMENT ON COLUMN stories.posts IS 'Posts in the story: the canonical post and its copies, one per source (file or URL).';
COMMENT ON COLUMN stories.versions IS 'Distinct body texts among them: 1 when every copy is an exact copy of the same article.';
COMMENT ON COLUMN stories.addresses IS 'URL (else canonical URL, else file path) of each post of the story, earliest published first.';
COMMENT ON COLUMN stories.outlets IS 'Outlets (one name per domain: outlets) that published the story; empty when none is known.';
COMMENT ON COLUMN stories.last_published_at IS 'Latest publication date among the copies; NULL when none is dated.';
COMMENT ON COLUMN stories.quotes IS 'Reported speech quotes of the story, each counted once (story_quotes).';
