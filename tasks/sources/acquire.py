"""Acquisition: find input files, read their bytes, and decode bytes to text.

Owns the file-system seam (the only local IO of the pure core) and encoding detection.
A document's identity is the SHA-256 of its bytes, gzip transport encoding removed, so
`page.html` and `page.html.gz` are one document. Must not parse HTML or judge content
beyond "is this text at all".
"""

from __future__ import annotations

import codecs
import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from schemas import Failure, MediaType, RawDocument, Stage

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
INPUT_SUFFIXES = HTML_SUFFIXES + TEXT_SUFFIXES
# Raw bytes are kept even for pages too large to parse; past this cap a file is not read at all.
MAX_STORED_BYTES = 64 * 1024 * 1024

_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"RIFF": "a RIFF file (WebP, WAV or AVI)",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "gzip data inside gzip data",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I)
_HTML_SNIFF = re.compile(rb"<(!doctype\s+html|html|head|body|article|div|p)[\s>]", re.I)


def is_input_file(path: Path) -> bool:
    """True for file names the walker ingests: HTML and text dumps, gzipped or not."""
    name = path.name.lower()
    if name.startswith("."):
        return False
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(INPUT_SUFFIXES)


def discover_inputs(paths: Iterable[Path]) -> Iterator[Path | Failure]:
    """Yield input files under `paths` (folders recursively, sorted); a missing path yields a failure."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and is_input_file(p))
        elif path.is_file():
            yield path  # named explicitly: taken whatever its suffix, and sniffed
        else:
            yield Failure(source_uri=str(path), stage=Stage.ACQUIRE, reason="no such file or folder")


def media_type_of(name: str, content: bytes) -> MediaType:
    """HTML or plain text, from the file name, else from the first bytes."""
    lower = name.lower().removesuffix(".gz")
    if lower.endswith(HTML_SUFFIXES):
        return MediaType.HTML
    if lower.endswith(TEXT_SUFFIXES):
        return MediaType.TEXT
    return MediaType.HTML if _HTML_SNIFF.search(content[:4096]) else MediaType.TEXT


def document_id(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def acquire_bytes(
    content: bytes, source_uri: str, now: datetime, *, name: str | None = None, url: str | None = None,
    media_type: MediaType | None = None,
) -> RawDocument | Failure:
    """Turn bytes from any source into a raw document, undoing gzip transport encoding.

    `media_type` is what a server declared; without it the name, then the first bytes, decide.
    """
    name = name or source_uri
    if content[:2] == b"\x1f\x8b":
        try:
            content = gunzip(content, MAX_STORED_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            return Failure(
                source_uri=source_uri, stage=Stage.ACQUIRE, doc_id=document_id(content),
                reason="corrupt gzip data", detail=str(exc),
            )
        except TooLarge as exc:
            return Failure(source_uri=source_uri, stage=Stage.ACQUIRE, doc_id=document_id(content), reason=str(exc))
    return RawDocument(
        doc_id=document_id(content), source_uri=source_uri, content=content,
        media_type=media_type or media_type_of(name, content), acquired_at=now, url=url,
    )


class TooLarge(ValueError):
    """Compressed data that inflates past the document limit."""


def gunzip(content: bytes, limit: int) -> bytes:
    """Inflate gzip data (members one after the other) in bounded steps, refusing more than
    `limit` bytes of output: a gzip bomb is stopped at the limit, not inflated whole."""
    out, total, data = [], 0, content
    while data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(wbits=31)
        chunk = inflater.decompress(data, limit + 1 - total)
        while True:
            total += len(chunk)
            if total > limit:
                raise TooLarge(f"gzip data inflates past the {limit // 2**20} MB document limit")
            out.append(chunk)
            if inflater.eof or not inflater.unconsumed_tail:
                break
            chunk = inflater.decompress(inflater.unconsumed_tail, limit + 1 - total)
        if not inflater.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        data = inflater.unused_data.lstrip(b"\x00")
    return b"".join(out)


def acquire_file(path: Path, now: datetime) -> RawDocument | Failure:
    """Read one file into a raw document, or say why it cannot be read."""
    source_uri = str(path.resolve())
    try:
        size = path.stat().st_size
        if size > MAX_STORED_BYTES:
            return Failure(
                source_uri=source_uri, stage=Stage.ACQUIRE,
                reason=f"file is {size / 2**20:.1f} MB, over the {MAX_STORED_BYTES // 2**20} MB storage cap",
            )
        content = path.read_bytes()
    except OSError as exc:
        return Failure(source_uri=source_uri, stage=Stage.ACQUIRE, reason="cannot read file", detail=str(exc))
    return acquire_bytes(content, source_uri, now, name=path.name)


def decode_document(raw: RawDocument) -> tuple[str, str] | Failure:
    """Decode raw bytes to text; return (text, encoding) or a failure that says why not."""

    def fail(reason: str, detail: str | None = None) -> Failure:
        return Failure(source_uri=raw.source_uri, stage=Stage.DECODE, doc_id=raw.doc_id, reason=reason, detail=detail)

    content = raw.content
    if not content.strip():
        return fail("empty document" if not content else "document holds only white space")
    for magic, what in _MAGIC.items():
        if content.startswith(magic):
            return fail(f"binary content: looks like {what}, not a web page or text")
    bom = _bom_encoding(content)
    if bom is None and b"\x00" in content[:8192]:
        return fail("binary content: NUL bytes in a document that declares no UTF-16/32 encoding")
    for encoding in filter(None, (bom, "utf-8")):
        try:
            return _checked(content.decode(encoding), encoding, fail)
        except (UnicodeDecodeError, LookupError):
            continue
    if bom is None and _mostly_utf8(content):  # never read UTF-8 as cp1252, whatever the page declares
        return _checked(content.decode("utf-8", _CP1252_BYTES), MIXED_UTF8, fail)
    declared = _declared_encoding(raw)
    if declared:
        try:
            return _checked(content.decode(declared), declared, fail)
        except (UnicodeDecodeError, LookupError):
            pass
    western = _as_western(content)
    if western is not None:
        return _checked(western, "cp1252", fail)
    best = from_bytes(content[: 512 * 1024]).best()
    if best is None or best.encoding is None:
        return fail("undecodable bytes: no text encoding fits this document")
    try:
        text = content.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        return fail(f"undecodable bytes: detected {best.encoding} does not fit the whole document", str(exc))
    return _checked(text, best.encoding, fail)


# UTF-8 with bytes that are not (a file saved twice, Latin-1 pasted into UTF-8): each invalid
# byte is read as cp1252, which is what it almost always is; the encoding recorded says so.
MIXED_UTF8 = "utf-8+cp1252"
_CP1252_BYTES = "covpipe-cp1252-bytes"
codecs.register_error(_CP1252_BYTES, lambda e: (e.object[e.start:e.end].decode("cp1252", "replace"), e.end))
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _mostly_utf8(content: bytes) -> bool:
    """Whether valid UTF-8 sequences are at least as many as the high bytes outside them: text
    in a single-byte code page almost never forms one (é then € is not a UTF-8 sequence)."""
    sequences = len(_UTF8_SEQUENCE.findall(content))
    strays = len(_HIGH_BYTE.findall(_UTF8_SEQUENCE.sub(b"", content)))
    return sequences > 0 and sequences >= strays


def _checked(text: str, encoding: str, fail) -> tuple[str, str] | Failure:
    text, encoding = _repaired(text.removeprefix("\ufeff"), encoding)  # before: mojibake of Latin-1 has C1 controls
    controls = sum(1 for c in text[:20000] if (ord(c) < 32 and c not in "\t\n\r\f") or 0x7F <= ord(c) < 0xA0)
    if controls > 0.01 * min(len(text), 20000):
        return fail(f"binary content: {controls} control characters after decoding as {encoding}")
    return text, encoding


# What UTF-8 read as cp1252 or Latin-1 leaves in French and English text ("Ã©", "â€™", "Â "):
# only a text holding one of them goes through ftfy, which decides and repairs.
_MOJIBAKE_MARKS = ("Ã", "â€", "Â")
REPAIRED = "+ftfy"


def _repaired(text: str, encoding: str) -> tuple[str, str]:
    """The text with mojibake that was already in its bytes repaired ("lâ€™IA" -> "l’IA"), the
    encoding recorded with "+ftfy" when anything changed."""
    if not any(mark in text for mark in _MOJIBAKE_MARKS):
        return text, encoding
    fixed = ftfy.fix_encoding(text)
    return (fixed, encoding + REPAIRED) if fixed != text else (text, encoding)


# What French and English pages in cp1252 are made of; a detector guessing among look-alike
# single-byte code pages (cp1250, cp1257...) on a short page is wrong more often than this test.
_WESTERN = re.compile(r"[\x09\x0a\x0d\x20-\x7e\xa0-\xff’‘“”„–—…«»œŒ€•™ŠšŽžŸ†‡‰‹›ˆ˜ƒ]*")


def _as_western(content: bytes) -> str | None:
    """The content as cp1252 when every character decoded is one Western pages use."""
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if not _WESTERN.fullmatch(text):
        return None
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if ord(c) > 127)
    # Cyrillic or Greek bytes read as cp1252 are almost all accented letters; French is not.
    return text if accented <= 0.3 * max(len(letters), 1) else None


def _bom_encoding(content: bytes) -> str | None:
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            return name
    return None


def _declared_encoding(raw: RawDocument) -> str | None:
    head = raw.content[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    declared = match.group(1).decode("ascii", "ignore").lower()
    # Pages that say latin-1 are cp1252 in practice (the WHATWG encoding standard maps them so).
    return "cp1252" if declared in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"} else declared
