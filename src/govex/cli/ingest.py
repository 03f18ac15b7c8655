"""`govex ingest`: load sources into the DuckDB file (from govex.yaml, the Olist dataset, or a Parquet folder)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govex.cli.common import JsonOption

ingest_app = typer.Typer(
    help="Validate sources against the data contract and load them into the DuckDB file, all or nothing.",
    no_args_is_help=False,
)

WarnOnly = Annotated[bool, typer.Option(
    "--warn-only",
    help="Report non-fatal contract violations as warnings (missing columns, uncastable values and key problems stay fatal).",
)]
DatabaseFile = Annotated[Path, typer.Option("--db", help="DuckDB file to write.")]


@ingest_app.callback(invoke_without_command=True)
def ingest_command(
    ctx: typer.Context,
    config: Path = typer.Option(Path("govex.yaml"), "--config", "-c", help="The govex.yaml naming each table's source."),
    warn_only: WarnOnly = False,
    json_output: JsonOption = False,
) -> None:
    """Load every table source in govex.yaml into its DuckDB file."""
    if ctx.invoked_subcommand is not None:
        return
    from govex.config import load_config
    from govex.ingest import ingest

    report = ingest(load_config(config), warn_only=warn_only, progress=not json_output)
    _show(report, json_output)


@ingest_app.command("olist")
def ingest_olist_command(
    path: Path = typer.Option(..., "--path", help="Folder with the Olist CSVs (plain or .gz)."),
    db: DatabaseFile = Path("govex.duckdb"),
    warn_only: WarnOnly = False,
    json_output: JsonOption = False,
) -> None:
    """Map the public Olist e-commerce dataset onto customers, sellers, orders and surveys."""
    from govex.ingest.olist import ingest_olist

    _show(ingest_olist(path, database=db, warn_only=warn_only, progress=not json_output), json_output)


@ingest_app.command("folder")
def ingest_folder_command(
    path: Path = typer.Option(..., "--path", help="Folder of <table>.parquet files (what `govex synth` writes)."),
    db: DatabaseFile = Path("govex.duckdb"),
    warn_only: WarnOnly = False,
    json_output: JsonOption = False,
) -> None:
    """Load a folder of canonical Parquet files."""
    from govex.ingest import ingest_folder

    _show(ingest_folder(path, database=db, warn_only=warn_only, progress=not json_output), json_output)


def _show(report, json_output: bool) -> None:
    from govex.cli.common import console, print_json

    if json_output:
        print_json(report.to_dict())
        return
    for loaded in report.loaded:
        console.print(f"loaded [bold]{loaded.name}[/bold]: {loaded.rows:,} rows from {loaded.source}", highlight=False)
    for warning in report.warnings:
        console.print(warning.render(), style="yellow", highlight=False, markup=False)
    for name, features in report.absent.items():
        console.print(f"absent {name}: disables {', '.join(features)}", style="dim", highlight=False)
    console.print(f"database: {report.database}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")
