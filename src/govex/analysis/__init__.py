"""Analysis on small aggregated cubes (numpy/pandas/scipy only): what moved, where, and why."""
from govex.analysis.anomalies import alerts, detect_anomalies, expected_cube, expected_value, seasonal_baseline
from govex.analysis.decomposition import MixRateDecomposition, decompose_mix_rate, shapley_change
from govex.analysis.drivers import DriverAnalysis, key_drivers, lmg_importance, relative_weights, survey_key_drivers
from govex.analysis.experiments import ExperimentRead, adjust_pvalues, cuped_adjust, read_experiment, sample_ratio_test
from govex.analysis.findings import (
    MetricChange,
    change_cube,
    explain_change,
    explain_metric,
    scan_series,
    what_moved,
)
from govex.analysis.friction import find_friction
from govex.analysis.rca import Localization, RootCause, localize_root_causes

__all__ = [
    "DriverAnalysis",
    "ExperimentRead",
    "Localization",
    "MetricChange",
    "MixRateDecomposition",
    "RootCause",
    "adjust_pvalues",
    "alerts",
    "change_cube",
    "cuped_adjust",
    "decompose_mix_rate",
    "detect_anomalies",
    "expected_cube",
    "expected_value",
    "explain_change",
    "explain_metric",
    "find_friction",
    "key_drivers",
    "lmg_importance",
    "localize_root_causes",
    "read_experiment",
    "relative_weights",
    "sample_ratio_test",
    "scan_series",
    "seasonal_baseline",
    "shapley_change",
    "survey_key_drivers",
    "what_moved",
]
