"""Workforce, cost and budget planning on aggregates (numpy/scipy; never ibis)."""
from govex.planning._inputs import PlanningInputError
from govex.planning.erlang import (
    QueueMetrics,
    StaffingResult,
    erlang_a,
    erlang_b,
    erlang_c,
    evaluate_staffing,
    staff_intervals,
    traffic_erlangs,
)

__all__ = [
    "PlanningInputError",
    "QueueMetrics",
    "StaffingResult",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "evaluate_staffing",
    "staff_intervals",
    "traffic_erlangs",
]
