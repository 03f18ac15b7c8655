"""`govex metrics`, `govex targets`, `govex health`: the metric layer from the shell.

Each command opens the warehouse (`--db FILE` or the engine of `--config govex.yaml`), calls one
library function of `govex.metrics` and prints its frame as a table, CSV or JSON.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from govex.errors import ConfigError

metrics_app = typer.Typer(help="Metric catalogue: list, show and compute KPIs.", no_args_is_help=True)
targets_app = typer.Typer(help="Targets and pacing.", no_args_is_help=True)

DbOption = Annotated[Optional[Path], typer.Option("--db", help="DuckDB file holding the canonical tables.")]
ConfigOption = Annotated[Optional[Path], typer.Option("--config", "-c", help="govex.yaml (its engine URL is used).")]
CatalogueOption = Annotated[Optional[list[Path]], typer.Option("--catalogue", help="Extra metric YAML file or folder (repeatable).")]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _warehouse(db: Optional[Path], config: Optional[Path]):
    from govex.engine.warehouse import Warehouse

    if db is not None:
        if not db.is_file():
            raise ConfigError(f"database file {db} not found; run `govex ingest` or `govex demo` first")
        return Warehouse.open(f"duckdb:///{db.resolve()}")
    if config is not None:
        from govex.config import load_config

        return Warehouse.open(load_config(config).engine_url())
    raise ConfigError("say where the data is: --db FILE.duckdb or --config govex.yaml")


def _catalogue(extra: Optional[list[Path]]):
    from govex.metrics import load_catalogue

    return load_catalogue(*(extra or []))


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
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row])
        console.print(table)


@metrics_app.command("list")
def list_command(catalogue: CatalogueOption = None, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """List every metric: name, category, kind, unit, direction and allowed cuts."""
    import pandas as pd

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
def compute_command(
    metric: Annotated[list[str], typer.Option("--metric", "-m", help="Metric name (repeatable).")],
    by: Annotated[Optional[list[str]], typer.Option("--by", help="Cut (repeatable): market, journey, ..., segment:<framework>.")] = None,
    period: Annotated[str, typer.Option("--period", help="day, week, month or quarter.")] = "month",
    start: Annotated[Optional[str], typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    partial: Annotated[bool, typer.Option("--partial", help="Leave a metric uncut by cuts it cannot reach.")] = False,
    shrink: Annotated[bool, typer.Option("--shrink", help="Add empirical-Bayes shrunk values.")] = False,
    write: Annotated[bool, typer.Option("--write", help="Also write the result to the metric_cube table.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Print the SQL of each table group instead of running it.")] = False,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    db: DbOption = None,
    config: ConfigOption = None,
    catalogue: CatalogueOption = None,
) -> None:
    """Compute metrics by cuts and period, with confidence intervals (one query per table group)."""
    from govex.metrics import compute_metrics, explain_metrics, write_metric_cube

    wh, cat = _warehouse(db, config), _catalogue(catalogue)
    if explain:
        for label, sql in explain_metrics(wh, metrics=metric, by=by or [], period=period, catalogue=cat, partial=partial):
            typer.echo(f"-- {label}\n{sql}\n")
        return
    cube = compute_metrics(wh, metrics=metric, by=by or [], period=period, start=start, end=end,
                           catalogue=cat, partial=partial, shrink=shrink)
    if write:
        write_metric_cube(wh, cube)
    _emit(cube.assign(period_start=cube["period_start"].dt.strftime("%Y-%m-%d")), fmt)


@targets_app.command("status")
def targets_status_command(
    targets: Annotated[Optional[Path], typer.Option("--targets", help="Targets YAML (default: the shipped demo targets).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Day to pace to (default: last day with data).")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    db: DbOption = None,
    config: ConfigOption = None,
    catalogue: CatalogueOption = None,
) -> None:
    """Status of each target: value to date, forecast to period end, gap, on track / at risk / off track."""
    from govex.metrics import DEMO_TARGETS, load_targets, target_status

    wh, cat = _warehouse(db, config), _catalogue(catalogue)
    loaded = load_targets(targets or DEMO_TARGETS, catalogue=cat)
    frame = target_status(wh, targets=loaded, as_of=as_of, catalogue=cat)
    _emit(frame.drop(columns=["direction"]), fmt)


def health_command(
    health_config: Annotated[Optional[Path], typer.Option("--health-config", help="Health YAML (default: shipped).")] = None,
    start: Annotated[Optional[str], typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    db: DbOption = None,
    config: ConfigOption = None,
    catalogue: CatalogueOption = None,
) -> None:
    """Segment health: the composite per segment in the last period, and the segments that moved most."""
    from govex.metrics import load_health_config, segment_health

    wh, cat = _warehouse(db, config), _catalogue(catalogue)
    settings = load_health_config(health_config) if health_config else load_health_config()
    report = segment_health(wh, config=settings, start=start, end=end, catalogue=cat)
    if fmt == Format.json:
        from govex.cli.common import print_json

        print_json({"scores": report.scores.astype({"period_start": str}).to_dict(orient="records"),
                    "movers": report.movers.to_dict(orient="records")})
        return
    latest = report.scores[report.scores["period_start"] == report.scores["period_start"].max()]
    _emit(latest.assign(period_start=latest["period_start"].astype(str)), fmt)
    _emit(report.movers, fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")
    app.add_typer(targets_app, name="targets")
    app.command("health")(health_command)
