"""Draft playbook: candidate plays written from the analyses, with their evidence filled in.

Each candidate says which finding motivated it, with its numbers and the analysis that produced
them, so the people who edit the draft start from the evidence rather than a blank page. The
sources, one function each (`govex.reports.play_findings` holds the VOC, seller and service ones):

* friction cells (`govex.analysis.find_friction` on the report's segment x journey cells): the
  segment's repeat-contact rate in a journey against the best segment's; the expected effect
  is the gap, its interval the cell's 95% Wilson interval around it; the benefit is the cell's
  avoidable contacts at the period's cost per contact, per year;
* key drivers of CSAT (`govex.analysis.survey_key_drivers`): the drivers that belong to one
  journey; the expected effect runs from halving the driver to removing it (the analysis's
  expected gain);
* VOC themes, automation opportunities, high-risk sellers and service-standard misses (see
  `govex.reports.play_findings`).

The draft's actions name the direction, not the means ("reduce repeat contacts for ... in ..."),
and a play is costed only where a cost model applies (its `costing` says how); otherwise its cost
is 0 and people fill in how and how much, then `govex playbook check` validates the file. Every
play starts the Monday after the data's last order and is reviewed 8 weeks later, so the same
data give the same draft whatever the day it is drafted. A source whose tables are absent is
skipped and said so in `skipped`.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from govex.analysis import find_friction, survey_key_drivers
from govex.analysis.materiality import EvidenceRules, proportion_interval
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError, GovexError
from govex.metrics.compute import shipped_catalogue
from govex.planning.history import reporting_rates
from govex.reports.actions import owner_of
from govex.reports.benchmarks import ILLUSTRATIVE_BENCHMARKS
from govex.reports.build import _data_end, last_complete_period
from govex.reports.context import ReportContext
from govex.reports.friction import _cells
from govex.segments import ASSIGNMENTS_TABLE

if TYPE_CHECKING:
    from govex.planning import WarehousePlan
    from govex.voc import AutomationStudy

REVIEW_AFTER = dt.timedelta(weeks=8)
DRIVER_JOURNEYS = {"late_delivery": "fulfilment", "refund_rejected": "return", "item_problem": "return"}
TOP_CELLS = 3


NOT_COSTED = "not costed: say how, then what it costs"
PERIODS_PER_YEAR = {"quarter": 4, "month": 12}


@dataclass
class Draft:
    plays: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _digits(value: float) -> float:
    """Four significant digits: a dispute-rate change of -0.000123 keeps its size (four decimals would not)."""
    return float(f"{float(value):.4g}")


def candidate(*, segment: str, journey: str, problem: str, evidence: str, action: str, kpi: str, category: str,
              expected: tuple[float, float, float], start: dt.date, cost: float = 0.0, costing: str = NOT_COSTED,
              benefit: tuple[float, float, float] | None = None, markets: tuple[str, ...] = ()) -> dict:
    """One drafted play in playbook order: `expected` is (effect, low, high) of the KPI, `benefit` (value, low,
    high) in money per year."""
    effect, low, high = expected
    play = {"segment": segment, "journey": journey, **({"markets": list(markets)} if markets else {}),
            "problem": problem, "evidence": evidence, "action": action, "owner": owner_of(kpi, category), "kpi": kpi,
            "expected": {"effect": _digits(effect), "low": _digits(low), "high": _digits(high)},
            "cost": round(float(cost)), "costing": costing}
    if benefit is not None:
        play["benefit"] = dict(zip(("value", "low", "high"), (round(float(b)) for b in benefit)))
    return {**play, "start": start, "review": start + REVIEW_AFTER}


def _friction_plays(ctx: ReportContext, start: dt.date, draft: Draft) -> None:
    if not (ctx.warehouse.has("contacts") and ctx.warehouse.has(ASSIGNMENTS_TABLE)):
        draft.skipped.append(f"friction: needs contacts and {ASSIGNMENTS_TABLE} (run `govex segments assign` first)")
        return
    cells, _ = _cells(ctx)
    if cells.empty:
        draft.skipped.append(f"friction: no contacts by segment and journey in {ctx.period.label}")
        return
    ranked = find_friction(cells, min_volume=min(200.0, 0.5 * float(cells["orders"].max())),
                           min_contacts=min(ctx.rules.min_sample, float(cells["contacts"].max())))
    top = ranked[(ranked["contacts"] >= ctx.rules.min_sample) & (ranked["repeat_rate"] > ranked["best_repeat_rate"])]
    for r in top.head(TOP_CELLS).itertuples():
        low, high = proportion_interval(float(r.repeat_contacts), float(r.contacts))
        gap = float(r.best_repeat_rate - r.repeat_rate)
        half = (high - low) / 2
        journey, who = str(r.journey), f"{ctx.framework}={r.segment}"
        customers = f"{str(r.segment).replace('_', ' ')} ({ctx.framework}) customers"
        # worth: the repeat contacts avoided at the best segment's rate, at the period's cost per contact, a year of them
        yearly = float(r.repeat_avoidable * r.cost_per_contact) * PERIODS_PER_YEAR[ctx.period.grain]
        closer = min(gap + half, 0.0)
        draft.plays.append(candidate(
            segment=who, journey=journey,
            problem=f"{customers} repeat contacts in the {journey.replace('_', ' ')} journey more than the "
                    "best segment does",
            evidence=f"friction cell {who} x {journey}, {ctx.period.label}: {r.contacts:,.0f} "
                     f"contacts, repeat-contact rate {r.repeat_rate:.1%} against {r.best_repeat_rate:.1%} for the "
                     f"best segment; {r.contacts_avoidable + r.repeat_avoidable:,.0f} avoidable contacts, "
                     f"{r.cost_opportunity:,.0f} {ctx.currency} (govex.analysis.find_friction)",
            action=f"reduce repeat contacts for {customers} in {journey.replace('_', ' ')} (say how)",
            kpi="repeat_contact_rate", category="experience", expected=(gap, gap - half, closer),
            start=start, benefit=(yearly, yearly * closer / gap, yearly * (gap - half) / gap)))


def _driver_plays(ctx: ReportContext, start: dt.date, draft: Draft) -> None:
    try:
        result = survey_key_drivers(ctx.warehouse)
    except GovexError as exc:
        draft.skipped.append(f"key drivers: {exc}")
        return
    rows = result.table[result.table["segment"] == "all"].sort_values("importance", ascending=False)
    for r in rows.itertuples():
        journey = DRIVER_JOURNEYS.get(str(r.driver))
        if journey is None or not r.expected_gain > 0:
            if r.expected_gain > 0:
                draft.skipped.append(f"key driver {r.driver}: spans journeys; write its play by hand")
            continue
        gain = float(r.expected_gain)
        draft.plays.append(candidate(
            segment="all", journey=journey, problem=f"{str(r.driver).replace('_', ' ')} drags CSAT down",
            evidence=f"key driver of CSAT: {r.driver} explains {r.share_of_r2:.0%} of the explained variance over "
                     f"{r.n:,} answers (present in {r.mean:.1%}); removing it would lift CSAT by {gain:.3f} "
                     "(govex.analysis.survey_key_drivers, LMG)",
            action=f"reduce {str(r.driver).replace('_', ' ')} (say how)", kpi="csat", category="experience",
            expected=(0.75 * gain, 0.5 * gain, gain), start=start))


def draft_playbook(warehouse: Warehouse, *, framework: str = "value", period: str | None = None,
                   start: dt.date | None = None, plan: WarehousePlan | None = None,
                   study: AutomationStudy | None = None) -> Draft:
    """Candidate plays from every finding source, for the report's period (default: the last complete quarter).

    `plan` and `study` (the VOC automation study) are reused when a caller already has them.
    """
    from govex.reports import play_findings
    from govex.reports.period import parse_period

    catalogue = shipped_catalogue()
    data_end = _data_end(warehouse, catalogue)
    chosen = parse_period(period) if period else last_complete_period(data_end)
    currency = reporting_rates(warehouse)[1].replace("reporting", "")
    ctx = ReportContext(warehouse=warehouse, period=chosen, catalogue=catalogue, currency=currency, targets=(),
                        targets_source="", framework=framework, benchmarks_path=ILLUSTRATIVE_BENCHMARKS,
                        plan=plan, study=study, data_end=data_end, rules=EvidenceRules())
    start = start or data_end + dt.timedelta(days=7 - data_end.weekday())  # the Monday after the data
    draft = Draft()
    for source in (_friction_plays, _driver_plays, play_findings.theme_plays, play_findings.automation_plays,
                   play_findings.seller_plays, play_findings.standard_plays):
        source(ctx, start, draft)
    return draft


def write_draft(draft: Draft, path: str | Path) -> Path:
    """Write the draft as playbook YAML (refusing to overwrite an edited playbook), atomically."""
    import yaml

    path = Path(path)
    if path.exists():
        raise ConfigError(f"{path} exists; a draft never overwrites a playbook people may have edited: give a new name")
    header = "# Draft plays from govex playbook draft: edit the actions, costs and dates, then run govex playbook check.\n"
    header += "".join(f"# not drafted: {note}\n" for note in draft.skipped)
    class NoAliases(yaml.SafeDumper):  # the shared start date is written out in each play, not as &id001
        def ignore_aliases(self, data):
            return True

    text = header + yaml.dump({"plays": draft.plays}, Dumper=NoAliases, sort_keys=False, allow_unicode=True, width=110)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)
    return path
