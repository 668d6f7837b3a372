"""Cleaning of plain-text dumps of blog posts (WordPress and similar platforms, site chrome and all).

A dump is the page's visible text, one block per line: a header (categories, "Leave a
comment"), the title, the post, then a footer (category line, author box, share widgets,
related posts, comment form). The rules here recognise those platform conventions in
French and English; they are patterns of the platforms, never strings of one page. This
module finds the body, title, captions and the metadata the chrome carries; it must not
judge what the body says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks.text.normalize import normalize_line, normalize_text

_APOS = "['’]"

# A line that links to the comments: WordPress themes print it next to the title.
COMMENT_LINK = re.compile(
    r"^(laisser un commentaire|leave a (comment|reply)|(\d+|aucun|un|no|one) (commentaires?|comments?|réponses?|replies)"
    r"|commenter|comment(er)? cet article|réagir)\s*[.!:›»]*$",
    re.I,
)
# Lines that open the footer: everything from them on is chrome.
FOOTER_START = re.compile(
    r"^("
    r"cette entrée a été publiée (dans|le)|cet article a été publié (dans|le)|publié dans|classé dans|rangé dans"
    r"|this entry was posted|posted in\b|filed under|categories\s*:|catégories\s*:"
    r"|partager( cet article| sur| la publication)?\s*:?$|share this( article| post)?\s*:?$|j[’']aime( ça)?\s*:?$"
    r"|like this\s*:?$|j[’']aime chargement|like loading"
    r"|articles? similaires|related( posts| articles)?\s*:?$|sur le même (thème|sujet)\s*:?$|vous aimerez aussi"
    r"|navigation (des|de l[’']) articles?|post navigation|article précédent|article suivant|previous post|next post"
    r"|votre commentaire|laisser un commentaire|leave a (reply|comment)|répondre à|\d+ (commentaires?|comments?|réponses?)\s*$"
    r"|vous devez être connecté|you must be logged in|entrez vos coordonnées|enter your comment"
    r"|à propos de l[’']auteur|about the author|l[’']auteur\s*:?$|avatar de |publié par\s*$|posted by\s*$"
    r"|abonnez-vous|s[’']abonner|inscrivez-vous à (la|notre) newsletter|subscribe( to)?"
    r")",
    re.I,
)
# Lines dropped wherever they stand: platform widgets and image placeholders.
WIDGET_LINE = re.compile(
    r"^(partager|share|tweet|imprimer|print|e-?mail|facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|telegram"
    r"|j[’']aime|like|chargement…?|loading…?|publicité|advertisement|menu|rechercher|search"
    r"|aller au contenu( principal)?|skip to (main )?content|lire la suite|read more|continuer la lecture"
    r"|(à|a) lire aussi\s*:.*|lire aussi\s*:.*|voir aussi\s*:.*|see also\s*:.*)\s*[.:…]*$",
    re.I,
)
IMAGE_FILE = re.compile(r"^[^\n]{1,200}\.(jpe?g|png|gif|webp|svg|bmp|tiff?|avif|heic)$", re.I)
IMAGE_LABEL = re.compile(
    r"^(screenshot|screen shot|capture d[’']écran|capture|image|photo|illustration|infographie|vidéo|video"
    r"|(crédits?|credits?)( photos?)?\s*:.*|©.*|\(c\) .*|photo\s*:.*|source\s*(de l[’']image|photo)\s*:.*)"
    r"\s*(\d+)?$",
    re.I,
)
_CATEGORY_LINE = re.compile(
    r"^(cette entrée a été publiée dans|cet article a été publié dans|publié dans|classé dans|rangé dans"
    r"|this entry was posted in|posted in|filed under|catégories|categories)\s*:?\s*(?P<items>.+)$",
    re.I,
)
_TAG_LINE = re.compile(
    r"^(étiquettes|étiquetés?|tagged( with)?|tagués?|tags?|mots[- ]clés|keywords)\b\s*:?\s*(?P<items>.+)$", re.I
)
_BYLINE = re.compile(r"^(publié par|posté par|écrit par|rédigé par|par|posted by|written by|by)\s*:?\s+(?P<name>.+)$", re.I)
_BYLINE_ALONE = re.compile(r"^(publié par|posté par|écrit par|par|posted by|written by|by)\s*:?$", re.I)
_AVATAR = re.compile(r"^avatar de (?P<name>.+)$", re.I)
# WordPress.com prints these when the author profile is hidden: they are not names.
_PLACEHOLDER_AUTHORS = {"inconnu", "unknown", "anonyme", "anonymous", "admin", "administrateur"}
_NAME = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w’'.-]*( (de |du |van |von |le |la )?[A-ZÀ-ÖØ-Þ][\w’'.-]*){0,3}$")
_HEADER_LINES = 6


@dataclass
class CleanedText:
    """What a text dump gives: the body and what the chrome says about the post."""

    body: str
    title: str | None = None
    author: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


_TITLE_MAX = 200


def clean_text_dump(text: str) -> CleanedText:
    """Split a text dump into title, body and chrome, and read metadata from the chrome."""
    lines = [line for line in normalize_text(text).split("\n") if line]
    header, rest = _split_header(lines)
    title_at = next((i for i, line in enumerate(rest) if not _is_chrome_line(line)), None)
    if title_at is None:
        return CleanedText(body="", categories=_header_categories(header))
    # A dump without its title (an article exported alone) opens on prose: a long line, or one that
    # ends a sentence, is no title and stays in the body.
    titled = len(rest[title_at]) <= _TITLE_MAX and not re.search(r"[^.]\.$", rest[title_at])
    title = rest[title_at] if titled else None
    post = rest[title_at + titled:]
    footer_at = next((i for i, line in enumerate(post) if FOOTER_START.match(line)), len(post))
    body_lines, footer = post[:footer_at], post[footer_at:]
    kept: list[str] = []
    captions: list[str] = []
    for line in body_lines:
        if IMAGE_FILE.match(line) or IMAGE_LABEL.match(line):
            captions.append(line)
        elif not WIDGET_LINE.match(line):
            kept.append(line)
    categories = _footer_items(footer, _CATEGORY_LINE) or _header_categories(header)
    return CleanedText(
        body="\n\n".join(kept),
        title=normalize_line(title) if title else None,
        author=_author(header + footer),
        categories=categories,
        tags=_footer_items(footer, _TAG_LINE),
        captions=captions,
    )


def _split_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """The header ends at a comments link near the top; without one there is no header."""
    for i, line in enumerate(lines[:_HEADER_LINES]):
        if COMMENT_LINK.match(line):
            return lines[: i + 1], lines[i + 1 :]
    return [], lines


def _is_chrome_line(line: str) -> bool:
    return bool(COMMENT_LINK.match(line) or WIDGET_LINE.match(line) or IMAGE_FILE.match(line))


def _split_items(items: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|\||•|·)\s*", items.strip(" .:"))
    seen: dict[str, None] = {}
    for part in parts:
        part = part.strip()
        if part and len(part) <= 80:
            seen.setdefault(part, None)
    return list(seen)


def _footer_items(footer: list[str], pattern: re.Pattern[str]) -> list[str]:
    for line in footer:
        match = pattern.match(line)
        if match:
            return _split_items(match["items"])
    return []


def _header_categories(header: list[str]) -> list[str]:
    """The line above the comments link lists the categories on most WordPress themes."""
    lines = [line for line in header if not COMMENT_LINK.match(line) and not _BYLINE.match(line)]
    return _split_items(lines[0]) if len(lines) == 1 and len(lines[0]) <= 200 else []


def _author(chrome: list[str]) -> str | None:
    for i, line in enumerate(chrome):
        match = _BYLINE.match(line)
        if match and _looks_like_name(match["name"]):
            return match["name"].strip()
        following = chrome[i + 1] if i + 1 < len(chrome) else ""
        if _BYLINE_ALONE.match(line) and not _AVATAR.match(following) and _looks_like_name(following):
            return following.strip()
        match = _AVATAR.match(line)
        if match and _looks_like_name(match["name"]):
            return match["name"].strip()
    return None


def _looks_like_name(text: str) -> bool:
    text = text.strip()
    return bool(_NAME.match(text)) and text.casefold() not in _PLACEHOLDER_AUTHORS
