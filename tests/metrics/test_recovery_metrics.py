"""Service-recovery and customer-education metrics against the independent pandas computation."""
from __future__ import annotations

import numpy as np
import pandas as pd

from govex.metrics import compute_metrics

from metrics.reference_pandas import Reference

NAMES = ("recovery_cost_per_order", "recovery_cost_per_failure", "recovery_coverage", "customer_education_reach",
         "customer_education_completion_rate")


def test_recovery_metrics_by_market_and_month_match_pandas(synth, synth_wh):
    cube = compute_metrics(synth_wh, metrics=list(NAMES), by=["market"], period="month")
    reference = Reference(synth.tables)
    for name in NAMES:
        ours = cube[cube["metric"] == name][["period_start", "market", "value"]]
        theirs = reference.compute(name, ["market"], "month")
        theirs = theirs.assign(period_start=pd.to_datetime(theirs["period_start"]))[["period_start", "market", "value"]]
        merged = ours.merge(theirs, on=["period_start", "market"], how="outer", suffixes=("_govex", "_pandas"),
                            indicator=True)
        assert (merged["_merge"] == "both").all(), f"{name}: cells only on one side\n{merged.head()}"
        assert len(merged) > 5, name
        np.testing.assert_allclose(merged["value_govex"], merged["value_pandas"], rtol=1e-9, atol=1e-12, err_msg=name)
