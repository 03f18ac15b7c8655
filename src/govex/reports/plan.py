"""Capacity, cost and budget: next week's staffing plan and the main scenario side by side.

The scenario is the YAML file given to the report, or else the automation scenario that the VOC
automation-ROI study derives from the contacts' text (the reasons automation can handle at the
target precision with a positive net saving). On a small warehouse no reason may pay for its
automation; then no scenario is shown and the section says why. A caller that already built the
plan (`plan_from_warehouse`) passes it, so neither the plan nor the study is built twice.
Weekly figures are annualised at 52 weeks.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import GovexError
from govex.planning import Scenario, WarehousePlan, load_scenario, plan_from_warehouse, run_scenario
from govex.reports import charts
from govex.reports.context import Built, ReportContext
from govex.reports.friction import period_cost_per_contact
from govex.reports.formatting import format_plain, readable
from govex.reports.model import Finding, Number, ReportTable, Section, Source

if TYPE_CHECKING:  # the study trains a classifier; govex.voc loads only when it is needed
    from govex.voc import AutomationStudy

TITLE = "Capacity, cost and budget plan"
WEEKS_PER_YEAR = 52
AUTOMATION_REASONS = 3


def choose_scenario(
    warehouse: Warehouse,
    scenario_path: Path | None = None,
    *,
    plan: WarehousePlan | None = None,
    study: AutomationStudy | None = None,
) -> tuple[Scenario | None, str]:
    """The scenario to show and where it came from (or None and why not).

    Without a scenario file the automation scenario comes from `study` when given, else the VOC
    automation study runs once, costed against `plan` (built there when not given).
    """
    if scenario_path is not None:
        return load_scenario(scenario_path), f"scenario file {scenario_path.name}"
    from govex.voc import VocInputError, automation_study, scenario_document

    try:
        study = study or automation_study(warehouse, plan=plan, max_texts=5_000)
        document = scenario_document(study.opportunities, name="automation-top-reasons", top_n=AUTOMATION_REASONS,
                                     description="Automate the contact reasons with the largest net saving")
    except VocInputError:
        return None, ("no contact reason pays for its automation at this scale, so the VOC automation study "
                      "proposes no scenario; give a scenario file to compare one")
    except GovexError as exc:
        return None, f"the VOC automation study could not run ({exc}); give a scenario file to compare one"
    return Scenario.model_validate(document), "VOC automation study (govex.voc.automation_study)"


def describe_changes(scenario: Scenario) -> str:
    """The scenario's changes in words, e.g. 'automate 50% of how_to_buy contacts; 300% more contacts'."""
    parts = []
    for change in scenario.changes:
        if change.kind == "deflect":
            parts.append(f"automate {100 * change.share:.0f}% of {readable(change.reason)} contacts")
        elif change.kind == "volume_growth":
            parts.append(f"{100 * change.share:+.0f}% contacts")
        elif hasattr(change, "share"):
            parts.append(f"{readable(change.kind)} {100 * change.share:+.0f}%")
        else:
            parts.append(readable(change.kind))
    return "; ".join(parts)


def _csat_risk(scenario: Scenario, source: Source) -> Finding | None:
    """One sentence on the CSAT change the scenario assumes, or None when it assumes none."""
    risky = [c for c in scenario.changes if c.kind == "deflect" and c.csat_delta is not None
             and round(c.csat_delta, 2) != 0]
    if not risky:
        return None
    worst = min(risky, key=lambda c: c.csat_delta)
    return Finding("The scenario assumes CSAT changes by up to {delta} on automated {reason} contacts.",
                   {"delta": Number(worst.csat_delta, "points (1-5)", source, signed=True)},
                   {"reason": readable(worst.reason)})


def _cost_per_contact(ctx: ReportContext, plan, source: Source) -> Finding | None:
    """The plan's cost per contact beside the period's actual one, so the two are never confused."""
    contacts = float(plan.queues["contacts_week"].sum())
    if contacts <= 0 or "cost_per_contact" not in ctx.catalogue:
        return None
    actual = period_cost_per_contact(ctx)
    planned = Number(plan.total_cost_week / contacts, "money per contact", source, currency=plan.settings.currency)
    if actual <= 0:
        return Finding("The plan costs {planned} on average.", {"planned": planned})
    return Finding("The plan costs {planned} on average, against an actual {actual} in {period}: small queues are "
                   "staffed at their minimum whatever their volume, so an avoided contact saves the actual cost at "
                   "most, which is the price the friction section uses.",
                   {"planned": planned, "actual": ctx.metric_number("cost_per_contact", actual)},
                   {"period": ctx.period.label})


def _lines_table(plan, source: Source) -> ReportTable:
    """The four service lines the strategy team plans (a line with no work in the week says so)."""
    rows = tuple((readable(r.line).capitalize(), f"{r.contacts_week:,.0f}", format_plain(r.fte, digits=1),
                  f"{r.cost_week:,.0f}") if r.contacts_week > 0 else
                 (readable(r.line).capitalize(), "no work planned", "-", "-") for r in plan.by_line().itertuples())
    return ReportTable(f"Weekly plan by service line (cost in {plan.settings.currency})",
                       ("service line", "contacts or cases/week", "FTE", "cost/week"), rows, source.label())


def plan_section(ctx: ReportContext) -> Built:
    """Base plan FTE and weekly cost by channel, and the scenario's change."""
    if not ctx.warehouse.has("contacts"):
        return Built(Section("plan", TITLE, "The capacity plan is absent.",
                             absent="The warehouse has no contacts table, so no staffing plan can be built."))
    built = ctx.plan or plan_from_warehouse(ctx.warehouse)
    plan = built.plan
    currency = plan.settings.currency
    start = pd.Timestamp(built.inputs.demand["period_start"].min()).date()
    source = Source("plan", "plan_from_warehouse", f"week of {start}, Erlang C/A for live queues, backlog model for the rest")
    findings = [Finding("The plan for the week of {start} needs {fte} across {queues} queues at {cost} per week "
                        "({annual} a year at 52 weeks).",
                        {"fte": Number(plan.total_fte, "FTE", source), "queues": Number(len(plan.queues), "count", source),
                         "cost": Number(plan.total_cost_week, "money", source, currency=currency),
                         "annual": Number(plan.total_cost_week * WEEKS_PER_YEAR, "money", source, currency=currency)},
                        {"start": str(start)})]
    actions: list[Finding] = []
    scenario, origin = choose_scenario(ctx.warehouse, ctx.scenario_path, plan=built, study=ctx.study)
    by_channel = plan.queues.groupby("channel")[["fte", "cost_week", "contacts_week"]].sum()
    groups = {"base plan FTE": by_channel["fte"].tolist()}
    rows = []
    if scenario is None:
        findings.append(Finding("No scenario is shown: {why}.", words={"why": origin}, cited=(source,)))
    else:
        result = run_scenario(built.inputs, scenario, plan.settings)
        total = result.comparison.set_index("queue").loc["TOTAL"]
        scen_source = Source("scenario", scenario.name, origin)
        numbers = {"fte": Number(float(total["fte_delta"]), "FTE", scen_source, signed=True),
                   "cost": Number(float(total["cost_delta"]), "money", scen_source, currency=currency, signed=True),
                   "annual": Number(float(total["cost_delta"]) * WEEKS_PER_YEAR, "money", scen_source, currency=currency, signed=True),
                   "sl": Number(float(total["service_level_delta"]), "share of contacts", scen_source, signed=True)}
        words = {"name": scenario.name, "changes": describe_changes(scenario)}
        # the scenario's free-text description may carry its author's own estimate; the report states only
        # run_scenario's figures, each unit derived from the same weekly change
        findings.append(Finding("Scenario {name} ({changes}) changes staffing by {fte} and cost by {cost} per week "
                                "({annual} a year); service level changes by {sl}.", numbers, words))
        csat = _csat_risk(scenario, scen_source)
        if csat is not None:
            findings.append(csat)
        if float(total["cost_delta"]) < 0:
            actions.append(Finding("Pilot scenario {name}: it would save {saving} a year and {fte_saved}.",
                                   {"saving": Number(-float(total["cost_delta"]) * WEEKS_PER_YEAR, "money", scen_source, currency=currency),
                                    "fte_saved": Number(-float(total["fte_delta"]), "FTE", scen_source)}, words))
        changed = result.changed.queues.groupby("channel")[["fte", "cost_week"]].sum().reindex(by_channel.index).fillna(0.0)
        groups[f"scenario FTE ({scenario.name})"] = changed["fte"].tolist()
        rows = [(readable(ch), f"{by_channel.loc[ch, 'contacts_week']:,.0f}", format_plain(by_channel.loc[ch, "fte"], digits=1),
                 format_plain(changed.loc[ch, "fte"], digits=1), f"{by_channel.loc[ch, 'cost_week']:,.0f}",
                 f"{changed.loc[ch, 'cost_week']:,.0f}") for ch in by_channel.index]
        rows.append(("total", f"{by_channel['contacts_week'].sum():,.0f}", format_plain(plan.total_fte, digits=1),
                     format_plain(result.changed.total_fte, digits=1), f"{plan.total_cost_week:,.0f}",
                     f"{result.changed.total_cost_week:,.0f}"))
    columns = ("channel", "contacts/week", "FTE base", "FTE scenario", "cost/week base", "cost/week scenario")
    if not rows:  # no scenario: no scenario columns
        columns = ("channel", "contacts/week", "FTE", "cost/week")
        rows = [(readable(ch), f"{by_channel.loc[ch, 'contacts_week']:,.0f}",
                 format_plain(by_channel.loc[ch, "fte"], digits=1), f"{by_channel.loc[ch, 'cost_week']:,.0f}")
                for ch in by_channel.index]
    title = "Staffing by channel" + (": base plan and scenario" if scenario is not None else "")
    figure = charts.grouped_bars([readable(ch) for ch in by_channel.index], groups, title=title,
                                 ylabel="FTE (full-time equivalents)", xlabel="channel",
                                 alt="FTE per channel" + (" for the base plan and the scenario" if scenario is not None else ""))
    table = ReportTable(f"Weekly plan by channel (cost in {currency})", columns, tuple(rows), source.label())
    per_contact = _cost_per_contact(ctx, plan, source)
    if per_contact is not None:
        findings.append(per_contact)
    served = (plan.queues["service_level"] * plan.queues["contacts_week"]).sum() / max(plan.queues["contacts_week"].sum(), 1e-12)
    findings.append(Finding("Planned service level across queues: {sl} of contacts within target.",
                            {"sl": Number(float(served), "share of contacts", source)}))
    message = (f"Next week needs {Number(plan.total_fte, 'FTE', source).text} at "
               f"{Number(plan.total_cost_week, 'money', source, currency=currency).text} a week"
               + (f"; the scenario changes cost by {numbers['annual'].text} a year" if scenario is not None else ""))
    return Built(Section("plan", TITLE, message, tuple(findings), (figure,), (_lines_table(plan, source), table)),
                 tuple(actions))

