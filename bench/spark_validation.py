"""Reading and validating a govex.yaml mapping on DuckDB and on local Spark, side by side.

The synthetic marketplace's Parquet files are mapped with `file:` sources and checked against the
contract (`engine/mapping.py`: read in place, every rule as a query) on both engines in one process.
Printed per round: seconds, the queries govex sent, and on Spark the jobs they started (Spark's
status tracker, under a job group of their own). On small data Spark's cost is its per-job
overhead, so jobs, not rows, are what to watch; the ratio to DuckDB is printed too.

    .venv/bin/python bench/spark_validation.py --customers 1000 --rounds 2
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ibis

from govex.config import load_config
from govex.contract.schema import TABLES
from govex.datasets import synthesize
from govex.engine.mapping import mapped_tables
from govex.engine.spark import local_spark_backend

JOB_GROUP = "govex-bench-validation"


def _config_file(folder: Path, data: Path) -> Path:
    names = [name for name in TABLES if (data / f"{name}.parquet").is_file()]
    text = "tables:\n" + "".join(f"  {name}: {{file: {data / f'{name}.parquet'}}}\n" for name in names)
    path = folder / "govex.yaml"
    path.write_text(text)
    return path


def _counting_queries(con: ibis.BaseBackend) -> Callable[[], int]:
    """Count the queries govex sends: every result it fetches goes through the backend's execute."""
    calls = [0]
    execute = con.execute

    def counted(*args, **kwargs):
        calls[0] += 1
        return execute(*args, **kwargs)

    con.execute = counted
    return lambda: calls[0]


def _round(con: ibis.BaseBackend, config, queries: Callable[[], int]) -> tuple[float, int]:
    before = queries()
    start = time.perf_counter()
    mapped_tables(con, config)
    return time.perf_counter() - start, queries() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", type=Path, help="a folder of the marketplace's Parquet files (default: synthesise one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govex-bench-") as tmp:
        data = args.data.resolve() if args.data else Path(tmp) / "synth"
        if args.data is None:
            synthesize(data, customers=args.customers, seed=args.seed)
        config = load_config(_config_file(Path(tmp), data))
        duck = ibis.duckdb.connect()
        spark = local_spark_backend()
        context = spark._session.sparkContext
        context.setJobGroup(JOB_GROUP, "govex validation bench")
        counters = {"duckdb": _counting_queries(duck), "spark": _counting_queries(spark)}
        customers = duck.read_parquet(data / "customers.parquet").count().execute()
        print(f"{customers:,} customers, {len(config.tables)} tables, load average {os.getloadavg()[0]:.1f}")
        print(f"{'round':<7}{'duckdb s':>10}{'queries':>9}{'spark s':>10}{'queries':>9}{'jobs':>7}{'spark/duckdb':>14}")
        try:
            for number in range(1, args.rounds + 1):  # alternate, so a busy machine slows both alike
                duck_s, duck_q = _round(duck, config, counters["duckdb"])
                jobs = len(context.statusTracker().getJobIdsForGroup(JOB_GROUP))
                spark_s, spark_q = _round(spark, config, counters["spark"])
                jobs = len(context.statusTracker().getJobIdsForGroup(JOB_GROUP)) - jobs
                print(f"{number:<7}{duck_s:>10.2f}{duck_q:>9}{spark_s:>10.2f}{spark_q:>9}{jobs:>7}{spark_s / duck_s:>14.1f}")
        finally:
            spark._session.stop()
        print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
