"""Draw calibration summaries from the CLV models' own generative stories.

A planted truth for tests and benchmarks: data drawn from known parameters, straight from each
model's assumptions (not from its likelihood), so a fit can be checked against the parameters
that made the data.
"""
from __future__ import annotations

import numpy as np

from govex.errors import ModelError


def _ages(T, n_customers: int) -> np.ndarray:
    age = np.broadcast_to(np.asarray(T, dtype=np.float64), (n_customers,)).copy()
    if not (np.isfinite(age).all() and (age > 0).all()):
        raise ModelError("simulate: T must be finite and > 0 for every customer.")
    return age


def _last_purchase_time(x: np.ndarray, n_events: np.ndarray, window: np.ndarray, rng) -> np.ndarray:
    """Time of the x-th of n uniform events on (0, window]: window * Beta(x, n - x + 1)."""
    t_x = np.zeros(len(x))
    some = x > 0
    t_x[some] = window[some] * rng.beta(x[some], n_events[some] - x[some] + 1)
    return t_x


def simulate_bgnbd(*, n_customers: int, r: float, alpha: float, a: float, b: float, T, seed: int = 0) -> dict[str, np.ndarray]:
    """Frequency, recency and T for customers following the BG/NBD story.

    Each customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) and, after each
    repeat purchase, drops out with probability p ~ Beta(a, b) ([1]_, section 3). The number of
    repeat purchases before dropout is geometric; the observed count is the smaller of that and
    the Poisson count in (0, T].

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "'Counting Your Customers' the Easy
       Way: An Alternative to the Pareto/NBD Model". Marketing Science 24(2), 275-284.
    """
    rng = np.random.default_rng(seed)
    age = _ages(T, n_customers)
    rate = rng.gamma(r, 1.0 / alpha, n_customers)
    dropout = rng.beta(a, b, n_customers)
    n_events = rng.poisson(rate * age)
    purchases_until_dropout = rng.geometric(dropout)
    x = np.minimum(n_events, purchases_until_dropout)
    return {"frequency": x.astype(np.float64), "recency": _last_purchase_time(x, n_events, age, rng), "T": age}


def simulate_pareto_nbd(*, n_customers: int, r: float, alpha: float, s: float, beta: float, T, seed: int = 0) -> dict[str, np.ndarray]:
    """Frequency, recency and T for customers following the Pareto/NBD story.

    Purchases are Poisson with rate lambda ~ Gamma(r, alpha) during an exponential lifetime with
    rate mu ~ Gamma(s, beta) ([1]_); only purchases before min(lifetime, T) are seen.

    References
    ----------
    .. [1] Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). "Counting Your Customers:
       Who Are They and What Will They Do Next?". Management Science 33(1), 1-24.
    """
    rng = np.random.default_rng(seed)
    age = _ages(T, n_customers)
    rate = rng.gamma(r, 1.0 / alpha, n_customers)
    death_rate = rng.gamma(s, 1.0 / beta, n_customers)
    window = np.minimum(rng.exponential(1.0 / death_rate), age)
    x = rng.poisson(rate * window)
    return {"frequency": x.astype(np.float64), "recency": _last_purchase_time(x, x, window, rng), "T": age}


def simulate_gamma_gamma(*, frequency, p: float, q: float, v: float, seed: int = 0) -> np.ndarray:
    """Mean spend over each customer's repeat purchases under the Gamma-Gamma story (0 if none).

    Transaction values are Gamma(p, nu) with nu ~ Gamma(q, v) across customers ([1]_), so the
    mean of x of them is Gamma(p x, nu x).

    References
    ----------
    .. [1] Fader, P. S. & Hardie, B. G. S. (2013). "The Gamma-Gamma Model of Monetary Value".
       brucehardie.com/notes/025.
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=np.float64)
    nu = rng.gamma(q, 1.0 / v, len(x))
    repeat = x > 0
    mean_spend = np.zeros(len(x))
    mean_spend[repeat] = rng.gamma(p * x[repeat], 1.0 / (nu[repeat] * x[repeat]))
    return mean_spend
