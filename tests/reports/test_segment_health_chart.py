"""The segment health chart draws what the findings state: a month's score on too few orders is left out."""
from __future__ import annotations

import math

import pandas as pd

from govex.analysis.materiality import EvidenceRules
from govex.reports.segments import drawable_health


def _scores(rows):
    return pd.DataFrame(rows, columns=["period_start", "segment", "health", "orders"]).assign(
        period_start=lambda f: pd.to_datetime(f["period_start"]))


def test_scores_on_too_few_orders_are_not_drawn():
    scores = _scores([("2025-10-01", "high", 55.0, 40), ("2025-11-01", "high", 52.0, 29), ("2025-12-01", "high", 51.0, 30),
                      ("2025-10-01", "low", 41.0, 3), ("2025-11-01", "low", 60.0, 5), ("2025-12-01", "low", 38.0, 1)])
    wide = drawable_health(scores, EvidenceRules(min_sample=30))
    # 29 orders is below the 30 needed: that month is a gap; 'low' never reaches 30 and has no line
    assert list(wide.columns) == ["high"]
    assert wide["high"].iloc[0] == 55.0 and math.isnan(wide["high"].iloc[1]) and wide["high"].iloc[2] == 51.0
    # a lower bar draws them all
    assert drawable_health(scores, EvidenceRules(min_sample=1)).notna().all().all()


def test_scores_without_order_counts_are_drawn_as_they_are():
    scores = _scores([("2025-10-01", "high", 55.0, float("nan")), ("2025-11-01", "high", 52.0, float("nan"))])
    assert drawable_health(scores)["high"].tolist() == [55.0, 52.0]

