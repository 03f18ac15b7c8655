"""What each customer feature means, which table it needs, and the values it can take.

The segment rule checker reads the domain (integer or real, lower and upper bound) to prove
that a rule set has no overlaps and no gaps, and reads `table` to say which missing table
disables a feature a framework refers to.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureInfo:
    """One feature: meaning, source table, and domain (for rule-set coverage checks)."""

    name: str
    meaning: str
    table: str
    integer: bool = False
    lower: float | None = 0.0
    upper: float | None = None


def _info(name: str, meaning: str, table: str, *, integer: bool = False, upper: float | None = None) -> FeatureInfo:
    return FeatureInfo(name, meaning, table, integer=integer, upper=upper)


CUSTOMER_FEATURES: dict[str, FeatureInfo] = {
    f.name: f
    for f in (
        _info("n_orders", "orders placed, any status", "orders", integer=True),
        _info("n_purchases", "orders not in an excluded status (cancelled, unavailable)", "orders", integer=True),
        _info("n_purchase_days", "distinct days with a purchase", "orders", integer=True),
        _info("monetary", "sum of purchase amounts, rounded to cents", "orders"),
        _info("avg_order_value", "monetary / n_purchases", "orders"),
        _info("tenure_days", "days from the first purchase day to the as-of date", "orders", integer=True),
        _info("recency_days", "days from the last purchase day to the as-of date", "orders", integer=True),
        _info("span_days", "days between the first and the last purchase day", "orders", integer=True),
        _info("last_gap_days", "days between the last two purchase days (0 with one purchase day)", "orders", integer=True),
        _info("mean_gap_days", "purchase rhythm: span_days / (n_purchase_days - 1); 0 with one purchase day", "orders"),
        _info("overdue_ratio", "recency_days / mean_gap_days (0 with one purchase day)", "orders"),
        _info("is_first_purchase", "1 when the customer has exactly one purchase day", "orders", integer=True, upper=1),
        _info("recent_purchases", "purchases in the recent window", "orders", integer=True),
        _info("n_cancelled", "orders cancelled", "orders", integer=True),
        _info("cancellation_rate", "n_cancelled / n_orders", "orders", upper=1),
        _info("n_disputed_orders", "orders with a platform dispute", "disputes", integer=True),
        _info("n_chargeback_orders", "orders with a card chargeback", "disputes", integer=True),
        _info("n_fraud_confirmed_orders", "orders with a dispute resolved as fraud_confirmed", "disputes", integer=True),
        _info("dispute_rate", "n_disputed_orders / n_orders", "disputes", upper=1),
        _info("chargeback_rate", "n_chargeback_orders / n_orders", "disputes", upper=1),
        _info("n_returned_orders", "orders with a return or refund request", "returns", integer=True),
        _info("n_refunded_orders", "orders with a refunded return", "returns", integer=True),
        _info("n_return_abuse_orders", "orders with confirmed return abuse", "returns", integer=True),
        _info("return_rate", "n_returned_orders / n_orders", "returns", upper=1),
        _info("refund_rate", "n_refunded_orders / n_orders", "returns", upper=1),
        _info("n_orders_abusive_claim", "orders whose worst incident is an abusive claim (a buyer claim resolved "
              "fraud_confirmed, or any claim on an order whose return was flagged as abuse)", "disputes", integer=True),
        _info("n_orders_abusive_return", "orders whose worst incident is a return flagged as abuse", "disputes",
              integer=True),
        _info("n_orders_abuse_confirmed", "n_orders_abusive_claim + n_orders_abusive_return", "disputes", integer=True),
        _info("n_orders_suspicious_claim", "orders whose worst incident is an item-not-received claim after delivery "
              "or a claim on a refunded order", "disputes", integer=True),
        _info("n_orders_claim", "orders whose worst incident is another dispute or chargeback", "disputes", integer=True),
        _info("n_orders_return", "orders whose worst incident is a return request", "disputes", integer=True),
        _info("n_incident_orders", "orders with any incident (sum of the five levels)", "disputes", integer=True),
        _info("n_clean_orders", "n_orders - n_incident_orders", "disputes", integer=True),
        _info("n_moderation_actions", "moderation cases on the customer decided remove or restrict", "moderation_cases", integer=True),
        _info("n_contacts", "customer-service contacts", "contacts", integer=True),
        _info("n_recent_contacts", "contacts in the recent window", "contacts", integer=True),
        _info("contacts_per_order", "n_contacts / n_orders", "contacts"),
        _info("n_surveys", "survey responses with a CSAT score", "surveys", integer=True),
        _info("mean_csat", "mean CSAT (1-5) of the customer's responses; 0 when none", "surveys", upper=5),
    )
}

RECENT_REASON_PREFIX = "recent_contacts_"


def recent_reason_feature(group: str) -> FeatureInfo:
    """The feature counting recent contacts whose reason falls in one named reason group."""
    return FeatureInfo(
        f"{RECENT_REASON_PREFIX}{group}", f"contacts in the recent window with a reason in group {group!r}",
        "contacts", integer=True,
    )
