"""Metric layer: declarative metric catalogue, pushed-down computation, targets, health, attribution."""
from govex.metrics.attribution import attribute_change, attribute_tree
from govex.metrics.catalogue import CatalogueError, load_catalogue
from govex.metrics.cause_cube import MetricCube, metric_cube
from govex.metrics.compute import compute_metrics, explain_metrics
from govex.metrics.cube import CUBE_TABLE, write_metric_cube
from govex.metrics.currency import DEFAULT_REPORTING_CURRENCY, CurrencyError
from govex.metrics.health import HealthConfig, HealthReport, load_health_config, segment_health
from govex.metrics.model import Catalogue, Measure, Metric
from govex.metrics.targets import DEMO_TARGETS, Target, kpi_summary, load_targets, target_status

__all__ = [
    "CUBE_TABLE", "DEFAULT_REPORTING_CURRENCY", "DEMO_TARGETS", "Catalogue", "CatalogueError", "CurrencyError", "HealthConfig", "HealthReport", "Measure",
    "Metric", "MetricCube", "Target", "attribute_change", "attribute_tree", "compute_metrics", "kpi_summary", "explain_metrics",
    "load_catalogue", "metric_cube", "load_health_config", "load_targets", "segment_health", "target_status",
    "write_metric_cube",
]
