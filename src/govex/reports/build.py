"""Build the executive report's content from the warehouse and the other govex modules.

Each section is built by one function; a section whose data or module fails with a govex error
(missing table, bad file, infeasible input) becomes a section that says so plainly, and the rest
of the report still builds. Recommendations are collected from the sections' actions, each one
carrying the numbers (and their sources) that motivated it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import GovexError
from govex.metrics import DEMO_TARGETS, Target, compute_metrics, load_targets
from govex.metrics.compute import shipped_catalogue
from govex.planning import WarehousePlan
from govex.planning.history import reporting_rates
from govex.reports import (drivers, friction, kpis, moderation, moved, plan, policy, position, recovery, segments, sellers,
                           standards)
from govex.reports.benchmarks import ILLUSTRATIVE_BENCHMARKS
from govex.reports.context import Built, ReportContext
from govex.reports.model import Finding, Report, Section
from govex.reports.period import ReportPeriod, parse_period, period_containing
from govex.reports.summary import summary_section

if TYPE_CHECKING:
    from govex.reports.playbook import Decisions
    from govex.voc import AutomationStudy

SECTION_BUILDERS: tuple[tuple[str, str, Callable[[ReportContext], Built]], ...] = (
    ("kpis", kpis.TITLE, kpis.kpi_section),
    ("segments", segments.TITLE, segments.segment_section),
    ("moved", moved.TITLE, moved.moved_section),
    ("drivers", drivers.TITLE, drivers.drivers_section),
    ("friction", friction.TITLE, friction.friction_section),
    ("policy", policy.TITLE, policy.policy_section),
    ("standards", standards.TITLE, standards.standards_section),
    ("sellers", sellers.TITLE, sellers.seller_section),
    ("moderation", moderation.TITLE, moderation.moderation_section),
    ("recovery", recovery.TITLE, recovery.recovery_section),
    ("plan", plan.TITLE, plan.plan_section),
    ("benchmarks", position.TITLE, position.benchmark_section),
)
RECOMMENDATIONS_TITLE = "Recommendations"
MAX_RECOMMENDATIONS = 6
COMPLETE_WITHIN_DAYS = 7


def _data_end(warehouse: Warehouse, catalogue) -> dt.date:
    daily = compute_metrics(warehouse, metrics=["orders"], period="day", catalogue=catalogue)
    if daily.empty:
        raise GovexError("the orders table has no rows; the report needs at least one order to set its period")
    return pd.Timestamp(daily["period_start"].max()).date()


def last_complete_period(data_end: dt.date) -> ReportPeriod:
    """The quarter of the last order when the data reach (nearly) its end, else the quarter before:
    a quarter's first weeks compared with a whole quarter would read as a collapse."""
    current = period_containing(data_end)
    return current if data_end >= current.end - dt.timedelta(days=COMPLETE_WITHIN_DAYS) else current.previous()


def _first_clause(exc: Exception, limit: int = 240) -> str:
    """The error's opening words: an executive reads why, the log keeps the detail."""
    text = str(exc)
    cut = text.find(" (")
    text = text[:cut] if 0 < cut < limit else text
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _safe(key: str, title: str, builder: Callable[[ReportContext], Built], ctx: ReportContext) -> Built:
    """Run one section builder; a govex error becomes a section that says what is absent and why."""
    try:
        return builder(ctx)
    except GovexError as exc:
        return Built(Section(key, title, f"{title}: data absent.", absent=f"This section could not be built: {_first_clause(exc)}"))


def _recommendations(built: Sequence[Built]) -> Section:
    # round robin over the sections, so one section's many actions do not crowd out the others
    queues = [list(b.actions) for b in built]
    actions = [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)][:MAX_RECOMMENDATIONS]
    if not actions:
        actions = [Finding("No KPI is off track and no sized opportunity or root cause stands out; keep the current plan "
                           "and review again next period.")]
    return Section("recommendations", RECOMMENDATIONS_TITLE,
                   f"{len(actions)} action{'s' if len(actions) > 1 else ''}, each tied to the numbers that motivate it",
                   tuple(actions))


def build_report(
    warehouse: Warehouse,
    *,
    period: str | None = None,
    targets: str | Path | Sequence[Target] | None = None,
    benchmarks: str | Path | None = None,
    scenario: str | Path | None = None,
    plan: WarehousePlan | None = None,
    study: AutomationStudy | None = None,
    framework: str = "value",
    currency: str | None = None,
    title: str = "Governance & experience report",
    decisions: Decisions | None = None,
) -> Report:
    """The report for `period` ('2025-Q4' or '2025-10'; default: the quarter of the last order).

    Parameters
    ----------
    targets : targets file or loaded targets (default: the shipped demo targets).
    benchmarks : benchmarks CSV/YAML (default: the shipped ILLUSTRATIVE example).
    scenario : scenario YAML for the plan section (default: the VOC automation study's scenario, which
        trains a classifier; give the file when you already wrote one, e.g. with `govex.voc.write_scenario`).
    plan : next week's plan if already built (`govex.planning.plan_from_warehouse`); built here otherwise.
    study : the VOC automation study if already run (`govex.voc.automation_study`); used when no scenario
        file is given, instead of running the study again.
    framework : segment framework for segment health and friction.
    currency : money label (default: the warehouse's reporting currency from fx_rates).
    decisions : the playbook's statuses and the portfolio (`govex.reports.playbook.measure_decisions`), shown in
        their own section when given.
    """
    catalogue = shipped_catalogue()
    data_end = _data_end(warehouse, catalogue)
    chosen: ReportPeriod = parse_period(period) if period else last_complete_period(data_end)
    if isinstance(targets, (str, Path)) or targets is None:
        targets_path = Path(targets) if targets is not None else DEMO_TARGETS
        loaded = tuple(load_targets(targets_path, catalogue=catalogue))
        targets_source = targets_path.name
    else:
        loaded, targets_source = tuple(targets), "targets given in code"
    ctx = ReportContext(
        warehouse=warehouse, period=chosen, catalogue=catalogue,
        currency=currency if currency is not None else reporting_rates(warehouse)[1].replace("reporting", ""),
        targets=loaded, targets_source=targets_source, framework=framework,
        benchmarks_path=Path(benchmarks) if benchmarks is not None else ILLUSTRATIVE_BENCHMARKS,
        scenario_path=Path(scenario) if scenario is not None else None, plan=plan, study=study, data_end=data_end,
    )
    built = [_safe(key, section_title, builder, ctx) for key, section_title, builder in SECTION_BUILDERS]
    if decisions is not None:  # the playbook's costs on the cards its plays cover
        from govex.reports.actions import cost_from_playbook

        plays = [s.play for s in decisions.statuses]
        built = [replace(b, issues=tuple(cost_from_playbook(i, plays, decisions.playbook, ctx.currency) for i in b.issues))
                 for b in built]
    sections = (summary_section(built, chosen.label), *(b.section for b in built), _recommendations(built))
    if decisions is not None:
        from govex.reports.playbook import decisions_section

        sections = (*sections[:-1], decisions_section(decisions), sections[-1])
    notes = (f"Data up to {data_end}.", "Every number names its source: a metric definition, a target, a spec or "
             "an analysis; the numbered sources are listed in the appendix.")
    return Report(title=title, period_label=f"{chosen.label} ({chosen.start} to {chosen.end})",
                  generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0), sections=sections, notes=notes)
