"""What each seller feature means, which table it needs, and the values it can take.

The seller counterpart of `govex.features.catalogue`: the segment rule checker reads the domain
of each feature to prove a seller framework has no gaps or overlaps, and `table` to say which
missing table disables it.
"""
from __future__ import annotations

from govex.features.catalogue import FeatureInfo


def _info(name: str, meaning: str, table: str, *, integer: bool = False, upper: float | None = None) -> FeatureInfo:
    return FeatureInfo(name, meaning, table, integer=integer, upper=upper)


SELLER_FEATURES: dict[str, FeatureInfo] = {
    f.name: f
    for f in (
        _info("tenure_days", "days from onboarding to the as-of date", "sellers", integer=True),
        _info("kyc_verified", "1 when verification succeeded on or before the as-of date", "sellers", integer=True,
              upper=1),
        _info("linked_sellers", "other sellers paid into the same payout account", "sellers", integer=True),
        _info("n_orders", "orders placed with the seller, any status", "orders", integer=True),
        _info("n_seller_cancelled", "orders cancelled or unavailable", "orders", integer=True),
        _info("gmv", "sum of purchase amounts (not cancelled or unavailable), reporting currency", "orders"),
        _info("gmv_percentile", "share of sellers in scope with a lower GMV", "orders", upper=1),
        _info("recent_orders", "orders in the last 90 days", "orders", integer=True),
        _info("prior_orders", "orders 90-179 days before the as-of date", "orders", integer=True),
        _info("order_trend", "recent_orders / prior_orders (1 when only recent orders, 0 when none)", "orders"),
        _info("recency_days", "days since the last order (tenure_days when none)", "orders", integer=True),
        _info("n_shipped_delivered", "shipped orders delivered with a promised date", "orders", integer=True),
        _info("n_late_shipments", "of those, delivered after the promised date", "orders", integer=True),
        _info("n_redeemable", "voucher and appointment orders with an outcome", "orders", integer=True),
        _info("n_redeemed", "of those, redeemed or attended", "orders", integer=True),
        _info("n_refused", "of those, refused by the merchant", "orders", integer=True),
        _info("n_no_show", "of those, the buyer did not show up", "orders", integer=True),
        _info("n_expired", "of those, expired unused", "orders", integer=True),
        _info("n_instant_redemptions", "vouchers redeemed within an hour of the sale", "orders", integer=True),
        _info("n_disputed_orders", "orders with a dispute or chargeback", "disputes", integer=True),
        _info("n_returned_orders", "orders with a return request", "returns", integer=True),
        _info("n_rated_orders", "orders with a survey CSAT", "surveys", integer=True),
        _info("n_low_rated_orders", "orders with a survey CSAT of 1 or 2", "surveys", integer=True),
        _info("mean_rating", "mean order CSAT (1-5); 0 when none", "surveys", upper=5),
        _info("n_defect_orders", "orders with a dispute, chargeback or CSAT <= 2", "disputes", integer=True),
        _info("n_violations", "enforcement actions for violations on or before the as-of date", "enforcement_actions",
              integer=True),
        _info("n_recent_violations", "of those, in the last 90 days", "enforcement_actions", integer=True),
        _info("top_rung", "highest ladder rung reached (1 warning .. 5 termination; 0 none)", "enforcement_actions",
              integer=True, upper=5),
        _info("enrolled", "1 when enrolled in an education programme", "education", integer=True, upper=1),
    )
}
