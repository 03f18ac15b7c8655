"""Workforce, cost and budget planning on aggregates (numpy/scipy; never imports ibis).

Kernels take arrays and return arrays (Erlang, backlog, billing, optimisation); thin
orchestrators (`build_plan`, `plan_from_warehouse`, `run_scenario`) hold the frames.
"""
from govex.planning._inputs import PlanningInputError
from govex.planning.actuals import CostReport, plan_vs_actual
from govex.planning.allocation import (
    BudgetCell,
    BudgetPlan,
    QueueWorkload,
    RoutingPlan,
    route_volume,
    split_budget,
)
from govex.planning.backoffice import (
    BacklogResult,
    BackofficePlan,
    rework_rate,
    simulate_backlog,
    staff_backoffice,
    workload_hours,
)
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
from govex.planning.forecast import (
    QueueForecast,
    SeriesForecast,
    driver_forecast,
    forecast_daily,
    forecast_intraday,
    forecast_queues,
    mase,
    wape,
)
from govex.planning.history import WarehousePlan, plan_from_warehouse
from govex.planning.plan import PlanInputs, PlanSettings, QueueTarget, StaffingPlan, build_plan
from govex.planning.scenarios import Scenario, ScenarioResult, load_scenario, run_scenario
from govex.planning.vendors import (
    CostDrivers,
    PriceTier,
    VendorTerms,
    cost_per_unit,
    cost_variance,
    ramp_up_capacity_hours,
    weekly_cost,
)

__all__ = [
    "BacklogResult",
    "BackofficePlan",
    "BudgetCell",
    "BudgetPlan",
    "CostDrivers",
    "CostReport",
    "PlanInputs",
    "PlanSettings",
    "PlanningInputError",
    "PriceTier",
    "QueueForecast",
    "QueueMetrics",
    "QueueTarget",
    "QueueWorkload",
    "RoutingPlan",
    "Scenario",
    "ScenarioResult",
    "SeriesForecast",
    "StaffingPlan",
    "StaffingResult",
    "VendorTerms",
    "WarehousePlan",
    "build_plan",
    "cost_per_unit",
    "cost_variance",
    "driver_forecast",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "evaluate_staffing",
    "forecast_daily",
    "forecast_intraday",
    "forecast_queues",
    "load_scenario",
    "mase",
    "plan_from_warehouse",
    "plan_vs_actual",
    "ramp_up_capacity_hours",
    "rework_rate",
    "route_volume",
    "run_scenario",
    "simulate_backlog",
    "split_budget",
    "staff_backoffice",
    "staff_intervals",
    "traffic_erlangs",
    "wape",
    "weekly_cost",
    "workload_hours",
]
