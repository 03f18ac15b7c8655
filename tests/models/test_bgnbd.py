"""BG/NBD likelihood and predictions against hand calculations and direct integration."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import gammaln, hyp2f1

from govex.models import BetaGeo, simulate_bgnbd


def test_loglik_by_hand():
    # r = alpha = a = b = 1: for x = 0, L = (alpha / (alpha + T))^r = 1/2 at T = 1.
    # For x = 1, t_x = 0.5, T = 1: L = B(1,2)/B(1,1) * 1/(1+1)^2 + B(2,1)/B(1,1) * 1/(1+0.5)^2
    #   = 0.5 * 0.25 + 0.5 / 2.25  (FHL 2005 eq. 6).
    model = BetaGeo.from_params(r=1.0, alpha=1.0, a=1.0, b=1.0)
    got = model.log_likelihood([0, 1], [0, 0.5], [1, 1])
    np.testing.assert_allclose(np.exp(got), [0.5, 0.125 + 0.5 / 2.25], rtol=1e-12)


@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 5.0), (1, 2.0, 5.0), (4, 4.5, 6.0)])
def test_loglik_equals_integral_over_dropout_probability(x, t_x, T):
    # Individual level: (1-p)^x lam^x e^{-lam T} + [x>0] p (1-p)^(x-1) lam^x e^{-lam t_x}.
    # lam is integrated with the gamma-Poisson identity E[lam^x e^{-lam u}] =
    # G(r+x) alpha^r / (G(r) (alpha+u)^(r+x)); p ~ Beta(a, b) is integrated numerically.
    r, alpha, a, b = 0.7, 3.0, 1.3, 2.2

    def mixed_rate(u):
        return np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + u))

    def individual(p):
        dropped = p * (1 - p) ** (x - 1) * mixed_rate(t_x) if x > 0 else 0.0
        return ((1 - p) ** x * mixed_rate(T) + dropped) * stats.beta.pdf(p, a, b)

    expected, _ = integrate.quad(individual, 0, 1, epsabs=0, epsrel=1e-12)
    got = BetaGeo.from_params(r=r, alpha=alpha, a=a, b=b).log_likelihood([x], [t_x], [T])[0]
    assert got == pytest.approx(np.log(expected), abs=1e-9)


def test_gradient_matches_finite_differences():
    data = simulate_bgnbd(n_customers=300, r=0.5, alpha=3.0, a=0.8, b=2.0, T=20.0, seed=5)
    loglik = BetaGeo()._loglik_function(data["frequency"], data["recency"], data["T"], np.ones(300))
    theta = np.log([0.4, 2.5, 0.9, 1.7])
    _, grad = loglik(theta)
    step = 1e-6
    numeric = [(loglik(theta + e)[0] - loglik(theta - e)[0]) / (2 * step) for e in np.eye(4) * step]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5)


def _eq10_untransformed(r, alpha, a, b, t, x, t_x, T):
    # FHL 2005 eq. 10 as printed (no Euler transformation), written out independently.
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
    return head / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))


@pytest.mark.parametrize("x, t_x, T, t", [(0, 0, 30.0, 10.0), (2, 30.43, 38.86, 39.0), (7, 20.0, 35.0, 52.0)])
def test_conditional_expectation_equals_printed_formula(x, t_x, T, t):
    params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    got = BetaGeo.from_params(**params).expected_purchases(t, x, t_x, T)[0]
    assert got == pytest.approx(_eq10_untransformed(*params.values(), t, x, t_x, T), rel=1e-10)


def test_expected_purchases_new_equals_mean_of_pmf():
    # E[X(t)] (eq. 9) must equal sum_n n P(X(t) = n) (eq. 8).
    model = BetaGeo.from_params(r=0.8, alpha=2.0, a=1.5, b=3.0)
    n = np.arange(0, 400)
    pmf = model.probability_of_purchases(n, 10.0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-10)
    assert float(model.expected_purchases_new(10.0)) == pytest.approx(float(n @ pmf), rel=1e-8)


def test_p_alive_by_hand():
    # x = 0: alive for sure. x = 1, r = alpha = a = b = 1, t_x = 0.5, T = 1:
    # 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)) = 1 / (1 + (2/1.5)^2) = 0.36.
    model = BetaGeo.from_params(r=1.0, alpha=1.0, a=1.0, b=1.0)
    np.testing.assert_allclose(model.p_alive([0, 1], [0, 0.5], [1, 1]), [1.0, 0.36])


def test_recovers_planted_parameters():
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    ages = np.random.default_rng(1).uniform(20, 40, 40_000)
    data = simulate_bgnbd(n_customers=40_000, **truth, T=ages, seed=3)
    fitted = BetaGeo().fit(data["frequency"], data["recency"], data["T"]).params_
    # 40k customers: standard errors are a few percent; 15% leaves room without hiding a bias.
    for name, value in truth.items():
        assert fitted[name] == pytest.approx(value, rel=0.15), name
