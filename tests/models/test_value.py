"""Discounted CLV against a hand-built sum over periods."""
from __future__ import annotations

import numpy as np
import pytest

from govex.errors import ModelError
from govex.models import BetaGeo, GammaGamma, ParetoNBD, customer_lifetime_value

BGNBD = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
PARETO = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
SPEND = GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
HISTORY = {"frequency": [2, 0, 5], "recency": [30.43, 0.0, 20.0], "T": [38.86, 38.86, 30.0], "mean_spend": [22.35, 0.0, 40.0]}


@pytest.mark.parametrize("model", [BGNBD, PARETO])
def test_clv_is_discounted_sum_of_period_purchases(model):
    # By hand: 3 periods of 4 weeks at 2% per period; purchases in period k are
    # E[Y(4k)] - E[Y(4(k-1))], valued at the Gamma-Gamma expected spend, discounted by 1.02^k.
    x, t_x, T = (np.array(HISTORY[k], dtype=float) for k in ("frequency", "recency", "T"))
    spend = 6.25 * (15.44 + x * np.array(HISTORY["mean_spend"])) / (6.25 * x + 3.74 - 1)
    cumulative = [np.zeros(3)] + [model.expected_purchases(4.0 * k, x, t_x, T) for k in (1, 2, 3)]
    expected = sum(spend * (cumulative[k] - cumulative[k - 1]) / 1.02 ** k for k in (1, 2, 3))
    got = customer_lifetime_value(model, SPEND, **HISTORY, horizon=12.0, discount_rate=0.02, period=4.0)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_undiscounted_clv_is_spend_times_expected_purchases():
    x, t_x, T = (np.array(HISTORY[k], dtype=float) for k in ("frequency", "recency", "T"))
    got = customer_lifetime_value(BGNBD, SPEND, **HISTORY, horizon=52.0, discount_rate=0.0, margin=0.3)
    expected = 0.3 * SPEND.expected_spend(x, HISTORY["mean_spend"]) * BGNBD.expected_purchases(52.0, x, t_x, T)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_last_period_is_cut_at_the_horizon():
    # horizon 10 with period 4: periods end at 4, 8 and 10 (not 12).
    full = customer_lifetime_value(BGNBD, SPEND, **HISTORY, horizon=10.0, discount_rate=0.0, period=4.0)
    whole = customer_lifetime_value(BGNBD, SPEND, **HISTORY, horizon=10.0, discount_rate=0.0, period=10.0)
    np.testing.assert_allclose(full, whole, rtol=1e-12)


@pytest.mark.parametrize("bad", [{"horizon": 0.0}, {"discount_rate": -1.0}, {"period": -2.0}, {"horizon": np.nan}])
def test_bad_arguments_are_refused(bad):
    arguments = {"horizon": 10.0, "discount_rate": 0.01, **bad}
    with pytest.raises(ModelError, match="out of range"):
        customer_lifetime_value(BGNBD, SPEND, **HISTORY, **arguments)
