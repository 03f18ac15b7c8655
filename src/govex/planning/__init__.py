"""Workforce, cost and budget planning on aggregates.

Kernels take arrays and return arrays (Erlang, backlog, billing, optimisation); thin
orchestrators (`build_plan`, `plan_from_warehouse`, `run_scenario`) hold the frames; only
`history` reads the warehouse (Ibis).

Public names are resolved on first use (PEP 562 module `__getattr__`), so `import govex.planning`
and the Erlang calculator do not pay for pandas, scipy or the warehouse modules.
"""
from __future__ import annotations

from govex._lazy import lazy_names

# public name -> submodule that defines it
_HOME = {
    "PlanningInputError": "_inputs",
    "Calibration": "calibration",
    "fit_calibration": "calibration",
    "read_actuals": "calibration",
    "CapacityPlan": "capacity",
    "build_capacity_plan": "capacity",
    "load_capacity_config": "capacity",
    "CascadeResult": "cascade",
    "solve_cascade": "cascade",
    "propose_targets": "targets",
    "split_cost_variance": "variance",
    "CostReport": "actuals",
    "plan_vs_actual": "actuals",
    "BudgetCell": "allocation",
    "BudgetPlan": "allocation",
    "QueueWorkload": "allocation",
    "RoutingPlan": "allocation",
    "route_volume": "allocation",
    "split_budget": "allocation",
    "BacklogResult": "backoffice",
    "BackofficePlan": "backoffice",
    "rework_rate": "backoffice",
    "simulate_backlog": "backoffice",
    "staff_backoffice": "backoffice",
    "workload_hours": "backoffice",
    "QueueMetrics": "erlang",
    "StaffingResult": "erlang",
    "erlang_a": "erlang",
    "erlang_b": "erlang",
    "erlang_c": "erlang",
    "evaluate_staffing": "erlang",
    "staff_intervals": "erlang",
    "traffic_erlangs": "erlang",
    "QueueForecast": "forecast",
    "SeriesForecast": "forecast",
    "driver_forecast": "forecast",
    "forecast_daily": "forecast",
    "forecast_intraday": "forecast",
    "forecast_queues": "forecast",
    "mase": "forecast",
    "wape": "forecast",
    "WarehousePlan": "history",
    "plan_from_warehouse": "history",
    "PlanInputs": "plan",
    "PlanSettings": "plan",
    "QueueTarget": "plan",
    "StaffingPlan": "plan",
    "build_plan": "plan",
    "Scenario": "scenarios",
    "ScenarioResult": "scenarios",
    "load_scenario": "scenarios",
    "run_scenario": "scenarios",
    "CostDrivers": "vendors",
    "PriceTier": "vendors",
    "VendorTerms": "vendors",
    "cost_per_unit": "vendors",
    "cost_variance": "vendors",
    "ramp_up_capacity_hours": "vendors",
    "weekly_cost": "vendors",
}

__all__ = sorted(_HOME)
__getattr__, __dir__ = lazy_names(__name__, _HOME, globals())
