"""`govex segments assign|profile|transitions`: write segments, profile them, compare two dates.

`govex segment` (the assignment before the group had one name) still works for one release,
hidden from help and warning when used.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Annotated, Optional

import typer

from govex.cli.common import (
    AsOfOption,
    ConfigOption,
    DbOption,
    FrameworksOption,
    JsonOption,
    SegmentsAsOfOption,
    console,
    open_warehouse,
    parse_date,
    print_json,
)


def _show(frame, title: str, as_json: bool) -> None:
    if as_json:
        print_json(frame.to_dict(orient="records"))
        return
    from rich.table import Table

    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)


def assign_command(
    config: ConfigOption = None,
    db: DbOption = None,
    framework: Annotated[Optional[list[str]], typer.Option("--framework", help="Only this framework (repeatable).")] = None,
    as_of: AsOfOption = None,
    frameworks: FrameworksOption = None,
    entity: Annotated[str, typer.Option("--entity", help="Who is segmented: customer, or seller (seller frameworks: "
                                        "lifecycle, performance, risk, value).")] = "customer",
    as_json: JsonOption = False,
) -> None:
    """Assign customers (or sellers) to the segment frameworks as of a date and write them to segment_assignments."""
    from govex.segments import latest_as_of, run_segmentation, segment_sizes

    if entity not in ("customer", "seller"):
        raise typer.BadParameter(f"expected customer or seller, got {entity!r}", param_hint="--entity")
    warehouse = open_warehouse(config=config, db=db)
    date = parse_date(as_of, "--as-of") or latest_as_of(warehouse)
    names = tuple(framework) if framework else None
    if entity == "seller":
        from govex.segments.seller import run_seller_segmentation, seller_segment_sizes

        assignments = run_seller_segmentation(warehouse, as_of=date, frameworks_dir=frameworks, names=names)
        sizes = seller_segment_sizes(warehouse, assignments, as_of=date)
    else:
        assignments = run_segmentation(warehouse, as_of=date, frameworks_dir=frameworks, names=names)
        sizes = segment_sizes(warehouse, assignments, as_of=date)
    if as_json:
        print_json({"sizes": sizes.to_dict(orient="records"), "skipped": list(assignments.skipped)})
        return
    _show(sizes, f"segments as of {date} (written to segment_assignments)", False)
    for line in assignments.skipped:  # frameworks whose tables this warehouse lacks, one line each
        console.print(line)


def profile_command(
    framework: Annotated[str, typer.Option("--framework", help="Framework to profile.")] = "value",
    config: ConfigOption = None,
    db: DbOption = None,
    as_of: SegmentsAsOfOption = None,
    window_days: Annotated[int, typer.Option("--window-days", help="Days of activity up to the as-of date.")] = 365,
    as_json: JsonOption = False,
) -> None:
    """Size, GMV share, contacts per order, CSAT, dispute rate and cost-to-serve per segment."""
    from govex.segments import segment_profile

    frame = segment_profile(open_warehouse(config=config, db=db), framework=framework, as_of=parse_date(as_of, "--as-of"), window_days=window_days)
    _show(frame, f"profile of {framework}", as_json)


def transitions_command(
    from_date: Annotated[str, typer.Option("--from", help="First as-of date to compare, YYYY-MM-DD.")],
    to_date: Annotated[str, typer.Option("--to", help="Second as-of date to compare, YYYY-MM-DD.")],
    framework: Annotated[str, typer.Option("--framework", help="Framework to compare.")] = "lifecycle",
    config: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Transition matrix between two as-of dates, the share unchanged and the stability index (PSI)."""
    from govex.segments import segment_transitions

    result = segment_transitions(
        open_warehouse(config=config, db=db), framework=framework,
        from_date=parse_date(from_date, "--from"), to_date=parse_date(to_date, "--to"),
    )
    if as_json:
        print_json({
            "framework": result.framework, "from": str(result.from_date), "to": str(result.to_date),
            "share_unchanged": result.share_unchanged, "stability_index": result.stability_index,
            "matrix": {str(k): v for k, v in result.matrix.to_dict(orient="index").items()},
        })
        return
    _show(result.matrix.reset_index(), f"{framework}: {result.from_date} -> {result.to_date} (rows: from)", False)
    console.print(f"share unchanged {result.share_unchanged:.3f}   stability index (PSI) {result.stability_index:.3f}")


@functools.wraps(assign_command)
def _deprecated_segment_command(**options) -> None:
    logging.getLogger("govex.cli").warning("`govex segment` is deprecated and goes in the next release; "
                                           "use `govex segments assign`")
    assign_command(**options)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Segments: assign and write them, profile them, compare two as-of dates.",
                        no_args_is_help=True)
    group.command("assign")(assign_command)
    group.command("profile")(profile_command)
    group.command("transitions")(transitions_command)
    app.add_typer(group, name="segments")
    app.command("segment", hidden=True, help="Deprecated: govex segments assign.")(_deprecated_segment_command)
