"""Streamlit dashboard over precomputed tables: KPIs vs targets, segments, metric explorer, what
moved, planning scenarios and benchmarks."""
from govex.dashboard.launch import DEFAULT_ADDRESS, DEFAULT_PORT, dashboard_command, run_dashboard
from govex.dashboard.precompute import TABLES, PrecomputeResult, precompute_dashboard

__all__ = ["DEFAULT_ADDRESS", "DEFAULT_PORT", "TABLES", "PrecomputeResult", "dashboard_command", "precompute_dashboard",
           "run_dashboard"]
