"""The one settings object of a run: read once from the environment (COVPIPE_*), then passed down.

Nothing else in the project reads environment variables. Defaults work on a fresh clone:
a DuckDB file under ./data and Prefect's embedded API.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)", re.IGNORECASE)
_UNITS = {"B": 1} | {f"{p}B": 1000 ** (i + 1) for i, p in enumerate("KMGT")} | {
    f"{p}IB": 1024 ** (i + 1) for i, p in enumerate("KMGT")}


class ParseOptions(BaseModel):
    """Options that change parsing output; they are part of the parser version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_document_bytes: Annotated[int, Field(ge=1024)] = 8 * 1024 * 1024
    min_body_chars: Annotated[int, Field(ge=0)] = 80
    # The parse budget, enforced by size before the work starts (a running extraction cannot be
    # stopped): article extraction takes time in the square of a page's elements, the language
    # model and the rules after it in proportion to the text. At these limits the worst pages
    # of bench/pathological.py cost under 30 s on this machine; the largest of 402 real pages
    # has 5,535 elements, and 500,000 characters is a book, not an article.
    max_html_elements: Annotated[int, Field(ge=100)] = 30_000
    max_body_chars: Annotated[int, Field(ge=1000)] = 500_000
    spacy_model: str = "fr_core_news_md"


class Settings(BaseSettings):
    """Settings of a run; `COVPIPE_DB`, `COVPIPE_BATCH_SIZE`, `COVPIPE_PARSE__MIN_BODY_CHARS`..."""

    model_config = SettingsConfigDict(
        env_prefix="COVPIPE_", env_nested_delimiter="__", frozen=True, extra="forbid"
    )

    db: Path = Path("data/coverage.duckdb")
    batch_size: Annotated[int, Field(ge=1, le=10_000)] = 64
    lock_wait_seconds: Annotated[float, Field(ge=0)] = 10.0
    # A cap on DuckDB's buffer pool in the writing flow, "512MB", "2GiB"... at least 64 MB. Unset,
    # DuckDB may use 80 % of RAM and keeps what a long run writes; set,
    # an operation that needs more fails (DuckDB 2.0 cannot spill everything), so it is opt-in.
    memory_limit: str | None = None
    parse: ParseOptions = ParseOptions()
    sources: Path = Path("sources.toml")  # the live sources, for `covpipe ingest --source` and `covpipe serve`
    # Where parse batches run: worker processes on this machine (one per core by default), a
    # Dask cluster (a new local one, or the scheduler at `dask_address`), or in-process.
    task_runner: Literal["process", "dask", "sequential"] = "process"
    workers: Annotated[int, Field(ge=1, le=256)] | None = None
    dask_address: str | None = None

    @field_validator("memory_limit")
    @classmethod
    def _memory_size(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _SIZE.fullmatch(value.strip())
        if not match:
            raise ValueError(f"not a memory size: {value!r} (say 512MB or 2GiB)")
        number, unit = float(match[1]), match[2].upper()
        if number * _UNITS[unit] < 64 * 1000**2:
            raise ValueError(f"{value!r} is too little for DuckDB to write the warehouse (64MB at least)")
        return f"{match[1]}{unit.replace('IB', 'iB')}"
