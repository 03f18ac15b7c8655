"""`govex synth`: write a synthetic marketplace (every canonical table + planted truths) to a folder."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import out_folder


def synth(
    out: Path = out_folder("<table>.parquet, ground_truth.json and truth_customers.parquet"),
    customers: int = typer.Option(100_000, "--customers", help="Number of customers (1M gives about 10M orders)."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same arguments always give the same files."),
    months: int = typer.Option(24, "--months", help="Length of the simulated window in months."),
    start: str = typer.Option("2024-01-01", "--start", help="First day of the window (YYYY-MM-DD)."),
) -> None:
    """Simulate a marketplace with known truths (BG/NBD customers, planted events) and write it as Parquet."""
    import time

    from govex.cli.common import print_json
    from govex.datasets.synth import GROUND_TRUTH_FILE, synthesize

    began = time.perf_counter()
    files = synthesize(out, customers=customers, seed=seed, months=months, start=start)
    import json

    truth = json.loads((out / GROUND_TRUTH_FILE).read_text())
    print_json({
        "out": str(out),
        "files": [f.name for f in files],
        "row_counts": truth["row_counts"],
        "events": [e["type"] for e in truth["events"]],
        "seconds": round(time.perf_counter() - began, 2),
    })


def register(app: typer.Typer) -> None:
    app.command(name="synth")(synth)
