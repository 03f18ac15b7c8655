"""Trust & safety review cases by policy, with daily and weekly seasonality and QA audits.

Case volume follows marketplace activity (about 0.12 cases per order), peaks in the afternoon
and evening and at weekends (when listings and messages are posted). Automated decisions take
seconds; human reviews go to moderation vendors whose QA accuracy is known, and one vendor's
accuracy drops in a planted window.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.datasets.synth.config import (
    MARKETS,
    MOD_VENDOR_SPLIT,
    MODERATION_HOUR_WEIGHTS,
    MODERATION_WEEKDAY_WEIGHTS,
    VENDOR_IDS,
    VENDORS,
    SynthConfig,
)
from govex.datasets.synth.draws import choose_rows, hours_of_day
from govex.datasets.synth.events import VendorQaDrop

OBJECT_TYPES = ("listing", "review", "message", "seller", "customer")
DECISIONS = ("pending", "approve", "remove", "restrict", "escalate")
CASES_PER_ORDER = 0.12
QA_SAMPLE_RATE = 0.15


@dataclass(frozen=True)
class Policy:
    name: str
    share: float
    object_weights: tuple[float, float, float, float, float]  # listing, review, message, seller, customer
    automated_share: float
    handle_median_s: float
    decision_weights: tuple[float, float, float, float]  # approve, remove, restrict, escalate


POLICIES: tuple[Policy, ...] = (
    Policy("spam", 0.25, (0.1, 0.2, 0.7, 0.0, 0.0), 0.75, 45.0, (0.35, 0.55, 0.08, 0.02)),
    Policy("prohibited_item", 0.18, (1.0, 0.0, 0.0, 0.0, 0.0), 0.45, 150.0, (0.45, 0.45, 0.05, 0.05)),
    Policy("counterfeit", 0.14, (0.85, 0.0, 0.0, 0.15, 0.0), 0.20, 240.0, (0.50, 0.35, 0.08, 0.07)),
    Policy("misleading_listing", 0.14, (1.0, 0.0, 0.0, 0.0, 0.0), 0.10, 180.0, (0.60, 0.30, 0.07, 0.03)),
    Policy("fake_review", 0.12, (0.0, 1.0, 0.0, 0.0, 0.0), 0.50, 90.0, (0.40, 0.55, 0.03, 0.02)),
    Policy("harassment", 0.09, (0.0, 0.3, 0.7, 0.0, 0.0), 0.15, 200.0, (0.40, 0.40, 0.15, 0.05)),
    Policy("fraud", 0.08, (0.0, 0.0, 0.0, 0.5, 0.5), 0.05, 600.0, (0.45, 0.15, 0.30, 0.10)),
)
POLICY_NAMES = tuple(p.name for p in POLICIES)
OBJECT_PREFIX = ("L", "R", "M", "S", "C")


@dataclass(frozen=True)
class ModerationSim:
    object_type: np.ndarray
    object_number: np.ndarray
    seller: np.ndarray  # -1 when none
    customer: np.ndarray  # -1 when none
    market: np.ndarray
    policy: np.ndarray
    created_day: np.ndarray
    decided_day: np.ndarray
    decision: np.ndarray
    automated: np.ndarray
    handle_s: np.ndarray
    vendor: np.ndarray  # -1 for automated
    qa: np.ndarray  # -1 not sampled, 0 correct, 1 incorrect


def _case_days(rng: np.random.Generator, cfg: SynthConfig, activity: np.ndarray, n: int) -> np.ndarray:
    """Days drawn in proportion to marketplace activity times the weekday profile, plus an hour."""
    horizon = cfg.horizon_days
    weekday = (cfg.start.weekday() + np.arange(horizon)) % 7
    weight = activity * np.asarray(MODERATION_WEEKDAY_WEIGHTS)[weekday]
    day = rng.choice(horizon, size=n, p=weight / weight.sum())
    return day + hours_of_day(rng, MODERATION_HOUR_WEIGHTS, n) / 24.0


def simulate_moderation(
    rng: np.random.Generator,
    cfg: SynthConfig,
    order_day: np.ndarray,
    seller_market: np.ndarray,
    customer_market: np.ndarray,
    qa_drop: VendorQaDrop,
) -> ModerationSim:
    horizon = float(cfg.horizon_days)
    n = int(rng.poisson(CASES_PER_ORDER * order_day.size))
    activity = np.bincount(np.floor(order_day).astype(np.int64), minlength=cfg.horizon_days)[: cfg.horizon_days] + 1.0
    created = np.sort(_case_days(rng, cfg, activity.astype(np.float64), n))
    policy = rng.choice(len(POLICIES), size=n, p=[p.share for p in POLICIES]).astype(np.int8)
    object_type = choose_rows(rng, np.array([p.object_weights for p in POLICIES]), policy)
    market = rng.choice(len(MARKETS), size=n, p=[m.customer_share for m in MARKETS]).astype(np.int8)

    # the seller or customer concerned, drawn from the case's market
    about_seller = np.isin(object_type, (0, 3)) | ((object_type == 1) & (rng.random(n) < 0.5))
    seller = _member_of_market(rng, seller_market, market)
    customer = _member_of_market(rng, customer_market, market)
    seller = np.where(about_seller, seller, -1)
    customer = np.where(about_seller, -1, customer)
    object_number = np.where(object_type == 3, seller, np.where(object_type == 4, customer, np.arange(n)))

    automated = rng.random(n) < np.array([p.automated_share for p in POLICIES])[policy]
    vendor_table = np.zeros((len(MARKETS), len(VENDORS)))
    for m, spec in enumerate(MARKETS):
        for vendor_id, share in MOD_VENDOR_SPLIT[spec.code]:
            vendor_table[m, VENDOR_IDS.index(vendor_id)] = share
    vendor = np.where(automated, -1, choose_rows(rng, vendor_table, market).astype(np.int64))
    factor = np.array([v.handle_time_factor for v in VENDORS])[np.maximum(vendor, 0)]
    handle = np.round(np.array([p.handle_median_s for p in POLICIES])[policy] * factor * rng.lognormal(0, 0.5, n), 1)
    queue_delay = np.where(automated, rng.exponential(30.0, n) / 86400.0, rng.exponential(0.25, n))
    decided = created + queue_delay + np.where(automated, 0.0, handle / 86400.0)
    decision = choose_rows(rng, np.array([p.decision_weights for p in POLICIES]), policy) + 1
    pending = decided >= horizon
    decision[pending] = 0

    accuracy = np.array([v.qa_accuracy for v in VENDORS])[np.maximum(vendor, 0)]
    decided_int = np.floor(decided)
    dropped = (vendor == VENDOR_IDS.index(qa_drop.vendor_id)) & (decided_int >= qa_drop.window.start_day) & (
        decided_int < qa_drop.window.end_day)
    accuracy[dropped] = qa_drop.accuracy_during
    sampled = ~automated & ~pending & (rng.random(n) < QA_SAMPLE_RATE)
    qa = np.where(sampled, (rng.random(n) >= accuracy).astype(np.int8), -1)
    return ModerationSim(
        object_type=object_type,
        object_number=object_number,
        seller=seller,
        customer=customer,
        market=market,
        policy=policy,
        created_day=created,
        decided_day=np.where(pending, np.nan, decided),
        decision=decision.astype(np.int8),
        automated=automated,
        handle_s=np.where(automated | pending, np.nan, handle),
        vendor=vendor,
        qa=qa,
    )


def _member_of_market(rng: np.random.Generator, member_market: np.ndarray, market: np.ndarray) -> np.ndarray:
    """A uniformly drawn member (seller or customer index) of each row's market."""
    by_market = np.argsort(member_market)
    counts = np.bincount(member_market, minlength=len(MARKETS))
    starts = np.cumsum(counts) - counts
    size = counts[market]
    pick = np.floor(rng.random(market.size) * np.maximum(size, 1)).astype(np.int64)
    fallback = np.floor(rng.random(market.size) * member_market.size).astype(np.int64)
    return np.where(size > 0, by_market[np.minimum(starts[market] + pick, member_market.size - 1)], fallback)
