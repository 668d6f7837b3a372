"""The fields of a cleaned page or text dump: body, title, authors, date, site, taxonomy, captions.

`html_fields` reads an HTML page (trafilatura's article, the page's metadata); `dump_fields` a
text dump, plain (platform rules, `tasks.text.clean_text`) or in Markdown
(`tasks.text.markdown_text`: an article's Markdown rebuilt as text, a whole page rendered to
HTML and read as a page), its front matter giving the metadata it declares.
"""

from __future__ import annotations

import html
from datetime import date, datetime

from tasks.text.bylines import names_from_byline
from tasks.text.clean_html import clean_html
from tasks.text.clean_text import clean_text_dump
from tasks.text.html_meta import extract_html_metadata
from tasks.text.markdown_text import (
    front_matter_fields,
    is_whole_page,
    looks_like_markdown,
    markdown_to_html,
    markdown_to_text,
    split_front_matter,
)
from tasks.text.normalize import normalize_line

__all__ = ["dump_fields", "html_fields"]


def dump_fields(text: str, url: str | None, now: datetime) -> dict:
    """A text dump's fields. A dump in Markdown is first turned into what a reader sees: a whole
    page (pandoc's) is rendered to HTML and read as a page is, boilerplate removal included; an
    article's text is rebuilt from its Markdown. Its front matter gives the metadata it declares."""
    data, rest = split_front_matter(text)
    if not data and not looks_like_markdown(rest):
        return _plain_text(text)
    declared = front_matter_fields(data)
    if is_whole_page(rest):
        page = f"<html><head><title>{html.escape(declared.get('title', ''))}</title></head>" \
               f"<body>{markdown_to_html(rest)}</body></html>"
        fields = html_fields(page, url, now)
    else:
        rendered = markdown_to_text(rest)
        lines = rendered.text.split("\n")
        if declared.get("title"):  # the title line clean_text_dump looks for, once
            lines = [declared["title"], *lines[lines[0].strip() == declared["title"]:]]
        # its title: the front matter's, else its first line, as a dump of a page gives it
        fields = _plain_text("\n".join(lines))
        fields["captions"] = tuple(rendered.captions) + fields["captions"]
    authors = [n for a in declared.get("authors", []) for n in names_from_byline(a, set())]
    if authors:
        fields.update(authors=tuple(authors), author=", ".join(authors))
    for key in ("title", "published_at", "description", "site_name", "canonical_url", "categories", "tags"):
        if declared.get(key):
            fields[key] = tuple(declared[key]) if isinstance(declared[key], list) else declared[key]
    return fields


def _plain_text(text: str) -> dict:
    cleaned = clean_text_dump(text)
    authors = names_from_byline(cleaned.author, set()) if cleaned.author else []
    return dict(
        body=cleaned.body,
        title=cleaned.title,
        author=", ".join(authors) or None,
        authors=tuple(authors),
        categories=tuple(cleaned.categories),
        tags=tuple(cleaned.tags),
        captions=tuple(cleaned.captions),
    )


def html_fields(text: str, url: str | None, now: datetime) -> dict:
    cleaned = clean_html(text, url)
    meta = extract_html_metadata(text, url, cleaned.body, now, fallback_title=cleaned.title, tree=cleaned.tree)
    return dict(
        body=cleaned.body,
        title=normalize_line(meta["title"] or "") or None,
        author=meta["author"],
        authors=tuple(meta["authors"]),
        published_at=date.fromisoformat(meta["date"]) if meta["date"] else None,
        site_name=meta["site_name"],
        canonical_url=meta["canonical_url"],
        description=normalize_line(meta["description"] or "") or None,
        categories=tuple(meta["categories"]),
        tags=tuple(meta["tags"]),
        captions=tuple(cleaned.captions),
        language_hint=meta["language_hint"],
    )
