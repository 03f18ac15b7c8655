"""`govex dashboard`: precompute the dashboard tables and/or start the Streamlit app."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("dashboard")
    def dashboard(
        db: Path = typer.Option(..., "--db", help="DuckDB file with the canonical tables (e.g. demo-out/govex.duckdb)."),
        port: int = typer.Option(8501, "--port", min=1, max=65535, help="Port to serve on."),
        address: str = typer.Option("127.0.0.1", "--address", help="Address to bind; loopback by default."),
        precompute: bool = typer.Option(False, "--precompute", help="Compute the dashboard tables into DB first."),
        scenario: Path = typer.Option(None, "--scenario", help="With --precompute: scenario YAML shown beside the base "
                                      "plan (default: the VOC automation study's scenario, if any reason pays)."),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the app (use --no-serve to only precompute)."),
    ) -> None:
        """Serve the dashboard (KPIs vs targets, segments, metric explorer, what moved, planning, benchmarks)."""
        from govex.cli.common import console
        from govex.dashboard import dashboard_command, precompute_dashboard, run_dashboard
        from govex.engine import Warehouse

        from govex.errors import ConfigError

        dashboard_command(db, port=port, address=address)  # raises a clear error for a missing file before any work
        if scenario is not None and not precompute:
            raise ConfigError("--scenario is used when precomputing; add --precompute")
        if precompute:
            result = precompute_dashboard(Warehouse.open(f"duckdb:///{db.resolve()}"), scenario=scenario)
            console.print(result.summary(), highlight=False)
        if serve:
            console.print(f"dashboard on http://{address}:{port}  (Ctrl+C to stop)", highlight=False)
            raise typer.Exit(run_dashboard(db, port=port, address=address))
