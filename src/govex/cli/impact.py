"""`govex impact`: the effect of a change that was not randomised (DiD, synthetic control, ITS)."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import console, parse_date, print_json


def impact(
    data: Path = typer.Option(..., "--data", help="CSV, one row per unit and period"),
    unit: str = typer.Option(..., "--unit", help="unit column (market, seller, queue)"),
    period: str = typer.Option(..., "--period", help="period column (YYYY-MM-DD)"),
    outcome: str = typer.Option(..., "--outcome", help="KPI column"),
    treated: str = typer.Option(..., "--treated", help="0/1 column: 1 for units that got the change"),
    start: str = typer.Option(..., "--start", help="first period with the change, YYYY-MM-DD"),
    method: str = typer.Option("did", "--method", help="did, synthetic_control or its"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Estimate a change's effect on a KPI with a 90% interval and the checks that qualify it."""
    import pandas as pd

    from govex.analysis.impact import estimate_impact
    from govex.errors import ConfigError

    if not data.is_file():
        raise ConfigError(f"--data {data}: no such file")
    result = estimate_impact(pd.read_csv(data), unit=unit, period=period, outcome=outcome, treated=treated,
                             start=parse_date(start, "--start"), method=method, what=str(data))
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"{result.method}: effect {result.effect:+.4g} [{result.ci_low:+.4g}, {result.ci_high:+.4g}] "
                  f"(90%), p={result.p_value:.3g}", highlight=False)
    for name, value in result.checks.items():
        console.print(f"  {name}: {value}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("impact")(impact)
