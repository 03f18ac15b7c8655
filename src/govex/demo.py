"""The main job: synthesise a marketplace, ingest it, and run every capability on it.

`govex demo --out DIR` is what `make demo` runs. Each step is a small function that calls the
public library (the same calls a notebook would make) and returns the lines to print, so the
demo doubles as an executable tour of govex.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from govex.engine import Warehouse


@dataclass
class DemoContext:
    """What the steps share: where to write, the warehouse, and results later steps reuse."""

    out: Path
    customers: int
    seed: int
    warehouse: Warehouse | None = None
    ground_truth: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)

    @property
    def database(self) -> Path:
        return self.out / "govex.duckdb"


def _synthesise(ctx: DemoContext) -> list[str]:
    import json

    from govex.datasets import synthesize

    synth_dir = ctx.out / "synth"
    synthesize(synth_dir, customers=ctx.customers, seed=ctx.seed)
    ctx.ground_truth = json.loads((synth_dir / "ground_truth.json").read_text())
    lines = [f"{ctx.customers:,} customers written to {synth_dir}; planted events:"]
    return lines + [f"  - {_describe_event(event)}" for event in ctx.ground_truth.get("events", [])]


def _describe_event(event: dict) -> str:
    """One line per planted event: its type, where, when and how big (from ground_truth.json)."""
    where = ", ".join(f"{k}={event[k]}" for k in ("market", "carrier", "vendor_id", "reason") if k in event)
    if "customer_ids" in event:
        where = f"{len(event['customer_ids'])} customers"
    when = f" from {event['start']} to {event['end_exclusive']}" if "start" in event else ""
    sizes = ", ".join(f"{k} {v}" for k, v in event.items() if isinstance(v, (int, float)) and k != "seed")
    return f"{event['type']} ({where}){when}: {sizes}"


def _ingest(ctx: DemoContext) -> list[str]:
    from govex.ingest import ingest_folder

    report = ingest_folder(ctx.out / "synth", database=ctx.database)
    ctx.warehouse = Warehouse.open(f"duckdb:///{ctx.database}")
    rows = ", ".join(f"{t.name} {t.rows:,}" for t in report.loaded)
    return [f"validated and loaded into {ctx.database}", rows]


def _segments(ctx: DemoContext) -> list[str]:
    import datetime as dt

    from govex.segments import assign_all

    last_order = ctx.warehouse.table("orders").ordered_at.max().execute()
    ctx.results["as_of"] = as_of = (last_order + dt.timedelta(days=1)).date()
    sizes = assign_all(ctx.warehouse, as_of=as_of)
    lines = [f"as of {as_of}, written to segment_assignments:"]
    for framework, rows in sizes.groupby("framework", sort=False):
        shares = ", ".join(f"{r.segment} {r.share:.0%}" for r in rows.itertuples() if r.customers)
        lines.append(f"  {framework}: {shares}")
    return lines


def _what_moved(ctx: DemoContext) -> list[str]:
    from govex.analysis import what_moved

    findings = what_moved(
        ctx.warehouse,
        metrics=["late_delivery_rate", "dispute_rate", "moderation_accuracy"],
        by=["market", "carrier", "vendor_id"],
        period="month",
    )
    ctx.results["what_moved"] = findings
    if not findings:
        return ["no anomaly stood out from noise"]
    return [line for finding in findings for line in finding.render().splitlines()]


def _automation(ctx: DemoContext) -> list[str]:
    from govex.voc import automation_study, write_scenario

    study = automation_study(ctx.warehouse, max_texts=8_000)
    ctx.results["automation"] = study
    scenario = write_scenario(study.opportunities, ctx.out / "scenarios" / "automation.yaml", name="llm-deflection")
    lines = [f"contact-reason classifier: holdout accuracy {study.evaluation.accuracy:.3f}", "top automation opportunities:"]
    for row in study.opportunities.head(3).itertuples():
        lines.append(
            f"  {row.rank}. {row.reason}: automate {row.automation_rate:.0%}, "
            f"{row.fte_saved:.1f} FTE, net saving {row.net_saving:,.0f} per month"
        )
    lines.append(f"scenario written to {scenario}")
    return lines


STEPS: list[tuple[str, Callable[[DemoContext], list[str]]]] = [
    ("Synthetic marketplace", _synthesise),
    ("Ingest and validate", _ingest),
    ("Segments", _segments),
    ("What moved and why", _what_moved),
    ("VOC and automation", _automation),
]


def run_demo(out: str | Path, *, customers: int = 100_000, seed: int = 0, console: Console | None = None) -> DemoContext:
    """Run every demo step in order, printing each step's summary and time."""
    console = console or Console()
    ctx = DemoContext(out=Path(out), customers=customers, seed=seed)
    ctx.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for title, step in STEPS:
        t0 = time.perf_counter()
        with console.status(f"{title} ..."):
            lines = step(ctx)
        console.print(f"[bold]{title}[/bold] [dim]({time.perf_counter() - t0:.1f} s)[/dim]")
        for line in lines:
            console.print(f"  {line}", highlight=False, soft_wrap=True)
    console.print(f"[bold green]demo finished[/bold green] in {time.perf_counter() - started:.0f} s; outputs in {ctx.out}")
    return ctx
