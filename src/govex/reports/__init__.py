"""Executive report: one content model (sections, findings with sourced numbers, charts, tables)
rendered to self-contained HTML, PDF and PPTX; external benchmarks held against internal KPIs."""
from govex.reports.benchmarks import (
    ILLUSTRATIVE_BENCHMARKS,
    BenchmarkError,
    benchmark_position,
    load_benchmarks,
)
from govex.reports.build import build_report
from govex.reports.model import Figure, Finding, Number, Report, Section, Source, Table
from govex.reports.period import ReportPeriod, parse_period, period_containing

__all__ = [
    "ILLUSTRATIVE_BENCHMARKS",
    "BenchmarkError",
    "Figure",
    "Finding",
    "Number",
    "Report",
    "ReportPeriod",
    "Section",
    "Source",
    "Table",
    "benchmark_position",
    "build_report",
    "load_benchmarks",
    "parse_period",
    "period_containing",
]
