"""The governed supply side: seller types, vouchers and appointments, enforcement and education.

Everything here draws from its own random streams (seeded by the marketplace seed and
SUPPLY_STREAM), and only adds columns and tables: the shop simulation's tables keep every value
they had. The existing sellers become shop sellers, local merchants (their orders are vouchers
redeemed on site) or service providers (appointments); voucher and appointment orders keep the
delivery columns the shop simulation gave them.

Four planted truths, written to ground_truth.json:
- seller_fraud_ring: local merchants that share payout accounts, mark most vouchers redeemed
  within minutes of the sale (fake redemptions) and collect review-manipulation violations;
- redemption_refusal_spike: the local merchants of one region refuse redemptions for a period;
- creator_dispute_spike: from a date on, the orders one creator drives end in disputes (the
  creator is attributed to already-disputed orders, so the disputes table is unchanged);
- education_effect: enrolling in the seller academy (open from a quarter to half-way through the
  window) multiplies a seller's violation rate by a known factor, and sellers with fewer returns
  and violations before it opened, who also violate less later, enrol more. The truth also states the effect the
  enrolment-window comparison of `govex.analysis.seller_education` should find: violations per
  seller-year in the second half, enrolled against not, averaged over the sellers' own rates.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from govex.contract.schema import (
    APPEAL_OUTCOMES,
    DETECTION_SOURCES,
    ENFORCEMENT_LADDER,
    FULFILMENT_OUTCOMES,
    FULFILMENT_TYPES,
    KYC_STATUSES,
    SELLER_TYPES,
)
from govex.datasets.synth.aftercare import ReturnSim
from govex.datasets.synth.columns import Ids, Labels, to_arrow
from govex.datasets.synth.config import CATEGORIES, MARKET_CODES, MARKETS, SynthConfig
from govex.datasets.synth.events import Window
from govex.datasets.synth.orders import STATUS, OrderSim, SellerSim

SUPPLY_STREAM = 14  # the seed sequence [seed, SUPPLY_STREAM, k] belongs to this module alone
SELLER_TYPE_SHARES = (0.55, 0.30, 0.15)  # shop_seller, local_merchant, service_provider
LOCAL_VERTICALS = ("restaurants", "beauty_salons", "activities", "wellness")
SERVICE_VERTICALS = ("home_services", "repairs", "tutoring", "pet_care")
VERTICALS = (*CATEGORIES, *LOCAL_VERTICALS, *SERVICE_VERTICALS)
REGIONS = {
    "BR": ("sao_paulo", "rio_de_janeiro", "minas_gerais", "parana"),
    "MX": ("cdmx", "jalisco", "nuevo_leon", "puebla"),
    "US": ("california", "new_york", "texas", "florida"),
    "DE": ("berlin", "bayern", "nrw", "hamburg"),
    "GB": ("london", "manchester", "birmingham", "edinburgh"),
}
REGION_LABELS = tuple(r for m in MARKETS for r in REGIONS[m.code])
POLICIES = ("listing_quality", "counterfeit", "review_manipulation", "fake_redemption", "service_refusal",
            "prohibited_item")
BASE_POLICY_SHARES = (0.35, 0.15, 0.15, 0.0, 0.2, 0.15)
PROGRAMMES = ("seller_academy",)
CREATOR_SHARE = 0.08  # orders driven by a creator's content
N_CREATORS = 40

# Redemption and appointment outcomes (shares of orders placed and not cancelled).
VOUCHER_OUTCOMES = (0.90, 0.03, 0.0, 0.07)  # redeemed, refused_by_merchant, no_show, expired
APPOINTMENT_OUTCOMES = (0.90, 0.03, 0.07, 0.0)
INSTANT_REDEMPTION_HOURS = 1.0  # redeemed this soon after the sale: the fake-redemption signal
BASE_INSTANT_SHARE = 0.02  # genuine buyers who redeem at the till right after buying

# Violations: a Poisson process per seller, rate from the seller's quality, escalating one rung each.
BASE_VIOLATIONS_PER_YEAR = 0.35
EDUCATION_EFFECT = 0.6  # violation-rate multiplier once enrolled (the planted causal effect)
# logit P(enrol in the academy) = ENROL_LOGIT + ENROL_RETURN_LOGIT * (share of orders returned before it opened)
#                                 + ENROL_VIOLATION_LOGIT * (violations before it opened)
ENROL_LOGIT, ENROL_RETURN_LOGIT, ENROL_VIOLATION_LOGIT = 1.5, -20.0, -3.0
APPEAL_RATE = (0.10, 0.20, 0.35, 0.45, 0.55)  # by rung
OVERTURN_RATE = 0.3


@dataclass(frozen=True)
class FraudRing:
    size: int
    instant_share: float  # share of the ring's vouchers marked redeemed within the hour
    violations_per_year: float  # extra review-manipulation / fake-redemption violations
    payout_group_size: int


@dataclass(frozen=True)
class RefusalSpike:
    market: str
    region: str
    window: Window
    refusal_rate_during: float


@dataclass(frozen=True)
class CreatorSpike:
    window: Window
    disputed_share: float  # share of the creator's orders in the window that are disputed


@dataclass(frozen=True)
class SupplySim:
    """Columns added to sellers and orders, and the two new tables, as numpy arrays."""

    seller_type: np.ndarray
    vertical: np.ndarray
    region: np.ndarray  # index into REGION_LABELS
    kyc_status: np.ndarray
    kyc_submitted_day: np.ndarray
    kyc_verified_day: np.ndarray
    payout_account: np.ndarray
    fulfilment_type: np.ndarray
    fulfilment_outcome: np.ndarray  # -1 null
    redeemed_day: np.ndarray  # NaN null
    creator: np.ndarray  # -1 null
    enforcement: dict[str, np.ndarray]
    education: dict[str, np.ndarray]
    ring: np.ndarray  # seller indices
    refusal_cohort: np.ndarray  # seller indices
    creator_planted: int
    truth: dict[str, Any]


def planted_supply(cfg: SynthConfig, n_sellers: int) -> tuple[FraudRing, RefusalSpike, CreatorSpike]:
    ring = FraudRing(size=int(np.clip(round(0.02 * n_sellers), 8, 60)), instant_share=0.6,
                     violations_per_year=1.5, payout_group_size=3)
    refusal = RefusalSpike("BR", "sao_paulo", Window.of(cfg, 0.40, 0.48), 0.35)
    creator = CreatorSpike(Window.of(cfg, 0.75, 0.90), 0.5)
    return ring, refusal, creator


def _rng(cfg: SynthConfig, k: int) -> np.random.Generator:
    return np.random.default_rng([cfg.seed, SUPPLY_STREAM, k])


def _types_and_places(rng: np.random.Generator, sellers: SellerSim) -> tuple[np.ndarray, ...]:
    n = sellers.market.size
    seller_type = rng.choice(3, size=n, p=SELLER_TYPE_SHARES).astype(np.int8)
    local = rng.integers(0, len(LOCAL_VERTICALS), size=n) + len(CATEGORIES)
    service = rng.integers(0, len(SERVICE_VERTICALS), size=n) + len(CATEGORIES) + len(LOCAL_VERTICALS)
    vertical = np.select([seller_type == 1, seller_type == 2], [local, service], sellers.category.astype(np.int64))
    region = sellers.market.astype(np.int64) * 4 + rng.choice(4, size=n, p=(0.4, 0.25, 0.2, 0.15))
    return seller_type, vertical, region


def _kyc(rng: np.random.Generator, sellers: SellerSim, horizon: float) -> tuple[np.ndarray, ...]:
    n = sellers.market.size
    submitted = sellers.onboarded_day - rng.integers(1, 15, size=n)
    verified = submitted + rng.integers(1, 10, size=n)
    u = rng.random(n)
    status = np.where(u < 0.93, 2, np.where(u < 0.96, 1, np.where(u < 0.98, 3, 4))).astype(np.int8)
    status[verified >= horizon] = 1  # not yet decided when the window closes
    verified_day = np.where(status == 2, verified, np.nan)
    return status, submitted.astype(np.float64), verified_day


def _choose_ring(rng: np.random.Generator, seller_type: np.ndarray, sellers: SellerSim, size: int) -> np.ndarray:
    """Ring members: local merchants of one market with vouchers to redeem (popular enough to be seen)."""
    local = seller_type == 1
    market = int(np.argmax(np.bincount(sellers.market[local], minlength=len(MARKETS))))
    eligible = np.flatnonzero(local & (sellers.market == market) & (sellers.onboarded_day < 0))
    if eligible.size < size:
        eligible = np.flatnonzero(local)
    return np.sort(rng.choice(eligible, size=min(size, eligible.size), replace=False))


def _payout_accounts(rng: np.random.Generator, n: int, ring: np.ndarray, group: int) -> np.ndarray:
    """One account per seller; the ring shares theirs in groups, and a few franchise pairs share one."""
    account = np.arange(n, dtype=np.int64)
    for start in range(0, ring.size, group):
        members = ring[start:start + group]
        if members.size == 1:  # a ring member never stands alone: join the previous group
            members = ring[start - 1:start + 1]
        account[members] = account[members[0]]
    others = np.setdiff1d(np.arange(n), ring)
    pairs = rng.choice(others, size=2 * max(1, int(0.01 * n)), replace=False).reshape(-1, 2)
    account[pairs[:, 1]] = account[pairs[:, 0]]
    return account


def _outcomes(rng: np.random.Generator, cfg: SynthConfig, orders: OrderSim, fulfilment: np.ndarray,
              seller_region: np.ndarray, seller_type: np.ndarray, ring_flag: np.ndarray,
              ring: FraudRing, refusal: RefusalSpike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    horizon = float(cfg.horizon_days)
    n = orders.day.size
    voucher, appointment = fulfilment == 1, fulfilment == 2
    placed = ~np.isin(orders.status, (STATUS["cancelled"], STATUS["unavailable"]))
    shares = np.where(voucher[:, None], np.array(VOUCHER_OUTCOMES)[None, :], np.array(APPOINTMENT_OUTCOMES)[None, :])
    spike_region = REGION_LABELS.index(refusal.region)
    day = np.floor(orders.day)
    in_spike = (voucher & (seller_region[orders.seller] == spike_region) & (seller_type[orders.seller] == 1)
                & (day >= refusal.window.start_day) & (day < refusal.window.end_day))
    shares = shares.copy()
    shares[in_spike] = (1.0 - refusal.refusal_rate_during - 0.07, refusal.refusal_rate_during, 0.0, 0.07)
    cumulative = np.cumsum(shares, axis=1)
    outcome = (rng.random(n)[:, None] > cumulative).sum(axis=1).astype(np.int64)
    lag = np.where(voucher, rng.gamma(1.5, 6.0, n), 2.0 + rng.gamma(2.0, 3.0, n))
    instant = voucher & (outcome == 0) & (rng.random(n) < np.where(ring_flag[orders.seller], ring.instant_share,
                                                                   BASE_INSTANT_SHARE))
    lag = np.where(instant, rng.uniform(0.05, INSTANT_REDEMPTION_HOURS * 0.9, n) / 24.0, lag)
    redeemed = orders.day + lag
    redeemable = (voucher | appointment) & placed
    open_ = redeemable & (redeemed >= horizon)  # the voucher or appointment is still ahead
    outcome = np.where(redeemable & ~open_, outcome, -1)
    redeemed_day = np.where(outcome == 0, redeemed, np.nan)
    return outcome, redeemed_day, in_spike


def _creators(rng: np.random.Generator, orders: OrderSim, disputed_orders: np.ndarray,
              spike: CreatorSpike) -> tuple[np.ndarray, int]:
    """Creator attribution; the planted creator is attributed to disputed orders inside its window."""
    n = orders.day.size
    popularity = 1.0 / np.arange(1, N_CREATORS + 1) ** 0.8
    creator = np.where(rng.random(n) < CREATOR_SHARE, rng.choice(N_CREATORS, size=n, p=popularity / popularity.sum()), -1)
    planted = N_CREATORS  # an extra creator, active only in its window
    day = np.floor(orders.day)
    in_window = (day >= spike.window.start_day) & (day < spike.window.end_day)
    disputed = np.zeros(n, dtype=bool)
    disputed[disputed_orders] = True
    hit = np.flatnonzero(in_window & disputed)
    hit = rng.choice(hit, size=int(0.3 * hit.size), replace=False) if hit.size else hit
    clean_pool = np.flatnonzero(in_window & ~disputed)
    n_clean = int(round(hit.size * (1.0 - spike.disputed_share) / spike.disputed_share))
    clean = rng.choice(clean_pool, size=min(n_clean, clean_pool.size), replace=False)
    creator[hit] = planted
    creator[clean] = planted
    return creator, planted


def _violation_rate(sellers: SellerSim) -> np.ndarray:
    """Violations per day before any education: worse sellers (more damage, misdescription) violate more."""
    quality = (sellers.damage_rate + sellers.not_as_described_rate) / 0.05
    return BASE_VIOLATIONS_PER_YEAR / 365.0 * np.clip(0.3 + quality, 0.3, 5.0)


def academy_window(horizon: float) -> tuple[int, int]:
    """The academy enrols from a quarter to half-way through the window (whole days)."""
    return int(horizon) // 4, int(horizon) // 2


def _baseline_return_share(n: int, orders: OrderSim, returns: ReturnSim, opens: int) -> np.ndarray:
    """Per seller: orders placed before the academy opened with a return requested by then, over those orders."""
    placed = np.bincount(orders.seller[orders.day < opens], minlength=n)
    returned = returns.order[returns.requested_day < opens]
    returned = returned[orders.day[returned] < opens]
    counts = np.bincount(orders.seller[returned], minlength=n)
    return counts / np.maximum(placed, 1)


def _education(rng: np.random.Generator, sellers: SellerSim, return_share: np.ndarray, violations: np.ndarray,
               horizon: float) -> dict[str, np.ndarray]:
    """Enrolment inside the academy window, likelier for sellers with fewer returns and violations before it.

    Returns for damaged and misdescribed items follow the seller's quality, as violations do, so
    the enrolled violate less anyway; the selection runs through the seller's visible record only.
    """
    n = return_share.size
    opens, closes = academy_window(horizon)
    logit = ENROL_LOGIT + ENROL_RETURN_LOGIT * return_share + ENROL_VIOLATION_LOGIT * violations
    enrolled = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))) & (sellers.onboarded_day < opens)
    idx = np.flatnonzero(enrolled)
    enrolled_day = rng.uniform(opens, closes, idx.size)
    completes = rng.random(idx.size) < 0.7
    completed_day = np.where(completes, enrolled_day + rng.uniform(7, 45, idx.size), np.nan)
    score = np.where(completes, np.round(np.clip(rng.normal(78, 10, idx.size), 0, 100), 1), np.nan)
    return {"seller": idx, "programme": np.zeros(idx.size, dtype=np.int64), "enrolled_day": enrolled_day,
            "completed_day": completed_day, "score": score}


def _education_truth(sellers: SellerSim, rate: np.ndarray, education: dict[str, np.ndarray],
                     horizon: float) -> dict[str, Any]:
    """The enrolment-window design's units and the sample average of their expected effects.

    Baseline [0, opens), enrolment window [opens, closes), outcome [closes, horizon): a quarter and
    a half of the window, in whole days. Units: sellers onboarded before the window opens who did not
    enrol before it or after it closed; treated: enrolled inside it. A unit's effect is what
    enrolment changes in its expected violations per seller-year in the outcome window.
    """
    opens, closes = academy_window(horizon)
    enrolled = np.full(rate.size, np.inf)
    enrolled[education["seller"]] = education["enrolled_day"]
    treated = (enrolled >= opens) & (enrolled < closes)
    unit = (sellers.onboarded_day < opens) & (treated | np.isinf(enrolled))
    effect = (EDUCATION_EFFECT - 1.0) * rate * 365.0
    return {"opens": opens, "closes": closes, "units": int(unit.sum()), "treated": int((unit & treated).sum()),
            "effect": round(float(effect[unit].mean()), 4),
            "effect_on_enrolled": round(float(effect[unit & treated].mean()), 4)}


def _poisson_times(rng: np.random.Generator, rate: np.ndarray, lo: np.ndarray,
                   hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A Poisson process per seller at `rate` on [lo, hi): the seller and day of each event."""
    hi = np.maximum(hi, lo)
    seller = np.repeat(np.arange(rate.size), rng.poisson(rate * (hi - lo)))
    return seller, lo[seller] + rng.random(seller.size) * (hi - lo)[seller]


def _enforcement(rng: np.random.Generator, main: tuple[np.ndarray, np.ndarray], ring: tuple[np.ndarray, np.ndarray],
                 horizon: float) -> dict[str, np.ndarray]:
    """Policy, rung, detection, action and appeal of every violation (seller, day) of `main` and of the ring."""
    policy = rng.choice(len(POLICIES), size=main[0].size, p=BASE_POLICY_SHARES)
    ring_policy = np.where(rng.random(ring[0].size) < 0.5, POLICIES.index("review_manipulation"),
                           POLICIES.index("fake_redemption"))
    seller = np.concatenate((main[0], ring[0]))
    day = np.concatenate((main[1], ring[1]))
    policy = np.concatenate((policy, ring_policy))
    order = np.lexsort((day, seller))
    seller, day, policy = seller[order], day[order], policy[order]

    first = np.r_[True, seller[1:] != seller[:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(seller.size), 0))
    rung = np.minimum(np.arange(seller.size) - run_start, len(ENFORCEMENT_LADDER) - 1)
    source = rng.choice(len(DETECTION_SOURCES), size=seller.size, p=(0.45, 0.30, 0.20, 0.05))
    source[np.isin(policy, (POLICIES.index("fake_redemption"), POLICIES.index("review_manipulation")))] = 0
    automated = (source == 0) & (rung <= 1) & (rng.random(seller.size) < 0.8)
    lag = np.where(automated, rng.exponential(2.0, seller.size) / 24.0, rng.exponential(3.0, seller.size))
    action_day = day + lag
    keep = action_day < horizon  # acted on inside the window
    appeal = rng.random(seller.size) < np.array(APPEAL_RATE)[rung]
    decided = action_day + rng.exponential(5.0, seller.size)
    overturned = rng.random(seller.size) < OVERTURN_RATE
    pending = decided >= horizon
    outcome = np.where(appeal, np.where(pending, 0, np.where(overturned, 2, 1)), -1)
    decided_day = np.where(appeal & ~pending, decided, np.nan)
    reinstated_day = np.where(outcome == 2, decided, np.nan)
    return {name: values[keep] for name, values in {
        "seller": seller, "policy": policy, "rung": rung, "source": source, "automated": automated,
        "violation_day": day, "action_day": action_day, "appeal": appeal, "outcome": outcome,
        "decided_day": decided_day, "reinstated_day": reinstated_day,
    }.items()}


def simulate_supply(cfg: SynthConfig, sellers: SellerSim, orders: OrderSim, disputed_orders: np.ndarray,
                    returns: ReturnSim) -> SupplySim:
    """The supply-side columns and tables for one marketplace (deterministic for cfg.seed)."""
    horizon = float(cfg.horizon_days)
    n = sellers.market.size
    fraud, refusal, creator_spike = planted_supply(cfg, n)
    seller_type, vertical, region = _types_and_places(_rng(cfg, 0), sellers)
    kyc_status, kyc_submitted, kyc_verified = _kyc(_rng(cfg, 1), sellers, horizon)
    ring = _choose_ring(_rng(cfg, 2), seller_type, sellers, fraud.size)
    ring_flag = np.zeros(n, dtype=bool)
    ring_flag[ring] = True
    kyc_status[ring] = 2  # the ring passed verification: the accounts look legitimate one by one
    kyc_verified = np.where(ring_flag, kyc_submitted + 3, kyc_verified)
    payout = _payout_accounts(_rng(cfg, 3), n, ring, fraud.payout_group_size)
    fulfilment = seller_type[orders.seller].astype(np.int64)
    outcome, redeemed_day, in_spike = _outcomes(_rng(cfg, 4), cfg, orders, fulfilment, region, seller_type,
                                                ring_flag, fraud, refusal)
    creator, planted_creator = _creators(_rng(cfg, 5), orders, disputed_orders, creator_spike)
    rate = _violation_rate(sellers)
    ring_rate = np.zeros(n)
    ring_rate[ring] = fraud.violations_per_year / 365.0
    start = np.maximum(sellers.onboarded_day, 0).astype(np.float64)
    opens = np.maximum(start, academy_window(horizon)[0])
    rng = _rng(cfg, 7)  # violations before the academy opened are drawn first: enrolment looks at them
    early, ringed = _poisson_times(rng, rate, start, opens), _poisson_times(rng, ring_rate, start, np.full(n, horizon))
    record = np.bincount(early[0], minlength=n) + np.bincount(ringed[0][ringed[1] < opens[ringed[0]]], minlength=n)
    return_share = _baseline_return_share(n, orders, returns, academy_window(horizon)[0])
    education = _education(_rng(cfg, 6), sellers, return_share, record, horizon)
    switch = np.full(n, horizon)
    switch[education["seller"]] = education["enrolled_day"]
    later = [_poisson_times(rng, rate, opens, switch), _poisson_times(rng, rate * EDUCATION_EFFECT, switch, np.full(n, horizon))]
    main = tuple(np.concatenate(parts) for parts in zip(early, *later))
    enforcement = _enforcement(rng, main, ringed, horizon)
    cohort = np.flatnonzero((region == REGION_LABELS.index(refusal.region)) & (seller_type == 1))
    truth = _truth(cfg, fraud, refusal, creator_spike, orders, outcome, in_spike, fulfilment, region,
                   seller_type, creator, planted_creator, disputed_orders)
    truth["education"] = _education_truth(sellers, rate, education, horizon)
    return SupplySim(
        seller_type=seller_type, vertical=vertical, region=region, kyc_status=kyc_status,
        kyc_submitted_day=kyc_submitted, kyc_verified_day=kyc_verified, payout_account=payout,
        fulfilment_type=fulfilment, fulfilment_outcome=outcome, redeemed_day=redeemed_day, creator=creator,
        enforcement=enforcement, education=education, ring=ring, refusal_cohort=cohort,
        creator_planted=planted_creator, truth=truth,
    )


def _truth(cfg: SynthConfig, fraud: FraudRing, refusal: RefusalSpike, creator_spike: CreatorSpike,
           orders: OrderSim, outcome: np.ndarray, in_spike: np.ndarray, fulfilment: np.ndarray,
           region: np.ndarray, seller_type: np.ndarray, creator: np.ndarray, planted: int,
           disputed_orders: np.ndarray) -> dict[str, Any]:
    """Rates measured on the simulated rows (the ground truth states what an analysis should find)."""
    spike_region = REGION_LABELS.index(refusal.region)
    cohort_orders = (fulfilment == 1) & (region[orders.seller] == spike_region) & (seller_type[orders.seller] == 1)
    decided = outcome >= 0
    outside = cohort_orders & decided & ~in_spike
    inside = cohort_orders & decided & in_spike
    disputed = np.zeros(orders.day.size, dtype=bool)
    disputed[disputed_orders] = True
    promoted = creator == planted
    others = (creator >= 0) & ~promoted
    return {
        "fraud": fraud, "refusal": refusal, "creator": creator_spike,
        "refusal_rate_baseline": round(float((outcome[outside] == 1).mean()), 4) if outside.any() else None,
        "refusal_rate_measured": round(float((outcome[inside] == 1).mean()), 4) if inside.any() else None,
        "creator_dispute_rate": round(float(disputed[promoted].mean()), 4) if promoted.any() else None,
        "other_creators_dispute_rate": round(float(disputed[others].mean()), 4) if others.any() else None,
        "creator_orders": int(promoted.sum()),
    }



def seller_columns(supply: SupplySim, clock: Any, width: int) -> dict[str, object]:
    """The columns this module adds to the sellers table."""
    return {
        "seller_type": Labels(supply.seller_type, SELLER_TYPES),
        "vertical": Labels(supply.vertical, VERTICALS),
        "region": Labels(supply.region, REGION_LABELS),
        "kyc_status": Labels(supply.kyc_status, KYC_STATUSES),
        "kyc_submitted_date": clock.date(supply.kyc_submitted_day),
        "kyc_verified_date": clock.date(supply.kyc_verified_day),
        "payout_account_id": Ids("PA", supply.payout_account, width),
    }


def order_columns(supply: SupplySim, clock: Any) -> dict[str, object]:
    """The columns this module adds to the orders table."""
    return {
        "fulfilment_type": Labels(supply.fulfilment_type, FULFILMENT_TYPES),
        "fulfilment_outcome": Labels(supply.fulfilment_outcome, FULFILMENT_OUTCOMES),
        "redeemed_at": clock.ts(supply.redeemed_day),
        "creator_id": Ids("K", supply.creator, 3),
    }


def supply_tables(supply: SupplySim, clock: Any, seller_market: np.ndarray, width: int) -> dict[str, pa.Table]:
    """The enforcement_actions and education tables."""
    e, d = supply.enforcement, supply.education
    n_e, n_d = e["seller"].size, d["seller"].size
    return {
        "enforcement_actions": to_arrow("enforcement_actions", {
            "action_id": Ids("EA", np.arange(n_e), max(7, len(str(n_e)))),
            "seller_id": Ids("S", e["seller"], width),
            "market": Labels(seller_market[e["seller"]], MARKET_CODES),
            "policy": Labels(e["policy"], POLICIES),
            "action": Labels(e["rung"], ENFORCEMENT_LADDER),
            "detection_source": Labels(e["source"], DETECTION_SOURCES),
            "automated": e["automated"],
            "violation_at": clock.ts(e["violation_day"]),
            "action_at": clock.ts(e["action_day"]),
            "appeal_filed": e["appeal"],
            "appeal_outcome": Labels(e["outcome"], APPEAL_OUTCOMES),
            "appeal_decided_at": clock.ts(e["decided_day"]),
            "reinstated_at": clock.ts(e["reinstated_day"]),
        }),
        "education": to_arrow("education", {
            "enrolment_id": Ids("ED", np.arange(n_d), max(7, len(str(n_d)))),
            "seller_id": Ids("S", d["seller"], width),
            "programme": Labels(d["programme"], PROGRAMMES),
            "enrolled_at": clock.ts(d["enrolled_day"]),
            "completed_at": clock.ts(d["completed_day"]),
            "score": d["score"],
        }),
    }


def _seller_ids(indices: np.ndarray, width: int) -> list[str]:
    return [f"S{int(i):0{width}d}" for i in indices]


def ground_truth_events(supply: SupplySim, clock: Any, width: int) -> list[dict[str, Any]]:
    """The four planted supply-side truths, in the ground_truth.json event format."""
    t = supply.truth
    fraud, refusal, creator, education = t["fraud"], t["refusal"], t["creator"], t["education"]
    return [
        {
            "type": "seller_fraud_ring", "seller_ids": _seller_ids(supply.ring, width),
            "signals": {
                "shared_payout_accounts": f"members share payout_account_id in groups of about {fraud.payout_group_size}",
                "fake_redemptions": f"{fraud.instant_share:.0%} of their vouchers redeemed within "
                                    f"{INSTANT_REDEMPTION_HOURS:g} hour of the sale (others: {BASE_INSTANT_SHARE:.0%})",
                "incentivised_reviews": f"about {fraud.violations_per_year:g} extra review_manipulation or "
                                        "fake_redemption violations per year, detected automatically",
            },
            "definition": "local merchants colluding on fake voucher redemptions and incentivised reviews",
        },
        {
            "type": "redemption_refusal_spike", "market": refusal.market, "region": refusal.region,
            "seller_type": "local_merchant", **clock.window(refusal.window),
            "seller_ids": _seller_ids(supply.refusal_cohort, width),
            "refusal_rate_baseline": t["refusal_rate_baseline"], "refusal_rate_during": refusal.refusal_rate_during,
            "refusal_rate_measured": t["refusal_rate_measured"],
            "definition": "share of voucher orders with a decided outcome that are refused_by_merchant, "
                          "by order date, for local merchants of the region",
        },
        {
            "type": "creator_dispute_spike", "creator_id": f"K{supply.creator_planted:03d}",
            **clock.window(creator.window), "orders": t["creator_orders"],
            "dispute_rate": t["creator_dispute_rate"], "other_creators_dispute_rate": t["other_creators_dispute_rate"],
            "definition": "share of the creator's orders with at least one dispute or chargeback; the creator "
                          "drives orders only inside the window",
        },
        {
            "type": "education_effect", "programme": PROGRAMMES[0], "violation_rate_multiplier": EDUCATION_EFFECT,
            "selection": "sellers with fewer returns and violations before the academy opened enrol more; both "
                         "follow the seller's quality, so the naive enrolled-vs-not comparison overstates the effect",
            "enrolment": {"logit": f"{ENROL_LOGIT} + {ENROL_RETURN_LOGIT} * (orders placed before the window with a "
                                   f"return requested before it, over orders placed before it) + {ENROL_VIOLATION_LOGIT} * "
                                   "(violations before it)", "randomised": False},
            "definition": "from the enrolment time on, an enrolled seller's violations (enforcement_actions by "
                          "violation_at, before the window end) arrive at violation_rate_multiplier x the rate "
                          "they had before",
            "enrolment_window": {"start": clock.iso(education["opens"]), "end_exclusive": clock.iso(education["closes"])},
            "outcome": "violations per seller-year from the enrolment window's end to the end of the data",
            "units": education["units"], "enrolled": education["treated"],
            "effect": education["effect"], "effect_on_enrolled": education["effect_on_enrolled"],
            "effect_definition": "units: sellers onboarded before the enrolment window who did not enrol before it "
                                 "or after it; enrolled: first enrolment inside it; effect: the mean over units of "
                                 "(violation_rate_multiplier - 1) x the seller's violations per year before enrolment",
        },
    ]
