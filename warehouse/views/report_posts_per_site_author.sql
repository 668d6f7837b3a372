-- Posts per site and author: when they published, which events they covered, how much speech they quoted.
CREATE OR REPLACE VIEW report_posts_per_site_author AS
WITH post_event_names AS (
    SELECT pe.post_id, list(e.name) AS events
    FROM post_events pe
    JOIN events e USING (event_id)
    GROUP BY pe.post_id
),
post_quotes AS (
    SELECT post_id, count(*) AS quotes
    FROM quotes
    GROUP BY post_id
),
site_posts AS (
    SELECT coalesce(o.name, p.site_name) AS site_name, p.author, p.post_id, p.published_at,
           coalesce(pen.events, []) AS events, coalesce(pq.quotes, 0) AS quotes
    FROM posts p
    LEFT JOIN outlets o USING (domain)
    LEFT JOIN post_event_names pen USING (post_id)
    LEFT JOIN post_quotes pq USING (post_id)
),
final AS (
    SELECT site_name, author, count(*) AS posts,
           min(published_at) AS first_published_at, max(published_at) AS last_published_at,
           list_sort(list_distinct(flatten(list(events)))) AS events,
           sum(quotes)::BIGINT AS quotes
    FROM site_posts
    GROUP BY site_name, author
)
SELECT * FROM final ORDER BY site_name NULLS LAST, posts DESC, author NULLS LAST;
COMMENT ON VIEW report_posts_per_site_author IS 'Posts per site and author (NULL: unknown), with the first and last publication dates, the events covered (empty list when none) and the speech quotes in those posts.';
COMMENT ON COLUMN report_posts_per_site_author.site_name IS 'The outlet: the name outlets gives the post''s domain (one per domain, so "Libération" and "Libération.fr" are one), else the post''s site_name; NULL: unknown.';
COMMENT ON COLUMN report_posts_per_site_author.author IS 'Author names as the post gives them, joined by ", " (posts.author): a post by two authors counts under both names together, not under each; NULL when the posts name no person.';
COMMENT ON COLUMN report_posts_per_site_author.posts IS 'Posts of that site and author (copies of one article each counted).';
COMMENT ON COLUMN report_posts_per_site_author.first_published_at IS 'Earliest publication date of those posts; NULL when none has a date.';
COMMENT ON COLUMN report_posts_per_site_author.last_published_at IS 'Latest publication date of those posts; NULL when none has a date.';
COMMENT ON COLUMN report_posts_per_site_author.events IS 'Distinct names of the events those posts cover, alphabetical; empty list when none.';
COMMENT ON COLUMN report_posts_per_site_author.quotes IS 'Reported speech quotes in those posts, from quotes (a quote in several copies of one article counted in each); 0 when none.';
