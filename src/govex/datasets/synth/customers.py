"""Customers and their purchases: a BG/NBD buying process with Gamma-Gamma spend.

Each customer makes a first purchase on sign-up (BG/NBD time 0). While alive, repeat purchases
arrive as a Poisson process with rate lambda ~ Gamma(r, alpha); after each repeat purchase the
customer drops out with probability p ~ Beta(a, b). Order values are Gamma(p_s, nu) with
nu ~ Gamma(q, v) per customer. The parameters are recorded in the ground truth, so a fitted
CLV model has a true answer.

References
----------
Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
    customer base analysis. Journal of Marketing Research 42(4), 415-430 (Gamma-Gamma spend).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.datasets.synth.config import (
    ACQUISITION_SHARES,
    MARKETS,
    PLATFORM_SHARES,
    SynthConfig,
)

SIGNUP_GROWTH = 0.6  # sign-ups per day grow linearly, ending 1.6x the first day's rate
LAST_SIGNUP_GAP_DAYS = 14  # nobody signs up in the final two weeks of the window


@dataclass(frozen=True)
class CustomerSim:
    """Per-customer truth and per-purchase arrays (purchases sorted by time)."""

    market: np.ndarray  # market index
    acquisition: np.ndarray  # acquisition channel index
    platform: np.ndarray  # preferred platform index
    first_day: np.ndarray  # float days since window start of the first purchase (= sign-up)
    exposure_days: np.ndarray  # T: days from first purchase to the window end
    purchase_rate: np.ndarray  # lambda per day
    dropout_prob: np.ndarray  # p
    dropout_day: np.ndarray  # day of the purchase after which the customer dropped out, NaN if alive
    alive_at_end: np.ndarray
    repeat_purchases: np.ndarray  # x: repeat purchases inside the window
    spend_nu: np.ndarray  # Gamma-Gamma scale parameter nu (USD)
    order_customer: np.ndarray  # per purchase: customer index
    order_day: np.ndarray  # per purchase: float days since window start
    order_usd: np.ndarray  # per purchase: value in USD


def _signup_days(rng: np.random.Generator, n: int, last_day: float) -> np.ndarray:
    """Sign-up times with density proportional to 1 + g*x on [0, last_day] (inverse CDF)."""
    g = SIGNUP_GROWTH
    u = rng.random(n)
    x = (-1.0 + np.sqrt(1.0 + 2.0 * g * u * (1.0 + g / 2.0))) / g
    return x * last_day


def _segment_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each segment (segments given by their lengths)."""
    total = np.cumsum(values)
    ends = np.cumsum(counts)
    before = np.concatenate(([0.0], total))[ends - counts]
    return total - np.repeat(before, counts)


def simulate_customers(rng: np.random.Generator, cfg: SynthConfig) -> CustomerSim:
    n = cfg.customers
    horizon = float(cfg.horizon_days)
    market = rng.choice(len(MARKETS), size=n, p=[m.customer_share for m in MARKETS]).astype(np.int8)
    acquisition = rng.choice(len(ACQUISITION_SHARES), size=n, p=ACQUISITION_SHARES).astype(np.int8)
    platform = rng.choice(len(PLATFORM_SHARES), size=n, p=PLATFORM_SHARES).astype(np.int8)
    first_day = _signup_days(rng, n, horizon - LAST_SIGNUP_GAP_DAYS)
    exposure = horizon - first_day

    lam = rng.gamma(cfg.r, 1.0 / cfg.alpha, size=n)
    p = rng.beta(cfg.a, cfg.b, size=n)
    dropout_after = rng.geometric(p)  # J: the repeat purchase after which the customer leaves
    poisson_count = rng.poisson(lam * exposure)  # N(T) had the customer stayed alive
    repeats = np.minimum(dropout_after, poisson_count)

    # Given N(T) = n, purchase times are n sorted uniforms on (0, T); the first k of them are
    # S_i / (S_k + G) with S_i cumulative unit exponentials and G ~ Gamma(n + 1 - k).
    gaps = rng.standard_exponential(int(repeats.sum()))
    partial = _segment_cumsum(gaps, repeats)
    rest = rng.gamma((poisson_count - repeats + 1).astype(np.float64))
    last_index = np.cumsum(repeats) - 1
    s_k = np.where(repeats > 0, partial[np.clip(last_index, 0, None)] if partial.size else 0.0, 0.0)
    denominator = np.repeat(s_k + rest, repeats)
    repeat_customer = np.repeat(np.arange(n), repeats)
    repeat_day = first_day[repeat_customer] + partial / denominator * exposure[repeat_customer]

    alive = dropout_after > poisson_count
    dropout_day = np.full(n, np.nan)
    dead = ~alive & (repeats > 0)
    dropout_day[dead] = repeat_day[last_index[dead]]

    nu = rng.gamma(cfg.spend_q, 1.0 / cfg.spend_v, size=n)
    order_customer = np.concatenate((np.arange(n), repeat_customer))
    order_day = np.concatenate((first_day, repeat_day))
    order_usd = rng.gamma(cfg.spend_p, 1.0 / nu[order_customer])
    # ids follow the calendar day (a linear-time radix sort on the day number; time within a day is unordered)
    chronological = np.argsort(np.floor(order_day).astype(np.int16), kind="stable")
    return CustomerSim(
        market=market,
        acquisition=acquisition,
        platform=platform,
        first_day=first_day,
        exposure_days=exposure,
        purchase_rate=lam,
        dropout_prob=p,
        dropout_day=dropout_day,
        alive_at_end=alive,
        repeat_purchases=repeats,
        spend_nu=nu,
        order_customer=order_customer[chronological],
        order_day=order_day[chronological],
        order_usd=order_usd[chronological],
    )
