"""`govex explain cube|metric` and `govex anomalies`: what moved, where, and why."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import ConfigOption, DbOption, JsonOption, console, open_warehouse, print_json

explain_app = typer.Typer(help="Localise the cells that explain a deviation (root-cause analysis).",
                          no_args_is_help=True)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _read_csv(path: Path):
    import pandas as pd

    from govex.errors import ConfigError

    if not path.is_file():
        raise ConfigError(f"--data {path}: no such file; pass a CSV with one row per leaf cell")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _print_causes(result) -> None:
    if not result.localised:
        console.print("Could not localise this change: no combination of cells moves beyond the noise.")
        for cause in result.weak_causes:
            console.print(f"Weak (found in {cause.stability:.0%} of noise redraws): {cause.label()}", highlight=False)
        return
    for rank, cause in enumerate(result.root_causes, start=1):
        found = f", found in {cause.stability:.0%} of noise redraws" if cause.stability is not None else ""
        console.print(f"{rank}. {cause.label()}: {cause.expected:.4g} -> {cause.actual:.4g}, "
                      f"{cause.share:.0%} of the movement ({'up' if cause.contribution > 0 else 'down'}), "
                      f"{cause.n_cells} cells{found}", highlight=False)
        for cell, actual, expected in cause.cells[:3]:
            label = ", ".join(f"{k}={v}" for k, v in cell.items())
            console.print(f"     {label}: {expected:.4g} -> {actual:.4g}", highlight=False)
    shift = result.general_shift
    if shift is not None:
        console.print(f"Everything else moved together: {shift.expected:.4g} -> {shift.actual:.4g}, "
                      f"{shift.share:.0%} of the movement (a general shift or a biased expected value)", highlight=False)
    console.print(f"Not explained by these causes: {result.unexplained_share:.0%} of the movement.", highlight=False)
    for cause in result.weak_causes:
        console.print(f"Weak (found in {cause.stability:.0%} of noise redraws, not counted): {cause.label()}",
                      highlight=False)


@explain_app.command("cube")
def explain_cube(
    data: Path = typer.Option(..., "--data", help="CSV, one row per leaf cell."),
    dims: str = typer.Option(..., "--dims", help="Comma-separated dimension columns."),
    actual: str = typer.Option(..., "--actual", help="Actual measure (or numerator) column."),
    expected: str = typer.Option(..., "--expected", help="Expected measure (or numerator) column."),
    actual_den: str = typer.Option(None, "--actual-den", help="Actual denominator: the measure becomes a rate."),
    expected_den: str = typer.Option(None, "--expected-den", help="Expected denominator."),
    max_causes: int = typer.Option(5, "--max-causes", help="Longest list of causes."),
    max_depth: int = typer.Option(None, "--max-depth", help="Most dimensions in one cause (default all)."),
    allow_negative: bool = typer.Option(False, "--allow-negative", help="The measure is signed."),
    stability: int = typer.Option(20, "--stability", help="Noise redraws to measure how often each cause is found (0: off)."),
    min_stability: float = typer.Option(0.5, "--min-stability",
                                        help="Causes found in fewer redraws than this share are listed as weak."),
    as_json: JsonOption = False,
) -> None:
    """Rank the dimension-value combinations that explain actual vs expected in a cube file."""
    from govex.analysis.rca import localize_root_causes

    frame = _read_csv(data)
    result = localize_root_causes(
        frame, dims=_split(dims), actual=actual, expected=expected, actual_den=actual_den,
        expected_den=expected_den, max_causes=max_causes, max_depth=max_depth,
        allow_negative=allow_negative, stability_runs=stability, min_stability=min_stability, source=data.name,
    )
    if as_json:
        print_json(result.to_dict())
        return
    _print_causes(result)


@explain_app.command("metric")
def explain_metric(
    name: str = typer.Argument(..., help="Metric name from the catalogue."),
    period_to: str = typer.Option(..., "--to", help="The period to explain (any date inside it)."),
    by: str = typer.Option(..., "--by", help="Comma-separated dimensions, e.g. market,carrier,segment:value."),
    expected: str = typer.Option("previous", "--expected",
                                 help="Expected value: previous (period, or the --from one), last-year, or forecast."),
    period_from: str = typer.Option(None, "--from", help="With --expected previous: the baseline period (default: the one before --to)."),
    periods: int = typer.Option(4, "--periods", help="With --expected forecast: earlier seasons pooled."),
    season_length: int = typer.Option(1, "--season-length", help="With --expected forecast: periods per season."),
    period: str = typer.Option("month", "--period", help="Period: day, week, month or quarter."),
    db: DbOption = None,
    config: ConfigOption = None,
    max_causes: int = typer.Option(5, "--max-causes"),
    as_json: JsonOption = False,
) -> None:
    """Explain a metric's change between two periods from the warehouse."""
    import pandas as pd

    from govex.analysis import findings
    from govex.analysis.anomalies import expected_value
    from govex.errors import ConfigError

    freq = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q"}.get(period)
    if freq is None:
        raise ConfigError(f"--period {period!r}: use day, week, month or quarter")
    choice = expected_value(expected, period=period, periods=periods, season_length=season_length)
    if period_from is not None and choice.kind != "previous":
        raise ConfigError(f"--from names the baseline of --expected previous; --expected {expected} forms its own")
    try:
        target = pd.Timestamp(period_to).to_period(freq)
        after = target.start_time
        if period_from is not None:
            before = [pd.Timestamp(period_from).to_period(freq).start_time]
            description = f"{period} of {before[0].date()}"
        else:
            before = sorted((target - lag).start_time for lag in choice.lags)
            description = choice.description
    except ValueError as exc:
        raise ConfigError(f"--from {period_from!r} / --to {period_to!r}: expected dates such as 2025-06-01 ({exc})") from None
    if before[-1] >= after:
        raise ConfigError(f"--from {period_from} must fall in an earlier {period} than --to {period_to}")
    change = findings.explain_metric(open_warehouse(db=db, config=config), metric=name, before=before, after=after,
                                     by=_split(by), period=period, max_causes=max_causes)
    if as_json:
        print_json({**change.to_dict(), "expected_from": description})
        return
    console.print(f"Expected value: {description}.", highlight=False)
    console.print(change.render(), highlight=False)


def anomalies(
    metrics: str = typer.Option(..., "--metrics", help="Comma-separated metric names."),
    by: str = typer.Option("", "--by", help="Dimensions to localise alerts over."),
    period: str = typer.Option("week", "--period", help="Period: day, week, month or quarter."),
    expected: str = typer.Option("forecast", "--expected",
                                 help="Expected value: previous period, last-year, or forecast (seasonal median)."),
    periods: int = typer.Option(4, "--periods", help="With --expected forecast: earlier seasons in the median."),
    season_length: int = typer.Option(1, "--season-length", help="Periods per season (7 for daily data)."),
    threshold: float = typer.Option(3.5, "--threshold", help="Robust z of an alert."),
    min_volume: float = typer.Option(100.0, "--min-volume", help="Fewest units (orders, cases, responses) behind an alert."),
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Scan metrics for anomalies and localise each alert to the cells behind it."""
    from govex.analysis.anomalies import expected_value
    from govex.analysis.findings import what_moved

    warehouse = open_warehouse(db=db, config=config)
    choice = expected_value(expected, period=period, periods=periods, season_length=season_length)
    found = what_moved(warehouse, metrics=_split(metrics), by=_split(by), period=period,
                       season_length=choice.season_length, n_seasons=choice.n_seasons, threshold=threshold,
                       min_volume=min_volume)
    if as_json:
        print_json({"expected_from": choice.description, "findings": [f.to_dict() for f in found]})
        return
    console.print(f"Expected value: {choice.description}.", highlight=False)
    if not found:
        console.print("No anomaly found.")
    for finding in found:
        console.print(finding.render(), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(explain_app, name="explain")
    app.command("anomalies")(anomalies)
