"""The dashboard's anomaly table reads causes as the report's What-moved table does."""
from __future__ import annotations

import pandas as pd


def test_causes_read_in_the_kpis_unit_or_as_counts_and_a_share_only_when_it_explains():
    from govex.dashboard.app import _anomaly_table

    week, before = pd.Timestamp("2025-12-08"), pd.Timestamp("2025-12-01")
    anomalies = pd.DataFrame([
        # additive localisation of contact rate: the cause's contacts, by hand '2,917 contacts' -> '5,000 contacts';
        # it moved against the change (share -0.27), so it explains no share of it
        {"metric": "contact_rate", "before": before, "after": week, "measure": "numerator", "cause": "carrier=(none)",
         "expected": 2917.0, "actual": 5000.0, "explained_share": -0.27},
        # a ratio cause of contact rate: 0.184 and 0.2105 contacts per order read per 1,000 orders
        {"metric": "contact_rate", "before": before, "after": week, "measure": "ratio", "cause": "market=BR",
         "expected": 0.184, "actual": 0.2105, "explained_share": 0.62},
        {"metric": "late_delivery_rate", "before": before, "after": week, "measure": "ratio",
         "cause": "(no localised cause)", "expected": float("nan"), "actual": float("nan"), "explained_share": float("nan")},
    ])
    rows = _anomaly_table(anomalies).to_dict(orient="records")
    assert (rows[0]["Expected"], rows[0]["Actual"], rows[0]["Share of the change explained"]) == (
        "2,917 contacts", "5,000 contacts", "n/a")
    assert (rows[1]["Cause"], rows[1]["Expected"], rows[1]["Actual"], rows[1]["Share of the change explained"]) == (
        "market: BR", "184.0", "210.5", "62%")
    assert (rows[2]["Expected"], rows[2]["Share of the change explained"]) == ("n/a", "n/a")
