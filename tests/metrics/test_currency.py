"""Money in one reporting currency: hand-worked conversions, and the errors when it cannot be done."""
from __future__ import annotations

import pandas as pd
import pytest

from govex.contract.schema import TABLES
from govex.engine.warehouse import Warehouse
from govex.metrics import compute_metrics, load_catalogue
from govex.metrics.currency import MONEY_COLUMNS, CurrencyError, in_currency

from metrics.typed_frames import typed_frame

DELIVERY = {"promised_date": "2024-03-01", "delivered_at": "2024-02-28 10:00"}  # not read by money metrics
# Two currencies, USD (the reporting currency) and BRL, whose rate changes on 15 January.
ORDERS = [
    {"order_id": "o1", "customer_id": "c1", "seller_id": "s1", "market": "US", "ordered_at": "2024-01-02 10:00",
     "amount": 100.0, "currency": "USD", "status": "delivered", **DELIVERY},
    {"order_id": "o2", "customer_id": "c2", "seller_id": "s1", "market": "BR", "ordered_at": "2024-01-14 23:30",
     "amount": 50.0, "currency": "BRL", "status": "delivered", **DELIVERY},
    {"order_id": "o3", "customer_id": "c2", "seller_id": "s1", "market": "BR", "ordered_at": "2024-01-15 00:30",
     "amount": 100.0, "currency": "BRL", "status": "delivered", **DELIVERY},
    {"order_id": "o4", "customer_id": "c2", "seller_id": "s1", "market": "BR", "ordered_at": "2024-02-03 12:00",
     "amount": 40.0, "currency": "BRL", "status": "cancelled", **DELIVERY},
    {"order_id": "o5", "customer_id": "c1", "seller_id": "s1", "market": "US", "ordered_at": "2024-02-10 12:00",
     "amount": 60.0, "currency": "USD", "status": "delivered", **DELIVERY},
]
RETURNS = [
    {"return_id": "r1", "order_id": "o3", "customer_id": "c2", "market": "BR", "requested_at": "2024-01-20 10:00",
     "reason": "damaged", "refund_amount": 100.0, "currency": "BRL", "status": "refunded"},
]
DISPUTES = [  # converted at the rate of the day it was opened, not the order's day
    {"dispute_id": "d1", "order_id": "o2", "customer_id": "c2", "market": "BR", "opened_at": "2024-01-20 09:00",
     "kind": "chargeback", "reason": "unauthorised", "amount": 50.0, "currency": "BRL", "outcome": "fraud_confirmed"},
]
FX = [  # the latest valid_from on or before the order's day applies; USD has no row (rate 1)
    {"currency": "BRL", "valid_from": "2023-12-01", "rate_to_reporting": 0.2},
    {"currency": "BRL", "valid_from": "2024-01-15", "rate_to_reporting": 0.25},
    {"currency": "EUR", "valid_from": "2023-12-01", "rate_to_reporting": 1.1},
]


def _warehouse(orders=ORDERS, fx=FX, returns=RETURNS) -> Warehouse:
    frames = {"orders": typed_frame("orders", orders), "disputes": typed_frame("disputes", DISPUTES)}
    if returns is not None:
        frames["returns"] = typed_frame("returns", returns)
    if fx is not None:
        frames["fx_rates"] = typed_frame("fx_rates", fx)
    return Warehouse.from_frames(frames)


@pytest.fixture(scope="module")
def converted() -> pd.DataFrame:
    return compute_metrics(_warehouse(), metrics=["gmv", "refunds_per_order", "fraud_loss_rate", "orders"], by=["market"],
                           period="month", partial=True)


def _cell(cube: pd.DataFrame, metric: str, month: str, market: str) -> pd.Series:
    hit = cube[(cube["metric"] == metric) & (cube["period_start"] == month) & (cube["market"] == market)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_gmv_uses_the_rate_valid_on_each_order_day(converted):
    # January BR: o2 on 14 Jan at the old rate 50 x 0.2 = 10; o3 on 15 Jan (the day the new rate starts)
    # 100 x 0.25 = 25 -> 35 USD. January US: o1 100 USD at rate 1 -> 100.
    assert _cell(converted, "gmv", "2024-01-01", "BR")["value"] == pytest.approx(35.0)
    assert _cell(converted, "gmv", "2024-01-01", "US")["value"] == pytest.approx(100.0)
    # February BR: o4 is cancelled -> 0; US: o5 60 USD
    assert _cell(converted, "gmv", "2024-02-01", "BR")["value"] == pytest.approx(0.0)
    assert _cell(converted, "gmv", "2024-02-01", "US")["value"] == pytest.approx(60.0)


def test_ratios_convert_each_side(converted):
    # refunds per order, January BR: r1 100 BRL on 20 Jan x 0.25 = 25 USD over 2 orders -> 12.5
    assert _cell(converted, "refunds_per_order", "2024-01-01", "BR")["value"] == pytest.approx(12.5)
    # fraud loss, January BR: d1 50 BRL opened 20 Jan x 0.25 = 12.5 USD over order value 35 USD
    assert _cell(converted, "fraud_loss_rate", "2024-01-01", "BR")["value"] == pytest.approx(12.5 / 35)
    # February BR: no dispute, 0 over order value incl. the cancelled o4, 40 BRL x 0.25 = 10 USD
    feb = _cell(converted, "fraud_loss_rate", "2024-02-01", "BR")
    assert feb["value"] == 0.0 and feb["denominator"] == pytest.approx(10.0)


def test_reporting_currency_rows_without_rates_and_uncut_totals():
    # the whole of January, uncut: 100 + 10 + 25 = 135 USD
    cube = compute_metrics(_warehouse(), metrics=["gmv"], period="month", start="2024-01-01", end="2024-01-31")
    assert cube["value"].tolist() == pytest.approx([135.0])


def test_mixed_currencies_without_fx_rates_is_an_error_naming_them():
    with pytest.raises(CurrencyError, match=r"2 currencies \(BRL, USD\).*no fx_rates"):
        compute_metrics(_warehouse(fx=None), metrics=["gmv"], period="month")


def test_one_currency_without_fx_rates_is_used_as_is_when_it_is_the_reporting_one():
    only_brl = [dict(row, currency="BRL") for row in ORDERS]
    # January: 100 + 50 + 100 = 250 in BRL, read as stored
    cube = compute_metrics(_warehouse(orders=only_brl, fx=None, returns=None), metrics=["gmv"], period="month",
                           start="2024-01-01", end="2024-01-31", reporting_currency="BRL")
    assert cube["value"].tolist() == pytest.approx([250.0])
    with pytest.raises(CurrencyError, match=r"all in BRL but the reporting currency is USD"):
        compute_metrics(_warehouse(orders=only_brl, fx=None, returns=None), metrics=["gmv"], period="month")


def test_a_day_before_the_first_rate_is_an_error_naming_currency_and_day():
    early = ORDERS + [dict(ORDERS[1], order_id="o0", ordered_at="2023-11-20 08:00")]
    with pytest.raises(CurrencyError, match=r"orders have no rate into USD on their date: BRL \(1 row\(s\), first on 2023-11-20\)"):
        compute_metrics(_warehouse(orders=early), metrics=["gmv"], period="month")


def test_non_money_metrics_ignore_currency():
    # counting orders reads no amount: mixed currencies without fx_rates are fine (3 in January)
    cube = compute_metrics(_warehouse(fx=None), metrics=["orders"], period="month", start="2024-01-01", end="2024-01-31")
    assert cube["value"].tolist() == [3.0]


def test_money_columns_match_the_contract_and_units_name_the_currency():
    for table, columns in MONEY_COLUMNS.items():
        assert "currency" in TABLES[table].column_names
        assert set(columns) <= set(TABLES[table].column_names)
    assert in_currency("money per order", "EUR") == "EUR per order"
    assert in_currency("share of order value", "EUR") == "share of order value"


def test_money_read_from_another_table_is_refused(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("""metrics:
  - {name: disputed_order_value, label: x, description: x, unit: money, direction: lower, role: output,
     category: trust, kind: sum, table: disputes, time_column: opened_at, numerator: {expr: orders.amount}}
""")
    with pytest.raises(Exception, match=r"reads money column\(s\) orders.amount of another table"):
        load_catalogue(path)


def test_reporting_currency_must_be_a_code():
    with pytest.raises(Exception, match="not an ISO 4217 code"):
        compute_metrics(_warehouse(), metrics=["gmv"], reporting_currency="dollars")

