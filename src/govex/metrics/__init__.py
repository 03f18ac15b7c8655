"""Metric layer: declarative metric catalogue, pushed-down computation, targets, health, attribution."""
from govex.metrics.catalogue import CatalogueError, load_catalogue
from govex.metrics.compute import compute_metrics, explain_metrics
from govex.metrics.model import Catalogue, Measure, Metric

__all__ = ["Catalogue", "CatalogueError", "Measure", "Metric", "compute_metrics", "explain_metrics", "load_catalogue"]
