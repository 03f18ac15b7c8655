"""The ReportContext the section tests build a section from: one place for its defaults."""
from __future__ import annotations

from govex.metrics.compute import shipped_catalogue
from govex.reports.context import ReportContext
from govex.reports.period import parse_period


def report_context(warehouse, period: str = "2025-Q4", **fields) -> ReportContext:
    """A context over `warehouse` for `period`: the shipped catalogue, USD, no targets, the value framework and
    no benchmarks file unless `fields` say otherwise (any ReportContext field)."""
    defaults = dict(catalogue=shipped_catalogue(), currency="USD", targets=(), targets_source="", framework="value",
                    benchmarks_path=None)
    return ReportContext(warehouse=warehouse, period=parse_period(period), **{**defaults, **fields})
