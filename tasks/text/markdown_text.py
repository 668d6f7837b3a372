"""Text dumps in Markdown turned into the text a reader sees, before any stage reads them.

Posts reach covpipe as Markdown exports too: a static site's source (Hugo, Jekyll, with YAML
or TOML front matter), a clipper or reader-mode export, pandoc, html2text, trafilatura.
Read as plain text, their syntax becomes content: a link target holding an encoded
guillemet pairs with the next «, a pandoc attribute ({width="400"}) becomes a quote, `**`
and `\\'` stay in names. markdown-it-py (CommonMark, with tables) parses the dump. An
article's text is rebuilt from its tokens (`markdown_to_text`): link text without targets,
images out of the body (their alt text to the captions), code blocks and raw HTML blocks
(embeds) out, inline HTML reduced to its text, escapes resolved, pandoc attribute lists
dropped. A whole page (`is_whole_page`: pandoc's fenced divs, the page's layout) is rendered
to HTML with its layout kept (`markdown_to_html`), for the HTML pipeline's boilerplate
removal. Front matter is read as metadata.

Whether a dump is Markdown is judged from its syntax (`looks_like_markdown`): a plain dump
of a web page (a line per block) goes through untouched.
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

_FRONT_MATTER = re.compile(r"\A\ufeff?(?:(---)[ \t]*\n(.*?)\n(?:---|\.\.\.)|(\+\+\+)[ \t]*\n(.*?)\n\+\+\+)[ \t]*(?:\n|\Z)",
                           re.S)
# Markdown's marks, each a sign a dump was written in it (counted per construct, not per use).
_SIGNS = {
    "link": re.compile(r"\[[^\]\n]+\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)"),
    "image": re.compile(r"!\[[^\]\n]*\]\("),
    "heading": re.compile(r"^#{1,6}[ \t]+\S", re.M),
    "strong": re.compile(r"(\*\*|__)(?=\S)[^\n]+?(?<=\S)\1"),
    "fence": re.compile(r"^(```|~~~)", re.M),
    "attributes": re.compile(r"\{(?:[#.][\w-]+|[\w-]+=(?:\"[^\"]*\"|\S+))(?:\s+[^{}\n]*)?\}"),
    "escape": re.compile(r"\\[\\`*_{}\[\]()#+\-.!'\"«»]"),
    "reference": re.compile(r"^\s*\[[^\]\n]+\]:\s+\S+", re.M),
    "quote": re.compile(r"^>\s", re.M),
    "table": re.compile(r"^\s*\|?\s*:?-{3,}:?\s*\|", re.M),
}
# pandoc's attribute lists and bracketed spans: {width="400"}, {#id .class}, [texte]{.underline}
_ATTRIBUTES = re.compile(r"\{(?:\s*(?:[#.][\w:-]+|[\w:-]+=(?:\"[^\"]*\"|'[^']*'|[^\s{}]+)))+\s*\}")
_LOOSE_ATTRIBUTES = re.compile(r"[ \t]*" + _ATTRIBUTES.pattern)
_SPAN = re.compile(r"\[([^\[\]\n]+)\]" + _ATTRIBUTES.pattern)  # a pandoc span: its text
_TAGS = re.compile(r"<[^>]*>")
_META_KEYS = {"title": ("title",), "author": ("author", "authors"), "date": ("date", "published", "publishDate"),
              "tags": ("tags", "keywords"), "categories": ("categories", "category", "section"),
              "description": ("description", "summary", "excerpt"), "site_name": ("sitename", "site_name", "hostname"),
              "canonical_url": ("url", "canonical_url", "source")}
# "--" and "---" to dashes as pandoc writes them; straight quotes are left as they are. Text tokens
# are not joined, so that an emphasis mark no pair closes (pandoc closes more than CommonMark:
# "*« Nous refusons*, souligne-t-elle*. La suite*") stays a token of its own, to drop.
_PARSER = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(["table", "replacements"])
_SUPERSCRIPT = re.compile(r"([\^~])(?=\S)([^\^~\n]{1,20}?)\1")  # pandoc's M^me^ and H~2~O
# A whole page nests its lists deep: pandoc indents them four spaces and more, which is no code.
_PAGE_PARSER = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(["table", "replacements"]
                                                                                   ).disable("code")
for _parser in (_PARSER, _PAGE_PARSER):
    _parser.inline.ruler2.disable("fragments_join")
    _parser.core.ruler.disable("text_join")


@dataclass
class MarkdownText:
    text: str
    captions: list[str] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[dict, str]:
    """(metadata, rest) of a dump that opens with YAML (---) or TOML (+++) front matter; ({}, text)
    when it has none or it does not parse."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match[2]) if match[1] else tomllib.loads(match[4])
    except (yaml.YAMLError, tomllib.TOMLDecodeError):
        return {}, text
    return (data, text[match.end():]) if isinstance(data, dict) else ({}, text)


def front_matter_fields(data: dict) -> dict:
    """title, authors, published_at, tags, categories, description, site_name, canonical_url of front matter."""
    found: dict = {}
    for field_name, keys in _META_KEYS.items():
        value = next((data[k] for k in keys if data.get(k) not in (None, "", [])), None)
        if value is None:
            continue
        if field_name in ("tags", "categories", "author"):
            items = value if isinstance(value, list) else re.split(r"\s*[,;]\s*", str(value))
            found["authors" if field_name == "author" else field_name] = [str(i).strip() for i in items if str(i).strip()]
        elif field_name == "date":
            found["published_at"] = _date(value)
        else:
            found[field_name] = " ".join(str(value).split())
    return {k: v for k, v in found.items() if v}


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    try:
        return date(int(match[1]), int(match[2]), int(match[3])) if match else None
    except ValueError:
        return None


def looks_like_markdown(text: str) -> bool:
    """Two kinds of Markdown marks at least, or one used three times: a dump of a web page has
    neither (a lone "**" or "[1]" does not make one)."""
    counts = {name: len(sign.findall(text)) for name, sign in _SIGNS.items()}
    kinds = sum(1 for n in counts.values() if n)
    return kinds >= 2 or any(n >= 3 for n in counts.values())


def markdown_to_text(text: str) -> MarkdownText:
    """The text a reader sees of a Markdown document: one line per paragraph, heading, list item,
    table row or quoted paragraph; image alt texts as captions."""
    lines: list[str] = []
    captions: list[str] = []
    row: list[str] | None = None  # the cells of the table row being read
    for token in _PARSER.parse(_SPAN.sub(r"\1", text)):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            if row and any(row):
                lines.append(" | ".join(c for c in row if c))
            row = None
        elif token.type == "inline":
            cell = _inline(token.children or [], captions)
            if row is not None:
                row.append(cell.replace("\n", " "))
            elif cell:
                lines.extend(cell.split("\n"))
        elif token.type == "html_block":
            content = _inline_html(token.content)
            if content and not re.match(r"\s*<(?:iframe|script|style|figure|video|audio|object|embed|blockquote "
                                        r"class=\"(?:twitter|instagram))", token.content, re.I):
                lines.append(content)
    return MarkdownText("\n".join(line for line in (" ".join(x.split()) for x in lines) if line), captions)


_FENCED_DIV = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?:{3,}[ \t]*(.*?)[ \t]*:*[ \t]*$", re.M)  # pandoc's ::: {attributes}


_TAG_LINE = re.compile(r"^([ \t]*</?[A-Za-z][^<>\n]*>[ \t]*)$", re.M)
_RAW_BLOCK = re.compile(r"^(`{3,}|~{3,})[ \t]*\{=[\w-]+\}[ \t]*\n.*?^\1[ \t]*$", re.M | re.S)
_PAGE_MARKS = re.compile(r"^[ \t]*(?::{3,}|<(?:div|nav|header|footer|aside|section)\b)", re.M | re.I)


def is_whole_page(text: str) -> bool:
    """Whether a Markdown dump holds a whole page (pandoc's fenced divs, HTML blocks of the page's
    layout) rather than an article: a page needs boilerplate removal, an article does not."""
    return len(_PAGE_MARKS.findall(text)) >= 3


def markdown_to_html(text: str) -> str:
    """The HTML page a Markdown document stands for, for the HTML pipeline: pandoc's fenced divs
    (::: {.nav}) become the divs they were, with their classes, so that boilerplate removal
    tells navigation from the article as on the page; attribute lists and spans are dropped."""
    def div(match: re.Match) -> str:
        attributes = match[1].strip().removeprefix("{").removesuffix("}")
        if not attributes:
            return "\n\n</div>\n\n"
        classes = " ".join(re.findall(r"(?:^|\s)\.([\w:-]+)", attributes))
        if not classes and not re.search(r"[#={]", attributes):  # ::: Warning: a bare class name
            classes = attributes.strip().split()[0]
        ident = re.search(r"(?:^|\s)#([\w:-]+)", attributes)
        # blank lines around: CommonMark would read the Markdown after an HTML line as HTML
        return f"\n\n<div class=\"{html.escape(classes)}\"" + (f" id=\"{html.escape(ident[1])}\"" if ident else "") + ">\n\n"

    source = _FENCED_DIV.sub(div, _RAW_BLOCK.sub("", text))
    source = _TAG_LINE.sub(r"\n\1\n", source)  # a line of one HTML tag (<nav>, </div>) is a block of its own
    source = _LOOSE_ATTRIBUTES.sub("", _SPAN.sub(r"\1", source))
    tokens = _PAGE_PARSER.parse(source)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = [c for i, c in enumerate(token.children) if not _stray(token.children, i)]
            _as_text(token.children)
    return _PAGE_PARSER.renderer.render(tokens, _PAGE_PARSER.options, {})


def _inline(children: list[Token], captions: list[str]) -> str:
    parts: list[str] = []
    for i, child in enumerate(children):
        if _stray(children, i):
            continue
        if child.type == "text":
            parts.append(_SUPERSCRIPT.sub(r"\2", child.content))
        elif child.type == "text_special":  # an escape ("\\^") or an entity: itself, never a mark
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(_SOFT)
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            alt = " ".join(child.content.split()) or _inline(child.children or [], [])
            if alt:
                captions.append(alt)
        elif child.type == "html_inline":
            if re.match(r"<br\s*/?>", child.content, re.I):
                parts.append(" ")
    text = _unwrapped(_LOOSE_ATTRIBUTES.sub("", "".join(parts)))
    return html.unescape(text).strip()


_SOFT = "\x00"
_STRAY = re.compile(r"[*_]+")


def _as_text(children: list[Token]) -> None:
    """Escapes and entities become text, as text_join would make them, down to an image's alt text."""
    for child in children:
        if child.type == "text_special":
            child.type = "text"
        if child.children:
            _as_text(child.children)


def _stray(children: list[Token], i: int) -> bool:
    """An emphasis mark no pair closed: at an end of the paragraph, or between a word and a space
    or a mark ("dit-il*.", "« **Je", "»**"); not inside a word (5*3, a_b) nor between spaces (5 * 3)."""
    child = children[i]
    if child.type != "text" or not _STRAY.fullmatch(child.content):
        return False
    before = children[i - 1].content[-1:] if i and children[i - 1].content else ""
    after = children[i + 1].content[:1] if i + 1 < len(children) and children[i + 1].content else ""
    if not before or not after:
        return True
    return not (before.isalnum() and after.isalnum() or before.isspace() and after.isspace())
_ENDS_BLOCK = re.compile(r"[.!?:;»\"”)]\s*$")


def _unwrapped(text: str) -> str:
    """A paragraph's line breaks: a hard-wrapped paragraph (long lines cut mid-sentence, as pandoc
    writes them) is one line; a dump's lines, each a block of the page ("Laisser un commentaire"
    under a title), stay lines."""
    lines = text.split(_SOFT)
    wrapped = all(len(line) >= 60 and not _ENDS_BLOCK.search(line) for line in lines[:-1])
    return (" " if wrapped else "\n").join(lines)


def _inline_html(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())
