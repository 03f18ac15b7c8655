"""`govex sellers what-if`: the enforcement ladder at another order-defect threshold, from the command line."""
from __future__ import annotations

from typing import Annotated

import typer

from govex.cli.common import AsOfOption, ConfigOption, DbOption, JsonOption, console, open_warehouse, parse_date, print_json


def whatif_command(
    proposed: Annotated[float, typer.Option("--proposed", help="Order defect rate that would trigger action (0-1], e.g. 0.01.")],
    current: Annotated[float, typer.Option("--current", help="The order defect rate that triggers action today (0-1].")] = 0.02,
    by: Annotated[str, typer.Option("--by", help="Cut: seller_type, vertical, region, market or "
                                    "seller_segment:<seller framework>.")] = "seller_type",
    min_orders: Annotated[int, typer.Option("--min-orders", help="Only sellers with at least this many orders are judged.")] = 20,
    review_minutes: Annotated[float, typer.Option("--review-minutes", help="Minutes to review one newly actioned seller.")] = 30.0,
    appeal_minutes: Annotated[float, typer.Option("--appeal-minutes", help="Minutes to decide one appeal.")] = 45.0,
    as_of: AsOfOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sellers actioned at the current and the proposed threshold by cut, the GMV of the newly actioned
    sellers, and the review and appeal hours the change creates (appeals at the warehouse's appeal rate)."""
    from govex.segments import latest_as_of
    from govex.segments.seller_whatif import enforcement_whatif

    warehouse = open_warehouse(config=config, db=db)
    date = parse_date(as_of, "--as-of") or latest_as_of(warehouse)
    result = enforcement_whatif(warehouse, as_of=date, proposed=proposed, current=current, by=by, min_orders=min_orders,
                                review_minutes=review_minutes, appeal_minutes=appeal_minutes)
    totals = {"newly_actioned": int(result.table.newly_actioned.sum()),
              "no_longer_actioned": int(result.table.no_longer_actioned.sum()),
              "gmv_newly_actioned": float(result.table.gmv_newly_actioned.sum()),
              "appeal_rate": result.appeal_rate, "review_hours": result.review_hours, "appeal_hours": result.appeal_hours}
    if as_json:
        print_json({"as_of": date.isoformat(), "current": current, "proposed": proposed, "by": by, "min_orders": min_orders,
                    **totals, "cuts": result.table.to_dict(orient="records")})
        return
    from rich.table import Table

    table = Table(title=f"Order defect threshold {current:.2%} -> {proposed:.2%} as of {date} "
                        f"(sellers with {min_orders}+ orders)")
    columns = ("sellers", "eligible", "actioned_now", "actioned_proposed", "newly_actioned", "no_longer_actioned")
    for name in (by, *columns, "gmv_newly_actioned"):
        table.add_column(name, justify="left" if name == by else "right")
    for values in result.table.to_dict(orient="records"):  # a cut like seller_segment:x is no attribute name
        table.add_row(str(values[by]), *(f"{int(values[c]):,}" for c in columns), f"{values['gmv_newly_actioned']:,.2f}")
    console.print(table)
    console.print(f"{totals['newly_actioned']:,} more sellers actioned ({totals['no_longer_actioned']:,} fewer), "
                  f"GMV {totals['gmv_newly_actioned']:,.2f}; review {result.review_hours:,.1f} h, appeals "
                  f"{result.appeal_hours:,.1f} h at an appeal rate of {result.appeal_rate:.1%}", highlight=False)


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="Sellers and merchants: enforcement-ladder what-ifs.", no_args_is_help=True)
    sub.command("what-if")(whatif_command)
    app.add_typer(sub, name="sellers")
