"""Fixtures of the metric tests: the hand-built tiny marketplace as frames and as a warehouse."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from govex.engine.warehouse import Warehouse

from metrics.typed_frames import typed_frame

CASES_DIR = Path(__file__).resolve().parents[1] / "cases" / "metrics"


@pytest.fixture(scope="session")
def tiny_frames() -> dict[str, pd.DataFrame]:
    raw = yaml.safe_load((CASES_DIR / "tiny_tables.yaml").read_text())
    return {name: typed_frame(name, rows) for name, rows in raw.items()}


@pytest.fixture(scope="session")
def tiny_wh(tiny_frames) -> Warehouse:
    return Warehouse.from_frames(tiny_frames)


@pytest.fixture(scope="session")
def synth():
    from govex.datasets.synth import small_marketplace

    return small_marketplace(seed=3)


@pytest.fixture(scope="session")
def synth_segments(synth) -> dict[str, str]:
    """A value segment per customer, assigned by position (high / medium / low) for the cut tests."""
    ids = synth.tables["customers"]["customer_id"].tolist()
    return {cid: ("high", "medium", "low")[i % 3] for i, cid in enumerate(ids)}


@pytest.fixture(scope="session")
def synth_wh(synth, synth_segments) -> Warehouse:
    import datetime as dt

    assignments = pd.DataFrame({
        "entity": "customer", "entity_id": list(synth_segments), "framework": "value",
        "as_of": dt.date(2025, 12, 31), "segment": list(synth_segments.values()),
        "score": np.nan, "reasons": pd.Series([None] * len(synth_segments), dtype="string"), "framework_version": "test",
    })
    from govex.policy import load_policy
    from govex.policy.promises import PROMISES_TABLE, write_service_promises

    warehouse = Warehouse.from_frames({**synth.tables, "segment_assignments": assignments})
    write_service_promises(warehouse, load_policy())
    # the pandas oracle takes each contact's tier and promise from the same table (and recomputes the rest)
    synth.tables[PROMISES_TABLE] = warehouse.table(PROMISES_TABLE).to_pandas()
    return warehouse
