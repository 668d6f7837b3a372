"""`python -m bench.markdown_dumps`: the 40 development pages as Markdown dumps, scored as the pages are.

Each page of ../shared/data/fr-web-pages is exported to Markdown the ways posts reach us:
trafilatura's Markdown (front matter, formatting, links and images kept), and, when pandoc
is installed (Debian's `pandoc`), pandoc's Markdown of the article as a clipper keeps it
(`pandoc-article`) and of the whole page, navigation and all (`pandoc`). Each set is
ingested as text dumps, through the real flow, and scored with ../shared/eval against the
gold of its page (the gold's document renamed to the dump); the HTML pages are ingested and
scored the same way beside them, and so is each export as plain text (trafilatura's
txt, pandoc's plain): the ceiling of a Markdown reader on that export. Also counted: quotes made of a number, a URL or an
attribute value. Prints the figures and writes them as JSON (--json).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from bench.eval import _figures

KEYS = ("quotes_f1", "speaker_strict_accuracy", "speaker_lenient_accuracy", "entities_f1", "roles_recall",
        "metadata_accuracy")
_JUNK = re.compile(r"^\s*(?:[\d\s.,%]+|https?://\S+|[\w-]+=\S+|\{[^}]*\})\s*$")


def exports(html: str, kind: str) -> str | None:
    """The page exported as `kind`; a kind ending in "-text" is the same export as plain text, the
    ceiling a Markdown reader can reach on it (what the export itself lost is not the reader's)."""
    import trafilatura

    plain = kind.endswith("-text")
    if kind.startswith("trafilatura"):
        return trafilatura.extract(html, output_format="txt" if plain else "markdown", with_metadata=True,
                                   include_formatting=not plain, include_links=not plain, include_images=not plain)
    if kind.startswith("pandoc-article"):  # a clipper's article, converted by pandoc
        html = trafilatura.extract(html, output_format="html", include_formatting=True, include_links=True,
                                   include_images=True) or ""
    done = subprocess.run(["pandoc", "-f", "html", "-t", "plain" if plain else "markdown", "--wrap=none"], input=html,
                          capture_output=True, text=True, timeout=120)
    return done.stdout if done.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    shared = args.shared.resolve()
    pages = sorted((shared / "data/fr-web-pages/html").glob("*.html"))
    if not pages:
        print(f"skipped: no pages under {shared}")
        return 0
    for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                       "PREFECT_LOGGING_LEVEL": "WARNING"}.items():
        os.environ.setdefault(key, value)
    from flows.runners import run_flow, start_api
    from schemas import Settings

    start_api(Settings())
    from flows.ingest import ingest

    kinds = ["html", "trafilatura", "trafilatura-text"] + (
        ["pandoc-article", "pandoc-article-text", "pandoc"] if shutil.which("pandoc") else [])
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for kind in kinds:
            inputs, gold = work / kind / "in", work / kind / "gold"
            inputs.mkdir(parents=True)
            gold.mkdir()
            for page in pages:
                target = page.name if kind == "html" else page.stem + (".txt" if kind.endswith("-text") else ".md")
                if kind == "html":
                    shutil.copy(page, inputs / target)
                else:
                    text = exports(page.read_text("utf-8", errors="replace"), kind)
                    if not text:
                        continue
                    (inputs / target).write_text(text, "utf-8")
                for file in (shared / "gold/fr-web").glob("*.json"):
                    data = json.loads(file.read_text("utf-8"))
                    if data["document"] == page.name:
                        (gold / file.name).write_text(json.dumps(data | {"document": target}), "utf-8")
            db = work / kind / "w.duckdb"
            run_flow(ingest, Settings(db=db), paths=[str(inputs)])
            scored = subprocess.run([sys.executable, str(shared / "eval/score_warehouse.py"), "--db", str(db),
                                     "--gold", str(gold)], capture_output=True, text=True, check=True)
            figures = _figures(scored.stdout)
            con = duckdb.connect(str(db), read_only=True)
            quotes = [t for (t,) in con.execute("SELECT text FROM quotations").fetchall()]
            con.close()
            results[kind] = {k: figures.get(k) for k in KEYS} | dict(
                documents=len(list(inputs.iterdir())), quotes=len(quotes),
                junk_quotes=sorted(q for q in quotes if _JUNK.match(q)))
    for kind in kinds[1:]:
        for base in ("html", kind + "-text"):
            if base in results and base != kind:
                results[kind][f"delta_vs_{base}"] = {
                    k: round(results[kind][k] - results[base][k], 4) for k in KEYS
                    if results[kind][k] is not None and results[base][k] is not None}
    print(json.dumps(results, indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
