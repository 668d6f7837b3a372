"""Listings: feeds, the WordPress REST API, sitemaps (index and gzip) and URL lists, to items with hints."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from schemas import Failure, SourceHints
from tasks.sources.listings import (
    is_article_url,
    items_from_feed,
    items_from_url_list,
    items_from_wordpress,
    lists_posts,
    read_feed,
    read_sitemap,
    wordpress_total_pages,
)

BASE = SourceHints(source="blog", event="VivaTech", language="fr")
RSS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Blog</title><item><title>Oser l&#8217;IA</title><link>https://blog.example.org/oser/</link>
<dc:creator>Marie Dupont</dc:creator><pubDate>Tue, 03 Feb 2026 08:00:00 +0000</pubDate>
<category>Salons</category><category>IA</category></item>
<item><title>Relative</title><link>/relative/</link></item></channel></rss>"""


def test_items_from_feed_reads_links_titles_authors_dates_and_terms():
    items = items_from_feed(RSS, "https://blog.example.org/feed/", BASE)
    assert [i.url for i in items] == ["https://blog.example.org/oser/", "https://blog.example.org/relative/"]
    hints = items[0].hints
    assert (hints.origin, hints.title, hints.authors, hints.published_at, hints.categories, hints.event) == (
        "feed", "Oser l’IA", ("Marie Dupont",), date(2026, 2, 3), ("Salons", "IA"), "VivaTech")
    assert items[0].stamp is None  # an edit leaves an RSS pubDate: the page is revalidated on a schedule


ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<link rel="next" href="https://blog.example.org/atom?page=2"/>
<entry><title>Un</title><link href="https://blog.example.org/un/"/><updated>2026-02-04T09:00:00Z</updated></entry>
</feed>"""


def test_read_feed_follows_rfc_5005_and_wordpress_paging_and_keeps_atom_updated():
    page = read_feed(ATOM, "https://blog.example.org/atom", BASE)
    assert page.next_url == "https://blog.example.org/atom?page=2"
    assert page.items[0].stamp == "2026-02-04T09:00:00Z"
    wordpress = RSS.replace(b"<title>Blog</title>", b"<title>Blog</title><generator>https://wordpress.org/?v=6.1</generator>")
    assert read_feed(wordpress, "https://blog.example.org/feed/", BASE, page=2).next_url == (
        "https://blog.example.org/feed/?paged=3")
    assert read_feed(RSS, "https://blog.example.org/feed/", BASE).next_url is None


def test_read_feed_says_what_it_forgave():
    broken = RSS.replace(b"</channel></rss>", b"<item><title>x &nbsp</title></item></channel></rss>")
    page = read_feed(broken, "https://blog.example.org/feed/", BASE)
    assert page.warning and page.warning.startswith("feed read leniently")


@pytest.mark.parametrize(("url", "article"), [
    ("https://blog.example.org/2026/02/salon-ia/", True), ("https://blog.example.org/?p=12", True),
    ("https://blog.example.org/", False), ("https://blog.example.org/tag/ia/", False),
    ("https://blog.example.org/category/salons/", False), ("https://blog.example.org/author/marie/", False),
    ("https://blog.example.org/?cat=3", False), ("https://blog.example.org/?tag=ia", False),
    ("https://blog.example.org/2026/02/", False), ("https://blog.example.org/page/2/", False),
])
def test_is_article_url_tells_articles_from_archives(url, article):
    assert is_article_url(url) is article


@pytest.mark.parametrize(("url", "posts"), [
    ("https://b.example/wp-sitemap-posts-post-1.xml", True), ("https://b.example/post-sitemap.xml", True),
    ("https://b.example/wp-sitemap-taxonomies-category-1.xml", False), ("https://b.example/wp-sitemap-users-1.xml", False),
    ("https://b.example/wp-sitemap-posts-page-1.xml", False), ("https://b.example/category-sitemap.xml", False),
])
def test_lists_posts_leaves_out_sitemaps_of_taxonomies_authors_and_pages(url, posts):
    assert lists_posts(url) is posts


def test_items_from_feed_refuses_what_is_not_a_feed():
    failure = items_from_feed(b"<html><body>Hello</body></html>", "https://blog.example.org/feed/", BASE)
    assert isinstance(failure, Failure) and failure.reason == "not an RSS or Atom feed"


def test_items_from_wordpress_resolves_embedded_authors_and_terms():
    posts = [{"link": "https://blog.example.org/a/", "date_gmt": "2026-02-03T08:00:00",
              "modified_gmt": "2026-02-04T09:00:00", "title": {"rendered": "L&rsquo;IA <em>pour</em> tous"},
              "_embedded": {"author": [{"name": "Marie Dupont"}],
                            "wp:term": [[{"name": "Salons", "taxonomy": "category"}],
                                        [{"name": "IA", "taxonomy": "post_tag"}, {"name": "Santé", "taxonomy": "post_tag"}]]}},
             {"link": "https://blog.example.org/a/"}, {"id": 3}]
    items = items_from_wordpress(json.dumps(posts).encode(), "https://blog.example.org/wp-json/wp/v2/posts", BASE)
    assert len(items) == 1
    hints = items[0].hints
    assert (hints.origin, hints.title, hints.authors, hints.published_at, hints.categories, hints.tags) == (
        "wordpress-api", "L’IA pour tous", ("Marie Dupont",), date(2026, 2, 3), ("Salons",), ("IA", "Santé"))
    assert items[0].stamp == "2026-02-04T09:00:00"
    assert isinstance(items_from_wordpress(b"<html>login</html>", "u", BASE), Failure)
    assert wordpress_total_pages({"x-wp-totalpages": "7"}) == 7 and wordpress_total_pages({}) == 1


def test_read_sitemap_reads_an_index_and_a_gzip_urlset():
    index = (b"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
             b"<sitemap><loc>https://s.example/posts.xml.gz</loc></sitemap></sitemapindex>")
    assert read_sitemap(index, "https://s.example/sitemap.xml", BASE) == (["https://s.example/posts.xml.gz"], [])
    urlset = (b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
              b"<url><loc> https://s.example/a/ </loc><lastmod>2026-02-01</lastmod></url>"
              b"<url><loc>https://s.example/b/</loc></url><url><loc>mailto:x@y</loc></url></urlset>")
    children, pages = read_sitemap(gzip.compress(urlset), "https://s.example/posts.xml.gz", BASE)
    assert children == [] and [(p.url, p.stamp, p.hints.origin) for p in pages] == [
        ("https://s.example/a/", "2026-02-01", "sitemap"), ("https://s.example/b/", None, "sitemap")]


def test_read_sitemap_refuses_entities_and_other_xml():
    bomb = (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
            b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>https://s.example/&b;</loc></url></urlset>")
    result = read_sitemap(bomb, "https://s.example/sitemap.xml", BASE)
    assert isinstance(result, Failure) or all("aaaa" not in p.url for p in result[1])
    assert read_sitemap(b"<rss/>", "u", BASE).reason == "not a sitemap: root element <rss>"
    assert read_sitemap(b"\x1f\x8bgarbage", "u", BASE).reason == "corrupt gzip sitemap"


def test_items_from_url_list_skips_blanks_comments_and_non_http():
    items = items_from_url_list(["https://a.example/1", "", "# note", "ftp://x/y", "https://a.example/1"], BASE)
    assert [(i.url, i.hints.origin) for i in items] == [("https://a.example/1", "urls")]
