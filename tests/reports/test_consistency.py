"""One set of numbers: every published figure recomputed from its source (the metric layer, the
plan, the friction cells) must agree with what the report prints, and no figure is impossible."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from govex.metrics import compute_metrics
from govex.reports.formatting import format_number, is_share
from govex.reports.kpis import year_before
from govex.reports.model import Number
from govex.reports.period import parse_period
from govex.reports.plan import WEEKS_PER_YEAR

Q4 = parse_period("2025-Q4")


def _numbers(report) -> list[tuple[str, Number]]:
    found = []
    for section in report.sections:
        for finding in section.findings:
            found += [(name, n) for name, n in finding.numbers.items()]
        for issue in section.issues:
            found += [("issue", n) for n in issue.numbers()]
    return found


def _quarter(warehouse, metric: str, period) -> float:
    rows = compute_metrics(warehouse, metrics=[metric], period="quarter", start=period.start, end=period.end)
    return float(rows["value"].iloc[0])


def test_shares_lie_between_zero_and_one(report):
    for name, number in _numbers(report):
        if is_share(number.unit) and not number.signed:
            assert 0.0 <= number.value <= 1.0, (name, number)


def test_no_doubled_unit_or_signed_zero_in_any_text(report):
    for text in report.texts():
        assert not re.search(r"\b(FTE|USD|orders|contacts|customers|points|seconds) \1\b", text), text
        assert not re.search(r"[+-]0\.0+\b(?! pp)", text), text


def test_friction_avoidable_never_exceeds_contacts_and_costs_one_price(report, warehouse):
    cost_per_contact = _quarter(warehouse, "cost_per_contact", Q4)
    section = report.section("friction")
    summary = section.findings[0]
    assert summary.numbers["cpc"].value == pytest.approx(cost_per_contact)
    columns = section.tables[0].columns
    for row in section.tables[0].rows:
        cells = dict(zip(columns, row))
        contacts, avoidable = (float(cells[c].replace(",", "")) for c in ("contacts", "avoidable contacts"))
        assert avoidable <= contacts, row
        money = float(cells[next(c for c in columns if c.startswith("opportunity"))].replace(",", ""))
        assert money == pytest.approx(avoidable * cost_per_contact, abs=0.5 * cost_per_contact + 0.5), row


def test_plan_annual_figures_are_52_weeks_of_the_weekly_ones(report, plan):
    for finding in report.section("plan").findings:
        numbers = finding.numbers
        if "annual" in numbers and "cost" in numbers:
            assert numbers["annual"].value == pytest.approx(WEEKS_PER_YEAR * numbers["cost"].value)
        if "planned" in numbers:  # the plan's cost per contact: weekly cost over weekly contacts of the same plan
            queues = plan.plan.queues
            assert numbers["planned"].value == pytest.approx(plan.plan.total_cost_week / queues["contacts_week"].sum())
            assert numbers["actual"].value == pytest.approx(report.section("friction").findings[0].numbers["cpc"].value)


def test_kpi_table_and_issues_agree_with_the_metric_layer(report, warehouse):
    table = report.section("kpis").tables[0]
    rows = {r[0]: dict(zip(table.columns, r)) for r in table.rows}
    catalogue_units = {"CSAT": ("csat", "points (1-5)"), "Late delivery rate": ("late_delivery_rate", "share of delivered orders"),
                       "Contact rate": ("contact_rate", "contacts per order")}
    previous, last_year = Q4.previous(), year_before(Q4)
    for label, (metric, unit) in catalogue_units.items():
        now = _quarter(warehouse, metric, Q4)
        def cell(value: float, signed: bool = False) -> str:  # the unit stands once, in the unit column
            return format_number(value, unit, signed=signed).removesuffix(" " + rows[label]["unit"])

        assert rows[label][Q4.label] == cell(now)
        assert rows[label][f"vs {previous.label}"] == cell(now - _quarter(warehouse, metric, previous), signed=True)
        assert rows[label][f"vs {last_year.label}"] == cell(now - _quarter(warehouse, metric, last_year), signed=True)
    assert (rows["CSAT"]["unit"], rows["Contact rate"]["unit"]) == ("points (1-5)", "contacts per 1,000 orders")
    cost_per_contact = _quarter(warehouse, "cost_per_contact", Q4)
    for issue in report.section("summary").issues:
        if issue.money is not None and issue.affected is not None and issue.affected.unit == "contacts":
            assert issue.money.value == pytest.approx(issue.affected.value * cost_per_contact)
        assert len(issue.title.split()) <= 16  # 15 words and an ellipsis at most


def test_summary_issues_are_ranked_by_money_then_count(report):
    keys = [i.rank_key() for i in report.section("summary").issues]
    assert keys == sorted(keys)
    assert 1 <= len(keys) <= 5 or report.section("summary").findings
