"""Customer-lifetime-value models on sufficient statistics (numpy/scipy only).

BG/NBD and Pareto/NBD forecast repeat purchases and P(alive); Gamma-Gamma forecasts spend per
purchase; `customer_lifetime_value` combines them into a discounted value. All fit by maximum
likelihood on the distinct (frequency, recency, T) rows with customer counts.
"""
from govex.models._fit import ModelWarning, ParameterAtBoundWarning
from govex.models.bgnbd import BetaGeo
from govex.models.gamma_gamma import GammaGamma
from govex.models.pareto_nbd import ParetoNBD
from govex.models.simulate import simulate_bgnbd, simulate_gamma_gamma, simulate_pareto_nbd
from govex.models.summary import DAYS_PER_UNIT, repeat_purchase_summary
from govex.models.value import customer_lifetime_value, discounted_purchases

__all__ = [
    "DAYS_PER_UNIT",
    "BetaGeo",
    "GammaGamma",
    "ModelWarning",
    "ParameterAtBoundWarning",
    "ParetoNBD",
    "customer_lifetime_value",
    "discounted_purchases",
    "repeat_purchase_summary",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
    "simulate_pareto_nbd",
]
