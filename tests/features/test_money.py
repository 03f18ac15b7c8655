"""Money in customer features goes through the one conversion path: the as-of fx rate, or an error."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from features.tiny_marketplace import AS_OF, tiny_frames

from govex.engine import Warehouse
from govex.features import customer_features
from govex.metrics import CurrencyError

# EUR at 1.10 until 2024-03-01, then 1.20 (USD is the reporting currency)
FX = pd.DataFrame({"currency": ["EUR", "EUR"], "valid_from": [dt.date(2023, 1, 1), dt.date(2024, 3, 1)],
                   "rate_to_reporting": [1.10, 1.20]})


def _monetary(frames: dict) -> dict:
    features = customer_features(Warehouse.from_frames(frames), as_of=AS_OF, features=["monetary"]).table.execute()
    return dict(zip(features.customer_id, features.monetary))


def test_single_currency_without_rates_is_used_as_stored():
    # c2 bought 20.00 on six days up to as-of (the 99.00 order is after it)
    assert _monetary(tiny_frames())["c2"] == pytest.approx(120.0)


def test_amounts_take_the_rate_valid_on_the_order_day():
    got = _monetary({**tiny_frames(), "fx_rates": FX})
    # c2: 2024-01-10 and 2024-02-09 at 1.10, four later days at 1.20
    assert got["c2"] == pytest.approx(2 * 20 * 1.10 + 4 * 20 * 1.20)
    # c8: 10 + 20 on 2024-05-01 and 30 on 2024-06-01 (the cancelled 5 is not a purchase), all at 1.20
    assert got["c8"] == pytest.approx(60 * 1.20)


def test_an_order_without_a_rate_is_an_error_naming_currency_and_date():
    late_fx = FX.assign(valid_from=[dt.date(2024, 2, 1), dt.date(2024, 3, 1)])
    with pytest.raises(CurrencyError, match=r"orders have no rate into USD on their date: EUR \(\d+ row\(s\), first on 2023-"):
        _monetary({**tiny_frames(), "fx_rates": late_fx})


def test_mixed_currencies_without_rates_are_an_error():
    frames = tiny_frames()
    orders = frames["orders"].copy()
    orders.loc[orders.customer_id == "c3", "currency"] = "BRL"
    with pytest.raises(CurrencyError, match=r"orders are in 2 currencies \(BRL, EUR\)"):
        _monetary({**frames, "orders": orders})
