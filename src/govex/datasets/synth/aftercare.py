"""Returns, refunds, disputes and chargebacks that follow from what happened to orders.

Damaged and misdescribed items lead to returns; lost, very late or misdescribed orders whose
return was rejected lead to disputes; a few card-fraud chargebacks are unauthorised. Members of
the planted abuse ring claim refunds and open disputes on a large share of their orders.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.datasets.synth.draws import choose_rows
from govex.datasets.synth.events import AbuseRing
from govex.datasets.synth.orders import OrderSim

RETURN_REASONS = ("damaged", "not_as_described", "changed_mind")
RETURN_STATUSES = ("requested", "approved", "rejected", "refunded")
DISPUTE_REASONS = ("item_not_received", "not_as_described", "damaged", "unauthorised")
DISPUTE_KINDS = ("dispute", "chargeback")
DISPUTE_OUTCOMES = ("open", "buyer_won", "seller_won", "split", "fraud_confirmed")


@dataclass(frozen=True)
class ReturnSim:
    order: np.ndarray
    requested_day: np.ndarray
    reason: np.ndarray
    status: np.ndarray
    refund_amount: np.ndarray
    abuse_flag: np.ndarray
    investigated: np.ndarray


@dataclass(frozen=True)
class DisputeSim:
    order: np.ndarray
    opened_day: np.ndarray
    kind: np.ndarray
    reason: np.ndarray
    outcome: np.ndarray
    resolved_day: np.ndarray


def simulate_returns(
    rng: np.random.Generator, orders: OrderSim, ring_member: np.ndarray, ring: AbuseRing, horizon: float
) -> ReturnSim:
    delivered = orders.delivered
    ring_order = ring_member[orders.customer] & delivered
    genuine_p = np.where(orders.damaged, 0.75, np.where(orders.not_as_described, 0.6, 0.03))
    asks = delivered & (rng.random(orders.day.size) < np.where(ring_order, np.maximum(genuine_p, ring.return_rate), genuine_p))
    idx = np.flatnonzero(asks)
    requested = orders.delivered_day[idx] + 0.2 + rng.exponential(3.0, size=idx.size)
    keep = requested < horizon
    idx, requested = idx[keep], requested[keep]
    damaged, nad, by_ring = orders.damaged[idx], orders.not_as_described[idx], ring_order[idx]
    false_claim = by_ring & ~damaged & ~nad
    reason = np.where(damaged, 0, np.where(nad, 1, 2)).astype(np.int8)
    reason[false_claim] = np.where(rng.random(int(false_claim.sum())) < 0.6, 1, 0)

    # status probabilities (requested, approved, rejected, refunded) by kind of request
    genuine = np.array([0.0, 0.07, 0.08, 0.85])
    changed_mind = np.array([0.0, 0.05, 0.30, 0.65])
    ring_claim = np.array([0.0, 0.05, 0.25, 0.70])
    kind = np.where(false_claim, 2, np.where(reason == 2, 1, 0))
    status = choose_rows(rng, np.stack([genuine, changed_mind, ring_claim]), kind)
    status[horizon - requested < 2.0] = 0
    share = np.where(rng.random(idx.size) < 0.8, 1.0, 0.5)
    refund = np.where(status == 3, np.round(orders.amount[idx] * share, 2), 0.0)

    investigated = rng.random(idx.size) < np.where(by_ring, 0.6, np.where(reason == 2, 0.08, 0.05))
    abusive = rng.random(idx.size) < np.where(by_ring, 0.85, 0.04)
    order_of = np.argsort(requested)
    return ReturnSim(
        order=idx[order_of],
        requested_day=requested[order_of],
        reason=reason[order_of],
        status=status[order_of],
        refund_amount=refund[order_of],
        abuse_flag=(abusive & investigated)[order_of],
        investigated=investigated[order_of],
    )


def simulate_disputes(
    rng: np.random.Generator,
    orders: OrderSim,
    returns: ReturnSim,
    ring_member: np.ndarray,
    ring: AbuseRing,
    horizon: float,
) -> DisputeSim:
    n = orders.day.size
    delivered = orders.delivered
    rejected = np.zeros(n, dtype=bool)
    rejected[returns.order[returns.status == 2]] = True
    days_late = np.where(orders.late, np.floor(orders.delivered_day) - orders.promised_day, 0)
    u = rng.random(n)
    ring_order = ring_member[orders.customer] & (delivered | orders.lost)

    reason = np.full(n, -1, dtype=np.int8)
    opened = np.full(n, np.nan)
    kind_p = np.full(n, 0.12)

    def claim(mask: np.ndarray, code: int, start: np.ndarray, mean_lag: float) -> None:
        free = mask & (reason < 0)
        reason[free] = code
        opened[free] = start[free] + 0.5 + rng.exponential(mean_lag, size=int(free.sum()))

    claim(ring_order & (u < ring.dispute_rate) & (rng.random(n) < 0.6), 0, np.where(delivered, orders.delivered_day, orders.promised_day), 4.0)
    claim(ring_order & (u < ring.dispute_rate), 1, np.where(delivered, orders.delivered_day, orders.promised_day), 4.0)
    kind_p[reason >= 0] = ring.chargeback_share
    claim(orders.lost & (u < 0.6), 0, orders.promised_day.astype(float) + 3.0, 5.0)
    claim(orders.late & (days_late >= 4) & (u < 0.06), 0, orders.promised_day.astype(float) + 2.0, 3.0)
    claim(orders.not_as_described & rejected & (u < 0.5), 1, orders.delivered_day, 6.0)
    claim(orders.damaged & rejected & (u < 0.4), 2, orders.delivered_day, 6.0)
    claim(orders.not_as_described & ~rejected & (u < 0.08), 1, orders.delivered_day, 3.0)
    unauthorised = rng.random(n) < 0.0015
    claim(unauthorised, 3, orders.day, 10.0)
    kind_p[(reason == 3) & unauthorised] = 0.8

    idx = np.flatnonzero((reason >= 0) & (opened < horizon))
    opened_day = opened[idx]
    kind = (rng.random(idx.size) < kind_p[idx]).astype(np.int8)
    resolved = opened_day + 2.0 + rng.exponential(8.0, size=idx.size) * np.where(kind == 1, 2.0, 1.0)
    by_ring = ring_member[orders.customer[idx]]
    # outcome probabilities (open, buyer_won, seller_won, split, fraud_confirmed)
    table = np.array([
        [0.0, 0.60, 0.25, 0.15, 0.00],  # ordinary buyer dispute
        [0.0, 0.30, 0.30, 0.05, 0.35],  # abuse ring
        [0.0, 0.60, 0.10, 0.00, 0.30],  # unauthorised card use
    ])
    group = np.where(by_ring, 1, np.where(reason[idx] == 3, 2, 0))
    outcome = choose_rows(rng, table, group)
    still_open = resolved >= horizon
    outcome[still_open] = 0
    order_of = np.argsort(opened_day)
    return DisputeSim(
        order=idx[order_of],
        opened_day=opened_day[order_of],
        kind=kind[order_of],
        reason=reason[idx][order_of],
        outcome=outcome[order_of],
        resolved_day=np.where(still_open, np.nan, resolved)[order_of],
    )
