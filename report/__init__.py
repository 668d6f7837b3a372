"""The coverage report: one self-contained, offline HTML file built from the warehouse.

Owns presentation only: page model (build), charts (matplotlib to inline SVG), labels in
French and English, and HTML rendering (Jinja2, autoescaped). It reads the warehouse
read-only through `warehouse.coverage`, which holds the SQL; it never imports Prefect,
tasks or flows, and never opens DuckDB itself.
"""

from report.build import ReportSummary, build_report

__all__ = ["ReportSummary", "build_report"]
