"""The default as-of date: the day after the last order, whatever the time of day of that order."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from govex.engine import Warehouse
from govex.errors import MissingTableError
from govex.segments import latest_as_of


def test_the_day_after_the_last_order():
    orders = pd.DataFrame({"order_id": ["a", "b"], "ordered_at": pd.to_datetime(["2025-03-01 08:00", "2025-12-31 23:59"])})
    # hand: the last order is on 2025-12-31, so its data is complete as of 2026-01-01
    assert latest_as_of(Warehouse.from_frames({"orders": orders})) == dt.date(2026, 1, 1)


def test_without_orders_the_error_says_what_needs_them():
    with pytest.raises(MissingTableError, match="orders.*segmentation"):
        latest_as_of(Warehouse.from_frames({"customers": pd.DataFrame({"customer_id": ["c"]})}))
