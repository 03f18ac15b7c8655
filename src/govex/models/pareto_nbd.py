"""Pareto/NBD: Poisson purchasing with an exponential lifetime, both rates gamma-distributed.

While alive a customer buys at rate lambda ~ Gamma(r, alpha); their unobserved lifetime is
exponential with rate mu ~ Gamma(s, beta). Dropout can happen at any time, not only right after a
purchase as in the BG/NBD, which suits businesses where people fade away between orders.
"""
from __future__ import annotations

from itertools import product

import numpy as np
from scipy.special import gammaln, hyp2f1

from govex.models._base import PurchaseModel, purchase_rate_guess
from govex.models._data import distinct_rows, weighted_sum
from govex.models._fit import check_fitted

_REFERENCES = """
    References
    ----------
    .. [1] Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). "Counting Your Customers:
       Who Are They and What Will They Do Next?". Management Science 33(1), 1-24.
    .. [2] Fader, P. S. & Hardie, B. G. S. (2005). "A Note on Deriving the Pareto/NBD Model and
       Related Expressions". brucehardie.com/notes/009.
    .. [3] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "'Counting Your Customers' the Easy
       Way: An Alternative to the Pareto/NBD Model". Marketing Science 24(2), 275-284 (the CDNOW
       estimates of both models).
"""


def _log_a0_part(r, alpha, s, beta, x, t):
    """log of one term of A0 in the likelihood of [2], after Euler's transformation.

    For alpha >= beta the term is 2F1(r+s+x, s+1; r+s+x+1; z) / (alpha+t)^(r+s+x) with
    z = (alpha-beta)/(alpha+t); Euler's transformation turns it into
    2F1(1, r+x; r+s+x+1; z) / ((alpha+t)^(r+x) (beta+t)^s), whose hypergeometric factor stays
    between 1 and a modest bound for any x. The alpha < beta branch swaps the roles and becomes
    2F1(1, s+1; r+s+x+1; z) (alpha+t)^(1-r-x) / (beta+t)^(s+1) with z = (beta-alpha)/(beta+t).
    """
    c = r + s + x + 1
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        return np.log(hyp2f1(1.0, r + x, c, z)) - (r + x) * np.log(alpha + t) - s * np.log(beta + t)
    z = (beta - alpha) / (beta + t)
    return np.log(hyp2f1(1.0, s + 1, c, z)) + (1 - r - x) * np.log(alpha + t) - (s + 1) * np.log(beta + t)


def _unique_pairs(x, t):
    """Distinct (x, t) pairs and the index of each row's pair: the hypergeometric term depends on
    nothing else, and with day-resolution data far fewer pairs than rows exist."""
    (distinct_x, distinct_t), inverse = distinct_rows(x, t)
    return distinct_x, distinct_t, inverse


def _log_terms(r, alpha, s, beta, x, t_x, age, pairs=None):
    """Log of the two terms of the likelihood bracket in [2]: alive at T, died in (t_x, T].

    `pairs` optionally holds the precomputed `_unique_pairs` of (x, t_x) and (x, T).
    """
    head_pairs, tail_pairs = pairs or (_unique_pairs(x, t_x), _unique_pairs(x, age))
    log_alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    with np.errstate(divide="ignore"):
        hx, ht, hi = head_pairs
        tx_, tt, ti = tail_pairs
        head = _log_a0_part(r, alpha, s, beta, hx, ht)[hi]
        tail = _log_a0_part(r, alpha, s, beta, tx_, tt)[ti]
        # A0 = head - tail > 0 (an integral of a positive function over (t_x, T]); 0 when t_x = T.
        log_a0 = head + np.log1p(-np.exp(np.minimum(tail - head, 0.0)))
    log_died = np.log(s) - np.log(r + s + x) + log_a0
    return log_alive, log_died


class ParetoNBD(PurchaseModel):
    """Pareto/NBD model of repeat purchases, fitted by maximum likelihood on sufficient statistics.

    Parameters
    ----------
    l2_penalty
        Coefficient of an L2 penalty on the log-parameters (0 = plain maximum likelihood).

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase-rate heterogeneity) and ``s``, ``beta`` (dropout-rate
        heterogeneity); alpha and beta are in the time unit of the data.
    loglik_ : float
        Log-likelihood of the calibration sample at ``params_`` ([2]_).
    """ + _REFERENCES

    param_names = ("r", "alpha", "s", "beta")
    model_name = "Pareto/NBD"

    def _row_loglik(self, theta, x, t_x, age, pairs=None):
        r, alpha, s, beta = np.exp(theta)
        log_alive, log_died = _log_terms(r, alpha, s, beta, x, t_x, age, pairs)
        log_scale = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        return log_scale + np.logaddexp(log_alive, log_died)

    def _loglik_function(self, x, t_x, age, weights):
        pairs = (_unique_pairs(x, t_x), _unique_pairs(x, age))

        def summed(theta: np.ndarray):
            return weighted_sum(weights, self._row_loglik(theta, x, t_x, age, pairs)), None

        return summed

    def _starts(self, x, t_x, age, weights):
        rate = purchase_rate_guess(x, age, weights)
        mean_age = float(np.average(age, weights=weights))
        grid = [
            (r, r / rate, s, s * mean_age * lifetimes)
            for r, s, lifetimes in product((0.1, 0.5, 2.0), (0.3, 1.0, 3.0), (0.3, 1.0, 3.0))
        ]
        return np.log(np.array(grid))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """Probability each customer is still alive at the end of calibration ([1]_, [2]_)."""
        x, t_x, age = self._history(frequency, recency, T)
        log_alive, log_died = _log_terms(*(self.params_[n] for n in self.param_names), x, t_x, age)
        return 1.0 / (1.0 + np.exp(log_died - log_alive))

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected repeat purchases in the next `t` time units, given each history ([1]_, [2]_).

        E[Y(t)] = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive);
        the bracket over (s - 1) tends to log((beta+T+t)/(beta+T)) as s -> 1 and is computed in
        that stable form near s = 1.
        """
        x, t_x, age = self._history(frequency, recency, T)
        t = np.asarray(t, dtype=np.float64)
        r, alpha, s, beta = (self.params_[n] for n in self.param_names)
        horizon_factor = _one_minus_power_over(s - 1, np.log(beta + age + t) - np.log(beta + age))
        return (r + x) * (beta + age) / (alpha + age) * horizon_factor * self.p_alive(x, t_x, age)

    def expected_purchases_new(self, t) -> np.ndarray:
        """Expected repeat purchases of a new customer in (0, t] ([1]_, [2]_)."""
        check_fitted(self)
        t = np.asarray(t, dtype=np.float64)
        r, alpha, s, beta = (self.params_[n] for n in self.param_names)
        return r * beta / alpha * _one_minus_power_over(s - 1, np.log(beta + t) - np.log(beta))


def _one_minus_power_over(k: float, log_ratio):
    """(1 - exp(-k * log_ratio)) / k, continuous at k = 0 where it equals log_ratio."""
    if abs(k) < 1e-12:
        return np.asarray(log_ratio, dtype=np.float64)
    return -np.expm1(-k * np.asarray(log_ratio)) / k
