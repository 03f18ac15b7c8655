"""`govex dashboard`: precompute the dashboard tables and/or start the Streamlit app."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("dashboard")
    def dashboard(
        db: Path = typer.Option(..., "--db", help="DuckDB file with the canonical tables, e.g. demo-out/govex.duckdb (a "
                              "file: the app reads it and --precompute writes its tables into it)."),
        port: int = typer.Option(8501, "--port", min=1, max=65535, help="Port to serve on."),
        address: str = typer.Option("127.0.0.1", "--address", help="Address to bind; loopback by default."),
        precompute: bool = typer.Option(False, "--precompute", help="Compute the dashboard tables into DB first."),
        scenario: Path = typer.Option(None, "--scenario", help="With --precompute: scenario YAML shown beside the base "
                                      "plan (default: the VOC automation study's scenario, if any reason pays)."),
        playbook: Path = typer.Option(None, "--playbook", help="With --precompute: playbook YAML whose plays and their "
                                      "status the decisions page shows."),
        projects: Path = typer.Option(None, "--projects", help="With --precompute: projects YAML/CSV for the portfolio "
                                      "under --budget (default: the playbook's costed plays)."),
        budget: float = typer.Option(None, "--budget", help="With --precompute: budget for the portfolio."),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the app (use --no-serve to only precompute)."),
    ) -> None:
        """Serve the dashboard (KPIs vs targets, segments, metric explorer, what moved, planning, benchmarks)."""
        from govex.cli.common import console
        from govex.dashboard import dashboard_command, precompute_dashboard, run_dashboard
        from govex.engine import Warehouse

        from govex.errors import ConfigError

        dashboard_command(db, port=port, address=address)  # raises a clear error for a missing file before any work
        given = [name for name, value in (("--scenario", scenario), ("--playbook", playbook), ("--projects", projects),
                                          ("--budget", budget)) if value is not None]
        if given and not precompute:
            raise ConfigError(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} used when precomputing; add --precompute")
        if precompute:
            warehouse = Warehouse.open(f"duckdb:///{db.resolve()}")
            decisions = None
            if playbook is not None or projects is not None:
                from govex.reports.playbook import measure_decisions

                decisions = measure_decisions(warehouse, playbook=playbook, projects=projects, budget=budget)
            result = precompute_dashboard(warehouse, scenario=scenario, decisions=decisions)
            console.print(result.summary(), highlight=False)
        if serve:
            console.print(f"dashboard on http://{address}:{port}  (Ctrl+C to stop)", highlight=False)
            raise typer.Exit(run_dashboard(db, port=port, address=address))
