"""Helpers for the decision API tests: two consistent data versions, and a real uvicorn server on a free port."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import ibis
import pandas as pd
import pytest
import uvicorn

# Two snapshot versions with a consistent marker each: in version A customer C1 is 'high' value and
# policy A (version "A") gives tier a_<value>; in version B C1 is 'low' and policy B gives b_<value>.
# A response is consistent when its tier's prefix, its policy_version and C1's segment agree.
SEGMENTS = {"A": {"C1": "high", "C2": "low"}, "B": {"C1": "low", "C2": "high"}}
TIER = """
  {name}: {{rank: {rank}, lane: standard, queue: q, queue_priority: 1, first_response_s: 60, resolution_h: 24,
           channels: [chat], auto_approve_limit: 10, escalation: lead, cost_per_contact: 1}}"""


def policy_text(version: str) -> str:
    p = version.lower()
    tiers = "".join(TIER.format(name=f"{p}_{v}", rank=r) for r, v in enumerate(["high", "medium", "low"], 1))
    rules = "".join(f"\n  - name: {v}\n    when: {{value: {v}}}\n    tier: {p}_{v}" for v in ["high", "medium", "low"])
    return f"name: p\nversion: {version}\ntiers:{tiers}\nunknown_customer_tier: {p}_medium\nrules:{rules}\n"


def segment_rows(version: str) -> pd.DataFrame:
    return pd.DataFrame({
        "entity": "customer", "entity_id": list(SEGMENTS[version]), "framework": "value",
        "as_of": dt.date(2025, 6, 1), "segment": list(SEGMENTS[version].values()), "score": 1.0,
        "reasons": "rfm=555;clv_percentile >= 0.8", "framework_version": version,
    })


def write_db(path: Path, rows: pd.DataFrame) -> None:
    con = ibis.duckdb.connect(str(path))
    con.create_table("segment_assignments", rows, overwrite=True)
    con.disconnect()


def install(folder: Path, version: str, db: Path, policy: Path, rows: pd.DataFrame | None = None) -> None:
    """Write version `version` under temporary names, then rename over the served files."""
    write_db(folder / f"db_{version}.tmp", segment_rows(version) if rows is None else rows)
    (folder / f"policy_{version}.tmp").write_text(policy_text(version))
    os.replace(folder / f"db_{version}.tmp", db)
    os.replace(folder / f"policy_{version}.tmp", policy)


@contextlib.contextmanager
def running(app):
    """Serve `app` with uvicorn on a free loopback port in a thread; yields the base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="session")
def api_kit():
    return SimpleNamespace(SEGMENTS=SEGMENTS, policy_text=policy_text, segment_rows=segment_rows, write_db=write_db,
                           install=install, running=running)
