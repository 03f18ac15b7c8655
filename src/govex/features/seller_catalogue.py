"""What each seller feature means, which table it needs, and the values it can take.

The seller counterpart of `govex.features.catalogue`: the segment rule checker reads the domain
of each feature to prove a seller framework has no gaps or overlaps, and `table` to say which
missing table disables it.
"""
from __future__ import annotations

from govex.features.catalogue import FeatureInfo

SELLER_FEATURES: dict[str, FeatureInfo] = {
    f.name: f
    for f in (
        FeatureInfo("tenure_days", "days from onboarding to the as-of date", "sellers", integer=True),
        FeatureInfo("kyc_verified", "1 when verification succeeded on or before the as-of date", "sellers", integer=True,
                    upper=1),
        FeatureInfo("linked_sellers", "other sellers paid into the same payout account", "sellers", integer=True),
        FeatureInfo("n_orders", "orders placed with the seller, any status", "orders", integer=True),
        FeatureInfo("n_seller_cancelled", "orders cancelled or unavailable", "orders", integer=True),
        FeatureInfo("gmv", "sum of purchase amounts (not cancelled or unavailable), reporting currency", "orders"),
        FeatureInfo("gmv_percentile", "share of sellers in scope with a lower GMV", "orders", upper=1),
        FeatureInfo("recent_orders", "orders in the last 90 days", "orders", integer=True),
        FeatureInfo("prior_orders", "orders 90-179 days before the as-of date", "orders", integer=True),
        FeatureInfo("order_trend", "recent_orders / prior_orders (1 when only recent orders, 0 when none)", "orders"),
        FeatureInfo("recency_days", "days since the last order (tenure_days when none)", "orders", integer=True),
        FeatureInfo("n_shipped_delivered", "shipped orders delivered with a promised date", "orders", integer=True),
        FeatureInfo("n_late_shipments", "of those, delivered after the promised date", "orders", integer=True),
        FeatureInfo("n_redeemable", "voucher and appointment orders with an outcome", "orders", integer=True),
        FeatureInfo("n_redeemed", "of those, redeemed or attended", "orders", integer=True),
        FeatureInfo("n_refused", "of those, refused by the merchant", "orders", integer=True),
        FeatureInfo("n_no_show", "of those, the buyer did not show up", "orders", integer=True),
        FeatureInfo("n_expired", "of those, expired unused", "orders", integer=True),
        FeatureInfo("n_instant_redemptions", "vouchers redeemed within an hour of the sale", "orders", integer=True),
        FeatureInfo("n_disputed_orders", "orders with a dispute or chargeback", "disputes", integer=True),
        FeatureInfo("n_returned_orders", "orders with a return request", "returns", integer=True),
        FeatureInfo("n_rated_orders", "orders with a survey CSAT", "surveys", integer=True),
        FeatureInfo("n_low_rated_orders", "orders with a survey CSAT of 1 or 2", "surveys", integer=True),
        FeatureInfo("mean_rating", "mean order CSAT (1-5); 0 when none", "surveys", upper=5),
        FeatureInfo("n_defect_orders", "orders with a dispute, chargeback or CSAT <= 2", "disputes", integer=True),
        FeatureInfo("n_violations", "enforcement actions for violations on or before the as-of date", "enforcement_actions",
                    integer=True),
        FeatureInfo("n_recent_violations", "of those, in the last 90 days", "enforcement_actions", integer=True),
        FeatureInfo("top_rung", "highest ladder rung reached (1 warning .. 5 termination; 0 none)", "enforcement_actions",
                    integer=True, upper=5),
        FeatureInfo("enrolled", "1 when enrolled in an education programme", "education", integer=True, upper=1),
    )
}
