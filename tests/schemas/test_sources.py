"""sources.toml: defaults, per-source overrides, and errors that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import SourcesError, parse_sources
from tests.conftest import ROOT


def test_parse_sources_merges_fetch_defaults_and_resolves_paths(tmp_path: Path):
    config = parse_sources("""
[fetch]
requests_per_second = 2
[sources.blog]
kind = "wordpress"
url = "https://blog.example.org"
schedule = "*/30 * * * *"
[sources.blog.fetch]
timeout_seconds = 5
[sources.local]
kind = "folder"
path = "pages"
""", base=tmp_path)
    blog = config.get("blog")
    assert (blog.fetch.requests_per_second, blog.fetch.timeout_seconds) == (2, 5)
    assert config.get("local").path == tmp_path / "pages" and config.get("local").fetch.requests_per_second == 2


@pytest.mark.parametrize(("text", "message"), [
    ('[sources.a]\nkind = "rss"\n', "a rss source needs `url`"),
    ('[sources.a]\nkind = "urls"\n', "a urls source needs `urls = [...]` or `path`"),
    ('[sources.a]\nkind = "rss"\nurl = "file:///etc/passwd"\n', "is not an http(s) URL"),
    ('[sources.a]\nkind = "rss"\nurl = "https://x.org"\nschedule = "hourly"\n', "not a cron expression"),
    ('[sources.a]\nkind = "rss"\nurl = "https://x.org"\nspeed = 3\n', "speed: Extra inputs are not permitted"),
    ('[sources.Bad_Name]\nkind = "folder"\npath = "x"\n', "name: String should match pattern"),
    ('[fetch]\nrequests_per_second = 0\n', "[fetch]: requests_per_second"),
    ('[source.a]\n', "unknown top-level key(s) ['source']"),
    ('[sources.a\n', "not valid TOML"),
])
def test_parse_sources_says_what_is_wrong(text: str, message: str):
    with pytest.raises(SourcesError) as info:
        parse_sources(text)
    assert message in str(info.value)


def test_unknown_source_name_lists_the_known_ones():
    config = parse_sources('[sources.a]\nkind = "folder"\npath = "x"\n')
    with pytest.raises(KeyError, match=r"no source named 'b' \(known: a\)"):
        config.get("b")


def test_the_example_sources_file_is_valid():
    config = parse_sources((ROOT / "sources.example.toml").read_text("utf-8"), base=ROOT)
    assert {s.kind for s in config.sources.values()} == {"wordpress", "rss", "sitemap", "urls", "folder"}


def test_include_and_exclude_patterns_choose_the_pages_of_a_source():
    config = parse_sources('[sources.blog]\nkind = "sitemap"\nurl = "https://blog.example.org/sitemap.xml"\n'
                           'include = ["/20\\\\d\\\\d/"]\nexclude = ["/amp/$"]\n')
    blog = config.get("blog")
    assert blog.wants("https://blog.example.org/2026/02/salon/")
    assert not blog.wants("https://blog.example.org/2026/02/salon/amp/")
    assert not blog.wants("https://blog.example.org/a-propos/")


def test_a_bad_pattern_is_refused_with_its_text():
    with pytest.raises(ValueError, match="is not a regular expression"):
        parse_sources('[sources.blog]\nkind = "rss"\nurl = "https://blog.example.org/feed/"\nexclude = ["(unclosed"]\n')
