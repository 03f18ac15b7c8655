"""Always-valid sequential reads: look at an experiment every day without inflating false positives.

A fixed-horizon test checked repeatedly rejects a true null far more often than ``alpha``. The
mixture sequential probability ratio test (mSPRT) of Johari, Pekelis & Walsh [1] replaces it:
for the difference in means ``theta_n`` with variance ``V_n = var_a / n_a + var_b / n_b`` and a
normal mixture ``N(0, tau^2)`` over the effect, the likelihood ratio is

    Lambda_n = sqrt(V_n / (V_n + tau^2)) * exp(tau^2 theta_n^2 / (2 V_n (V_n + tau^2)))

and the always-valid p-value is ``p_n = min(p_{n-1}, 1 / Lambda_n)``. Stopping the first time
``p_n <= alpha`` keeps the false-positive rate at most ``alpha`` however often one looks (Ville's
inequality on the martingale ``Lambda_n``). ``tau`` should be of the order of effects one expects;
the default is the outcome's standard deviation / 10 (given, or as estimated at the 10th look).

.. [1] Johari, Koomen, Pekelis & Walsh (2017), "Peeking at A/B tests: why it matters, and what to
   do about it", KDD.
"""
from __future__ import annotations

import numpy as np


def msprt_p_values(a: np.ndarray, b: np.ndarray, *, sd: float | None = None, tau: float | None = None) -> np.ndarray:
    """Always-valid p-values after each look, for arrays of outcomes in arrival order (last axis).

    ``a`` and ``b`` hold the two arms' outcomes, one per look (shape ``(..., n)``: several
    experiments can be monitored at once). ``sd`` is the per-unit standard deviation (e.g. from
    the pre-period); without it the running pooled estimate is used, which is approximate at the
    first looks, so the first 10 looks are not allowed to reject.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    n = np.arange(1, a.shape[-1] + 1, dtype=np.float64)
    mean_a, mean_b = np.cumsum(a, axis=-1) / n, np.cumsum(b, axis=-1) / n
    if sd is None:
        sq = np.cumsum(a ** 2, axis=-1) + np.cumsum(b ** 2, axis=-1) - n * (mean_a ** 2 + mean_b ** 2)
        var = np.where(n > 1, sq / np.maximum(2 * n - 2, 1), np.inf)
    else:
        var = np.full_like(mean_a, float(sd) ** 2)
    if tau is None:  # from data seen by the first allowed look only: no peeking at the future
        tau = sd / 10 if sd is not None else np.sqrt(var[..., min(9, var.shape[-1] - 1), None]) / 10
    v = 2 * var / n
    theta = mean_b - mean_a
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_lr = 0.5 * np.log(v / (v + tau ** 2)) + tau ** 2 * theta ** 2 / (2 * v * (v + tau ** 2))
        p = np.minimum(1.0, np.exp(-log_lr))
    p = np.where(np.isfinite(p), p, 1.0)
    if sd is None:
        p[..., :10] = 1.0
    return np.minimum.accumulate(p, axis=-1)
