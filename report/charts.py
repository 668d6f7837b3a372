"""The report's charts: matplotlib figures rendered to inline, accessible SVG.

Owns the look of the charts: DejaVu Sans kept as SVG text (accents render, pages stay
small), the Okabe-Ito colour-blind-safe palette, a <title> and an aria-label on every SVG,
ids made unique per chart so that many SVGs can share one page. Warehouse strings reach
matplotlib only as plain text (mathtext off) and leave it XML-escaped. It must not query
the warehouse nor write HTML around the charts.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import matplotlib
from markupsafe import Markup, escape
from matplotlib.figure import Figure

from report import labels

# Okabe & Ito (2008), yellow last: it is the weakest on white.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
OTHERS = "#999999"
MAX_SITES = len(PALETTE)
_CHAR_IN = 0.075  # mean width of a DejaVu Sans character at 10 pt, in inches
_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "svg.fonttype": "none",
    "svg.hashsalt": "covpipe",
    "text.parse_math": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
}


@dataclass(frozen=True)
class Timeline:
    """Posts per period and site: `series` holds one (site label, counts per period) per site shown."""

    grain: str
    periods: list[date]
    series: list[tuple[str, list[int]]]


def _period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())  # ISO week, as date_trunc('week') in DuckDB
    if grain == "month":
        return day.replace(day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    return day


def _next_period(start: date, grain: str) -> date:
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    if grain == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1)


def choose_grain(first: date, last: date) -> str:
    """Days for a short event, then weeks, months or years, so that a chart holds at most ~120 bars."""
    span = (last - first).days
    if span <= 60:
        return "day"
    if span <= 7 * 104:
        return "week"
    return "month" if span <= 3650 else "year"


def timeline(rows: list[dict[str, Any]], lang: str) -> Timeline | None:
    """Posts per period for the most active sites and the rest, every period from first to last; None when no date."""
    if not rows:
        return None
    grain = choose_grain(min(r["day"] for r in rows), max(r["day"] for r in rows))
    site_totals: Counter[str | None] = Counter()
    for row in rows:
        site_totals[row["site_name"]] += row["posts"]
    ranked = sorted(site_totals, key=lambda s: (-site_totals[s], s is None, s or ""))
    shown = ranked if len(ranked) <= MAX_SITES else ranked[: MAX_SITES - 1]
    words = labels.LABELS[lang]
    label_of = {s: (s if s is not None else words["unknown_site"]) for s in shown}
    counts: dict[str, Counter[date]] = defaultdict(Counter)
    for row in rows:
        site = label_of.get(row["site_name"], words["other_sites"])
        counts[site][_period_start(row["day"], grain)] += row["posts"]
    periods = [_period_start(min(r["day"] for r in rows), grain)]
    end = _period_start(max(r["day"] for r in rows), grain)
    while periods[-1] < end:
        periods.append(_next_period(periods[-1], grain))
    order = [label_of[s] for s in shown] + ([words["other_sites"]] if len(shown) < len(ranked) else [])
    return Timeline(grain, periods, [(site, [counts[site][p] for p in periods]) for site in order])


def _tick(period: date, grain: str, lang: str) -> str:
    if grain in ("day", "week"):
        return labels.short_day(period, lang)
    return labels.month(period, lang) if grain == "month" else str(period.year)


def timeline_svg(data: Timeline, title: str, chart_id: str, lang: str) -> Markup:
    """Stacked bars of posts per period, one colour per site, with a legend."""
    with matplotlib.rc_context(_RC):
        legend_chars = max(len(_short(site, 32)) for site, _ in data.series)
        fig = Figure(figsize=(9, 3.6))
        # Margins by hand: constrained layout draws every chart twice, and charts are most of the build time.
        fig.subplots_adjust(left=0.07, bottom=0.2, top=0.95, right=1 - (0.45 + legend_chars * _CHAR_IN) / 9)
        ax = fig.add_subplot()
        x = list(range(len(data.periods)))
        bottom = [0] * len(x)
        for i, (site, values) in enumerate(data.series):
            colour = PALETTE[i] if i < len(PALETTE) and site != labels.LABELS[lang]["other_sites"] else OTHERS
            ax.bar(x, values, bottom=bottom, color=colour, label=_short(site, 32), width=0.8,
                   edgecolor="white", linewidth=0.5)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        pad = max(0.6, (8 - len(x)) / 2)  # a lone bar stays a bar, not a wall
        ax.set_xlim(-pad, len(x) - 1 + pad)
        step = max(1, len(x) // 10)
        ax.set_xticks(x[::step], [_tick(p, data.grain, lang) for p in data.periods[::step]],
                      rotation=0 if len(x[::step]) <= 6 else 30, ha="center" if len(x[::step]) <= 6 else "right")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel(labels.LABELS[lang]["posts"])
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
        return _svg(fig, title, chart_id)


def bars_svg(names: list[str], values: list[int], title: str, chart_id: str, *, colour: str = PALETTE[0],
             value_label: str = "") -> Markup:
    """Horizontal bars, largest on top, each with its value written at its end."""
    with matplotlib.rc_context(_RC):
        height = 0.8 + 0.32 * len(names)
        label_chars = max((len(_short(n, 34)) for n in names), default=1)
        fig = Figure(figsize=(6.4, height))
        fig.subplots_adjust(left=(0.2 + label_chars * _CHAR_IN) / 6.4, right=0.97, top=1 - 0.15 / height,
                            bottom=0.55 / height)
        ax = fig.add_subplot()
        y = list(range(len(names)))[::-1]
        ax.barh(y, values, color=colour, height=0.7)
        ax.set_yticks(y, [_short(n, 34) for n in names])
        for yi, value in zip(y, values, strict=True):
            ax.annotate(f"{value}", (value, yi), xytext=(3, 0), textcoords="offset points", va="center",
                        fontsize=9, color="#222222")
        ax.set_xlim(0, max(values, default=1) * 1.12 or 1)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(value_label)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        return _svg(fig, title, chart_id)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_XML_HEAD = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_IDS = re.compile(r'(\bid="|url\(#|href="#)')


def _svg(fig: Figure, title: str, chart_id: str) -> Markup:
    """The figure as an inline <svg>: no XML prologue, ids prefixed by `chart_id`, titled for screen readers."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = _METADATA.sub("", _XML_HEAD.sub("", buffer.getvalue(), count=1))
    svg = _IDS.sub(lambda m: m.group(1) + chart_id + "-", svg)
    safe_title = escape(title)
    svg = svg.replace(
        "<svg ", f'<svg role="img" aria-labelledby="{chart_id}-title" class="chart-svg" ', 1
    ).replace(">", f'><title id="{chart_id}-title">{safe_title}</title>', 1)
    return Markup(svg)
