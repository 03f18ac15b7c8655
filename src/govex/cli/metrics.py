"""`govex metrics`, `govex targets`, `govex health`: the metric layer from the shell.

Each command that reads data takes the same options (`--db FILE` or the engine of `--config
govex.yaml`, extra `--catalogue` files, `--currency`, `--format`), added by `_reads_data`; it
calls one library function of `govex.metrics` and prints its frame as a table for people, or as
CSV or JSON for programs.
"""
from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from govex.cli.common import CatalogueOption, ConfigOption, DbOption, FromOption, JsonOption, ToOption, open_warehouse
from govex.errors import ConfigError

metrics_app = typer.Typer(help="Metric catalogue: list, show and compute KPIs.", no_args_is_help=True)
targets_app = typer.Typer(help="Targets and pacing.", no_args_is_help=True)

SIGNIFICANT_DIGITS = 4  # table output: enough to compare cells by eye, never scientific notation
MAX_DECIMALS = 6


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="Output: table (for people), csv or json (--json is json).")]

# The options of every command that reads the warehouse: name -> (annotation, default).
DATA_OPTIONS: dict[str, tuple[Any, Any]] = {
    "fmt": (FormatOption, Format.table),
    "as_json": (JsonOption, False),
    "db": (DbOption, None),
    "config": (ConfigOption, None),
    "catalogue": (CatalogueOption, None),
    "currency": (Annotated[Optional[str], typer.Option(
        "--currency", help="Reporting currency money is converted into (default: govex.yaml's, else USD).")], None),
}


@dataclass(frozen=True)
class DataSource:
    """What a data-reading command works on: warehouse, catalogue, reporting currency and output format."""

    warehouse: Any
    catalogue: Any
    currency: str
    fmt: Format


def _format(fmt: Format, as_json: bool) -> Format:
    if as_json and fmt not in (Format.table, Format.json):
        raise ConfigError(f"give --json or --format {fmt.value}, not both")
    return Format.json if as_json else fmt


def _open(*, fmt: Format, as_json: bool, db: Optional[Path], config: Optional[Path], catalogue: Optional[list[Path]],
          currency: Optional[str]) -> DataSource:
    from govex.metrics.currency import DEFAULT_REPORTING_CURRENCY

    warehouse = open_warehouse(db=db, config=config)
    if currency is None and config is not None:
        from govex.config import load_config

        currency = load_config(config).reporting_currency
    return DataSource(warehouse, _catalogue(catalogue), (currency or DEFAULT_REPORTING_CURRENCY).upper(),
                      _format(fmt, as_json))


def _reads_data(command: Callable[..., None]) -> Callable[..., None]:
    """Add the DATA_OPTIONS to a command's own options; the command receives them as `source: DataSource`."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "source"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
              for name, (annotation, default) in DATA_OPTIONS.items()]

    @functools.wraps(command)
    def run(**options: Any) -> None:
        source = _open(**{name: options.pop(name) for name in DATA_OPTIONS})
        command(source=source, **options)

    run.__signature__ = inspect.Signature(own + shared)  # type: ignore[attr-defined]
    run.__annotations__ = {**{p.name: p.annotation for p in own + shared}, "return": None}
    return run


def _catalogue(extra: Optional[list[Path]]):
    from govex.metrics import load_catalogue

    return load_catalogue(*(extra or []))


def _split(values: Iterable[str] | None) -> list[str]:
    """Repeated options and comma-separated lists alike: ['a,b', 'c'] -> ['a', 'b', 'c']."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def human_number(value: float) -> str:
    """A number for a table read by people: thousands separators, about 4 significant digits, no exponent."""
    if not math.isfinite(value):
        return "" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value == 0:
        return "0"
    places = min(max(SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(value))), 0), MAX_DECIMALS)
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return str(bool(value)).lower()
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        return human_number(float(value))
    return str(value)


def _emit(frame, fmt: Format) -> None:
    if fmt == Format.csv:
        typer.echo(frame.to_csv(index=False), nl=False)
    elif fmt == Format.json:
        from govex.cli.common import print_json

        print_json(frame.astype(object).where(frame.notna(), None).to_dict(orient="records"))
    else:
        from rich.table import Table

        from govex.cli.common import console

        table = Table(show_lines=False)
        numeric = {c for c in frame.columns if frame[c].dtype.kind in "iuf"}
        for column in frame.columns:
            table.add_column(str(column), justify="right" if column in numeric else "left")
        for row in frame.itertuples(index=False):
            table.add_row(*[_cell(v) for v in row])
        console.print(table)


@metrics_app.command("list")
def list_command(catalogue: CatalogueOption = None, fmt: FormatOption = Format.table, as_json: JsonOption = False) -> None:
    """List every metric: name, category, kind, unit, direction and allowed cuts."""
    import pandas as pd

    fmt = _format(fmt, as_json)
    cat = _catalogue(catalogue)
    rows = [{"name": m.name, "category": m.category, "kind": m.kind, "unit": m.unit, "direction": m.direction,
             "role": m.role, "parent": m.parent or ""} for m in cat.metrics.values()]
    _emit(pd.DataFrame(rows), fmt)


@metrics_app.command("show")
def show_command(name: str, catalogue: CatalogueOption = None) -> None:
    """Show one metric's definition, where it is defined, and the cuts it allows."""
    from govex.cli.common import print_json

    cat = _catalogue(catalogue)
    if name not in cat:
        raise ConfigError(f"unknown metric {name!r}; `govex metrics list` shows the catalogue")
    body = cat[name].model_dump(exclude_none=True)
    body["defined_at"] = cat.origins[name].at()
    body["allowed_cuts"] = list(cat.allowed[name]) + (["segment:<framework>"] if cat.segment_ok[name] else [])
    body["children"] = [c.name for c in cat.children(name)]
    print_json(body)


@metrics_app.command("compute")
@_reads_data
def compute_command(
    source: DataSource,
    metric: Annotated[list[str], typer.Option("--metric", "-m", help="Metric name; repeat it or give a comma list (csat,nps).")],
    by: Annotated[Optional[list[str]], typer.Option("--by", help="Cut; repeat it or give a comma list: market, journey, ..., segment:<framework>.")] = None,
    period: Annotated[str, typer.Option("--period", help=(
        "Period: day, week, month, quarter, or all: one total per cut over the whole range (a rate is the ratio of the "
        "range's totals, not a mean of months)."))] = "month",
    start: FromOption = None,
    end: ToOption = None,
    partial: Annotated[bool, typer.Option("--partial", help="Leave a metric uncut by cuts it cannot reach.")] = False,
    shrink: Annotated[bool, typer.Option("--shrink", help="Add empirical-Bayes shrunk values.")] = False,
    write: Annotated[bool, typer.Option("--write", help="Also write the result to the metric_cube table.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Print the SQL of each table group instead of running it.")] = False,
) -> None:
    """Compute metrics by cuts and period, with confidence intervals (one query per table group)."""
    from govex.metrics import compute_metrics, explain_metrics, write_metric_cube
    from govex.metrics.currency import in_currency

    names, cuts, cat = _split(metric), _split(by), source.catalogue
    request = dict(metrics=names, by=cuts, period=period, catalogue=cat, partial=partial, reporting_currency=source.currency)
    if explain:
        for label, sql in explain_metrics(source.warehouse, **request):
            typer.echo(f"-- {label}\n{sql}\n")
        return
    cube = compute_metrics(source.warehouse, **request, start=start, end=end, shrink=shrink)
    if write:
        write_metric_cube(source.warehouse, cube)
    units = {name: in_currency(cat[name].unit, source.currency) for name in names}
    shown = cube.assign(period_start=cube["period_start"].dt.strftime("%Y-%m-%d"))
    shown.insert(1, "unit", shown["metric"].map(units))
    _emit(shown, source.fmt)


def period_label(period: str, start) -> str:
    """A target period for people: 2025-10-06 (day), week of 2025-10-06, 2025-10, 2025-Q4."""
    if period == "month":
        return f"{start:%Y-%m}"
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"week of {start:%Y-%m-%d}" if period == "week" else f"{start:%Y-%m-%d}"


def _status_table(frame):
    """The compact status table: metric, slice, period, value to date, target, forecast, status, gaps."""
    import pandas as pd

    business = [f"{human_number(float(gap))} {unit}" if pd.notna(gap) else ""
                for gap, unit in zip(frame["gap_business"], frame["business_unit"])]
    return pd.DataFrame({
        "metric": frame["metric"], "slice": frame["slice"],
        "period": [period_label(p, s) for p, s in zip(frame["period"], frame["period_start"])],
        "value to date": frame["value_to_date"], "target": frame["target"], "forecast": frame["forecast"],
        "status": frame["status"], "gap": frame["gap"], "gap in business terms": business,
    })


@targets_app.command("status")
@_reads_data
def targets_status_command(
    source: DataSource,
    targets: Annotated[Optional[Path], typer.Option("--targets", help="Targets YAML (default: the shipped demo targets).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Day to pace to, YYYY-MM-DD (default: the last day with data).")] = None,
) -> None:
    """Status of each target: value to date, forecast to period end, gap, on track / at risk / off track.

    The table shows the essentials; --format csv or json adds baseline, dates, elapsed share and units.
    """
    from govex.metrics import DEMO_TARGETS, load_targets, target_status

    loaded = load_targets(targets or DEMO_TARGETS, catalogue=source.catalogue)
    frame = target_status(source.warehouse, targets=loaded, as_of=as_of, catalogue=source.catalogue,
                          reporting_currency=source.currency).drop(columns=["direction"])
    _emit(_status_table(frame) if source.fmt == Format.table else frame, source.fmt)


@_reads_data
def health_command(
    source: DataSource,
    health_config: Annotated[Optional[Path], typer.Option("--health-config", help="Health YAML (default: shipped).")] = None,
    start: FromOption = None,
    end: ToOption = None,
) -> None:
    """Segment health: the composite per segment in the last period, and the segments that moved most."""
    from govex.metrics import load_health_config, segment_health

    settings = load_health_config(health_config) if health_config else load_health_config()
    report = segment_health(source.warehouse, config=settings, start=start, end=end, catalogue=source.catalogue,
                            reporting_currency=source.currency)
    if source.fmt == Format.json:
        from govex.cli.common import print_json

        print_json({"scores": report.scores.astype({"period_start": str}).to_dict(orient="records"),
                    "movers": report.movers.to_dict(orient="records")})
        return
    latest = report.scores[report.scores["period_start"] == report.scores["period_start"].max()]
    _emit(latest.assign(period_start=latest["period_start"].astype(str)), source.fmt)
    _emit(report.movers, source.fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")
    app.add_typer(targets_app, name="targets")
    app.command("health")(health_command)
