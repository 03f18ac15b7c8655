"""Pareto/NBD likelihood and predictions against direct integration and limits."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from govex.models import ParetoNBD, simulate_pareto_nbd


@pytest.mark.parametrize("params", [(0.55, 10.6, 0.6, 11.7), (0.55, 12.0, 0.6, 3.0), (2.0, 1.0, 1.0, 50.0)])
@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 30.0), (3, 10.0, 30.0), (12, 25.0, 26.0)])
def test_loglik_equals_integral_over_death_time(params, x, t_x, T):
    # Individual level (SMC 1987): lam^x e^{-lam T} e^{-mu T} if alive at T, else
    # integral over death time tau in (t_x, T] of lam^x e^{-lam tau} mu e^{-mu tau}. With the
    # gamma-mixture identities E[lam^x e^{-lam u}] = G(r+x) alpha^r / (G(r) (alpha+u)^(r+x)),
    # E[e^{-mu T}] = (beta/(beta+T))^s and E[mu e^{-mu u}] = s beta^s / (beta+u)^(s+1), only the
    # death time is left to integrate numerically. Covers both branches (alpha >= beta, alpha < beta).
    r, alpha, s, beta = params
    scale = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha))

    def death_density(u):
        return (alpha + u) ** -(r + x) * s * beta ** s * (beta + u) ** -(s + 1)

    died, _ = integrate.quad(death_density, t_x, T, epsabs=0, epsrel=1e-12)
    expected = scale * ((alpha + T) ** -(r + x) * (beta / (beta + T)) ** s + died)
    got = ParetoNBD.from_params(r=r, alpha=alpha, s=s, beta=beta).log_likelihood([x], [t_x], [T])[0]
    assert got == pytest.approx(np.log(expected), abs=1e-9)


def test_expected_purchases_new_limits():
    # E[X(t)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)] tends to
    # r beta / (alpha (s - 1)) as t -> infinity when s > 1 (Fader & Hardie 2005, note 009).
    model = ParetoNBD.from_params(r=2.0, alpha=4.0, s=3.0, beta=6.0)
    assert float(model.expected_purchases_new(1e9)) == pytest.approx(2.0 * 6.0 / (4.0 * 2.0), rel=1e-6)
    # At s = 1 the bracket over (s - 1) is log((beta + t) / beta): continuous across s = 1.
    at_one = ParetoNBD.from_params(r=2.0, alpha=4.0, s=1.0, beta=6.0).expected_purchases_new(10.0)
    near_one = ParetoNBD.from_params(r=2.0, alpha=4.0, s=1.0 + 1e-7, beta=6.0).expected_purchases_new(10.0)
    assert float(at_one) == pytest.approx(2.0 * 6.0 / 4.0 * np.log(16.0 / 6.0), rel=1e-12)
    assert float(near_one) == pytest.approx(float(at_one), rel=1e-6)


def test_conditional_expectation_of_sure_alive_customer():
    # A customer whose last purchase is at T has P(alive) = 1 (no time to die unobserved), so
    # E[Y(t)] = (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)].
    model = ParetoNBD.from_params(r=1.0, alpha=2.0, s=2.0, beta=3.0)
    assert model.p_alive(4, 10.0, 10.0)[0] == pytest.approx(1.0)
    expected = 5 * 13 / 12 * (1 - 13 / 18)
    assert model.expected_purchases(5.0, 4, 10.0, 10.0)[0] == pytest.approx(expected, rel=1e-12)


def test_recovers_planted_parameters():
    truth = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
    ages = np.round(np.random.default_rng(1).uniform(20, 40, 30_000) * 7) / 7  # day resolution
    data = simulate_pareto_nbd(n_customers=30_000, **truth, T=ages, seed=3)
    recency = np.round(data["recency"] * 7) / 7
    model = ParetoNBD().fit(data["frequency"], recency, data["T"])
    # The purchase side is well identified; s and beta trade off against each other, so the
    # dropout side is checked by a likelihood-ratio test: the planted truth must lie inside the
    # 99.9% confidence region, 2 (LL_fit - LL_truth) < chi2(4) quantile 18.47.
    assert model.params_["r"] == pytest.approx(truth["r"], rel=0.1)
    assert model.params_["alpha"] == pytest.approx(truth["alpha"], rel=0.1)
    loglik_truth = ParetoNBD.from_params(**truth).log_likelihood(data["frequency"], recency, data["T"]).sum()
    assert 0 <= 2 * (model.loglik_ - loglik_truth) < 18.47
