"""Moderation operations on top of the simulated cases: detection source, report time, appeals, views.

Drawn from a stream of its own (seed sequence [seed, MODERATION_OPS_STREAM]) after the cases exist,
so every column the cases already had keeps today's draws. One vendor's decisions on one policy are
overturned on appeal far more often from a date on (the planted `appeal_overturn_jump`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from govex.contract.schema import APPEAL_OUTCOMES, DETECTION_SOURCES
from govex.datasets.synth.columns import Labels, Masked
from govex.datasets.synth.config import VENDOR_IDS, SynthConfig
from govex.datasets.synth.moderation import DECISIONS, OBJECT_TYPES, POLICY_NAMES, ModerationSim

MODERATION_OPS_STREAM = 15_002  # the seed sequence [seed, MODERATION_OPS_STREAM] belongs to this module alone

# Detection source shares (automated_detection, user_report, staff_review, external_report): systems
# mostly act on their own classifiers; people mostly review what users reported.
SOURCE_WEIGHTS_AUTOMATED = (0.85, 0.15, 0.0, 0.0)
SOURCE_WEIGHTS_HUMAN = (0.25, 0.55, 0.12, 0.08)
# Mean days from the report (or the upload, for proactive finds) to the case entering the queue.
REPORT_LAG_DAYS = (0.05, 0.02, 1.5, 0.5)
# Share of enforcing decisions (remove, restrict) that are appealed: sellers contest what costs them
# sales (listings, their account) far more often than authors of reviews and messages do.
APPEAL_RATE_SELLER_OBJECTS, APPEAL_RATE_OTHER = 0.35, 0.08
SELLER_OBJECTS = ("listing", "seller")
OVERTURN_RATE_AUTOMATED = 0.20
OVERTURN_RATE_HUMAN = 0.10
APPEAL_FILED_DAYS, APPEAL_DECIDED_DAYS = 1.5, 3.0  # mean days: decision -> appeal, appeal -> its decision
# Views exist for public content (listings, reviews); violating content collects views until it is actioned.
VIEWED_OBJECTS = ("listing", "review")
VIEWS_LOG_MEAN, VIEWS_LOG_SD = 5.0, 1.2
VIEW_DECAY_DAYS = 4.0  # content gets most of its views in its first days


@dataclass(frozen=True)
class OverturnJump:
    vendor_id: str
    policy: str
    start_day: int
    overturn_rate_after: float


@dataclass(frozen=True)
class ModerationOps:
    reported_day: np.ndarray
    detection_source: np.ndarray  # codes into DETECTION_SOURCES
    appeal_filed: np.ndarray
    appeal_outcome: np.ndarray  # codes into APPEAL_OUTCOMES, -1 when no appeal
    appeal_decided_day: np.ndarray  # NaN when no decided appeal
    views: np.ndarray
    violating_views: np.ndarray
    has_views: np.ndarray  # False: no view data (messages, accounts) or not yet known (pending)
    jump: OverturnJump
    truth: dict[str, Any]


def planted_jump(cfg: SynthConfig) -> OverturnJump:
    return OverturnJump("V08", "counterfeit", int(round(cfg.horizon_days * 0.6)), 0.75)


def simulate_operations(cfg: SynthConfig, mod: ModerationSim) -> ModerationOps:
    rng = np.random.default_rng([cfg.seed, MODERATION_OPS_STREAM])
    n = mod.policy.size
    horizon = float(cfg.horizon_days)
    jump = planted_jump(cfg)

    source = np.where(
        mod.automated,
        rng.choice(len(DETECTION_SOURCES), size=n, p=SOURCE_WEIGHTS_AUTOMATED),
        rng.choice(len(DETECTION_SOURCES), size=n, p=SOURCE_WEIGHTS_HUMAN),
    ).astype(np.int8)
    lag = rng.exponential(1.0, n) * np.asarray(REPORT_LAG_DAYS)[source]
    reported = np.maximum(mod.created_day - lag, 0.0)

    decided = np.isfinite(mod.decided_day)
    enforcing = decided & np.isin(mod.decision, [DECISIONS.index("remove"), DECISIONS.index("restrict")])
    seller_object = np.isin(mod.object_type, [OBJECT_TYPES.index(o) for o in SELLER_OBJECTS])
    appealed = enforcing & (rng.random(n) < np.where(seller_object, APPEAL_RATE_SELLER_OBJECTS, APPEAL_RATE_OTHER))
    filed_day = mod.decided_day + rng.exponential(APPEAL_FILED_DAYS, n)
    appealed &= filed_day < horizon
    appeal_decided = filed_day + rng.exponential(APPEAL_DECIDED_DAYS, n)
    settled = appealed & (appeal_decided < horizon)
    planted = _planted_slice(mod, jump)
    overturn_p = np.where(mod.automated, OVERTURN_RATE_AUTOMATED, OVERTURN_RATE_HUMAN)
    overturn_p = np.where(planted, jump.overturn_rate_after, overturn_p)
    overturned = rng.random(n) < overturn_p
    outcome = np.where(settled, np.where(overturned, APPEAL_OUTCOMES.index("overturned"), APPEAL_OUTCOMES.index("upheld")),
                       np.where(appealed, APPEAL_OUTCOMES.index("pending"), -1)).astype(np.int8)

    viewed = np.isin(mod.object_type, [OBJECT_TYPES.index(o) for o in VIEWED_OBJECTS]) & decided
    potential = rng.lognormal(VIEWS_LOG_MEAN, VIEWS_LOG_SD, n)
    exposure = 1.0 - np.exp(-np.nan_to_num(mod.decided_day - reported) / VIEW_DECAY_DAYS)
    views = np.round(np.where(enforcing, potential * exposure, potential)).astype(np.int64)
    violating = np.where(enforcing, views, 0)

    truth = _truth(mod, jump, planted, settled, outcome)
    return ModerationOps(
        reported_day=reported, detection_source=source, appeal_filed=appealed, appeal_outcome=outcome,
        appeal_decided_day=np.where(settled, appeal_decided, np.nan), views=views, violating_views=violating,
        has_views=viewed, jump=jump, truth=truth,
    )


def _planted_slice(mod: ModerationSim, jump: OverturnJump) -> np.ndarray:
    """Cases of the planted vendor and policy decided on or after the jump day."""
    return ((mod.vendor == VENDOR_IDS.index(jump.vendor_id)) & (mod.policy == POLICY_NAMES.index(jump.policy))
            & (np.nan_to_num(mod.decided_day, nan=-1.0) >= jump.start_day))


def _truth(mod: ModerationSim, jump: OverturnJump, planted: np.ndarray, settled: np.ndarray,
           outcome: np.ndarray) -> dict[str, Any]:
    overturned = outcome == APPEAL_OUTCOMES.index("overturned")
    same = (mod.vendor == VENDOR_IDS.index(jump.vendor_id)) & (mod.policy == POLICY_NAMES.index(jump.policy))
    before = same & ~planted & settled
    after = planted & settled
    return {
        "appeals_decided_before": int(before.sum()), "appeals_decided_after": int(after.sum()),
        "overturn_rate_measured_before": round(float(overturned[before].mean()), 4) if before.any() else None,
        "overturn_rate_measured_after": round(float(overturned[after].mean()), 4) if after.any() else None,
    }


def ground_truth_event(ops: ModerationOps, clock: Any, end_exclusive: str) -> dict[str, Any]:
    """The planted overturn jump (from its start to the end of the data), in the ground_truth.json event format."""
    jump = ops.jump
    return {
        "type": "appeal_overturn_jump", "vendor_id": jump.vendor_id, "policy": jump.policy,
        "start": clock.iso(jump.start_day), "end_exclusive": end_exclusive,
        "overturn_rate_baseline": OVERTURN_RATE_HUMAN, "overturn_rate_during": jump.overturn_rate_after,
        **ops.truth,
        "definition": "share of decided appeals that overturned the decision, by the decision's date "
                      "(decided_at), for the vendor's human decisions on the policy",
    }


def case_columns(ops: ModerationOps, clock: Any) -> dict[str, object]:
    """The moderation_cases columns this module owns, ready for `to_arrow`."""
    return {
        "reported_at": clock.ts(ops.reported_day),
        "detection_source": Labels(ops.detection_source, DETECTION_SOURCES),
        "appeal_filed": ops.appeal_filed,
        "appeal_outcome": Labels(ops.appeal_outcome, APPEAL_OUTCOMES),
        "appeal_decided_at": clock.ts(ops.appeal_decided_day),
        "views": Masked(ops.views, ops.has_views),
        "violating_views": Masked(ops.violating_views, ops.has_views),
    }
