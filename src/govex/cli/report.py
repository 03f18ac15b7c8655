"""`govex report`: write the executive report (HTML, PDF, PPTX) from the warehouse."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import ConfigOption, DbOption, out_folder


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        out: Path = out_folder("report.html, report.pdf and report.pptx"),
        config: ConfigOption = None,
        db: DbOption = None,
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
        from govex.cli.common import console, open_warehouse
        from govex.reports.write import write_report

        warehouse = open_warehouse(db=db, config=config)
        decisions = None
        if playbook is not None or projects is not None:
            from govex.reports.playbook import measure_decisions

            decisions = measure_decisions(warehouse, playbook=playbook, projects=projects, budget=budget)
        with console.status("Building the report ..."):
            paths = write_report(warehouse, out, period=period, targets=targets, benchmarks=benchmarks,
                                 scenario=scenario, framework=framework, decisions=decisions)
        for path in paths:
            console.print(f"wrote {path}", highlight=False)
