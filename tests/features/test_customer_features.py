"""Customer features on the hand-built tiny marketplace; expected values counted by hand from its stories."""
from __future__ import annotations

import pytest
from features.tiny_marketplace import AS_OF, tiny_frames

from govex.engine import Warehouse
from govex.errors import MissingTableError
from govex.features import FeatureOptions, customer_features


@pytest.fixture(scope="module")
def features():
    warehouse = Warehouse.from_frames(tiny_frames())
    options = FeatureOptions(reason_groups={"delivery": ("where_is_my_order",), "refund": ("refund_status",)})
    result = customer_features(warehouse, as_of=AS_OF, options=options)
    return result, result.table.execute().set_index("customer_id")


def test_universe_is_customers_with_a_purchase_by_as_of(features):
    # c9 only has a cancelled order, so it is not a customer at 2024-06-30
    _, table = features
    assert sorted(table.index) == [f"c{i}" for i in range(1, 9)]


@pytest.mark.parametrize(
    ("customer", "column", "expected"),
    [
        # c2 bought every 30 days from 2024-01-10 to 2024-06-08; the 2024-07-05 order is after as-of
        ("c2", "n_orders", 6), ("c2", "tenure_days", 172), ("c2", "recency_days", 22),
        ("c2", "mean_gap_days", 30.0), ("c2", "overdue_ratio", 22 / 30), ("c2", "monetary", 120.0),
        ("c2", "recent_purchases", 3),  # 2024-04-09, 05-09, 06-08 are within 90 days of 2024-06-30
        # c8: two delivered orders on 2024-05-01 are one purchase day; the cancelled one counts as an order
        ("c8", "n_orders", 4), ("c8", "n_purchases", 3), ("c8", "n_purchase_days", 2),
        ("c8", "cancellation_rate", 0.25), ("c8", "monetary", 60.0), ("c8", "last_gap_days", 31),
        # c4 came back after 380 days
        ("c4", "last_gap_days", 380), ("c4", "recency_days", 15),
        # c1 has a single purchase: no rhythm yet
        ("c1", "is_first_purchase", 1), ("c1", "mean_gap_days", 0.0), ("c1", "overdue_ratio", 0.0),
        # c7: 3 purchase days 10 days apart, silent for 70 days -> overdue 70 / 10
        ("c7", "overdue_ratio", 7.0),
    ],
)
def test_order_features(features, customer, column, expected):
    _, table = features
    assert table.loc[customer, column] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("customer", "column", "expected"),
    [
        # c2: one dispute and one (fraud-confirmed) chargeback on 2 of 6 orders
        ("c2", "dispute_rate", 1 / 6), ("c2", "chargeback_rate", 1 / 6), ("c2", "n_fraud_confirmed_orders", 1),
        # c8: two disputes on the same order count as one disputed order (of 4)
        ("c8", "n_disputed_orders", 1), ("c8", "dispute_rate", 0.25),
        # c4's dispute is opened after as-of
        ("c4", "n_disputed_orders", 0),
        # c5: two returned orders of 3, one refunded, one confirmed abuse
        ("c5", "return_rate", 2 / 3), ("c5", "refund_rate", 1 / 3), ("c5", "n_return_abuse_orders", 1),
        # c1: 3 recent contacts, 2 about delivery, 1 about a refund; c2's contact is older than 90 days
        ("c1", "n_recent_contacts", 3), ("c1", "recent_contacts_delivery", 2), ("c1", "recent_contacts_refund", 1),
        ("c1", "top_recent_reason", "where_is_my_order"), ("c2", "n_recent_contacts", 0), ("c2", "n_contacts", 1),
        ("c1", "contacts_per_order", 3.0),
        # c2 answered CSAT 4 and 2
        ("c2", "mean_csat", 3.0), ("c3", "mean_csat", 0.0),
    ],
)
def test_trust_and_contact_features(features, customer, column, expected):
    _, table = features
    expected_value = pytest.approx(expected) if isinstance(expected, float) else expected
    assert table.loc[customer, column] == expected_value


def test_missing_tables_skip_their_features_with_a_message(features):
    result, _ = features
    assert "n_moderation_actions" not in result.available
    assert any("moderation_cases" in message for message in result.skipped)


def test_orders_are_required():
    warehouse = Warehouse.from_frames({"contacts": tiny_frames()["contacts"]})
    with pytest.raises(MissingTableError, match="orders"):
        customer_features(warehouse, as_of=AS_OF)
