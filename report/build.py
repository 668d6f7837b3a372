"""`build_report`: the coverage report of a warehouse, as one self-contained HTML file.

Owns the page model: it reads the figures through warehouse.coverage on a read-only
connection, asks charts.py for the SVGs, and hands both to render.py. It must not hold
SQL, HTML or chart styling, and must never write to the warehouse.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from report import charts, labels
from report.render import render_page, slug
from warehouse import connect
from warehouse.coverage import CoverageData, coverage

log = logging.getLogger(__name__)
TOP = 15
CHART_BARS = 10  # bars per chart: readable, and matplotlib's cost grows with every label
WALL_SPEAKERS = 12
QUOTES_PER_SPEAKER = 3
TABLE_ROWS = 200


@dataclass(frozen=True)
class ReportSummary:
    """What a report holds (posts and quotes of the events shown, each counted once) and what it cost."""

    out: Path
    events: list[str]
    posts: int
    quotes: int
    charts: int
    bytes: int
    seconds: float


def build_report(db_path: Path, out: Path, *, event: str | None = None, since: date | None = None,
                 lang: str = "fr", now: datetime | None = None, internal: bool = False) -> ReportSummary:
    """Write the report of the warehouse at `db_path` to `out` (one event or every event; posts since
    `since`). The client version by default: coverage only; `internal` adds the run history and the
    failures, with the sources' local paths."""
    if lang not in labels.LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(labels.LANGUAGES)}")
    start = time.perf_counter()
    con = connect(Path(db_path), read_only=True)
    try:
        data = coverage(con, event=event, since=since, top=TOP, wall_speakers=WALL_SPEAKERS,
                        quotes_per_speaker=QUOTES_PER_SPEAKER)
    finally:
        con.close()
    page = page_model(data, lang, db_name=Path(db_path).name, now=now or datetime.now(UTC)) | {"internal": internal}
    html = render_page(page, lang)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, "utf-8")
    summary = ReportSummary(
        out=out, events=[e["event"] for e in data.events], posts=data.totals["event_posts"],
        quotes=data.totals["event_quotes"], charts=page["chart_count"],
        bytes=len(html.encode("utf-8")), seconds=round(time.perf_counter() - start, 3),
    )
    log.info("report of %d events written to %s (%d bytes)", len(summary.events), out, summary.bytes)
    return summary


def page_model(data: CoverageData, lang: str, *, db_name: str, now: datetime) -> dict[str, Any]:
    """Everything the template shows: figures, rows and chart SVGs, one section per event."""
    words = labels.LABELS[lang]
    sections = [_section(summary, data.by_event[summary["event"]], i, lang)
                for i, summary in enumerate(data.events, start=1)]
    index_chart = None
    if data.event is None and len(data.events) > 1:
        shown = data.events[:CHART_BARS * 2]
        index_chart = _chart(charts.bars_svg([e["event"] for e in shown], [e["posts"] for e in shown],
                                             words["posts_chart"], "chart-index", value_label=words["posts"]),
                             words["posts_chart"])
    chart_count = sum(s["chart_count"] for s in sections) + (index_chart is not None)
    title = words["title_event"].format(event=data.event) if data.event else words["title"]
    return {
        "title": title, "event": data.event, "since": data.since, "db_name": db_name, "generated_at": now,
        "events": data.events, "sections": sections, "index_chart": index_chart, "totals": data.totals,
        "runs": data.runs, "last_run": data.runs[0] if data.runs else None, "failures": data.failures[:TABLE_ROWS],
        "failure_groups": len(data.failures), "chart_count": chart_count, "table_rows": TABLE_ROWS,
        "wall_speakers": WALL_SPEAKERS, "quotes_per_speaker": QUOTES_PER_SPEAKER,
    }


def _section(summary: dict[str, Any], parts: dict[str, list[dict[str, Any]]], index: int,
             lang: str) -> dict[str, Any]:
    words = labels.LABELS[lang]
    name = summary["event"]
    anchor = slug(name, index)
    svgs: dict[str, Any] = dict.fromkeys(("timeline", "speakers", "ORG", "PERSON"))
    timeline = charts.timeline(parts["timeline"], lang)
    if timeline is not None:
        grain = words[f"grain_{timeline.grain}"]
        title = words["coverage_chart"].format(grain=grain, event=name)
        svgs["timeline"] = _chart(charts.timeline_svg(timeline, title, f"{anchor}-timeline", lang), title)
    speakers = parts["speakers"]
    if speakers:
        top = speakers[:CHART_BARS]
        title = words["speakers_chart"].format(event=name)
        svgs["speakers"] = _chart(charts.bars_svg([s["speaker"] for s in top], [s["quotes"] for s in top], title,
                                                  f"{anchor}-speakers", value_label=words["quotes"]), title)
    mentioned = {kind: [m for m in parts["mentioned"] if m["type"] == kind][:TOP] for kind in ("ORG", "PERSON")}
    for kind, key, colour in (("ORG", "orgs_chart", charts.PALETTE[5]), ("PERSON", "people_chart", charts.PALETTE[2])):
        if mentioned[kind]:
            title = words[key].format(event=name)
            bars = mentioned[kind][:CHART_BARS]
            svgs[kind] = _chart(charts.bars_svg([m["name"] for m in bars], [m["mentions"] for m in bars], title,
                                                f"{anchor}-{kind.lower()}", colour=colour,
                                                value_label=words["mentions"]), title)
    return {
        "name": name, "anchor": anchor, "summary": summary, "charts": svgs, "chart_count": sum(v is not None for v in svgs.values()),
        "sites_authors": parts["sites_authors"][:TABLE_ROWS], "sites_authors_total": len(parts["sites_authors"]),
        "editions": parts["editions"],
        "speakers": speakers[:TABLE_ROWS], "speakers_total": len(speakers), "wall": _wall(parts["quotes"]),
        "mentioned": mentioned["ORG"] + mentioned["PERSON"], "co_mentions": parts["co_mentions"],
    }


def _chart(svg: Any, title: str) -> dict[str, Any]:
    return {"svg": svg, "title": title}


def _wall(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quote wall grouped by speaker, most quoted first (the query already ordered them)."""
    groups: list[dict[str, Any]] = []
    for quote in quotes:
        if not groups or groups[-1]["rank"] != quote["speaker_rank"]:
            groups.append({"rank": quote["speaker_rank"], "speaker": quote["speaker"], "quotes": []})
        groups[-1]["quotes"].append(quote)
    return groups
