"""Features per customer, computed in the engine through Ibis and returned unexecuted."""
from govex.features.catalogue import CUSTOMER_FEATURES, FeatureInfo, recent_reason_feature
from govex.features.clv_stats import clv_sufficient_stats, clv_summary, spend_sufficient_stats
from govex.features.customer import INCIDENT_LEVELS, FeatureSet, customer_features, dated_orders
from govex.features.options import DAYS_PER_UNIT, FeatureOptions

__all__ = [
    "CUSTOMER_FEATURES",
    "DAYS_PER_UNIT",
    "FeatureInfo",
    "FeatureOptions",
    "FeatureSet",
    "INCIDENT_LEVELS",
    "clv_sufficient_stats",
    "clv_summary",
    "customer_features",
    "dated_orders",
    "recent_reason_feature",
    "spend_sufficient_stats",
]
