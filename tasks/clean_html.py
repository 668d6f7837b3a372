"""Cleaning of HTML pages: the article body through trafilatura, comments and captions kept apart.

trafilatura finds the main content; this module adds what its defaults drop on news pages
(the lead or standfirst) and keeps captions out of the body. It returns trafilatura's
metadata untouched for `tasks.metadata` to judge; it must not decide metadata itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import trafilatura
from lxml import html as lxml_html

from tasks.normalize import normalize_line, normalize_text


@dataclass
class CleanedHtml:
    body: str
    comments: str = ""
    captions: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    tree: Any = None


def parse_tree(html: str) -> Any:
    """One lxml tree per page, shared by body and metadata extraction."""
    return lxml_html.document_fromstring(html)


def clean_html(html: str, url: str | None = None) -> CleanedHtml:
    """Extract the article body, comments apart, and trafilatura's metadata."""
    tree = parse_tree(html)
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=True,
        include_tables=True,
        include_images=False,
        include_formatting=False,
        favor_recall=True,
        deduplicate=False,
    )
    if result is None:
        return CleanedHtml(body="", tree=tree)
    result = result.as_dict()
    captions = [normalize_line(t) for t in tree.xpath("//figcaption//text()") if normalize_line(t)]
    return CleanedHtml(
        body=normalize_text(result.get("text") or ""),
        comments=normalize_text(result.get("comments") or ""),
        captions=captions,
        meta=result,
        tree=tree,
    )
