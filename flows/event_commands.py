"""`covpipe events`: the events the user follows, and the posts they tag, without parsing.

Every change re-tags the stored posts at once (`warehouse.event_store.retag`) and is
recorded as a run (`runs.flow_name` "events add", "events remove", "events load"), whose
id the links it made carry. No command here imports Prefect or the language model.
"""

from __future__ import annotations

import time
import tomllib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flows.checks import writing
from flows.console import DbOption, fail, out, read_only, settings_for
from schemas import RunReport

app = typer.Typer(no_args_is_help=True, help="Declare the events you follow; the stored posts are re-tagged at once.")

Names = Annotated[list[str] | None, typer.Option()]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The event's name, e.g. \"Eurosatory\".")],
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name (repeatable).")] = None,
    hashtag: Annotated[list[str] | None, typer.Option("--hashtag", help="A hashtag naming it (repeatable).")] = None,
    edition: Annotated[list[str] | None, typer.Option(
        "--edition", help="LABEL or LABEL=START..END, e.g. 2026=2026-06-15..2026-06-19 (repeatable).")] = None,
    site: Annotated[list[str] | None, typer.Option(
        "--site", help="A domain whose every post covers it, e.g. eurosatory.com (repeatable).")] = None,
    db: DbOption = None,
) -> None:
    """Follow an event (or change one you follow: its declaration is replaced)."""
    from tasks.event_coverage import EventError, declared

    try:
        spec = declared(name, alias or (), hashtag or (), site or (), edition or ())
    except EventError as exc:
        raise fail(escape(str(exc))) from exc
    _change(db, "events add", lambda con, now: [_add(con, spec, now)])


@app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The event's name or one of its aliases.")],
           db: DbOption = None) -> None:
    """Stop following an event: its links go, and no title hashtag brings it back."""
    from flows.event_tagging import remove_event

    _change(db, "events remove", lambda con, now: [f"removed {escape(remove_event(con, name, now))}"])


@app.command("load")
def load(path: Annotated[Path, typer.Argument(help="A TOML file of [[events]] tables.")], db: DbOption = None) -> None:
    """Follow the events of a file: [[events]] with name, aliases, hashtags, sites, editions
    (the options of `events add`, as lists). All are checked before any is stored."""
    from tasks.event_coverage import EventError, declared

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise fail(f"cannot read {escape(str(path))}: {escape(str(exc).splitlines()[0])}") from exc
    events = data.get("events")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events) or not events:
        raise fail(f"{escape(str(path))} declares no [[events]] table")
    specs = []
    for number, entry in enumerate(events, start=1):
        unknown = set(entry) - {"name", "aliases", "hashtags", "sites", "editions"}
        try:
            if unknown or not isinstance(entry.get("name"), str):
                raise EventError(f"event {number}: " + (f"unknown key {sorted(unknown)[0]!r}" if unknown
                                                        else "needs a name"))
            lists = {k: entry.get(k, []) for k in ("aliases", "hashtags", "sites", "editions")}
            if bad := [k for k, v in lists.items() if not isinstance(v, list)]:
                raise EventError(f"{entry['name']}: {bad[0]} is a list of strings")
            specs.append(declared(entry["name"], **lists))
        except EventError as exc:
            raise fail(f"{escape(str(path))}: {escape(str(exc))}") from exc
    _change(db, "events load", lambda con, now: [_add(con, spec, now) for spec in specs])


@app.command("list")
def list_events(db: DbOption = None) -> None:
    """The events followed, with their names, hashtags, sites, editions and posts."""
    con = read_only(settings_for(db))
    try:
        rows = con.execute("""
            SELECT e.name, e.origin, array_to_string(e.aliases, ', '), array_to_string(e.hashtags, ', '),
                   array_to_string(e.sites, ', '),
                   (SELECT string_agg(label || coalesce(' (' || starts_on || '..' || ends_on || ')', ''), ', '
                                      ORDER BY starts_on, label) FROM event_editions x WHERE x.event_id = e.event_id),
                   (SELECT count(*) FROM post_events pe WHERE pe.event_id = e.event_id)
            FROM events e WHERE e.removed_at IS NULL ORDER BY 7 DESC, e.name""").fetchall()
    finally:
        con.close()
    table = Table(title=f"{len(rows)} events followed")
    for column in ("event", "origin", "aliases", "hashtags", "sites", "editions", "posts"):
        table.add_column(column, justify="right" if column == "posts" else "left")
    for row in rows:
        table.add_row(*(escape(str(v)) if v not in (None, "") else "" for v in row))
    out.print(table)


@app.command("suggest")
def suggest(
    min_posts: Annotated[int, typer.Option("--min-posts", min=1, help="Posts that must name a candidate.")] = 2,
    show: Annotated[int, typer.Option(help="Candidates to list.")] = 30,
    db: DbOption = None,
) -> None:
    """Events the posts name (title, hashtag, or twice in the body) that you do not follow, each
    with the command that adopts it."""
    from tasks.event_suggest import suggest as candidates
    from warehouse.event_store import event_rows, posts_for_suggestions

    con = read_only(settings_for(db))
    try:
        names = [n for r in event_rows(con) for n in (r.name, *r.aliases, *r.hashtags)]
        posts, event_entities = posts_for_suggestions(con)
    finally:
        con.close()
    found = candidates(posts, names, event_entities, min_posts)
    if not found:
        out.print(f"no candidate event named by {min_posts} posts or more")
        return
    table = Table(title=f"{len(found)} candidate events")
    for column in ("event", "posts", "sites", "adopt with", "e.g."):
        table.add_column(column, justify="right" if column in ("posts", "sites") else "left")
    for s in found[:show]:
        table.add_row(escape(s.name), str(s.posts), str(s.sites), escape(f'covpipe events add "{s.name}"'),
                      escape((s.example or "")[:60]))
    out.print(table)


def _add(con, spec, now: datetime) -> str:
    from flows.event_tagging import add_event

    return f"{'added' if add_event(con, spec, now) else 'updated'} {escape(spec.name)}"


def _change(db: Path | None, command: str, change: Callable[..., list[str]]) -> None:
    """Apply `change(con, now)` to the warehouse, re-tag every post, record it as a run; one line
    for each thing done and one for the links."""
    from flows.event_tagging import retag, seed_starter_events
    from tasks.event_coverage import EventError
    from tasks.version import parser_version
    from warehouse import runs

    settings = settings_for(db)
    started, run_id = datetime.now(UTC), str(uuid.uuid4())
    clock = time.perf_counter()
    with writing(settings) as con:
        version = parser_version(settings.parse)
        runs.start_run(con, run_id, None, command, started, version)
        seed_starter_events(con, started)
        try:
            done = change(con, started)
        except EventError as exc:
            con.execute("DELETE FROM runs WHERE run_id = ?", [run_id])
            raise fail(escape(str(exc))) from exc
        posts, links = retag(con, run_id, started)
        runs.finish_run(con, RunReport(
            run_id=run_id, flow_name=command, started_at=started, finished_at=datetime.now(UTC),
            parser_version=version, status="completed", inputs_seen=posts,
            posts_changed=links.added + links.removed + links.changed))
    for line in done:
        out.print(line)
    out.print(f"{posts} posts re-tagged in {time.perf_counter() - clock:.1f} s: {links.added} links added, "
              f"{links.removed} removed, {links.changed} changed (run {run_id[:8]})")
