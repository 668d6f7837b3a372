"""`covpipe correct`: fix what the machine got wrong; the fix is a row with its time and
reason, applied by the views and the report, and kept through `reprocess` (warehouse.corrections).
No Prefect, no language model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape

from flows.checks import writing
from flows.console import DbOption, fail, out, print_rows, read_only, settings_for

app = typer.Typer(no_args_is_help=True, help="Correct a speaker, hide a quote, dismiss a failure, merge or rename "
                                                 "entities; the fix lasts.")
Reason = Annotated[str | None, typer.Option("--reason", help="Why, kept with the correction.")]


@app.command("speaker")
def speaker(quote_id: Annotated[str, typer.Argument(help="The quote's quote_id (in quotes).")],
            name: Annotated[str | None, typer.Argument(help="The right speaker; leave out with --nobody.")] = None,
            nobody: Annotated[bool, typer.Option("--nobody", help="The quote names no speaker.")] = False,
            reason: Reason = None, db: DbOption = None) -> None:
    """Set the speaker of a quote (or nobody)."""
    from warehouse.corrections import correct_speaker

    if (name is None or not name.strip()) != nobody:
        raise fail("give the speaker's name, or --nobody")
    who = None if nobody else name.strip()
    _apply(db, lambda con, now: correct_speaker(con, quote_id, who, reason, now),
           f"quote {escape(quote_id)}: speaker {escape(who) if who else 'nobody'}")


@app.command("hide")
def hide(quote_id: Annotated[str, typer.Argument(help="The quote's quote_id (in quotes).")],
         reason: Reason = None, db: DbOption = None) -> None:
    """Hide a quote that is no reported speech (a title, a fragment)."""
    from warehouse.corrections import hide_quote

    _apply(db, lambda con, now: hide_quote(con, quote_id, reason, now), f"quote {escape(quote_id)} hidden")


@app.command("dismiss")
def dismiss(source: Annotated[str, typer.Argument(help="The failing source (failures.source_uri).")],
            reason: Reason = None, db: DbOption = None) -> None:
    """Dismiss a failure you have seen; it is back if the source fails again."""
    from warehouse.corrections import dismiss_failure

    _apply(db, lambda con, now: dismiss_failure(con, source, reason, now), f"failure of {escape(source)} dismissed")


@app.command("merge")
def merge(source: Annotated[str, typer.Argument(help="The entity merged away: its entity_id, or its exact name.")],
          target: Annotated[str, typer.Argument(help="The entity it is: its entity_id, or its exact name.")],
          reason: Reason = None, db: DbOption = None) -> None:
    """Two entities are one: the first's mentions, roles and quotes go to the second."""
    from warehouse.corrections import merge_entities

    _apply(db, lambda con, now: merge_entities(con, source, target, reason, now),
           f"{escape(source)} merged into {escape(target)}")


@app.command("rename")
def rename(entity: Annotated[str, typer.Argument(help="The entity: its entity_id, or its exact name.")],
           name: Annotated[str, typer.Argument(help="Its right name.")], reason: Reason = None,
           db: DbOption = None) -> None:
    """Give an entity its right name."""
    from warehouse.corrections import rename_entity

    if not name.strip():
        raise fail("the name is empty")
    _apply(db, lambda con, now: rename_entity(con, entity, name.strip(), reason, now),
           f"{escape(entity)} renamed {escape(name.strip())}")


@app.command("undo")
def undo(correction_id: Annotated[str, typer.Argument(help="The correction's id (covpipe correct list).")],
         db: DbOption = None) -> None:
    """Withdraw a correction (a merge or a rename: from the next reprocess of its posts)."""
    from warehouse.corrections import withdraw

    _apply(db, lambda con, now: withdraw(con, correction_id, now), f"correction {escape(correction_id)} withdrawn")


@app.command("list")
def list_corrections(db: DbOption = None) -> None:
    """Every correction, newest first."""
    from warehouse.corrections import correction_rows

    con = read_only(settings_for(db))
    try:
        rows = correction_rows(con)
    finally:
        con.close()
    print_rows(f"{len(rows)} corrections", ("id", "kind", "what", "speaker", "reason", "made", "withdrawn"), rows)


def _apply(db, change: Callable, done: str) -> None:
    from warehouse.corrections import CorrectionError

    with writing(settings_for(db)) as con:
        try:
            made = change(con, datetime.now(UTC))
        except CorrectionError as exc:
            raise fail(escape(str(exc))) from exc
    out.print(done + (f" (correction {made})" if made else ""))
