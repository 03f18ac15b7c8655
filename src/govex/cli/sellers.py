"""`govex sellers what-if`: the enforcement ladder at another order-defect threshold; `govex sellers education`:
the seller academy's effect on violations, adjusted for who enrols."""
from __future__ import annotations

from typing import Annotated, Optional

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


def education_command(
    opens: Annotated[Optional[str], typer.Option("--opens", help="First day of the enrolment window YYYY-MM-DD "
                                                 "(default: a quarter into the data).")] = None,
    closes: Annotated[Optional[str], typer.Option("--closes", help="Day the enrolment window closes, exclusive; the "
                                                  "outcome window starts there (default: half-way through the data).")] = None,
    programme: Annotated[Optional[str], typer.Option("--programme", help="Only this programme of the education table.")] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Effect of enrolling in a seller programme on violations per seller-year afterwards: sellers enrolling in the
    window against those who did not, adjusted (AIPW) for their record before it, with the naive difference."""
    from govex.analysis.seller_education import seller_education_effect
    from govex.cli.recovery import _effect_dict, _print_effect

    warehouse = open_warehouse(config=config, db=db)
    result = seller_education_effect(warehouse, as_of=parse_date(as_of, "--as-of"), opens=parse_date(opens, "--opens"),
                                     closes=parse_date(closes, "--closes"), programme=programme)
    if as_json:
        print_json(_effect_dict(result))
        return
    _print_effect(result)


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="Sellers and merchants: enforcement-ladder what-ifs, the education effect.",
                      no_args_is_help=True)
    sub.command("what-if")(whatif_command)
    sub.command("education")(education_command)
    app.add_typer(sub, name="sellers")
