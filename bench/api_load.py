"""Load test of the decision API on loopback: single treatment lookups, then the same under reloads.

Builds a synthetic marketplace with govex (synth -> ingest -> segmentation), starts `govex serve`
as a subprocess, and drives it for a bounded time with an asyncio client holding a fixed number
of keep-alive HTTP/1.1 connections (httpx only for start-up checks). Prints one table: requests, throughput, latency percentiles,
errors and responses whose tier disagrees with the library's `decide` on the same segments.

    python bench/api_load.py [--customers 20000] [--seconds 15] [--connections 8] [--db existing.duckdb]

Goal on a 2-core machine: >= 3,000 lookups/s with p99 < 10 ms and no errors, also with a reload
every second (the rebuild runs in the service's build process). The client shares the two cores
with the server, so the figures are a lower bound for the server alone; the load average printed
says how busy the machine was.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from govex.contract.schema import JOURNEYS


def build_warehouse(folder: Path, customers: int) -> Path:
    from govex.datasets import synthesize
    from govex.engine import Warehouse
    from govex.ingest import ingest_folder
    from govex.segments import run_segmentation

    synthesize(folder / "synth", customers=customers, seed=11, months=12)
    db = folder / "bench.duckdb"
    ingest_folder(folder / "synth", database=db)
    warehouse = Warehouse.open(f"duckdb:///{db}")
    last = warehouse.table("orders").ordered_at.max().execute()
    run_segmentation(warehouse, as_of=last.date() + dt.timedelta(days=1))
    warehouse.con.disconnect()
    return db


def customer_ids(db: Path) -> list[str]:
    import ibis

    con = ibis.duckdb.connect(str(db), read_only=True)
    t = con.table("segment_assignments")
    ids = t.filter(t.framework == "value").entity_id.execute().tolist()
    con.disconnect()
    return ids


def expected_tiers(db: Path, ids: list[str]) -> dict[tuple[str, str], str]:
    """The policy's `decide` on each customer's segments read straight from the table (not the service's columns)."""
    import duckdb
    import pandas as pd

    from govex.policy import decide, load_policy

    policy = load_policy(None).spec
    con = duckdb.connect(str(db), read_only=True)
    con.register("wanted", pd.DataFrame({"entity_id": ids}))
    rows = con.sql("select entity_id, framework, segment from segment_assignments s semi join wanted using (entity_id) "
                   "where entity = 'customer' and as_of = (select max(as_of) from segment_assignments t "
                   "where t.framework = s.framework)").df()
    con.close()
    profiles: dict[str, dict] = {}
    for cid, framework, segment in rows.itertuples(index=False):
        profiles.setdefault(cid, {})[framework] = segment
    return {(c, j): decide(policy, profile=profiles.get(c), journey=j, on_gap="fallback").tier
            for c in ids for j in JOURNEYS}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process itself has used (its build worker is counted apart)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


class _Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough to send GET/POST and read a JSON body.

    httpx's async pool serialises on its own locks and, on two busy cores, measured the client
    rather than the server; a bare asyncio stream per connection keeps the client cheap.
    """

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port, self.token = host, port, token

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, target: str) -> tuple[int, dict]:
        self.writer.write(f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\nX-API-Key: {self.token}\r\n"
                          f"Content-Length: 0\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        body = await self.reader.readexactly(length)
        return status, json.loads(body)

    def close(self) -> None:
        self.writer.close()


async def drive(base: str, token: str, ids: list[str], seconds: float, connections: int,
                expected: dict, reload_every_s: float | None, server_pid: int) -> dict:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = mismatches = 0
    deadline = time.perf_counter() + seconds
    finished: list[float] = []  # when each lookup connection stopped (a reload may still be running then)

    async def worker(seed: int):
        nonlocal errors, mismatches
        rng = random.Random(seed)
        conn = _Connection(host, int(port), token)
        await conn.open()
        while time.perf_counter() < deadline:
            cid, journey = rng.choice(ids), rng.choice(JOURNEYS)
            t0 = time.perf_counter()
            try:
                status, body = await conn.request("GET", f"/v1/customers/{cid}/treatment?journey={journey}")
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                await conn.open()
                continue
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors += 1
            elif body["tier"] != expected[(cid, journey)]:
                mismatches += 1
        finished.append(time.perf_counter())
        conn.close()

    async def reloader():
        took = []
        conn = _Connection(host, int(port), token)
        await conn.open()
        while time.perf_counter() < deadline - reload_every_s:
            await asyncio.sleep(reload_every_s)
            t0 = time.perf_counter()
            status, _ = await conn.request("POST", "/v1/admin/reload")
            if status == 200:
                took.append(time.perf_counter() - t0)
        conn.close()
        return took

    cpu_before = cpu_seconds(server_pid)
    started = time.perf_counter()
    jobs = [worker(i) for i in range(connections)] + ([reloader()] if reload_every_s else [])
    results = await asyncio.gather(*jobs)
    cpu = cpu_seconds(server_pid) - cpu_before
    elapsed = max(finished) - started
    lat = np.array(latencies) * 1000
    return {"requests": len(lat), "rps": len(lat) / elapsed, "p50_ms": np.percentile(lat, 50),
            "p99_ms": np.percentile(lat, 99), "max_ms": lat.max(), "errors": errors, "mismatches": mismatches,
            "cpu_ms": 1000 * cpu / max(len(lat), 1), "reloads": len(results[-1]) if reload_every_s else 0,
            "reload_s": float(np.median(results[-1])) if reload_every_s and results[-1] else float("nan")}


def start_server(folder: Path, source: list[str]) -> tuple[subprocess.Popen, str, str]:
    """`govex serve` on a free loopback port over `source` (["--db", path] or ["--store", path]); logs to a file."""
    from govex.api import new_api_key, write_keys_file

    token, entry = new_api_key("bench", ("read", "decide", "admin"))
    write_keys_file(folder / "keys.yaml", [entry])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(folder / "serve.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "govex", "serve", *source, "--keys",
                               str(folder / "keys.yaml"), "--audit-log", str(folder / "audit.jsonl"),
                               "--port", str(port), "--watch-interval", "0"],
                              stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return server, base, token
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"server did not start: {(folder / 'serve.log').read_text()[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--db", type=Path, help="an existing warehouse with segment_assignments (skips the build)")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        uvloop = None

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        db = args.db or build_warehouse(folder, args.customers)
        print(f"warehouse {db.name} ready in {time.perf_counter() - t0:.0f} s")
        ids = random.Random(0).sample(customer_ids(db), 2000) + [f"UNKNOWN{i}" for i in range(50)]
        expected = expected_tiers(db, ids)
        server, base, token = start_server(folder, ["--db", str(db)])
        run = uvloop.run if uvloop is not None else asyncio.run
        try:
            rows = [("lookups",
                     run(drive(base, token, ids, args.seconds, args.connections, expected, None, server.pid))),
                    ("lookups + reload every 1 s",
                     run(drive(base, token, ids, args.seconds, args.connections, expected, 1.0, server.pid)))]
            rss = resident_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
        with open(folder / "audit.jsonl") as audit:
            audit_lines = sum(1 for _ in audit)
    print(f"\nclient: asyncio streams on {'uvloop' if uvloop else 'asyncio'}, {args.connections} connections, "
          f"{args.seconds:.0f} s per run, {os.cpu_count()} cores shared with the server; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end; server resident memory {rss:,.0f} MB")
    print(f"{'run':<28}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
          f"{'wrong':>7}{'reloads':>9}{'reload s':>9}{'cpu ms/req':>11}{'goal':>8}")
    for name, r in rows:
        ok = r["rps"] >= 3000 and r["p99_ms"] < 10 and r["errors"] == 0 and r["mismatches"] == 0
        print(f"{name:<28}{r['requests']:>10,}{r['rps']:>9,.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
              f"{r['max_ms']:>9.1f}{r['errors']:>8}{r['mismatches']:>7}{r['reloads']:>9}{r['reload_s']:>9.2f}"
              f"{r['cpu_ms']:>11.3f}{'met' if ok else 'missed':>8}")
    total = sum(r["requests"] for _, r in rows)
    print(f"audit log lines: {audit_lines:,} for {total:,} answered lookups")
    print("cpu ms/req: the server process's own CPU per answered lookup (the build worker excluded); "
          "1000 / it bounds lookups/s per core on an otherwise idle machine")


if __name__ == "__main__":
    main()
