-- Copies of one article are one story; every post knows the registrable domain of its URL, and
-- every domain has one display name (outlets), chosen from its pages' site names or by the user.
ALTER TABLE posts ADD COLUMN domain VARCHAR;
ALTER TABLE posts ADD COLUMN story_id VARCHAR;
CREATE TABLE outlets (
    domain VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    named_by VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN posts.domain IS 'Registrable domain of the post''s URL (or of the canonical URL its page declares): liberation.fr for www.liberation.fr and next.liberation.fr; NULL for a file that names no URL.';
COMMENT ON COLUMN posts.story_id IS 'The story the post belongs to: the post_id of the canonical post (earliest published) among its copies (same article republished or under another URL); its own post_id when it has none. Set at the end of every run.';
COMMENT ON TABLE outlets IS 'One display name per domain: the site name its pages give most often, or the name the user set (covpipe outlets rename).';
COMMENT ON COLUMN outlets.domain IS 'posts.domain';
COMMENT ON COLUMN outlets.name IS 'Display name of the outlet.';
COMMENT ON COLUMN outlets.named_by IS 'pages (the most frequent site name of its posts, updated at each run) or user (kept as set).';
COMMENT ON COLUMN outlets.updated_at IS 'When the name was last set.';
