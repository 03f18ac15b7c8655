"""Back-office workload and backlog simulation against hand calculations and an independent
cohort-by-cohort FIFO loop written here."""
from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from govex.planning import PlanningInputError
from govex.planning.backoffice import rework_rate, simulate_backlog, staff_backoffice, workload_hours


def test_workload_and_rework_by_hand():
    # 100 cases x 360 s x (1 + 0.1) / 3600 = 11 h ; re-work (1 - 0.9) x 0.5 audited = 0.05
    assert workload_hours([100], 360, rework=0.1)[0] == pytest.approx(11.0)
    assert rework_rate(qa_accuracy=0.9, audit_share=0.5) == pytest.approx(0.05)


def test_backlog_drains_by_hand():
    # 40 cases at hour 0 of a 24-hour cycle, 10 cleared an hour: done 10, 20, 30, 40 by the end of
    # hours 0..3. Within 2.5 h (hours 0-2): 30 of 40 = 0.75; within 3.5 h: all.
    arrivals = np.zeros(24)
    arrivals[0] = 40
    capacity = np.full(24, 10.0)
    r = simulate_backlog(arrivals, capacity, target_hours=2.5)
    assert r.share_within_target == pytest.approx(0.75)
    assert r.backlog[:4].tolist() == pytest.approx([30, 20, 10, 0])
    assert simulate_backlog(arrivals, capacity, target_hours=3.5).share_within_target == pytest.approx(1.0)


def test_staffing_for_a_morning_peak_by_hand():
    # 40 cases at 00:00 every day, AHT 360 s at 100 % utilisation: 10 cases per agent-hour.
    # 90 % within 2.5 h needs 36 done in 3 hours: 1 agent does 30 (75 %), 2 agents do all.
    # FTE: 2 agents x 168 h = 336 productive h / (1 - 0.3) = 480 paid h / 40 = 12 FTE.
    arrivals = np.zeros(168)
    arrivals[::24] = 40
    plan = staff_backoffice(arrivals_per_hour=arrivals, handle_time_s=360, target_hours=2.5, target_share=0.9,
                            utilisation=1.0, shrinkage=0.3, staffing_step=1)
    assert plan.agents_per_open_hour == 2
    assert plan.fte == pytest.approx(12.0)
    assert plan.workload_hours_week == pytest.approx(7 * 40 * 360 / 3600)


def test_pooled_team_in_tenths_of_an_agent():
    # Same day as above, 85 % within 2.5 h: 34 of 40 in 3 hours -> 30 k >= 34 -> k >= 1.133 -> 1.2.
    arrivals = np.zeros(168)
    arrivals[::24] = 40
    plan = staff_backoffice(arrivals_per_hour=arrivals, handle_time_s=360, target_hours=2.5, target_share=0.85,
                            utilisation=1.0)
    assert plan.agents_per_open_hour == pytest.approx(1.2)
    assert plan.share_within_target == pytest.approx(36 / 40)


def _fifo_share(arrivals, capacity, target_hours, weeks=4):
    """Independent: cohorts in a deque, served oldest first, measured over the third week."""
    queue, in_time, total = deque(), 0.0, 0.0
    n = len(arrivals)
    for h in range(weeks * n):
        queue.append([h, arrivals[h % n]])
        left = capacity[h % n]
        while queue and left > 1e-12:
            cohort = queue[0]
            take = min(cohort[1], left)
            cohort[1] -= take
            left -= take
            if 2 * n <= cohort[0] < 3 * n:
                total_take = take
                if h + 0.5 - cohort[0] <= target_hours:
                    in_time += total_take
            if cohort[1] <= 1e-12:
                queue.popleft()
        if 2 * n <= h < 3 * n:
            total += arrivals[h % n]
    return in_time / total


def test_weekday_office_hours_match_independent_fifo():
    # 6 cases an hour around the clock, team on shift Monday-Friday 09:00-17:00 only; 90 % within 72 h.
    arrivals = np.full(168, 6.0)
    open_hours = np.zeros(168)
    for day in range(5):
        open_hours[day * 24 + 9: day * 24 + 17] = 1
    plan = staff_backoffice(arrivals_per_hour=arrivals, handle_time_s=600, target_hours=72, target_share=0.9,
                            open_hours=open_hours, utilisation=0.85, staffing_step=1)
    per_agent = 3600 * 0.85 / 600
    k = plan.agents_per_open_hour
    assert _fifo_share(arrivals, k * open_hours * per_agent, 72) >= 0.9
    assert _fifo_share(arrivals, (k - 1) * open_hours * per_agent, 72) < 0.9 or (k - 1) * 40 * per_agent < 1008
    assert plan.share_within_target == pytest.approx(_fifo_share(arrivals, k * open_hours * per_agent, 72))


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        ({"arrivals_per_hour": np.r_[np.ones(167), -1.0]}, "negative"),
        ({"handle_time_s": 0}, "handle_time_s"),
        ({"target_share": 1.2}, "target_share"),
        ({"open_hours": np.zeros(168)}, "open hour"),
    ],
)
def test_bad_input(kwargs, needle):
    args = dict(arrivals_per_hour=np.ones(168), handle_time_s=300, target_hours=24)
    args.update(kwargs)
    with pytest.raises(PlanningInputError, match=needle):
        staff_backoffice(**args)
