import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import Failure, MediaType, RawDocument, Stage
from tasks.sources.acquire import acquire_bytes, acquire_file, decode_document, discover_inputs

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def raw(content: bytes, name: str = "page.html") -> RawDocument:
    doc = acquire_bytes(content, f"/in/{name}", NOW, name=name)
    assert isinstance(doc, RawDocument)
    return doc


def test_discover_inputs_walks_folders_for_pages_and_dumps(tmp_path: Path):
    for name in ("a.html", "b.htm", "c.html.gz", "d.txt", "e.pdf", ".hidden.html", "sub/f.HTML"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = list(discover_inputs([tmp_path, tmp_path / "missing.html"]))
    assert [p.name for p in found if isinstance(p, Path)] == ["a.html", "b.htm", "c.html.gz", "d.txt", "f.HTML"]
    assert [f.reason for f in found if isinstance(f, Failure)] == ["no such file or folder"]


def test_acquire_file_gzip_and_plain_give_one_document(tmp_path: Path):
    page = b"<html><body><p>Bonjour</p></body></html>"
    (tmp_path / "p.html").write_bytes(page)
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(page))
    plain, zipped = acquire_file(tmp_path / "p.html", NOW), acquire_file(tmp_path / "p.html.gz", NOW)
    assert plain.doc_id == zipped.doc_id and zipped.content == page
    assert zipped.media_type is MediaType.HTML


def test_acquire_bytes_reports_corrupt_gzip():
    failure = acquire_bytes(b"\x1f\x8b\x08\x00broken", "/in/x.html.gz", NOW)
    assert isinstance(failure, Failure) and failure.stage is Stage.ACQUIRE and "gzip" in failure.reason


def test_acquire_bytes_sniffs_html_without_suffix():
    assert raw(b"<!DOCTYPE html><html><p>x</p></html>", "noext").media_type is MediaType.HTML
    assert raw(b"Just words.", "noext").media_type is MediaType.TEXT


@pytest.mark.parametrize(
    ("content", "encoding", "expected"),
    [
        ("Événement à Paris, « déjà » vu".encode("utf-8"), "utf-8", "Événement à Paris, « déjà » vu"),
        ("L’été à Paris – « déjà » vu, œuvre".encode("cp1252"), "cp1252", "L’été à Paris – « déjà » vu, œuvre"),
        ('<meta charset="iso-8859-1"><p>Été à Noël</p>'.encode("latin-1"), "cp1252", "Été à Noël"),
        ("\ufeffÉté".encode("utf-8"), "utf-8-sig", "Été"),
        ("Été en UTF-16".encode("utf-16"), "utf-16", "Été en UTF-16"),
    ],
)
def test_decode_document_detects_encodings(content, encoding, expected):
    text, found = decode_document(raw(content, "x.txt"))
    assert expected in text
    assert found.replace("_", "-").lower() in {encoding, "windows-1252" if encoding == "cp1252" else encoding}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty document"),
        (b"  \n\t ", "document holds only white space"),
        (b"%PDF-1.7 binary", "binary content: looks like a PDF file"),
        (b"\x89PNG\r\n\x1a\n....", "binary content: looks like a PNG image"),
        (b"abc\x00\x01\x02def" * 50, "binary content: NUL bytes"),
    ],
)
def test_decode_document_rejects_empty_and_binary_input(content, reason):
    failure = decode_document(raw(content, "x.html"))
    assert isinstance(failure, Failure) and failure.stage is Stage.DECODE
    assert failure.reason.startswith(reason)


def test_decode_document_leaves_cyrillic_to_the_detector():
    text, encoding = decode_document(raw("Привет, как дела? Это тестовая страница на русском языке.".encode("cp1251"), "x.txt"))
    assert "Привет" in text and encoding != "cp1252"


_UTF8_PAGE = "Oser l’IA : une belle déclaration, « très réussie », à l’époque. " * 20


@pytest.mark.parametrize("content", [
    _UTF8_PAGE.encode()[:300] + b"\xff\xfe\x80\x9d" + _UTF8_PAGE.encode()[300:],  # four invalid bytes
    _UTF8_PAGE.encode() + "Une déclaration écrite à Noël.".encode("latin-1"),  # Latin-1 pasted into UTF-8
    b'<meta charset="iso-8859-1">' + _UTF8_PAGE.encode() + b"\xe9t\xe9",  # a declaration that lies
])
def test_mostly_utf8_is_read_as_utf8_never_as_cp1252(content):
    text, encoding = decode_document(raw(content, "x.txt"))
    assert encoding == "utf-8+cp1252"
    assert "Oser l’IA : une belle déclaration, « très réussie »" in text and "Ã" not in text and "â€" not in text


def test_latin1_pasted_into_utf8_is_read_back_as_written():
    text, _ = decode_document(raw(_UTF8_PAGE.encode() + "Une déclaration écrite à Noël.".encode("latin-1"), "x.txt"))
    assert text.endswith("Une déclaration écrite à Noël.")


def test_a_gzip_bomb_is_stopped_at_the_document_limit():
    import tracemalloc
    import zlib

    from tasks.sources.acquire import MAX_STORED_BYTES

    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = b"".join([bomb.compress(b"\0" * 2**24) for _ in range(16)]) + bomb.flush()  # 256 MiB inflated
    tracemalloc.start()
    try:
        failure = acquire_bytes(data, "/x/bomb.html.gz", NOW)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(failure, Failure) and "inflates past" in failure.reason
    assert str(MAX_STORED_BYTES // 2**20) in failure.reason
    assert peak < 3 * MAX_STORED_BYTES, peak  # never the 256 MiB


def test_gzip_members_one_after_the_other_are_one_document():
    import gzip

    content = gzip.compress("Un billet, ".encode()) + gzip.compress("en deux parties.".encode())
    assert acquire_bytes(content, "/x/a.txt.gz", NOW).content == "Un billet, en deux parties.".encode()
    truncated = acquire_bytes(gzip.compress(b"Un billet assez long pour etre coupe." * 20)[:-12], "/x/b.txt.gz", NOW)
    assert isinstance(truncated, Failure) and truncated.reason == "corrupt gzip data"


@pytest.mark.parametrize("encoded_as", ["cp1252", "latin-1"])
def test_mojibake_already_in_the_bytes_is_repaired_and_flagged(encoded_as):
    # the page was saved as UTF-8 after a tool had read UTF-8 as cp1252: "lâ€™IA", "dÃ©claration"
    garbled = _UTF8_PAGE.encode("utf-8").decode(encoded_as, errors="ignore")
    text, encoding = decode_document(raw(garbled.encode("utf-8"), "x.txt"))
    assert encoding == "utf-8+ftfy"
    assert "Oser l’IA : une belle déclaration, « très réussie »" in text


def test_text_without_mojibake_is_left_as_written():
    page = "VISITE DU CHÂTEAU : « PÂTES ET GÂTEAUX », écrit-il de São Paulo. " * 3  # Â, but no mojibake
    text, encoding = decode_document(raw(_UTF8_PAGE.encode() + page.encode(), "x.txt"))
    assert encoding == "utf-8" and "São Paulo" in text and "déclaration" in text
