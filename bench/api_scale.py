"""The decision API at marketplace scale: publish time, serving memory and lookups for 1M, 5M, 20M customers.

For each size: synthetic segment_assignments (ids and three frameworks' segments, scores and
reasons, made in DuckDB, not by the simulator), a full publish (`govex.api.store.publish`, the code
behind `govex api-publish`, in a child process that reports its own peak memory: bench/child.py), then 1% of
customers change value segment and an incremental publish finds them in DuckDB and writes only those
(`changed`: what the publish found, to compare with `moved`); `govex serve
--store` maps the store and is driven over loopback by the keep-alive client of
bench/api_load.py (8 connections), with every answer checked against the policy's `decide` on
the table's segments. One row per size, side by side.

    python bench/api_scale.py [--sizes 1000000,5000000,20000000] [--seconds 15] [--folder /tmp/x]

Goal: server resident memory under 1 GB whatever the size, p99 < 10 ms, >= 3,000 lookups/s on 2 cores.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb

try:
    import uvloop
except ImportError:
    uvloop = None

sys.path.insert(0, str(Path(__file__).parent))
from api_load import drive, expected_tiers, resident_mb, start_server  # noqa: E402
from child import measured, run_child  # noqa: E402

LABELS = {"lifecycle": ["new", "active", "at_risk", "dormant", "churned"], "value": ["high", "medium", "low"],
          "risk": ["low", "normal", "elevated", "high"]}


def synthesize(db: Path, customers: int) -> None:
    """segment_assignments for `customers` ids, segments drawn by a hash of (id, framework)."""
    frameworks = ", ".join(f"('{f}', {labels!r})" for f, labels in LABELS.items())
    con = duckdb.connect(str(db))
    con.execute(f"""
        create or replace table segment_assignments as
        select 'customer' as entity, 'C' || lpad(i::varchar, 10, '0') as entity_id, f.framework,
               date '2025-06-01' as as_of, f.labels[1 + (hash(i, f.framework) % len(f.labels))::int] as segment,
               (hash(i, f.framework, 's') % 1000) / 8 as score,
               'rule=' || (hash(i, f.framework, 'r') % 5)::varchar as reasons, '1' as framework_version
        from range({customers}) t(i) cross join (values {frameworks}) f(framework, labels)""")
    con.close()


def change_one_percent(db: Path) -> int:
    """Move every 100th customer to another value segment; returns how many moved."""
    con = duckdb.connect(str(db))
    moved = con.execute("""
        update segment_assignments set segment = case segment when 'high' then 'low' when 'medium' then 'high'
                                                              else 'medium' end
        where framework = 'value' and hash(entity_id) % 100 = 0""").fetchone()[0]
    con.close()
    return moved


def publish(db: Path, store: Path) -> dict:
    """One publish in a child process: what it wrote, its seconds (imports excluded) and its peak memory."""
    return run_child([__file__, "--publish", str(db), str(store)], f"publish of {db.name}")


def run_size(folder: Path, customers: int, seconds: float, connections: int) -> dict:
    db, store = folder / f"seg_{customers}.duckdb", folder / f"store_{customers}"
    t0 = time.perf_counter()
    synthesize(db, customers)
    made_s = time.perf_counter() - t0
    full = publish(db, store)
    moved = change_one_percent(db)
    incremental = publish(db, store)
    rng = random.Random(customers)
    ids = [f"C{rng.randrange(customers):010d}" for _ in range(2000)] + [f"UNKNOWN{i}" for i in range(50)]
    expected = expected_tiers(db, ids)
    server, base, token = start_server(folder, ["--store", str(store)])
    try:
        idle = resident_mb(server.pid)
        run = uvloop.run if uvloop is not None else asyncio.run  # the client api_load.py uses
        result = run(drive(base, token, ids, seconds, connections, expected, None, server.pid))
        rss = resident_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    files = {(f.stat().st_dev, f.stat().st_ino): f.stat().st_size  # hard links once
             for f in store.rglob("*") if f.is_file()}
    print(f"  {customers:,}: synthetic table {made_s:.0f} s; full {full}; incremental {incremental}", flush=True)
    return {"customers": customers, "full_s": full["seconds"], "full_mb": full["peak_mb"], "moved": moved,
            "changed": incremental["changed"], "inc_s": incremental["seconds"], "written": incremental["written"],
            "inc_mb": incremental["peak_mb"],
            "store_mb": sum(files.values()) / 2**20, "idle": idle, "rss": rss, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000,20000000")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--folder", type=Path, help="work folder (default: a temporary one, removed after)")
    parser.add_argument("--publish", nargs=2, type=Path, metavar=("DB", "STORE"), help=argparse.SUPPRESS)  # the child
    args = parser.parse_args()
    if args.publish:
        from govex.api.store import publish as publish_store

        measured(lambda: publish_store(*args.publish))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        rows = [run_size(Path(tmp), n, args.seconds, args.connections) for n in sizes]
    print(f"\n{args.connections} keep-alive connections, {args.seconds:.0f} s per size, {os.cpu_count()} cores shared "
          f"with the client; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    print(f"{'customers':>12}{'full s':>8}{'full MB':>9}{'moved':>9}{'changed':>9}{'written':>9}{'incr. s':>9}"
          f"{'incr. MB':>10}{'store MB':>10}{'serve MB':>10}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'cpu ms':>8}"
          f"{'errors':>8}{'wrong':>7}")
    for r in rows:
        print(f"{r['customers']:>12,}{r['full_s']:>8.1f}{r['full_mb']:>9,.0f}{r['moved']:>9,}{r['changed']:>9,}"
              f"{r['written']:>9,}{r['inc_s']:>9.1f}{r['inc_mb']:>10,.0f}{r['store_mb']:>10,.0f}"
              f"{r['idle']:>5,.0f}/{r['rss']:<4,.0f}"
              f"{r['rps']:>8,.0f}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['cpu_ms']:>8.3f}{r['errors']:>8}"
              f"{r['mismatches']:>7}")
    print("full/incr. s and MB: seconds and peak resident memory of each publish process; store MB: files on disk "
          "(hard links once); serve MB: the server's resident memory idle / after the run; cpu ms: server CPU "
          "per lookup")


if __name__ == "__main__":
    main()
