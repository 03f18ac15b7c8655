"""`govex report`: write the executive report (HTML, PDF, PPTX) from the warehouse."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        out: Path = typer.Option(..., "--out", help="Folder for report.html, report.pdf and report.pptx."),
        config: Path = typer.Option(None, "--config", "-c", help="govex.yaml naming the engine (its warehouse is read)."),
        db: Path = typer.Option(None, "--db", help="DuckDB file to read instead of --config's engine."),
        period: str = typer.Option(None, "--period", help="Quarter like 2025-Q4 or month like 2025-10 (default: "
                                   "the quarter of the last order)."),
        targets: Path = typer.Option(None, "--targets", help="Targets YAML (default: the shipped demo targets)."),
        benchmarks: Path = typer.Option(None, "--benchmarks", help="Benchmarks CSV/YAML (default: the shipped "
                                        "ILLUSTRATIVE example)."),
        scenario: Path = typer.Option(None, "--scenario", help="Scenario YAML for the plan section (default: the "
                                      "VOC automation study's scenario, if any reason pays for its automation)."),
        framework: str = typer.Option("value", "--framework", help="Segment framework for health and friction."),
        playbook: Path = typer.Option(None, "--playbook", help="Playbook YAML: its plays and their status get a section."),
        projects: Path = typer.Option(None, "--projects", help="Projects YAML/CSV: the best portfolio under --budget."),
        budget: float = typer.Option(None, "--budget", help="Money available for --projects (same unit as cost)."),
    ) -> None:
        """Build the report from the warehouse and write it in three forms."""
        from govex.cli.common import console
        from govex.engine import Warehouse
        from govex.errors import ConfigError
        from govex.reports.write import write_report

        if (config is None) == (db is None):
            raise ConfigError("give exactly one of --config govex.yaml or --db FILE.duckdb")
        if db is not None:
            if not db.is_file():
                raise ConfigError(f"--db {db}: no such DuckDB file; run `govex demo` or `govex ingest` first")
            warehouse = Warehouse.open(f"duckdb:///{db.resolve()}")
        else:
            from govex.config import load_config

            warehouse = Warehouse.from_config(load_config(config))
        decisions = None
        if playbook is not None or projects is not None:
            from govex.reports.playbook import measure_decisions

            decisions = measure_decisions(warehouse, playbook=playbook, projects=projects, budget=budget)
        with console.status("Building the report ..."):
            paths = write_report(warehouse, out, period=period, targets=targets, benchmarks=benchmarks,
                                 scenario=scenario, framework=framework, decisions=decisions)
        for path in paths:
            console.print(f"wrote {path}", highlight=False)
