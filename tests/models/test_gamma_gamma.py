"""Gamma-Gamma likelihood and conditional spend against hand calculations."""
from __future__ import annotations

import numpy as np
import pytest

from govex.errors import ModelError
from govex.models import GammaGamma, simulate_bgnbd, simulate_gamma_gamma


def test_loglik_by_hand():
    # p = 1, q = 2, v = 1, x = 1: one exponential spend with rate nu ~ Gamma(2, 1), so
    # f(z) = integral nu e^{-nu z} nu e^{-nu} dnu = 2 / (1 + z)^3; at z = 1 that is 1/4.
    # Rows with frequency 0 carry no spend information and contribute 0.
    model = GammaGamma.from_params(p=1.0, q=2.0, v=1.0)
    np.testing.assert_allclose(model.log_likelihood([1, 0], [1.0, 0.0]), [np.log(0.25), 0.0], rtol=1e-12)


def test_expected_spend_by_hand():
    # E[Z | x, m] = p (v + x m) / (p x + q - 1): p = 2, q = 3, v = 10, x = 4, m = 20 gives
    # 2 * 90 / 10 = 18; a customer without repeat purchase gets p v / (q - 1) = 10.
    model = GammaGamma.from_params(p=2.0, q=3.0, v=10.0)
    np.testing.assert_allclose(model.expected_spend([4, 0], [20.0, 0.0]), [18.0, 10.0])


def test_population_mean_needs_q_above_one():
    model = GammaGamma.from_params(p=2.0, q=0.8, v=10.0)
    with pytest.raises(ModelError, match="q = 0.8"):
        model.expected_spend([0], [0.0])


def test_gradient_matches_finite_differences():
    x = np.array([1.0, 2.0, 2.0, 5.0, 9.0])
    m = np.array([10.0, 12.5, 30.0, 8.0, 21.0])
    w = np.array([3.0, 1.0, 2.0, 1.0, 4.0])
    loglik = GammaGamma._loglik_function(x, m, w)
    theta = np.log([4.0, 3.0, 12.0])
    step = 1e-6
    numeric = [(loglik(theta + e)[0] - loglik(theta - e)[0]) / (2 * step) for e in np.eye(3) * step]
    np.testing.assert_allclose(loglik(theta)[1], numeric, rtol=1e-6)


def test_recovers_planted_parameters():
    truth = {"p": 6.0, "q": 3.7, "v": 15.0}
    purchases = simulate_bgnbd(n_customers=60_000, r=0.8, alpha=4.0, a=0.8, b=2.5, T=40.0, seed=2)
    spend = simulate_gamma_gamma(frequency=purchases["frequency"], **truth, seed=4)
    fitted = GammaGamma().fit(purchases["frequency"], spend).params_
    for name, value in truth.items():
        assert fitted[name] == pytest.approx(value, rel=0.15), name
