"""A planted missed service promise: the best customers of one market wait far longer from a date.

From the start day on, every live contact of a high-value customer in MARKET waits WAIT_MULTIPLIER
times as long for its first response (a priority queue lost its staff, say). The shipped policy
fast-lanes high-value, low/normal-risk customers with a 120-second first-response promise, so the
miss shows up in `sla_attainment_first_response` of tier fast_lane in that market; other tiers
and markets keep their waits.

"High value" is the synthetic truth govex's value framework estimates: a customer's total spend
(USD) in the top HIGH_VALUE_SHARE of all customers. The change is deterministic (no random draw),
so every other column and table is exactly what it was; only contacts.wait_time_s moves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.datasets.synth.config import MARKET_CODES, SynthConfig
from govex.datasets.synth.events import Window
from govex.datasets.synth.orders import OrderSim
from govex.datasets.synth.service import ContactSim

MARKET = "US"
TIER = "fast_lane"  # the shipped policy's tier for value=high with risk low or normal
START_FRACTION = 0.75  # after the help-flow launch (0.70), to the end of the data
WAIT_MULTIPLIER = 8.0
HIGH_VALUE_SHARE = 0.2  # the value framework's high segment is the top 20% by CLV


@dataclass(frozen=True)
class PromiseMiss:
    start_day: int
    customers: int
    affected: np.ndarray  # bool per contact
    wait_s: np.ndarray  # contacts' waits with the miss applied

    def truth(self, start_iso: str, end_iso: str) -> dict:
        return {
            "type": "service_promise_miss", "market": MARKET, "tier": TIER, "start": start_iso,
            "end_exclusive": end_iso, "wait_multiplier": WAIT_MULTIPLIER, "customers": self.customers,
            "contacts": int(self.affected.sum()),
            "definition": f"from start on, live contacts of {MARKET} customers whose total spend is in the top "
                          f"{HIGH_VALUE_SHARE:.0%} of all customers wait {WAIT_MULTIPLIER:g} times as long; with "
                          f"the shipped policy they are the {TIER} tier, so sla_attainment_first_response of "
                          f"tier {TIER} in {MARKET} falls from start to end_exclusive",
        }


def plant_promise_miss(cfg: SynthConfig, contacts: ContactSim, orders: OrderSim, customer_market: np.ndarray) -> PromiseMiss:
    """The waits with the miss applied, and which contacts it touched."""
    spend = np.bincount(orders.customer, weights=orders.usd, minlength=customer_market.size)
    high = spend >= np.quantile(spend, 1.0 - HIGH_VALUE_SHARE)
    chosen = high & (customer_market == MARKET_CODES.index(MARKET))
    start = Window.of(cfg, START_FRACTION, 1.0).start_day
    affected = (contacts.customer >= 0) & chosen[np.maximum(contacts.customer, 0)] \
        & (contacts.market == MARKET_CODES.index(MARKET)) & (contacts.created_day >= start) & np.isfinite(contacts.wait_s)
    wait = np.where(affected, np.round(contacts.wait_s * WAIT_MULTIPLIER, 1), contacts.wait_s)
    return PromiseMiss(start, int(chosen.sum()), affected, wait)
