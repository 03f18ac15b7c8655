"""`govex impact`: the effect of a change that was not randomised (DiD, synthetic control, ITS).

Two inputs: a CSV panel (`--data`), or the warehouse's metric layer (`--metric NAME --by market`),
which builds the unit x period panel from the metric's one definition.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from govex.cli.common import ConfigOption, DbOption, JsonOption, console, open_warehouse, parse_date, print_json


def impact(
    start: str = typer.Option(..., "--start", help="First period with the change, YYYY-MM-DD."),
    treated: str = typer.Option(..., "--treated", help="With --data: the 0/1 column (1 for units that got the change); "
                                "with --metric: the unit value(s) that got it, comma-separated (e.g. DE or DE,GB)."),
    method: str = typer.Option("did", "--method", help="Method: did, synthetic_control or its."),
    data: Optional[Path] = typer.Option(None, "--data", help="CSV, one row per unit and period."),
    unit: Optional[str] = typer.Option(None, "--unit", help="With --data: unit column (market, seller, queue)."),
    period: Optional[str] = typer.Option(None, "--period", help="With --data: period column (YYYY-MM-DD)."),
    outcome: Optional[str] = typer.Option(None, "--outcome", help="With --data: KPI column."),
    metric: Optional[str] = typer.Option(None, "--metric", help="A catalogue metric, computed from the warehouse."),
    by: str = typer.Option("market", "--by", help="With --metric: the unit dimension (a metric cut)."),
    grain: str = typer.Option("week", "--grain", help="With --metric: day, week or month periods."),
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Estimate a change's effect on a KPI with a 90% interval and the checks that qualify it.

    The panel is a CSV (--data with --unit, --period and --outcome) or a catalogue metric computed from a
    warehouse (--metric with --db or --config).
    """
    from govex.errors import ConfigError

    start_date = parse_date(start, "--start")
    if (data is None) == (metric is None):
        raise ConfigError("give either --data FILE.csv (with --unit, --period, --outcome) or --metric NAME (with --db "
                          "or --config), not both")
    if metric is not None:
        from govex.planning.impact_read import measure_metric_impact

        values = [v.strip() for v in treated.split(",") if v.strip()]
        result = measure_metric_impact(open_warehouse(db=db, config=config), metric=metric, by=by, treated=values,
                                       start=start_date, method=method, grain=grain)
    else:
        import pandas as pd

        from govex.analysis.impact import estimate_impact

        missing = [name for name, value in (("--unit", unit), ("--period", period), ("--outcome", outcome)) if not value]
        if missing:
            raise ConfigError(f"--data needs {', '.join(missing)}")
        if not data.is_file():
            raise ConfigError(f"--data {data}: no such file")
        result = estimate_impact(pd.read_csv(data), unit=unit, period=period, outcome=outcome, treated=treated,
                                 start=start_date, method=method, what=str(data))
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"{result.method}: effect {result.effect:+.4g} [{result.ci_low:+.4g}, {result.ci_high:+.4g}] "
                  f"(90%), p={result.p_value:.3g}", highlight=False)
    for name, value in result.checks.items():
        console.print(f"  {name}: {value}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("impact")(impact)
