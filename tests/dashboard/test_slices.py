"""The dashboard's live KPI cards for a filter state, checked against pandas on the raw tables and the
targets file, without a browser."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from govex.dashboard.slices import Filters, kpi_cards, slice_change, slice_cube
from govex.datasets import small_marketplace
from govex.engine import Warehouse
from govex.metrics import Target

Q4, Q3 = (dt.date(2025, 10, 1), dt.date(2025, 12, 31)), (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
TARGETS = [
    Target(metric="csat", period="quarter", start=Q4[0], target=4.2),
    Target(metric="late_delivery_rate", period="quarter", start=Q4[0], target=0.08),
    Target(metric="late_delivery_rate", period="quarter", start=Q4[0], slice={"market": "BR"}, target=0.5),
    Target(metric="orders", period="quarter", start=Q4[0], target=1.0),
    Target(metric="contact_rate", period="quarter", start=Q4[0], change=-0.05, baseline_start=Q3[0]),
]


@pytest.fixture(scope="module")
def market():
    return small_marketplace()


@pytest.fixture(scope="module")
def warehouse(market):
    return Warehouse.from_frames(market.tables)


@pytest.fixture(scope="module")
def br_cards(warehouse):
    return kpi_cards(warehouse, Filters(market="BR"), TARGETS).set_index("metric")


def _between(frame: pd.DataFrame, column: str, period: tuple[dt.date, dt.date]) -> pd.DataFrame:
    day = pd.to_datetime(frame[column]).dt.date
    return frame[(day >= period[0]) & (day <= period[1])]


def test_market_cards_equal_pandas_on_the_raw_tables(market, br_cards):
    orders = market.tables["orders"]
    surveys = market.tables["surveys"]
    br = orders[orders["market"] == "BR"]
    cards = br_cards
    assert set(cards["period"]) == {"2025-Q4"} and set(cards["previous_period"]) == {"2025-Q3"}
    # orders placed in BR in each quarter, counted by hand
    now, before = len(_between(br, "ordered_at", Q4)), len(_between(br, "ordered_at", Q3))
    assert cards.loc["orders", "value"] == now
    assert cards.loc["orders", "previous"] == before
    assert cards.loc["orders", "change"] == now - before
    # CSAT: mean score of BR responses with a score in Q4
    scored = _between(surveys[(surveys["market"] == "BR") & surveys["csat"].notna()], "responded_at", Q4)
    assert cards.loc["csat", "value"] == pytest.approx(scored["csat"].mean())
    # late delivery: delivered orders with a promised date, delivered after the promised day, by order date
    delivered = _between(br[br["delivered_at"].notna() & br["promised_date"].notna()], "ordered_at", Q4)
    late = pd.to_datetime(delivered["delivered_at"]).dt.date > pd.to_datetime(delivered["promised_date"]).dt.date
    assert cards.loc["late_delivery_rate", "value"] == pytest.approx(late.mean())
    # the BR target wins over the company one; it is far above the value, so on track (lower is better)
    assert cards.loc["late_delivery_rate", "target"] == 0.5
    assert cards.loc["late_delivery_rate", "status"] == "on track"
    assert cards.loc["late_delivery_rate", "target_source"] == "target for this slice"
    # CSAT's company goal applies to BR's own level
    assert cards.loc["csat", "target"] == 4.2 and cards.loc["csat", "target_source"] == "company target"
    # an absolute company count says nothing about a market: no target, grey
    assert cards.loc["orders", "status"] == "no target" and pd.isna(cards.loc["orders", "target"])
    # a relative goal is taken against BR's own Q3 contacts per order
    contacts = market.tables["contacts"]
    q3_rate = len(_between(contacts[contacts["market"] == "BR"], "created_at", Q3)) / before
    assert cards.loc["contact_rate", "target"] == pytest.approx(q3_rate * 0.95)
    # the sparkline ends at the selected period
    assert cards.loc["orders", "history"][-1] == ("2025-Q4", now)


def test_journey_filter_leaves_out_metrics_it_cannot_cut(warehouse):
    cards = kpi_cards(warehouse, Filters(journey="dispute"), TARGETS).set_index("metric")
    assert cards.loc["orders", "absent"] == "not measured by journey"
    assert pd.isna(cards.loc["orders", "value"])
    assert cards.loc["csat", "absent"] == "" and cards.loc["csat", "n"] > 0


def test_month_grain_reads_the_chosen_month(market, warehouse):
    cards = kpi_cards(warehouse, Filters(grain="month", period="2025-11"), TARGETS).set_index("metric")
    orders = market.tables["orders"]
    assert cards.loc["orders", "value"] == len(_between(orders, "ordered_at", (dt.date(2025, 11, 1), dt.date(2025, 11, 30))))
    assert cards.loc["orders", "previous_period"] == "2025-10"
    assert set(cards["status"]) == {"no target"}  # the targets are quarterly


def test_slice_cube_keeps_only_the_filtered_market(warehouse, market):
    cube, left_out = slice_cube(warehouse, ["orders"], Filters(market="MX"), by=["carrier"], period="quarter")
    mx = market.tables["orders"].query("market == 'MX'")
    assert set(cube["carrier"]) == set(mx["carrier"].fillna("(none)"))  # orders without a carrier read '(none)'
    assert cube["value"].sum() == len(mx)  # every MX order in exactly one carrier cell
    assert left_out == {}


def test_url_state_round_trip():
    filters = Filters(market="BR", journey="dispute", segment="high", period="2025-Q3")
    assert filters.query() == {"market": "BR", "journey": "dispute", "segment": "high", "period": "2025-Q3"}
    assert Filters().query() == {}
    assert filters.cuts() == {"market": "BR", "journey": "dispute", "segment:value": "high"}


def test_what_moved_in_a_slice_adds_up_to_the_card_change(market, warehouse, br_cards):
    cards = br_cards
    moved = slice_change(warehouse, Filters(market="BR"), "late_delivery_rate")
    assert (moved.before, moved.after) == ("2025-Q3", "2025-Q4")
    assert moved.value_after - moved.value_before == pytest.approx(cards.loc["late_delivery_rate", "change"])
    for dim, cells in moved.cells.groupby("dimension"):  # each dimension's split is exact (Kitagawa-Shapley)
        assert cells["contribution"].sum() == pytest.approx(cards.loc["late_delivery_rate", "change"]), dim
    assert "market" not in set(moved.cells["dimension"])  # the filtered dimension is not a cause inside the slice
    # a count's cells are each carrier's own BR orders, by hand
    orders = slice_change(warehouse, Filters(market="BR"), "orders").cells.query("dimension == 'carrier'")
    br = market.tables["orders"].query("market == 'BR'")
    by_hand = _between(br, "ordered_at", Q4)["carrier"].fillna("(none)").value_counts()
    assert orders.set_index("cell")["after"].to_dict() == by_hand.astype(float).to_dict()


def test_what_moved_skips_a_dimension_whose_cells_lose_rows(warehouse, market):
    # contacts without an order have no category: cutting contact rate by category would drop them
    contacts = market.tables["contacts"]
    assert contacts["order_id"].isna().any(), "the check needs contacts without an order"
    moved = slice_change(warehouse, Filters(), "contact_rate")
    assert "category" in moved.skipped and "category" not in set(moved.cells["dimension"])
