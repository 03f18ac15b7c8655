"""Same input, same output: segment assignments and a metric cube are identical with 1, 2 and 8 DuckDB threads.

Parallel aggregation adds floating-point numbers in an order that depends on the threads, so
anything computed from a float sum and then rounded, ranked or joined can change between runs.
The hashes below are of the exact outputs (every float written with 17 significant digits).
"""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest

from govex.datasets.synth import generate
from govex.engine import Warehouse
from govex.metrics import compute_metrics
from govex.metrics.catalogue import load_catalogue
from govex.policy import load_policy
from govex.policy.promises import write_service_promises
from govex.segments import run_segmentation

AS_OF = dt.date(2025, 12, 31)
THREADS = (1, 2, 8)


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False, float_format="%.17g").encode()).hexdigest()


@pytest.fixture(scope="module")
def runs():
    """Per thread count: {framework: sorted assignments} and the cube of every shipped metric by market."""
    warehouse = Warehouse.from_frames(generate(customers=600, seed=0).tables)
    out = {}
    for threads in THREADS:
        warehouse.con.raw_sql(f"SET threads = {threads}")
        assignments = run_segmentation(warehouse, as_of=AS_OF)
        write_service_promises(warehouse, load_policy())  # the service-standard metrics read each contact's promise
        frames = {a.framework: a.table.execute().sort_values("entity_id", ignore_index=True) for a in assignments}
        cube = compute_metrics(warehouse, metrics=list(load_catalogue().metrics), by=("market",),
                               period="quarter", partial=True)
        out[threads] = frames, cube
    return out


def test_segment_assignments_hash_identically_across_thread_counts(runs):
    digests = {threads: {name: _digest(frame) for name, frame in frames.items()} for threads, (frames, _) in runs.items()}
    assert set(digests[1]) == {"lifecycle", "value", "risk", "intent", "value_x_risk"}
    assert digests[2] == digests[1] and digests[8] == digests[1]


def test_metric_cube_hashes_identically_across_thread_counts(runs):
    digests = {threads: _digest(cube) for threads, (_, cube) in runs.items()}
    assert len(runs[1][1]) > 100  # every shipped metric x quarters x markets
    assert digests[2] == digests[1] and digests[8] == digests[1]
