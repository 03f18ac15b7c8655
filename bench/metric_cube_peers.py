"""Benchmark: a metric cube (CSAT, late delivery rate, contact rate by market x week), govex vs hand-written DuckDB SQL and Polars.

The same synthetic marketplace as bench/metrics.py (govex.datasets, 1M customers by default) as
Parquet. Sides, each in its own child process (peak memory is the child's own VmHWM):

* govex: `compute_metrics` over DuckDB views of the Parquet files (values with their intervals);
* duckdb-sql: the three definitions as one hand-written DuckDB query per table;
* polars: the same with Polars lazy frames (scan_parquet ... collect);
* govex-spark (on request): the same govex code on local Spark (local[2], the Parquet files read as
  session views); its peak memory is the Python driver's only, the JVM is a child process.

Definitions (govex's metric catalogue): CSAT = mean csat of surveys that gave one, by response
week; late delivery rate = orders delivered after the promised day / delivered orders with a
promised date, by order week; contact rate = contacts by creation week / orders by order week
(every week and market with orders, 0 without contacts).
Weeks start on Monday. Every (metric, week, market) cell must agree to 1e-12 relative.
Each child times two things: cold, from its first import to the first cube written (what one
command costs), and warm, the same cube again in the same process with the same connection (what
a long-running service or notebook pays per request). The sides run `--repeat` times (default 3),
order reversed every round; medians are reported. `--scale 2000,5000,10000` runs the sides at
each size of marketplace instead and prints the fitted exponent of time and peak memory against
the number of customers.

Usage: python bench/metric_cube_peers.py [--customers 1000000] [--repeat 3] [--keep DIR]
       [--sides govex,duckdb-sql,polars] [--scale 200000,1000000]
       python bench/metric_cube_peers.py --sides govex,govex-spark --scale 2000,5000,10000 --repeat 1
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from child import peak_mb  # noqa: E402
from sides import alternated, chosen, load, print_growth  # noqa: E402

METRICS = ("csat", "late_delivery_rate", "contact_rate")
COLUMNS = ["metric", "period_start", "market", "value"]


TABLES = ("orders", "contacts", "surveys")


def govex_side(data: Path, *, engine: str = "duckdb") -> Callable[[Path], None]:
    from govex.engine.warehouse import Warehouse
    from govex.metrics import compute_metrics

    if engine == "spark":
        from govex.engine.spark import local_spark_backend

        con = local_spark_backend()
        for name in TABLES:
            con.read_parquet(data / f"{name}.parquet", table_name=name)
        warehouse = Warehouse(con)
    else:
        warehouse = Warehouse.open("duckdb://")
        for name in TABLES:  # the tables a warehouse would hold, read in place
            warehouse.con.raw_sql(f"CREATE VIEW {name} AS FROM read_parquet('{data / name}.parquet')")

    def run(out: Path) -> None:
        cube = compute_metrics(warehouse, metrics=list(METRICS), by=["market"], period="week")
        cube[COLUMNS].to_parquet(out)

    return run


def sql_side(data: Path) -> Callable[[Path], None]:
    import duckdb

    con = duckdb.connect()

    def run(out: Path) -> None:
        con.execute(f"""
        COPY (
        WITH o AS (
            SELECT date_trunc('week', ordered_at)::DATE AS period_start, coalesce(market, '(none)') AS market,
                   count(*) AS n_orders,
                   count(*) FILTER (delivered_at IS NOT NULL AND promised_date IS NOT NULL) AS n_delivered,
                   count(*) FILTER (delivered_at::DATE > promised_date) AS n_late
            FROM '{data}/orders.parquet' GROUP BY ALL),
        c AS (SELECT date_trunc('week', created_at)::DATE AS period_start, coalesce(market, '(none)') AS market,
                     count(*) AS n_contacts
              FROM '{data}/contacts.parquet' GROUP BY ALL),
        s AS (SELECT date_trunc('week', responded_at)::DATE AS period_start, coalesce(market, '(none)') AS market,
                     avg(csat) AS value
              FROM '{data}/surveys.parquet' WHERE csat IS NOT NULL GROUP BY ALL)
        SELECT 'csat' AS metric, period_start, market, value FROM s
        UNION ALL SELECT 'late_delivery_rate', period_start, market, n_late / n_delivered FROM o WHERE n_delivered > 0
        UNION ALL SELECT 'contact_rate', period_start, market, coalesce(n_contacts, 0) / n_orders
            FROM o LEFT JOIN c USING (period_start, market)
        ) TO '{out}' (FORMAT parquet)""")

    return run


def polars_side(data: Path) -> Callable[[Path], None]:
    import polars as pl

    def cut(frame: pl.LazyFrame, time: str) -> pl.LazyFrame:
        return frame.with_columns(period_start=pl.col(time).dt.truncate("1w").dt.date(),
                                  market=pl.col("market").fill_null("(none)"))

    def run(out: Path) -> None:
        orders = cut(pl.scan_parquet(data / "orders.parquet"), "ordered_at").group_by("period_start", "market").agg(
            n_orders=pl.len(),
            n_delivered=(pl.col("delivered_at").is_not_null() & pl.col("promised_date").is_not_null()).sum(),
            n_late=(pl.col("delivered_at").dt.date() > pl.col("promised_date")).sum())
        contacts = cut(pl.scan_parquet(data / "contacts.parquet"), "created_at").group_by("period_start", "market").agg(
            n_contacts=pl.len())
        surveys = cut(pl.scan_parquet(data / "surveys.parquet"), "responded_at").filter(pl.col("csat").is_not_null())
        parts = [
            surveys.group_by("period_start", "market").agg(value=pl.col("csat").cast(pl.Float64).mean())
            .with_columns(metric=pl.lit("csat")),
            orders.filter(pl.col("n_delivered") > 0).select(
                "period_start", "market", value=pl.col("n_late") / pl.col("n_delivered"), metric=pl.lit("late_delivery_rate")),
            orders.join(contacts, on=["period_start", "market"], how="left").select(
                "period_start", "market", value=pl.col("n_contacts").fill_null(0) / pl.col("n_orders"),
                metric=pl.lit("contact_rate")),
        ]
        pl.concat([p.select(COLUMNS) for p in parts]).collect().write_parquet(out)

    return run


SIDES = {"govex": govex_side, "duckdb-sql": sql_side, "polars": polars_side,
         "govex-spark": lambda data: govex_side(data, engine="spark")}


def _run_side(side: str, data: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--side", side, "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{side} side failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _agreement(ours: Path, theirs: Path) -> tuple[bool, str]:
    import numpy as np
    import pandas as pd

    frames = []
    for path in (ours, theirs):
        frame = pd.read_parquet(path)
        frame["period_start"] = pd.to_datetime(frame["period_start"])
        frames.append(frame)
    merged = frames[0].merge(frames[1], on=COLUMNS[:3], how="outer", suffixes=("_govex", "_peer"), indicator=True)
    one_side = int((merged["_merge"] != "both").sum())
    both = merged[merged["_merge"] == "both"]
    close = np.isclose(both["value_govex"], both["value_peer"], rtol=1e-12, atol=0.0)
    same = one_side == 0 and bool(close.all())
    return same, f"{'identical' if same else 'DIFFERENT'}: {len(merged):,} cells, {one_side} on one side only, " \
                 f"{int((~close).sum())} values differing (rtol 1e-12)"


def _compare(data: Path, folder: Path, sides: list[str], repeat: int) -> tuple[dict[str, list[dict]], dict[str, tuple]]:
    """Every side's runs over the marketplace in `data`, and each peer's agreement with govex's cube."""
    runs = alternated(sides, repeat, lambda side: _run_side(side, data, folder / f"{side}.parquet"))
    return runs, {side: _agreement(folder / "govex.parquet", folder / f"{side}.parquet") for side in sides[1:]}


def _print_comparison(runs: dict[str, list[dict]]) -> None:
    print(f"\n{', '.join(METRICS)} by market x week")
    print(f"{'side':<12}{'cold s':>8}{'best':>7}{'warm s':>8}{'best':>7}{'peak MB':>9}"
          f"{'govex/side cold':>17}{'govex/side warm':>17}")
    median = {side: {k: statistics.median(r[k] for r in rs) for k in ("seconds", "warm")} for side, rs in runs.items()}
    for side, rs in runs.items():
        cold, warm = median[side]["seconds"], median[side]["warm"]
        print(f"{side:<12}{cold:>8.2f}{min(r['seconds'] for r in rs):>7.2f}{warm:>8.2f}"
              f"{min(r['warm'] for r in rs):>7.2f}{max(r['peak_mb'] for r in rs):>9.0f}"
              f"{median['govex']['seconds'] / cold:>17.2f}{median['govex']['warm'] / warm:>17.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the data here (or reuse it if present)")
    parser.add_argument("--sides", default="govex,duckdb-sql,polars",
                        help="comma-separated, govex first (default: govex and the two peers; govex-spark on request)")
    parser.add_argument("--scale", default="", help="comma-separated customer counts for a scaling run instead")
    parser.add_argument("--side", choices=tuple(SIDES))
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.side:
        begin = time.perf_counter()
        run = SIDES[args.side](args.data)
        run(args.out)
        cold = time.perf_counter() - begin
        begin = time.perf_counter()
        run(args.out)
        print(json.dumps({"seconds": cold, "warm": time.perf_counter() - begin, "peak_mb": peak_mb()}))
        return 0
    from govex.datasets.synth import synthesize

    sides = chosen(args.sides, SIDES)
    if args.scale:
        sizes = [int(n) for n in args.scale.split(",")]
        print(f"scaling: {', '.join(sides)} at {', '.join(f'{n:,}' for n in sizes)} customers (the growth table: cold times)")
        table: dict[str, list[dict]] = {side: [] for side in sides}
        ok = True
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="govex-bench-cube-") as tmp:
                synthesize(Path(tmp) / "data", customers=size, seed=args.seed)
                runs, agreements = _compare(Path(tmp) / "data", Path(tmp), sides, args.repeat)
            for side, rs in runs.items():
                table[side].append({k: statistics.median(r[k] for r in rs) for k in ("seconds", "warm")}
                                   | {"peak_mb": max(r["peak_mb"] for r in rs)})
            ok &= all(same for same, _ in agreements.values())
            done = ", ".join(f"{side} {rows[-1]['seconds']:.2f} s cold, {rows[-1]['warm']:.2f} s warm, "
                             f"{rows[-1]['peak_mb']:.0f} MB" for side, rows in table.items())
            print(f"  {size:>10,} customers: {done}; {load()}", flush=True)
            for side, (_, text) in agreements.items():
                print(f"    govex vs {side}: {text}")
        print_growth(sizes, table)
        return 0 if ok else 1
    with tempfile.TemporaryDirectory(prefix="govex-bench-cube-") as tmp:
        data = args.keep or Path(tmp) / "data"
        if not (data / "surveys.parquet").is_file():
            t0 = time.perf_counter()
            synthesize(data, customers=args.customers, seed=args.seed)
            print(f"synthetic marketplace: {args.customers:,} customers ({time.perf_counter() - t0:.0f} s)")
        runs, agreements = _compare(data, Path(tmp), sides, args.repeat)
    _print_comparison(runs)
    for side, (_, text) in agreements.items():
        print(f"govex vs {side}: {text}")
    print(f"({args.repeat} runs per side, order alternated each round; {load()})")
    return 0 if all(same for same, _ in agreements.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
