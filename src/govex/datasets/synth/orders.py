"""Sellers with quality differences, and what happens to each order after it is placed.

Sellers differ in popularity, damage rate, not-as-described rate and late shipping; carriers
differ in late rates by market. An order is late with a probability built from its carrier and
seller (and the planted late-delivery spike), and lateness, damage and misdescription are the
events that later drive contacts, returns, disputes and survey scores.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.contract.schema import ORDER_STATUSES
from govex.datasets.synth.config import (
    CARRIERS,
    CATEGORY_SHARES,
    CURRENCIES,
    MARKETS,
    PLATFORM_SHARES,
    SELLER_TIER_SHARES,
    SynthConfig,
)
from govex.datasets.synth.customers import CustomerSim
from govex.datasets.synth.events import LateDeliverySpike
from govex.datasets.synth.fx import FxSim

STATUS = {name: code for code, name in enumerate(ORDER_STATUSES)}
MARKET_CURRENCY = np.array([CURRENCIES.index(m.currency) for m in MARKETS])
TIER_DAMAGE_FACTOR = np.array([0.5, 1.0, 1.8])  # top, standard, new
TIER_LATE_FACTOR = np.array([0.7, 1.0, 1.5])
TIER_POPULARITY = np.array([3.0, 1.0, 0.6])
CANCEL_RATE = 0.025
UNAVAILABLE_RATE = 0.006
LOST_RATE = 0.003


@dataclass(frozen=True)
class SellerSim:
    market: np.ndarray
    category: np.ndarray
    tier: np.ndarray
    onboarded_day: np.ndarray  # days since window start (negative: before it)
    damage_rate: np.ndarray
    not_as_described_rate: np.ndarray
    late_factor: np.ndarray
    popularity: np.ndarray


@dataclass(frozen=True)
class OrderSim:
    customer: np.ndarray
    seller: np.ndarray
    market: np.ndarray
    day: np.ndarray  # float days since window start
    usd: np.ndarray
    amount: np.ndarray  # local currency
    status: np.ndarray
    category: np.ndarray
    carrier: np.ndarray  # index into CARRIERS, -1 when never shipped
    platform: np.ndarray
    promised_day: np.ndarray  # integer day
    delivered_day: np.ndarray  # float day, NaN when not delivered
    late_prob: np.ndarray
    late: np.ndarray  # delivered after the promised date
    lost: np.ndarray
    damaged: np.ndarray
    not_as_described: np.ndarray

    @property
    def delivered(self) -> np.ndarray:
        return np.isfinite(self.delivered_day)


def simulate_sellers(rng: np.random.Generator, cfg: SynthConfig) -> SellerSim:
    n = max(40, cfg.customers // cfg.customers_per_seller)
    market = rng.choice(len(MARKETS), size=n, p=[m.customer_share for m in MARKETS]).astype(np.int8)
    category = rng.choice(len(CATEGORY_SHARES), size=n, p=CATEGORY_SHARES).astype(np.int8)
    tier = rng.choice(len(SELLER_TIER_SHARES), size=n, p=SELLER_TIER_SHARES).astype(np.int8)
    onboarded = np.where(tier == 2, -rng.integers(1, 120, size=n), -rng.integers(120, 1500, size=n))
    damage = np.clip(rng.beta(1.5, 60.0, size=n) * TIER_DAMAGE_FACTOR[tier], 0, 0.5)
    nad = np.clip(rng.beta(1.2, 70.0, size=n) * TIER_DAMAGE_FACTOR[tier], 0, 0.5)
    late = rng.lognormal(0.0, 0.35, size=n) * TIER_LATE_FACTOR[tier]
    popularity = rng.lognormal(0.0, 1.0, size=n) * TIER_POPULARITY[tier]
    return SellerSim(market, category, tier, onboarded, damage, nad, late, popularity)


def _pick_sellers(rng: np.random.Generator, order_market: np.ndarray, sellers: SellerSim) -> np.ndarray:
    """Each order goes to a seller of its market, with probability proportional to popularity."""
    chosen = np.empty(order_market.size, dtype=np.int64)
    u = rng.random(order_market.size)
    for m in range(len(MARKETS)):
        in_market = np.flatnonzero(sellers.market == m)
        if in_market.size == 0:  # a tiny seller base may miss a market: fall back to every seller
            in_market = np.arange(sellers.market.size)
        cumulative = np.cumsum(sellers.popularity[in_market])
        rows = order_market == m
        picks = np.searchsorted(cumulative, u[rows] * cumulative[-1], side="right")
        chosen[rows] = in_market[np.minimum(picks, in_market.size - 1)]
    return chosen


def _pick_carriers(rng: np.random.Generator, order_market: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum([m.carrier_shares for m in MARKETS], axis=1)
    local = (rng.random(order_market.size)[:, None] > cumulative[order_market]).sum(axis=1)
    return order_market.astype(np.int64) * 3 + np.minimum(local, 2)


def simulate_orders(
    rng: np.random.Generator,
    cfg: SynthConfig,
    customers: CustomerSim,
    sellers: SellerSim,
    fx: FxSim,
    spike: LateDeliverySpike,
) -> OrderSim:
    horizon = float(cfg.horizon_days)
    cust = customers.order_customer
    n = cust.size
    market = customers.market[cust]
    day = customers.order_day
    order_day_int = np.floor(day).astype(np.int64)
    seller = _pick_sellers(rng, market, sellers)
    carrier = _pick_carriers(rng, market)
    preferred = rng.random(n) < 0.85
    platform = np.where(preferred, customers.platform[cust], rng.choice(len(PLATFORM_SHARES), size=n, p=PLATFORM_SHARES))

    promise = np.array([m.promise_days for m in MARKETS])[market] + rng.integers(0, 3, size=n)
    promised_day = order_day_int + promise
    carrier_late = np.array([rate for m in MARKETS for rate in m.carrier_late_rates])
    late_prob = np.clip(carrier_late[carrier] * sellers.late_factor[seller], 0.0, 0.9)
    spike_market = [m.code for m in MARKETS].index(spike.market)
    in_spike = (
        (market == spike_market)
        & (carrier == CARRIERS.index(spike.carrier))
        & (order_day_int >= spike.window.start_day)
        & (order_day_int < spike.window.end_day)
    )
    late_prob[in_spike] = spike.late_rate_during
    late = rng.random(n) < late_prob
    on_time_day = order_day_int + 1 + np.floor(rng.random(n) * promise).astype(np.int64)
    late_day = promised_day + rng.geometric(0.4, size=n)
    delivered_day = np.where(late, late_day, on_time_day) + 0.35 + 0.5 * rng.random(n)

    u = rng.random(n)
    cancelled = u < CANCEL_RATE
    unavailable = (u >= CANCEL_RATE) & (u < CANCEL_RATE + UNAVAILABLE_RATE)
    not_shipped = cancelled | unavailable
    lost = ~not_shipped & (rng.random(n) < LOST_RATE)
    in_transit = ~not_shipped & ~lost & (delivered_day >= horizon)
    fresh = day > horizon - 0.5  # placed in the last half day: not yet shipped
    delivered = ~not_shipped & ~lost & ~in_transit & ~fresh

    status = np.full(n, STATUS["delivered"], dtype=np.int8)
    status[lost | in_transit] = STATUS["shipped"]
    status[fresh & ~not_shipped] = np.where(rng.random(int((fresh & ~not_shipped).sum())) < 0.5,
                                            STATUS["created"], STATUS["approved"])
    status[cancelled] = STATUS["cancelled"]
    status[unavailable] = STATUS["unavailable"]
    carrier = np.where(not_shipped | (fresh & ~lost), -1, carrier)

    damaged = delivered & (rng.random(n) < sellers.damage_rate[seller])
    nad = delivered & ~damaged & (rng.random(n) < sellers.not_as_described_rate[seller])
    usd_per_unit = fx.rate_for(MARKET_CURRENCY[market], day)
    return OrderSim(
        customer=cust,
        seller=seller,
        market=market,
        day=day,
        usd=customers.order_usd,
        amount=np.round(customers.order_usd / usd_per_unit, 2),
        status=status,
        category=sellers.category[seller],
        carrier=carrier,
        platform=platform,
        promised_day=promised_day,
        delivered_day=np.where(delivered, delivered_day, np.nan),
        late_prob=late_prob,
        late=delivered & late,
        lost=lost,
        damaged=damaged,
        not_as_described=nad,
    )
