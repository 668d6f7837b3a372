"""Settings of the live sources (`sources.toml`) and what fetching them gives.

A source is a feed, a WordPress site, a sitemap, a list of URLs or a local folder, with
its own schedule, hints and fetch policy; `parse_sources` reads the TOML text into
frozen models and says which line of the file is wrong. Fetch requests and results cross
from the fetcher to the flows and the warehouse, so they live here too. This module
imports only pydantic and the standard library, and never reads a file or the network.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from schemas.models import SourceHints

SourceKind = Literal["rss", "wordpress", "sitemap", "urls", "folder"]
FetchKind = Literal["page", "feed", "sitemap", "json", "robots"]
_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"
# Five cron fields; Prefect checks the expression itself when the deployment is served.
_CRON = re.compile(r"^\S+(\s+\S+){4}$")


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FetchPolicy(Model):
    """How politely and how safely to fetch: one per source, the file's `[fetch]` table as defaults."""

    user_agent: Annotated[str, Field(min_length=1)] = "covpipe/0.1 (event-coverage pipeline)"
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 20.0
    retries: Annotated[int, Field(ge=0, le=10)] = 3
    backoff_seconds: Annotated[float, Field(ge=0, le=300)] = 1.0
    max_retry_after_seconds: Annotated[float, Field(ge=0, le=3600)] = 120.0
    requests_per_second: Annotated[float, Field(gt=0, le=100)] = 1.0
    max_connections_per_host: Annotated[int, Field(ge=1, le=16)] = 2
    max_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    respect_robots: bool = True
    allow_private: bool = False
    # A URL that failed is asked again by later runs after this wait, doubled at each failure in a
    # row (a week at most): a page that hangs costs its timeout once, not at every run.
    retry_after_minutes: Annotated[float, Field(ge=0, le=10080)] = 60.0


class Source(Model):
    """One source of posts, as declared in `sources.toml` under `[sources.<name>]`."""

    name: Annotated[str, Field(pattern=_NAME)]
    kind: SourceKind
    url: str | None = None  # the feed, the WordPress site, or the sitemap (or sitemap index)
    feed_url: str | None = None  # WordPress: the feed used where the REST API is closed (default <url>/feed/)
    urls: tuple[str, ...] = ()  # kind "urls": the pages
    path: Path | None = None  # kind "folder": the folder; kind "urls": a file of URLs, one a line
    event: str | None = None
    language: Annotated[str | None, Field(pattern=r"^[a-z]{2}$")] = None
    schedule: str | None = None  # cron, in UTC
    max_items: Annotated[int | None, Field(ge=1)] = None  # at most this many pages per run, newest first
    per_page: Annotated[int, Field(ge=1, le=100)] = 100  # WordPress API page size
    revalidate: bool = False  # ask for every page again, even when its listing date did not change
    # A page whose listing gives no modification date it keeps up to date (a sitemap without
    # lastmod, an RSS item's pubDate) is asked again, with a conditional GET, once this many hours
    # have passed since its last fetch, for this many days after it was first listed.
    revalidate_hours: Annotated[float, Field(gt=0)] = 24
    revalidate_days: Annotated[float, Field(ge=0)] = 30
    include: tuple[str, ...] = ()  # regular expressions: only the pages whose URL matches one
    exclude: tuple[str, ...] = ()  # regular expressions: the pages whose URL matches one are left out
    fetch: FetchPolicy = FetchPolicy()

    @field_validator("url", "feed_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None:
            _check_http(value)
        return value

    @field_validator("urls")
    @classmethod
    def _https(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            _check_http(value)
        return values

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"{value!r} is not a regular expression: {exc}") from None
        return values

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and not _CRON.match(value.strip()):
            raise ValueError(f"schedule {value!r} is not a cron expression of five fields (e.g. '*/30 * * * *')")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Source:
        needs = {"rss": self.url, "wordpress": self.url, "sitemap": self.url,
                 "urls": self.urls or self.path, "folder": self.path}
        if not needs[self.kind]:
            what = {"urls": "`urls = [...]` or `path`", "folder": "`path`"}.get(self.kind, "`url`")
            raise ValueError(f"a {self.kind} source needs {what}")
        return self

    def wants(self, url: str) -> bool:
        """Whether the include and exclude patterns let `url` in."""
        if self.include and not any(re.search(p, url) for p in self.include):
            return False
        return not any(re.search(p, url) for p in self.exclude)

    def hints(self, origin: str) -> SourceHints:
        """What the source itself says about every post it gives."""
        return SourceHints(source=self.name, origin=origin, event=self.event, language=self.language)


class SourcesConfig(Model):
    """Every source of a `sources.toml`, by name."""

    fetch: FetchPolicy = FetchPolicy()
    sources: dict[str, Source] = Field(default_factory=dict)

    def get(self, name: str) -> Source:
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(sorted(self.sources)) or "none"
            raise KeyError(f"no source named {name!r} (known: {known})") from None


class SourcesError(ValueError):
    """A sources file that cannot be used, with the reason in words."""


def parse_sources(text: str, base: Path = Path(".")) -> SourcesConfig:
    """Read the text of a sources file; relative paths are taken from `base` (the file's folder)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"not valid TOML: {exc}") from exc
    unknown = set(data) - {"fetch", "sources"}
    if unknown:
        raise SourcesError(f"unknown top-level key(s) {sorted(unknown)}: the file holds [fetch] and [sources.NAME]")
    defaults = data.get("fetch", {})
    sources = {}
    for name, table in data.get("sources", {}).items():
        if not isinstance(table, dict):
            raise SourcesError(f"sources.{name} must be a table ([sources.{name}])")
        table = dict(table, name=name)
        table["fetch"] = defaults | table.get("fetch", {})
        if "path" in table:
            table["path"] = base / Path(table["path"]).expanduser()
        try:
            sources[name] = Source.model_validate(table)
        except ValidationError as exc:
            raise SourcesError(f"[sources.{name}]: {_reasons(exc)}") from exc
    try:
        return SourcesConfig(fetch=FetchPolicy.model_validate(defaults), sources=sources)
    except ValidationError as exc:
        raise SourcesError(f"[fetch]: {_reasons(exc)}") from exc


def _reasons(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'source'}: {e['msg']}" for e in exc.errors())


def _check_http(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")


class SourceItem(Model):
    """A page a listing (feed, API, sitemap, URL list) names, with what the listing says about it."""

    url: str
    hints: SourceHints
    stamp: str | None = None  # the listing's modification date, compared between runs


class FetchRequest(Model):
    """One URL to fetch, with the validators of the last answer for a conditional GET."""

    url: str
    kind: FetchKind = "page"
    etag: str | None = None
    last_modified: str | None = None
    allow_private: bool = False


class FetchResult(Model):
    """What one fetch gave, after retries and redirects; a failure is data here, never an exception."""

    url: str
    kind: FetchKind
    outcome: Literal["ok", "not_modified", "failed"]
    fetched_at: datetime
    final_url: str | None = None
    status: int | None = None
    content: bytes | None = Field(default=None, repr=False)
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    byte_size: int = 0
    elapsed_seconds: float = 0.0
    attempts: int = 0
    error: str | None = None
    error_kind: Literal["transient", "terminal"] | None = None
