"""Seller metrics cut by seller segments (segment_assignments rows with entity 'seller') equal the pandas oracle.

The hand-worked cells are in tests/cases/metrics/sellers.yaml; here every supply-side metric of the
catalogue is cut by a seller segment on the synthetic marketplace and compared cell by cell with
the independent pandas computation (tests/metrics/reference_pandas.py).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics import compute_metrics

from metrics.reference_pandas import Reference

SELLER_METRICS = [m["name"] for m in yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "src/govex/metrics/catalogue/sellers.yaml").read_text())["metrics"]]
CUT = "seller_segment:tier"


@pytest.fixture(scope="module")
def seller_tiers(synth) -> dict[str, str]:
    """A tier per seller by position; the first seller has none (its rows fall in '(none)')."""
    ids = synth.tables["sellers"]["seller_id"].tolist()
    return {sid: ("a", "b", "c")[i % 3] for i, sid in enumerate(ids) if i > 0}


@pytest.fixture(scope="module")
def seller_wh(synth, seller_tiers) -> Warehouse:
    rows = pd.DataFrame({
        "entity": "seller", "entity_id": list(seller_tiers), "framework": "tier", "as_of": dt.date(2025, 12, 31),
        "segment": list(seller_tiers.values()), "score": np.nan,
        "reasons": pd.Series([None] * len(seller_tiers), dtype="string"), "framework_version": "test",
    })
    return Warehouse.from_frames({**synth.tables, "segment_assignments": rows})


def test_seller_metrics_by_seller_segment_match_pandas(synth, seller_wh, seller_tiers):
    by = [CUT, "market"]
    cube = compute_metrics(seller_wh, metrics=SELLER_METRICS, by=by, period="month")
    reference = Reference(synth.tables, seller_segments={"tier": seller_tiers})
    keys = ["period_start", *by]
    for name in SELLER_METRICS:
        ours = cube[cube["metric"] == name][keys + ["value"]]
        assert set(ours[CUT]) & {"a", "b", "c"}, name  # really cut, not "(all)"
        theirs = reference.compute(name, by, "month")
        theirs = theirs.assign(period_start=pd.to_datetime(theirs["period_start"]))
        merged = ours.merge(theirs[keys + ["value"]], on=keys, how="outer", suffixes=("_govex", "_pandas"), indicator=True)
        unmatched = merged[merged["_merge"] != "both"]
        assert unmatched.empty, f"{name}: cells only on one side\n{unmatched.head()}"
        np.testing.assert_allclose(merged["value_govex"], merged["value_pandas"], rtol=1e-9, atol=1e-12, err_msg=name)


def test_a_metric_without_sellers_refuses_a_seller_segment(seller_wh):
    with pytest.raises(ConfigError, match=r"'new_customers'.*cannot be cut by 'seller_segment:tier'"):
        compute_metrics(seller_wh, metrics=["new_customers"], by=[CUT], period="month")
