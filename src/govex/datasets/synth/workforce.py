"""BPO vendors and the staffed hours and cost that the simulated workload implies.

Productive hours per queue, vendor and day are the handle times of the contacts and cases that
vendor handled there; paid hours add the occupancy and shrinkage allowances; the plan differs
from the actual by a forecast error. Costs follow each vendor's pricing model, so the staffing
table is consistent with contact volumes and handle times.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.contract.schema import CHANNELS, JOURNEYS
from govex.datasets.synth.config import HOURS_PER_FTE_MONTH, OCCUPANCY, SHRINKAGE, VENDORS
from govex.datasets.synth.moderation import POLICY_NAMES

QUEUES = tuple(f"{j}_{c}" for j in JOURNEYS for c in CHANNELS) + tuple(f"moderation_{p}" for p in POLICY_NAMES)
MODERATION_QUEUE_OFFSET = len(JOURNEYS) * len(CHANNELS)
PLAN_ERROR_SD = 0.10
ACTUAL_NOISE_SD = 0.03


@dataclass(frozen=True)
class StaffingSim:
    day: np.ndarray
    queue: np.ndarray
    vendor: np.ndarray
    planned_hours: np.ndarray
    actual_hours: np.ndarray
    productive_hours: np.ndarray
    planned_cost: np.ndarray
    actual_cost: np.ndarray


def simulate_staffing(
    rng: np.random.Generator,
    work_day: np.ndarray,
    work_queue: np.ndarray,
    work_vendor: np.ndarray,
    work_handle_s: np.ndarray,
    work_items: np.ndarray | None = None,
) -> StaffingSim:
    """Aggregate handled work (one row per contact or case) to staffing rows.

    `work_items` (default 1 per row) lets work that did not happen keep its row with weight 0 while the
    random draws are made, so every other staffing row stays the same as without it.
    """
    n_queue, n_vendor = len(QUEUES), len(VENDORS)
    key = (work_day.astype(np.int64) * n_queue + work_queue) * n_vendor + work_vendor
    keys, inverse = np.unique(key, return_inverse=True)
    productive = np.bincount(inverse, weights=work_handle_s) / 3600.0
    items = np.bincount(inverse, weights=work_items).astype(np.float64)
    vendor = keys % n_vendor
    queue = (keys // n_vendor) % n_queue
    day = keys // (n_vendor * n_queue)

    paid = productive / (OCCUPANCY * (1.0 - SHRINKAGE))
    # rounded up to the next hundredth of an hour, so actual hours never fall below productive ones
    planned = np.ceil(paid * rng.lognormal(0.0, PLAN_ERROR_SD, keys.size) * 100.0) / 100.0
    actual = np.ceil(paid * rng.lognormal(0.0, ACTUAL_NOISE_SD, keys.size) * 100.0) / 100.0
    rate = np.array([v.rate for v in VENDORS])[vendor]
    model = np.array([v.pricing_model for v in VENDORS])[vendor]
    per_hour = np.where(model == "per_fte_month", rate / HOURS_PER_FTE_MONTH, rate)
    by_items = model == "per_transaction"
    actual_cost = np.where(by_items, items * rate, actual * per_hour)
    planned_cost = np.where(by_items, items * rate * planned / np.maximum(actual, 1e-9), planned * per_hour)
    done = items > 0  # rows whose only work did not happen are dropped after the draws
    return StaffingSim(day[done], queue[done], vendor[done], planned[done], actual[done], np.round(productive, 3)[done],
                       np.round(planned_cost, 2)[done], np.round(actual_cost, 2)[done])


def vendor_columns(staffing: StaffingSim, horizon_days: int) -> dict[str, object]:
    """The vendors table; capacity and minimum commitment are sized from the simulated hours."""
    n_vendor = len(VENDORS)
    week = staffing.day // 7
    n_weeks = int(np.ceil(horizon_days / 7))
    weekly = np.zeros((n_vendor, n_weeks))
    np.add.at(weekly, (staffing.vendor, week), staffing.actual_hours)
    peak = weekly.max(axis=1)
    capacity = np.where(peak > 0, np.ceil(peak * 1.15 / 10.0) * 10.0, 40.0)
    commitment = np.round(0.5 * weekly.mean(axis=1), 1)
    return {
        "vendor_id": np.array([v.vendor_id for v in VENDORS], dtype=object),
        "vendor_name": np.array([v.vendor_name for v in VENDORS], dtype=object),
        "function": np.array([v.function for v in VENDORS], dtype=object),
        "site": np.array([v.site for v in VENDORS], dtype=object),
        "languages": np.array([",".join(v.languages) for v in VENDORS], dtype=object),
        "pricing_model": np.array([v.pricing_model for v in VENDORS], dtype=object),
        "rate": np.array([v.rate for v in VENDORS]),
        "currency": np.array([v.currency for v in VENDORS], dtype=object),
        "capacity_hours_week": capacity,
        "min_commit_hours_week": commitment,
        "ramp_up_weeks": np.array([v.ramp_up_weeks for v in VENDORS], dtype=float),
        "qa_target": np.array([v.qa_target for v in VENDORS]),
    }
