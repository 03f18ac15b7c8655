"""Back-office workload staffing (moderation, e-mail/ticket queues): work that can wait in a backlog.

Workload hours = cases x handle time x (1 + re-work) / 3600. A service-time target ("90 % of
cases decided within 24 hours") is checked with a first-in-first-out backlog simulation over the
hours of a week: cases arriving in an hour join the backlog, the agents on shift clear
`agents x 3600 x utilisation / handle time` cases an hour, oldest first. The week is repeated
until the Monday backlog carried over from Sunday settles, so weekend build-ups count.
`staff_backoffice` returns the smallest number of agents per open hour meeting the target.

QA re-work: audited cases found wrong are handled again, so each case costs
(1 + (1 - qa_accuracy) x audit_share) handle times on average.

References
----------
.. [1] D. V. Lindley, "The theory of queues with a single server", Proc. Cambridge
   Philosophical Society 48(2), 1952 (backlog recursion B(h) = max(B(h-1) + a(h) - c(h), 0),
   solved here in closed form with a running minimum).
.. [2] G. Koole, "Call Center Optimization", MG books, 2013, ch. 6 (back-office and e-mail:
   deadlines met by workload planning over the day and week instead of Erlang queues).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.errors import InfeasiblePlan
from govex.planning._inputs import PlanningInputError, as_array, check_range

__all__ = ["BacklogResult", "BackofficePlan", "rework_rate", "simulate_backlog", "staff_backoffice",
           "workload_hours"]

HOURS_PER_WEEK = 168
# Weeks simulated back to back; the last one is measured (the carried-over backlog has settled).
_WARM_WEEKS = 3


def rework_rate(*, qa_accuracy: float, audit_share: float = 1.0) -> float:
    """Share of cases handled twice: audited cases found wrong are re-worked."""
    for name, value in (("qa_accuracy", qa_accuracy), ("audit_share", audit_share)):
        if not 0 <= value <= 1:
            raise PlanningInputError(f"{name}: expected 0 to 1, got {value!r}")
    return (1.0 - qa_accuracy) * audit_share


def workload_hours(cases, handle_time_s, *, rework: float = 0.0) -> np.ndarray:
    """Agent hours of work: cases x handle time x (1 + re-work share) / 3600."""
    cases = as_array("cases", cases)
    check_range("cases", cases, low=0, fix="volumes cannot be negative")
    aht = as_array("handle_time_s", handle_time_s, size=cases.size)
    check_range("handle_time_s", aht, low=0, low_open=True)
    if rework < 0:
        raise PlanningInputError(f"rework: expected >= 0, got {rework!r}")
    return cases * aht * (1.0 + rework) / 3600.0


@dataclass(frozen=True)
class BacklogResult:
    """Hour-by-hour backlog of the measured week, and the share of cases done within target."""

    backlog: np.ndarray
    completed: np.ndarray
    share_within_target: float
    stable: bool


def simulate_backlog(arrivals, capacity, *, target_hours: float) -> BacklogResult:
    """FIFO backlog over repeated weeks of hourly `arrivals` and `capacity` (cases per hour) [1]_.

    Cases arrive mid-hour and a case cleared in hour j is done at the end of that hour, so a case
    of hour h served in hour j took j - h + 0.5 hours. The last simulated week is measured;
    `stable` is False when the backlog still grows from week to week (capacity < arrivals).
    """
    a = as_array("arrivals", arrivals)
    c = as_array("capacity", capacity, size=a.size)
    check_range("arrivals", a, low=0, fix="volumes cannot be negative")
    check_range("capacity", c, low=0)
    period = a.size
    if not 0.5 <= target_hours <= period:
        raise PlanningInputError(
            f"target_hours: expected 0.5 (cases arrive mid-hour) to {period} (the simulated cycle), got {target_hours!r}"
        )
    # one extra week after the measured one, so every measured case's deadline is simulated
    arr = np.tile(a, _WARM_WEEKS + 1)
    cap = np.tile(c, _WARM_WEEKS + 1)
    drift = np.cumsum(arr - cap)
    backlog = drift - np.minimum(0.0, np.minimum.accumulate(drift))
    cum_arrivals = np.cumsum(arr)
    cum_done = cum_arrivals - backlog
    last = slice((_WARM_WEEKS - 1) * period, _WARM_WEEKS * period)
    stable = bool(backlog[last.stop - 1] <= backlog[last.start - 1] + 1e-9 * max(1.0, cum_arrivals[-1]))
    lag = int(np.floor(target_hours - 0.5))
    hours = np.arange(last.start, last.stop)
    # cases of hour h are the cumulative range (A(h-1), A(h)]; done by hour h + lag if D(h + lag) >= x
    before = cum_arrivals[hours] - arr[hours]
    in_time = np.clip(cum_done[hours + lag] - before, 0.0, arr[hours])
    total = arr[hours].sum()
    share = float(in_time.sum() / total) if total > 0 else 1.0
    return BacklogResult(backlog[last], np.diff(cum_done, prepend=0.0)[last], share, stable)


@dataclass(frozen=True)
class BackofficePlan:
    """Agents per open hour that meet the service-time target, and what they cost in FTE."""

    agents_per_open_hour: float
    productive_hours_week: float
    workload_hours_week: float
    fte: float
    share_within_target: float
    utilisation: float
    backlog: BacklogResult


def staff_backoffice(
    *,
    arrivals_per_hour,
    handle_time_s: float,
    target_hours: float,
    target_share: float = 0.9,
    open_hours=None,
    rework: float = 0.0,
    utilisation: float = 0.85,
    shrinkage: float = 0.3,
    paid_hours_per_fte_week: float = 40.0,
    staffing_step: float = 0.1,
) -> BackofficePlan:
    """Smallest constant team per open hour meeting `target_share` within `target_hours` [2]_.

    `arrivals_per_hour`: 168 hourly case counts (Monday 00:00 first) or any whole-week pattern;
    `open_hours`: a 0/1 array of the same length (default: all hours open). The team size is a
    multiple of `staffing_step` agents (0.1 by default: back-office work is pooled, so a small
    queue takes a fraction of an agent's hours; use 1 for whole dedicated agents).
    """
    arrivals = as_array("arrivals_per_hour", arrivals_per_hour)
    check_range("arrivals_per_hour", arrivals, low=0, fix="volumes cannot be negative")
    open_mask = np.ones(arrivals.size) if open_hours is None else as_array("open_hours", open_hours, size=arrivals.size)
    if not np.isin(open_mask, (0.0, 1.0)).all() or open_mask.sum() == 0:
        raise PlanningInputError("open_hours: expected 0/1 flags with at least one open hour")
    if not 0 < target_share < 1:
        raise PlanningInputError(f"target_share: expected between 0 and 1 (exclusive), got {target_share!r}")
    if not 0 < utilisation <= 1:
        raise PlanningInputError(f"utilisation: expected in (0, 1], got {utilisation!r}")
    if not 0 <= shrinkage < 1:
        raise PlanningInputError(f"shrinkage: expected in [0, 1), got {shrinkage!r}")
    if not staffing_step > 0:
        raise PlanningInputError(f"staffing_step: expected > 0 agents, got {staffing_step!r}")
    work = workload_hours(arrivals, handle_time_s, rework=rework)
    cases_per_agent_hour = 3600.0 * utilisation / (handle_time_s * (1.0 + rework))

    def run(steps: int) -> BacklogResult:
        agents = steps * staffing_step
        return simulate_backlog(arrivals, agents * open_mask * cases_per_agent_hour, target_hours=target_hours)

    def meets(steps: int) -> bool:
        result = run(steps)
        return result.stable and result.share_within_target >= target_share

    if arrivals.sum() == 0:
        steps = 0
    else:
        low = max(int(np.ceil(work.sum() / utilisation / open_mask.sum() / staffing_step)) - 1, 0)
        high = max(low + 1, 1)
        while not meets(high):
            high *= 2
            if high > 1e7:
                raise InfeasiblePlan(f"no team size up to {high * staffing_step:,g} agents meets {target_share:.0%} within {target_hours:g} h; "
                                     "open more hours or relax the target")
        while high - low > 1:
            mid = (low + high) // 2
            if meets(mid):
                high = mid
            else:
                low = mid
        steps = high
    result = run(steps)
    agents = steps * staffing_step
    productive = float(agents * open_mask.sum())
    paid = productive / (1.0 - shrinkage)
    weeks = arrivals.size / HOURS_PER_WEEK
    return BackofficePlan(
        agents_per_open_hour=agents,
        productive_hours_week=productive / weeks,
        workload_hours_week=float(work.sum()) / weeks,
        fte=paid / weeks / paid_hours_per_fte_week,
        share_within_target=result.share_within_target,
        utilisation=float(work.sum() / productive) if productive else 0.0,
        backlog=result,
    )
