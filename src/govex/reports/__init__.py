"""Executive report: one content model (sections, findings with sourced numbers, charts, tables)
rendered to self-contained HTML, PDF and PPTX; external benchmarks held against internal KPIs."""
from govex.reports.benchmarks import (
    ILLUSTRATIVE_BENCHMARKS,
    BenchmarkError,
    benchmark_position,
    load_benchmarks,
)
from govex.reports.build import build_report
from govex.reports.model import Figure, Finding, Number, Report, ReportTable, Section, Source
from govex.reports.period import ReportPeriod, parse_period, period_containing

__all__ = [
    "ILLUSTRATIVE_BENCHMARKS",
    "BenchmarkError",
    "Figure",
    "Finding",
    "Number",
    "Report",
    "ReportPeriod",
    "ReportTable",
    "Section",
    "Source",
    "Table",
    "benchmark_position",
    "build_report",
    "load_benchmarks",
    "parse_period",
    "period_containing",
]


def __getattr__(name: str):
    if name == "Table":  # renamed ReportTable; the old name goes in the next release (with a warning)
        from govex.reports import model

        return model.Table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
