"""`covpipe outlets`: one display name per domain ("Libération" for liberation.fr), which the
reporting views and the report use; a name set here is kept through every run. No Prefect."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape

from flows.checks import writing
from flows.console import DbOption, fail, out, print_rows, read_only, settings_for

app = typer.Typer(no_args_is_help=True, help="The outlets (one name per domain) the reports group posts by.")


@app.command("list")
def list_outlets(db: DbOption = None) -> None:
    """Every outlet: its domain, name, who named it, and its posts and stories."""
    from warehouse.outlets import outlet_rows

    con = read_only(settings_for(db))
    try:
        rows = outlet_rows(con)
    finally:
        con.close()
    print_rows(f"{len(rows)} outlets", ("domain", "name", "named by", "posts", "stories"), rows, right=("posts", "stories"))


@app.command("rename")
def rename(domain: Annotated[str, typer.Argument(help="The outlet's domain, e.g. liberation.fr.")],
           name: Annotated[str, typer.Argument(help="Its display name, e.g. \"Libération\".")],
           db: DbOption = None) -> None:
    """Name an outlet; the name stays whatever its pages say."""
    from warehouse.outlets import rename_outlet

    if not name.strip():
        raise fail("the name is empty")
    with writing(settings_for(db)) as con:
        known = rename_outlet(con, domain.strip().lower(), name.strip(), datetime.now(UTC))
    if not known:
        raise fail(f"no post comes from {escape(domain)}: `covpipe outlets list` shows the domains")
    out.print(f"{escape(domain)} is now named {escape(name.strip())}")
