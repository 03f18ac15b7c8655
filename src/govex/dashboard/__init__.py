"""Streamlit dashboard: KPIs vs targets, segments, metric explorer and what moved for the filtered
slice (live from the metric layer), planning scenarios and benchmarks (precomputed tables)."""
from govex.dashboard.launch import DEFAULT_ADDRESS, DEFAULT_PORT, dashboard_command, run_dashboard
from govex.dashboard.precompute import TABLES, PrecomputeResult, precompute_dashboard

__all__ = ["DEFAULT_ADDRESS", "DEFAULT_PORT", "TABLES", "PrecomputeResult", "dashboard_command", "precompute_dashboard",
           "run_dashboard"]
