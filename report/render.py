"""HTML rendering of the report: the Jinja2 environment, its filters and the page's inline assets.

Owns escaping. Autoescape is on for the whole template, so every warehouse string (posts
are scraped web pages, hence untrusted) reaches the page escaped; only the chart SVGs,
which charts.py builds and escapes, are marked safe. Links are kept only for http(s)
URLs. The page carries its CSS and its sort script inline: it loads nothing from the
network. It must not query the warehouse nor draw charts.
"""

from __future__ import annotations

import re
import unicodedata
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from report import labels

CONTEXT_CHARS = 140


def safe_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) URL without spaces or control characters, else None."""
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def slug(text: str, index: int) -> str:
    """An HTML id for a section: ascii letters, digits and dashes, numbered so that two events never share one."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40]
    return f"event-{index}" + (f"-{words}" if words else "")


def context_before(text: str | None) -> str:
    """The end of the text before a quote, cut at a word and opened with an ellipsis when long."""
    text = " ".join((text or "").split())
    if len(text) <= CONTEXT_CHARS:
        return text
    cut = text[-CONTEXT_CHARS:]
    return "…" + cut[cut.find(" ") + 1:] if " " in cut else "…" + cut


def context_after(text: str | None) -> str:
    """The start of the text after a quote, cut at a word and closed with an ellipsis when long."""
    text = " ".join((text or "").split())
    if len(text) <= CONTEXT_CHARS:
        return text
    cut = text[:CONTEXT_CHARS]
    return (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"


def environment(lang: str) -> Environment:
    """The Jinja2 environment of the report in `lang`, autoescaping everything."""
    env = Environment(
        loader=PackageLoader("report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=lambda v: labels.number(v, lang),
        day=lambda v: labels.day(v, lang),
        moment=lambda v: labels.day(v, lang, with_time=True),
        iso=lambda v: v.isoformat() if v is not None else "",
        safe_url=safe_url,
        before=context_before,
        after=context_after,
    )
    env.globals.update(t=labels.LABELS[lang], lang=lang)
    return env


def _asset(name: str) -> Markup:
    # Our own files, inserted raw: they hold no warehouse data.
    return Markup(resources.files("report").joinpath("templates", name).read_text("utf-8"))


def render_page(page: dict[str, Any], lang: str) -> str:
    """The whole HTML document for the page model built by report.build."""
    template = environment(lang).get_template("report.html.j2")
    return template.render(**page, css=_asset("report.css"), script=_asset("report.js"))
