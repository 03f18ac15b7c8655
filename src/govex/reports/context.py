"""What every section builder shares: the warehouse, the period, the catalogue and number sources."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from govex.analysis.materiality import EvidenceRules
from govex.engine.warehouse import Warehouse
from govex.metrics import Catalogue, Target
from govex.planning import WarehousePlan
from govex.reports.formatting import counted
from govex.reports.model import Finding, Number, ReportIssue, Section, Source
from govex.reports.period import ReportPeriod

if TYPE_CHECKING:
    from govex.voc import AutomationStudy


@dataclass(frozen=True)
class ReportContext:
    """Inputs of one report build; `metric_number` ties each value to its catalogue definition."""

    warehouse: Warehouse
    period: ReportPeriod
    catalogue: Catalogue
    currency: str
    targets: tuple[Target, ...]
    targets_source: str
    framework: str
    benchmarks_path: Path
    scenario_path: Path | None = None
    plan: WarehousePlan | None = None
    study: AutomationStudy | None = None
    data_end: object = None
    rules: EvidenceRules = EvidenceRules()

    def metric_source(self, name: str) -> Source:
        origin = self.catalogue.origins[name]
        return Source("metric", name, f"{origin.file}:{origin.line}")

    def computable(self, name: str) -> bool:
        """True when every table the metric reads is in the warehouse (a partial warehouse lacks some)."""
        return name in self.catalogue and all(self.warehouse.has(t) for t in metric_tables(self.catalogue, name))

    def label(self, name: str) -> str:
        return self.catalogue[name].label

    def metric_number(self, name: str, value: float, *, signed: bool = False) -> Number:
        return Number(float(value), self.catalogue[name].unit, self.metric_source(name), currency=self.currency, signed=signed)


def metric_tables(catalogue: Catalogue, name: str) -> set[str]:
    """The tables a metric reads: its measures' tables, tables named in their conditions, a tree's children's."""
    metric = catalogue[name]
    if metric.kind == "tree":
        children = [m.name for m in catalogue.metrics.values() if m.parent == name]
        return set().union(*(metric_tables(catalogue, c) for c in children)) if children else set()
    tables = set()
    for measure in catalogue.measures(name).values():
        tables.add(measure.table)
        for condition in measure.conditions:
            tables.update(re.findall(r"\b([a-z_]+)\.[a-z_]+\b", condition))
    return tables


@dataclass(frozen=True)
class Built:
    """A section and the actions it suggests for the recommendations section."""

    section: Section
    actions: tuple[Finding, ...] = field(default=())
    issues: tuple[ReportIssue, ...] = field(default=())


def period_figures(ctx: ReportContext, names: list[str]) -> Finding | None:
    """'In 2025-Q4: a 3.3%; b 2.97 hours.' for the metrics whose period value rests on enough data
    (materiality rules); None when none does. A unit the label already states is not printed again."""
    from govex.analysis.materiality import judge
    from govex.metrics import compute_metrics

    cube = compute_metrics(ctx.warehouse, metrics=names, period="all", start=ctx.period.start, end=ctx.period.end,
                           catalogue=ctx.catalogue).set_index("metric")
    shown = [m for m in names if m in cube.index and cube.loc[m, "value"] == cube.loc[m, "value"]
             and judge(sample=float(cube.loc[m, "n"]), rules=ctx.rules).stated]
    if not shown:
        return None
    numbers = {}
    for m in shown:
        number = ctx.metric_number(m, cube.loc[m, "value"])
        numbers[m] = replace(number, unit="") if number.unit.lower() in ctx.label(m).lower() else number
    text = "In {period}: " + "; ".join(f"{ctx.label(m).lower()} {{{m}}}" for m in shown) + "."
    return Finding(text, numbers, {"period": ctx.period.label})


def count(value: float, source: Source, noun: str = "count") -> Number:
    """A whole count; with a plural `noun` ('sellers') it reads '1 seller', '12 sellers'."""
    return Number(float(value), noun, source)


def too_few(ctx: ReportContext, sample: float, noun: str) -> str:
    """'1 order, fewer than the 30 needed': why a figure is not stated, its sample counted in its own noun."""
    return f"{counted(sample, noun)}, fewer than the {ctx.rules.min_sample} needed"
