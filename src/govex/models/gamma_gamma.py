"""Gamma-Gamma: how much a customer spends per purchase, shrunk towards the population mean.

Each transaction value is Gamma(p, nu) around the customer's own mean p/nu, and nu ~ Gamma(q, v)
across customers. A customer's observed mean over x purchases is then pulled towards the
population mean, the less so the more purchases back it. The model assumes spend per purchase is
independent of how often the customer buys.
"""
from __future__ import annotations

from itertools import product

import numpy as np
from scipy.special import digamma, gammaln

from govex.errors import ModelError
from govex.models._data import check_spend, check_weights, distinct_whole_numbers, weighted_sum
from govex.models._fit import SCALE_BOUNDS, SHAPE_BOUNDS, check_fitted, maximise_likelihood, screening_rows

_MODEL = "Gamma-Gamma"


class GammaGamma:
    """Gamma-Gamma spend model, fitted by maximum likelihood on customers with repeat purchases.

    Parameters
    ----------
    l2_penalty
        Coefficient of an L2 penalty on the log-parameters (0 = plain maximum likelihood).

    Attributes
    ----------
    params_ : dict
        ``p`` (shape of transaction values), ``q`` and ``v`` (shape and scale of the
        heterogeneity in nu; ``v`` is gamma in [1]_).
    loglik_ : float
        Log-likelihood of the mean spends of the customers with frequency > 0.

    References
    ----------
    .. [1] Fader, P. S. & Hardie, B. G. S. (2013). "The Gamma-Gamma Model of Monetary Value".
       brucehardie.com/notes/025.
    .. [2] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "RFM and CLV: Using Iso-Value
       Curves for Customer Base Analysis". Journal of Marketing Research 42(4), 415-430.
    """

    param_names = ("p", "q", "v")

    def __init__(self, *, l2_penalty: float = 0.0) -> None:
        self.l2_penalty = l2_penalty

    @classmethod
    def from_params(cls, *, p: float, q: float, v: float) -> GammaGamma:
        """A model with known parameters (published values, a saved fit) ready to predict."""
        bad = {k: val for k, val in {"p": p, "q": q, "v": v}.items() if not (np.isfinite(val) and val > 0)}
        if bad:
            raise ModelError(f"{_MODEL}: parameters must be finite and > 0; got {bad}.")
        model = cls()
        model.params_ = {"p": float(p), "q": float(q), "v": float(v)}
        return model

    def fit(self, frequency, mean_spend, *, weights=None) -> GammaGamma:
        """Fit on each customer's number of repeat purchases and mean spend over them.

        Rows with frequency 0 are ignored: their mean is over no purchase and says nothing about
        spend. Rows with frequency > 0 need a positive mean spend.

        Returns
        -------
        self
        """
        x, m, repeat = check_spend(frequency, mean_spend, model=_MODEL)
        w = check_weights(weights, len(x), _MODEL) * repeat
        if not w.sum() > 0:
            raise ModelError(f"{_MODEL}: no customer with frequency > 0 (and weight > 0); spend cannot be fitted.")
        # No merging of identical rows here, unlike the purchase models: mean spend is continuous,
        # so few customers share a row and sorting them costs more than it saves. Rows already
        # grouped elsewhere can still be passed with `weights`.
        x, m, w = x[w > 0], m[w > 0], w[w > 0]
        sub = screening_rows(len(x))
        result = maximise_likelihood(
            self._loglik_function(x, m, w),
            screen=self._loglik_function(x[sub], m[sub], w[sub]),
            names=self.param_names,
            bounds=[SHAPE_BOUNDS, SHAPE_BOUNDS, SCALE_BOUNDS],
            starts=self._starts(m, w),
            total_weight=float(w.sum()),
            l2_penalty=self.l2_penalty,
            model=_MODEL,
        )
        self.params_ = result.params
        self.loglik_ = result.loglik
        self.n_customers_ = float(w.sum())
        self.n_rows_ = len(w)
        self.iterations_ = result.iterations
        return self

    @staticmethod
    def _loglik_function(x, m, weights):
        # log f(m | x) = log G(px+q) - log G(px) - log G(q) + q log v + (px-1) log m + px log x
        #                - (px+q) log(v + x m)                  (the marginal density of [1], in logs)
        ux, ix = distinct_whole_numbers(x)
        w_x = np.bincount(ix, weights=weights)  # weight per distinct frequency
        wx = weights * x
        sum_w_x_log_xm = weighted_sum(wx, np.log(m) + np.log(x))
        sum_w_log_m = weighted_sum(weights, np.log(m))
        total = float(weights.sum())
        xm = x * m

        def summed(theta: np.ndarray):
            p, q, v = np.exp(theta)
            log_v_xm = np.log(v + xm)
            inv_v_xm = 1.0 / (v + xm)
            # sum w (p x + q) f = p sum (w x) f + q sum w f, for f = log(v + x m) and 1/(v + x m)
            sum_wx_log, sum_w_log = weighted_sum(wx, log_v_xm), weighted_sum(weights, log_v_xm)
            sum_wx_inv, sum_w_inv = weighted_sum(wx, inv_v_xm), weighted_sum(weights, inv_v_xm)
            value = (
                weighted_sum(w_x, gammaln(p * ux + q) - gammaln(p * ux)) - total * gammaln(q) + total * q * np.log(v)
                + p * sum_w_x_log_xm - sum_w_log_m - p * sum_wx_log - q * sum_w_log
            )
            dig_pq = digamma(p * ux + q)
            d_p = weighted_sum(w_x, ux * (dig_pq - digamma(p * ux))) + sum_w_x_log_xm - sum_wx_log
            d_q = weighted_sum(w_x, dig_pq) - total * digamma(q) + total * np.log(v) - sum_w_log
            d_v = total * q / v - p * sum_wx_inv - q * sum_w_inv
            return float(value), np.array([d_p * p, d_q * q, d_v * v])

        return summed

    @staticmethod
    def _starts(m, weights):
        # Centre each start on the observed mean spend: the population mean is p v / (q - 1).
        mean_spend = float(np.average(m, weights=weights))
        grid = [(p, q, mean_spend * (q - 1) / p) for p, q in product((1.0, 3.0, 10.0), (2.0, 4.0, 10.0))]
        return np.log(np.array(grid))

    def log_likelihood(self, frequency, mean_spend) -> np.ndarray:
        """Log-density of each mean spend given its frequency (rows with frequency 0 give 0)."""
        check_fitted(self)
        x, m, repeat = check_spend(frequency, mean_spend, model=_MODEL)
        p, q, v = (self.params_[n] for n in self.param_names)
        xs, ms = np.where(repeat, x, 1.0), np.where(repeat, m, 1.0)
        ll = (
            gammaln(p * xs + q) - gammaln(p * xs) - gammaln(q) + q * np.log(v)
            + (p * xs - 1) * np.log(ms) + p * xs * np.log(xs) - (p * xs + q) * np.log(v + xs * ms)
        )
        return np.where(repeat, ll, 0.0)

    def population_mean_spend(self) -> float:
        """Mean spend per transaction across customers, p v / (q - 1) ([1]_); needs q > 1."""
        check_fitted(self)
        p, q, v = (self.params_[n] for n in self.param_names)
        if q <= 1:
            raise ModelError(
                f"{_MODEL}: q = {q:.4g} <= 1, so the population mean spend is infinite; refit with "
                "l2_penalty > 0 or check the spend data for extreme values."
            )
        return p * v / (q - 1)

    def expected_spend(self, frequency, mean_spend) -> np.ndarray:
        """Expected spend per future transaction given each customer's history ([1]_).

        E[Z | x, m] = p (v + x m) / (p x + q - 1), a weighted average of the population mean and
        the customer's own mean; customers with frequency 0 get the population mean.
        """
        check_fitted(self)
        x, m, repeat = check_spend(frequency, mean_spend, model=_MODEL)
        p, q, v = (self.params_[n] for n in self.param_names)
        if not repeat.all():
            self.population_mean_spend()  # raises when q <= 1: no finite mean for new customers
        return p * (v + x * np.where(repeat, m, 0.0)) / (p * x + q - 1)
