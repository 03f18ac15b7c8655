"""Benchmark: every shipped KPI by market x journey x value segment x week, govex vs pandas.

Builds a synthetic marketplace with govex.datasets (1M customers by default), writes it as Parquet,
then runs each side in its own child process so that peak memory is measured separately:

* govex: DuckDB over the Parquet files, `compute_metrics(..., partial=True)` (one query per table group);
* pandas: the same definitions written in idiomatic pandas (tests/metrics/reference_pandas.py).

Both sides convert money (GMV, fraud loss, refunds, staffing cost) into the reporting currency with
fx_rates at the rate valid on each row's date: govex by a range join in the engine, pandas by
merge_asof.

Prints one table: wall time, peak RSS, govex/pandas ratios, and whether every cell agrees.
Usage: python bench/metrics.py [--customers N] [--seed S]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from child import peak_mb  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BY = ["market", "journey", "segment:value"]
PERIOD = "week"
MEMORY_LIMIT = "2GB"


def _segments(data: Path) -> None:
    """A value segment per customer from order value (top 20% high, next 30% medium, rest low)."""
    import pandas as pd

    orders = pd.read_parquet(data / "orders.parquet", columns=["customer_id", "amount"])
    spend = orders.groupby("customer_id")["amount"].sum()
    customers = pd.read_parquet(data / "customers.parquet", columns=["customer_id"])["customer_id"]
    rank = spend.reindex(customers).fillna(0.0).rank(pct=True, method="first")
    segment = pd.cut(rank, [0, 0.5, 0.8, 1.0], labels=["low", "medium", "high"]).astype(str)
    frame = pd.DataFrame({"entity": "customer", "entity_id": customers.to_numpy(), "framework": "value",
                          "as_of": pd.Timestamp("2025-12-31").date(), "segment": segment.to_numpy(),
                          "score": rank.to_numpy(), "reasons": pd.Series([None] * len(customers), dtype="string"),
                          "framework_version": "bench"})
    frame.to_parquet(data / "segment_assignments.parquet", index=False)


def _metrics(data: Path) -> list[str]:
    """The shipped KPIs whose tables the synthetic marketplace has (service_promises comes from the policy, not synth)."""
    from govex.metrics import load_catalogue

    catalogue = load_catalogue()
    return [name for name in catalogue.names()
            if all((data / f"{m.table}.parquet").is_file() for m in catalogue.measures(name).values())]


def run_govex(data: Path, out: Path) -> None:
    import ibis

    from govex.engine.warehouse import Warehouse
    from govex.metrics import compute_metrics

    # DuckDB works within a memory budget and spills to disk beyond it; pandas has no such setting
    con = ibis.duckdb.connect(memory_limit=MEMORY_LIMIT, threads=2)
    for path in sorted(data.glob("*.parquet")):
        if path.stem != "truth_customers":
            con.read_parquet(path, table_name=path.stem)
    cube = compute_metrics(Warehouse(con), metrics=_metrics(data), by=BY, period=PERIOD, partial=True)
    cube[["metric", "period_start", *BY, "value"]].to_parquet(out)


def run_pandas(data: Path, out: Path) -> None:
    import pandas as pd

    sys.path.insert(0, str(REPO / "tests" / "metrics"))
    from reference_pandas import Reference

    tables = {p.stem: pd.read_parquet(p) for p in sorted(data.glob("*.parquet")) if p.stem not in ("truth_customers", "segment_assignments")}
    seg = pd.read_parquet(data / "segment_assignments.parquet", columns=["entity_id", "segment"])
    reference = Reference(tables, segments={"value": dict(zip(seg["entity_id"], seg["segment"]))})
    frames = [reference.compute(name, BY, PERIOD).assign(metric=name) for name in _metrics(data)]
    cube = pd.concat(frames, ignore_index=True)
    cube[["metric", "period_start", *BY, "value"]].to_parquet(out)


def _child(side: str, data: Path, out: Path) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--side", side, "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{side} side failed:\n{done.stderr[-3000:]}")
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    stats["wall_s"] = time.perf_counter() - start
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--side", choices=["govex", "pandas"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="generate the data here (or reuse it if present) instead of a temp folder")
    args = parser.parse_args()
    if args.side:  # child process: run one side, report its own time and peak memory
        begin = time.perf_counter()
        (run_govex if args.side == "govex" else run_pandas)(args.data, args.out)
        print(json.dumps({"compute_s": time.perf_counter() - begin, "peak_mb": peak_mb()}))
        return 0

    import numpy as np
    import pandas as pd

    from govex.datasets.synth import synthesize

    with tempfile.TemporaryDirectory(prefix="govex-bench-metrics-") as tmp:
        data = args.keep or Path(tmp) / "data"
        t0 = time.perf_counter()
        if not (data / "segment_assignments.parquet").is_file():
            synthesize(data, customers=args.customers, seed=args.seed)
            _segments(data)
        orders = pd.read_parquet(data / "orders.parquet", columns=["order_id"]).shape[0]
        customers = pd.read_parquet(data / "customers.parquet", columns=["customer_id"]).shape[0]
        print(f"synthetic marketplace: {customers:,} customers, {orders:,} orders ({time.perf_counter() - t0:.0f} s)")
        results = {side: _child(side, data, Path(tmp) / f"{side}.parquet") for side in ("govex", "pandas")}
        ours, theirs = (pd.read_parquet(Path(tmp) / f"{side}.parquet") for side in ("govex", "pandas"))
    keys = ["metric", "period_start", *BY]
    theirs["period_start"] = pd.to_datetime(theirs["period_start"])
    ours["period_start"] = pd.to_datetime(ours["period_start"])
    merged = ours.merge(theirs, on=keys, how="outer", suffixes=("_govex", "_pandas"), indicator=True)
    only_one_side = int((merged["_merge"] != "both").sum())
    both = merged[merged["_merge"] == "both"]
    close = np.isclose(both["value_govex"], both["value_pandas"], rtol=1e-9, atol=1e-12, equal_nan=True)  # NaN: 0 / 0 on both
    g, p = results["govex"], results["pandas"]
    print(f"\ngovex: DuckDB memory_limit={MEMORY_LIMIT}, threads=2; pandas {pd.__version__}")
    print(f"{'side':<8}{'time (s)':>10}{'peak RSS (MB)':>15}")
    print(f"{'govex':<8}{g['wall_s']:>10.1f}{g['peak_mb']:>15.0f}")
    print(f"{'pandas':<8}{p['wall_s']:>10.1f}{p['peak_mb']:>15.0f}")
    print(f"speed-up pandas/govex: {p['wall_s'] / g['wall_s']:.1f}x   peak memory govex/pandas: {g['peak_mb'] / p['peak_mb']:.2f}")
    print(f"cells: {len(merged):,}; on one side only: {only_one_side}; values differing (rtol 1e-9): {int((~close).sum())}")
    if only_one_side:
        print(merged[merged["_merge"] != "both"].head(5).to_string())
    identical = only_one_side == 0 and bool(close.all())
    print("agreement:", "identical" if identical else "DIFFERENT")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
