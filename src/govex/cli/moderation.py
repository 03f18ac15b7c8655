"""`govex moderation transparency`: the counts a moderation transparency report needs, as CSV and JSON."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from govex.cli.common import console, open_warehouse, parse_date, print_json


def transparency_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for transparency_cells.csv and transparency.json.")],
    db: Annotated[Optional[Path], typer.Option("--db", help="DuckDB file holding the canonical tables.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="govex.yaml (its engine is used).")] = None,
    start: Annotated[Optional[str], typer.Option("--from", help="First creation day counted (YYYY-MM-DD).")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last creation day counted (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON written instead of a summary.")] = False,
) -> None:
    """Moderation cases by policy, action, detection source and automated or not, with median times and appeals.

    Cases are counted by the day they were created, so the cells add up to the table's rows in the
    range; both files are written to temporary names and renamed when complete.
    """
    from govex.metrics.transparency import transparency_counts, write_transparency

    warehouse = open_warehouse(db=db, config=config)
    result = transparency_counts(warehouse, start=parse_date(start, "--from"), end=parse_date(end, "--to"))
    paths = write_transparency(result, out)
    if as_json:
        print_json(result.to_json())
        return
    total = result.overall
    console.print(f"{total['cases']} cases ({total['decided']} decided), {total['appeals_filed']} appealed, "
                  f"{total['overturned']} overturned; {len(result.cells)} cells", highlight=False)
    for path in paths:
        console.print(f"wrote {path}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="Moderation operations: transparency-report counts.", no_args_is_help=True)
    sub.command("transparency")(transparency_command)
    app.add_typer(sub, name="moderation")
