"""`govex demo`: the main job on a synthetic marketplace."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import out_folder


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = out_folder("the warehouse, the report and the other outputs", Path("demo-out")),
        customers: int = typer.Option(100_000, "--customers", min=500, help="Synthetic customers to simulate."),
        seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same data)."),
        engine: str = typer.Option("duckdb", "--engine", help="Engine: duckdb ingests into OUT/govex.duckdb; spark reads the "
                                   "synthetic files in place on local Spark (OUT/govex.yaml, tables in OUT/spark-warehouse)."),
    ) -> None:
        """Synthesise a marketplace, ingest it into OUT/govex.duckdb (or map it on Spark) and run every capability on it."""
        from govex.demo import run_demo

        run_demo(out, customers=customers, seed=seed, engine=engine)
