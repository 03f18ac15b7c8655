"""`govex moderation transparency`: the counts a moderation transparency report needs, as CSV and JSON."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import (
    ConfigOption,
    DbOption,
    FromOption,
    JsonOption,
    ToOption,
    console,
    open_warehouse,
    out_folder,
    parse_date,
    print_json,
)


def transparency_command(
    out: Path = out_folder("transparency_cells.csv and transparency.json"),
    db: DbOption = None,
    config: ConfigOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_json: JsonOption = False,
) -> None:
    """Moderation cases by policy, action, detection source and automated or not, with median times and appeals.

    Cases are counted by the day they were created (--from and --to are creation days), so the cells
    add up to the table's rows in the range; both files are written to temporary names and renamed
    when complete. --json prints the JSON written.
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
