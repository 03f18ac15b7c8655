"""Every shipped metric on synthetic data equals an independent pandas computation.

The oracle (reference_pandas.py) re-implements each definition with pandas group-bys on the raw
frames; govex computes the same cells through Ibis on DuckDB.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from govex.metrics import compute_metrics, load_catalogue

from metrics.reference_pandas import Reference


def _compare(cube: pd.DataFrame, reference: Reference, by: list[str], period: str) -> None:
    keys = ["period_start", *by]
    for name in load_catalogue().names():
        ours = cube[cube["metric"] == name][keys + ["value"]]
        theirs = reference.compute(name, by, period)[keys + ["value"]]
        theirs = theirs.assign(period_start=pd.to_datetime(theirs["period_start"]))
        merged = ours.merge(theirs, on=keys, how="outer", suffixes=("_govex", "_pandas"), indicator=True)
        unmatched = merged[merged["_merge"] != "both"]
        assert unmatched.empty, f"{name}: cells only on one side\n{unmatched.head()}"
        np.testing.assert_allclose(merged["value_govex"], merged["value_pandas"], rtol=1e-9, atol=1e-12, err_msg=name)


def test_all_metrics_by_market_month_match_pandas(synth, synth_wh):
    cube = compute_metrics(synth_wh, metrics=load_catalogue().names(), by=["market"], period="month", partial=True)
    _compare(cube, Reference(synth.tables), ["market"], "month")


def test_all_metrics_by_journey_and_segment_week_match_pandas(synth, synth_wh, synth_segments):
    by = ["journey", "segment:value"]
    cube = compute_metrics(synth_wh, metrics=load_catalogue().names(), by=by, period="week",
                           start="2025-01-01", end="2025-03-31", partial=True)
    reference = Reference(synth.tables, segments={"value": synth_segments})
    keys = ["period_start", *by]
    for name in load_catalogue().names():
        ours = cube[cube["metric"] == name][keys + ["value"]]
        ours = ours[(ours["period_start"] >= "2025-01-01") & (ours["period_start"] <= "2025-03-24")]
        theirs = reference.compute(name, by, "week")
        theirs = theirs.assign(period_start=pd.to_datetime(theirs["period_start"]))
        # compare only the whole weeks inside the window govex was given (2025-01-06 .. 2025-03-24)
        theirs = theirs[(theirs["period_start"] >= "2025-01-01") & (theirs["period_start"] <= "2025-03-24")]
        merged = ours.merge(theirs[keys + ["value"]], on=keys, how="outer", suffixes=("_govex", "_pandas"), indicator=True)
        unmatched = merged[merged["_merge"] != "both"]
        assert unmatched.empty, f"{name}: cells only on one side\n{unmatched.head()}"
        np.testing.assert_allclose(merged["value_govex"], merged["value_pandas"], rtol=1e-9, atol=1e-12, err_msg=name)
