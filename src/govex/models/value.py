"""Discounted customer lifetime value from a purchase model and a spend model.

CLV is the discounted sum, period by period, of the purchases the purchase model expects in each
period times the spend per purchase the spend model expects. Spend and purchase count are
independent in the Gamma-Gamma model, so the product of the two expectations is the expected
value.
"""
from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from govex.errors import ModelError
from govex.models._data import check_purchase_history, distinct_rows
from govex.models.gamma_gamma import GammaGamma


class PurchaseForecaster(Protocol):
    """What CLV needs from a purchase model (BetaGeo and ParetoNBD both provide it)."""

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected repeat purchases in the next `t` time units given each history."""


def customer_lifetime_value(
    model: PurchaseForecaster,
    spend_model: GammaGamma,
    frequency,
    recency,
    T,
    mean_spend,
    *,
    horizon: float,
    discount_rate: float,
    period: float = 1.0,
    margin: float = 1.0,
) -> np.ndarray:
    """Discounted expected value of each customer's purchases over the next `horizon` time units.

    CLV_i = margin * E[spend_i] * sum_{k=1..K} (E[Y_i(k d)] - E[Y_i((k-1) d)]) / (1 + rate)^k

    with d = `period`, K = ceil(horizon / d) (the last period is cut at `horizon`), E[Y_i(t)]
    the conditional expected purchases of the purchase model and E[spend_i] the Gamma-Gamma
    conditional expected spend. Purchases in a period are discounted at its end. This is the
    "expected margin times discounted expected transactions" decomposition of [1]_ with the
    discounting done per period rather than continuously.

    Parameters
    ----------
    model
        A fitted BetaGeo or ParetoNBD.
    spend_model
        A fitted GammaGamma.
    frequency, recency, T, mean_spend
        Each customer's calibration summary, in the purchase model's time unit.
    horizon
        Length of the forecast window, in the purchase model's time unit.
    discount_rate
        Discount rate per `period` (0.01 with weekly data = 1% a week).
    period
        Length of a discounting period, in the purchase model's time unit.
    margin
        Share of spend kept as profit (1 = value of revenue).

    Returns
    -------
    numpy.ndarray
        One discounted CLV per customer, in the currency of `mean_spend`.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "RFM and CLV: Using Iso-Value
       Curves for Customer Base Analysis". Journal of Marketing Research 42(4), 415-430.
    """
    _check_margin(margin)
    x, _, _ = check_purchase_history(frequency, recency, T, model="customer_lifetime_value")
    spend = spend_model.expected_spend(x, mean_spend)
    purchases = discounted_purchases(model, frequency, recency, T, horizon=horizon, discount_rate=discount_rate,
                                     period=period)
    return margin * spend * purchases


def _check_margin(margin: float) -> None:
    if not math.isfinite(margin):
        raise ModelError(f"customer_lifetime_value: `margin` = {margin!r} must be finite.")


def discounted_purchases(
    model: PurchaseForecaster, frequency, recency, T, *, horizon: float, discount_rate: float, period: float = 1.0,
) -> np.ndarray:
    """sum_{k=1..K} (E[Y(k d)] - E[Y((k-1) d)]) / (1 + rate)^k per history: CLV per unit of spend.

    The purchase side of `customer_lifetime_value`, on its own so a warehouse can compute it
    once per distinct (frequency, recency, T) and multiply by each customer's expected spend in
    the engine.
    """
    for name, value, ok in (
        ("horizon", horizon, horizon > 0),
        ("period", period, period > 0),
        ("discount_rate", discount_rate, discount_rate > -1),
    ):
        if not (math.isfinite(value) and ok):
            raise ModelError(f"customer_lifetime_value: `{name}` = {value!r} is out of range; "
                             "horizon and period must be > 0, discount_rate > -1, all finite.")
    x, t_x, age = check_purchase_history(frequency, recency, T, model="customer_lifetime_value")
    # Customers sharing (frequency, recency, T) share their purchase forecast: compute it once.
    (row_x, row_t_x, row_age), inverse = distinct_rows(x, t_x, age)
    n_periods = math.ceil(horizon / period - 1e-12)
    ends = np.minimum(np.arange(1, n_periods + 1) * period, horizon)
    cumulative = np.column_stack(
        [np.zeros(len(row_x))] + [model.expected_purchases(end, row_x, row_t_x, row_age) for end in ends]
    )
    discount = (1.0 + discount_rate) ** -np.arange(1, n_periods + 1)
    return (np.diff(cumulative, axis=1) * discount).sum(axis=1)[inverse]
