"""Transaction log -> calibration summary, checked on a log small enough to do by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from govex.errors import ModelError
from govex.models import repeat_purchase_summary

TRANSACTIONS = pd.DataFrame({
    "customer": ["A", "A", "A", "A", "A", "B", "C"],
    "day": ["2024-01-01", "2024-01-01 18:30", "2024-01-08", "2024-01-22", "2024-02-10", "2024-01-15", "2024-02-01"],
    "amount": [10.0, 5.0, 20.0, 30.0, 99.0, 7.0, 3.0],
})


def test_summary_by_hand():
    # A: purchase days 1/1 (two orders), 1/8, 1/22 before the 1/29 end -> 2 repeat days, last at
    # day 21 (3 weeks), age 28 days (4 weeks), repeat spend (20 + 30) / 2 = 25. The 2/10 order is
    # after the calibration end. B: one purchase on 1/15 -> age 14 days = 2 weeks. C starts after.
    summary = repeat_purchase_summary(
        TRANSACTIONS, customer_col="customer", date_col="day", amount_col="amount",
        calibration_end="2024-01-29", time_unit="week",
    )
    expected = pd.DataFrame(
        {"frequency": [2, 0], "recency": [3.0, 0.0], "T": [4.0, 2.0], "monetary_value": [25.0, 0.0]},
        index=pd.Index(["A", "B"], name="customer"),
    )
    pd.testing.assert_frame_equal(summary, expected, check_dtype=False)


def test_summary_in_days_without_amount():
    summary = repeat_purchase_summary(TRANSACTIONS, customer_col="customer", date_col="day",
                                      calibration_end="2024-01-29", time_unit="day")
    assert list(summary.columns) == ["frequency", "recency", "T"]
    assert summary.loc["A", "recency"] == 21.0 and summary.loc["A", "T"] == 28.0


def test_missing_column_is_named():
    with pytest.raises(ModelError, match=r"column\(s\) \['value'\] not in the transactions"):
        repeat_purchase_summary(TRANSACTIONS, customer_col="customer", date_col="day", amount_col="value",
                                calibration_end="2024-01-29")


def test_bad_date_is_named():
    bad = TRANSACTIONS.assign(day=TRANSACTIONS["day"].where(TRANSACTIONS.index != 3, "not a date"))
    with pytest.raises(ModelError, match=r"`day` is not a date at row 3 \(value 'not a date'\)"):
        repeat_purchase_summary(bad, customer_col="customer", date_col="day", calibration_end="2024-01-29")


def test_unknown_time_unit_is_refused():
    with pytest.raises(ModelError, match="time_unit must be one of"):
        repeat_purchase_summary(TRANSACTIONS, customer_col="customer", date_col="day",
                                calibration_end="2024-01-29", time_unit="fortnight")
