"""BG/NBD: the beta-geometric / negative binomial model of repeat purchasing.

While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after each
repeat purchase they drop out with probability p ~ Beta(a, b). It forecasts as well as the
Pareto/NBD and its likelihood needs no hypergeometric function, so it fits fast at any scale.
"""
from __future__ import annotations

from itertools import product

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1
from scipy.stats import nbinom

from govex.models._base import PurchaseModel, purchase_rate_guess
from govex.models._data import distinct_whole_numbers, weighted_sum
from govex.models._fit import check_fitted

_REFERENCES = """
    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "'Counting Your Customers' the Easy
       Way: An Alternative to the Pareto/NBD Model". Marketing Science 24(2), 275-284.
    .. [2] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2008). "Computing P(alive) Using the BG/NBD
       Model". Note, brucehardie.com/notes.
    .. [3] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2013). "Overcoming the BG/NBD Model's #NUM!
       Error Problem". Note, brucehardie.com/notes.
"""


def _nudge_from_one(a: float) -> float:
    # The expectation formulas divide by (a - 1); the singularity at a = 1 is removable, so a
    # value within 1e-7 of it is moved off it (the result changes by far less than its precision).
    return a + 1e-7 if abs(a - 1.0) < 1e-7 else a


class BetaGeo(PurchaseModel):
    """BG/NBD model of repeat purchases, fitted by maximum likelihood on sufficient statistics.

    Parameters
    ----------
    l2_penalty
        Coefficient of an L2 penalty on the log-parameters (0 = plain maximum likelihood).

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase-rate heterogeneity, alpha in the time unit of the data),
        ``a``, ``b`` (dropout-probability heterogeneity).
    loglik_ : float
        Log-likelihood of the whole calibration sample at ``params_`` (eq. 6 of [1]_).
    """ + _REFERENCES

    param_names = ("r", "alpha", "a", "b")
    model_name = "BG/NBD"

    def _terms(self, theta, x, t_x, age, frequencies=None):
        r, alpha, a, b = np.exp(theta)
        # Functions of x alone are evaluated once per distinct x (`frequencies` = (ux, ix)).
        ux, ix = frequencies or distinct_whole_numbers(x)
        log_beta_ab = betaln(a, b)
        log_a_age, log_a_tx = np.log(alpha + age), np.log(alpha + t_x)
        # eq. 6 of [1], in logs as in [3]: ll = A1 + log(exp(L_alive) + [x > 0] exp(L_dropped))
        a1_u = gammaln(r + ux) - gammaln(r) + r * np.log(alpha)
        l_alive = (betaln(a, b + ux) - log_beta_ab)[ix] - (r + x) * log_a_age
        l_drop_u = np.full(len(ux), -np.inf)
        l_drop_u[ux > 0] = betaln(a + 1, b + ux[ux > 0] - 1) - log_beta_ab
        l_dropped = l_drop_u[ix] - (r + x) * log_a_tx
        return (r, alpha, a, b), ux, ix, a1_u, l_alive, l_dropped, log_a_age, log_a_tx

    def _row_loglik(self, theta, x, t_x, age):
        _, _, ix, a1_u, l_alive, l_dropped, _, _ = self._terms(theta, x, t_x, age)
        return a1_u[ix] + np.logaddexp(l_alive, l_dropped)

    def _loglik_function(self, x, t_x, age, weights):
        frequencies = distinct_whole_numbers(x)
        weight_per_x = np.bincount(frequencies[1], weights=weights)
        weighted_r_plus_x = (weights, weights * x)

        def summed(theta: np.ndarray):
            return self._summed_loglik(theta, x, weights, frequencies, weight_per_x, weighted_r_plus_x, t_x, age)

        return summed

    def _summed_loglik(self, theta, x, weights, frequencies, weight_per_x, weighted_r_plus_x, t_x, age):
        """Summed log-likelihood and its gradient in the log-parameters.

        Terms that depend on the row only through x are summed per distinct x first
        (np.bincount), so each evaluation makes a few passes over the rows.
        """
        (r, alpha, a, b), ux, ix, a1_u, l_alive, l_dropped, log_a_age, log_a_tx = self._terms(
            theta, x, t_x, age, frequencies
        )
        w, wx = weighted_r_plus_x
        log_sum = np.logaddexp(l_alive, l_dropped)
        share_dropped = np.exp(l_dropped - log_sum)
        w_dropped = w * share_dropped
        w_alive = w - w_dropped
        alive_per_x = np.bincount(ix, weights=w_alive, minlength=len(ux))
        dropped_per_x = weight_per_x - alive_per_x
        repeat = ux > 0
        dig_ab = digamma(a + b)
        dig_abx = digamma(a + b + ux)
        d_alive_da = dig_ab - dig_abx
        d_alive_db = digamma(b + ux) - dig_abx - digamma(b) + dig_ab
        d_drop_da = np.where(repeat, digamma(a + 1) - digamma(a) - dig_abx + dig_ab, 0.0)
        d_drop_db = np.where(repeat, digamma(np.maximum(b + ux - 1, 1e-300)) - dig_abx - digamma(b) + dig_ab, 0.0)
        # sum_rows w (r + x) f = r sum w f + sum (w x) f
        inv_age, inv_tx = 1.0 / (alpha + age), 1.0 / (alpha + t_x)
        total = weight_per_x.sum()
        d_r = (
            weighted_sum(weight_per_x, digamma(r + ux) - digamma(r)) + total * np.log(alpha)
            - weighted_sum(w_alive, log_a_age) - weighted_sum(w_dropped, log_a_tx)
        )
        share_alive = 1.0 - share_dropped
        alive_term, dropped_term = share_alive * inv_age, share_dropped * inv_tx
        d_alpha = total * r / alpha - r * (weighted_sum(w, alive_term) + weighted_sum(w, dropped_term)) - (
            weighted_sum(wx, alive_term) + weighted_sum(wx, dropped_term)
        )
        d_a = weighted_sum(alive_per_x, d_alive_da) + weighted_sum(dropped_per_x, d_drop_da)
        d_b = weighted_sum(alive_per_x, d_alive_db) + weighted_sum(dropped_per_x, d_drop_db)
        grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        return weighted_sum(weight_per_x, a1_u) + weighted_sum(w, log_sum), grad

    def _starts(self, x, t_x, age, weights):
        rate = purchase_rate_guess(x, age, weights)
        grid = [(r, r / rate, a, b) for r, a, b in product((0.1, 0.3, 1.0, 3.0), (0.3, 1.0, 3.0), (0.3, 1.0, 3.0))]
        return np.log(np.array(grid))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """Probability each customer is still alive at the end of calibration ([2]_)."""
        x, t_x, age = self._history(frequency, recency, T)
        r, alpha, a, b = (self.params_[n] for n in self.param_names)
        log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds)), 1.0)

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected repeat purchases in the next `t` time units, given each customer's history.

        Eq. 10 of [1]_, with the Gauss hypergeometric function rewritten by Euler's transformation
        2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B; C; z), which keeps it bounded for
        heavy buyers (large x) where the untransformed function overflows.
        """
        x, t_x, age = self._history(frequency, recency, T)
        t = np.asarray(t, dtype=np.float64)
        r, alpha, a, b = (self.params_[n] for n in self.param_names)
        a = _nudge_from_one(a)
        z = t / (alpha + age + t)
        log_one_minus_z = np.log(alpha + age) - np.log(alpha + age + t)
        bracket = 1.0 - np.exp((a - 1) * log_one_minus_z) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * bracket * self.p_alive(x, t_x, age)

    def expected_purchases_new(self, t) -> np.ndarray:
        """Expected repeat purchases of a new customer in (0, t] (eq. 9 of [1]_)."""
        check_fitted(self)
        t = np.asarray(t, dtype=np.float64)
        r, alpha, a, b = (self.params_[n] for n in self.param_names)
        a = _nudge_from_one(a)
        z = t / (alpha + t)
        log_one_minus_z = np.log(alpha) - np.log(alpha + t)
        return (a + b - 1) / (a - 1) * (1.0 - np.exp((a - 1) * log_one_minus_z) * hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z))

    def probability_of_purchases(self, n_purchases, t) -> np.ndarray:
        """P(X(t) = n): probability a new customer makes exactly `n` repeat purchases in (0, t].

        Eq. 8 of [1]_; the finite sum in its second term is the negative-binomial survival
        function P(NBD(r, alpha/(alpha + t)) >= n).
        """
        check_fitted(self)
        n = np.asarray(n_purchases, dtype=np.float64)
        t = np.asarray(t, dtype=np.float64)
        r, alpha, a, b = (self.params_[name] for name in self.param_names)
        log_p = np.log(alpha) - np.log(alpha + t)
        log_q = np.log(t) - np.log(alpha + t)
        alive = np.exp(
            betaln(a, b + n) - betaln(a, b) + gammaln(r + n) - gammaln(r) - gammaln(n + 1) + r * log_p + n * log_q
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            dropped_weight = np.exp(betaln(a + 1, b + n - 1) - betaln(a, b))
            dropped = np.where(n > 0, dropped_weight * nbinom.sf(n - 1, r, np.exp(log_p)), 0.0)
        return alive + dropped
