"""Executive report: one content model (sections, findings with sourced numbers, charts, tables)
rendered to self-contained HTML, PDF and PPTX; external benchmarks held against internal KPIs."""
from govex._renamed import renamed_names
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


__getattr__ = renamed_names(__name__, {"Table": "ReportTable"}, globals())  # the old name, for one release
