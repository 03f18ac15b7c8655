"""The report's decisions section: the playbook with statuses and the portfolio, as computed by their modules."""
from __future__ import annotations

import datetime as dt

import pytest

from govex.errors import ConfigError
from govex.planning.portfolio import EXAMPLE_PROJECTS
from govex.reports.html import render_html
from govex.reports.model import Report
from govex.reports.playbook import decisions_section, measure_decisions

from reports.report_context import report_context

PROJECTS = EXAMPLE_PROJECTS
PLAY = """\
  - segment: all
    journey: purchase
    markets: [DE]
    problem: issues a help flow could answer
    evidence: contact_rate by market
    action: {action}
    owner: cs
    kpi: contact_rate
    expected: {{effect: -0.04, low: -0.06, high: -0.02}}
    cost: 1
    start: {start}
    review: 2027-01-01
"""


def test_section_shows_plays_with_status_and_the_portfolio(warehouse, market, tmp_path):
    launch = market.event("help_flow_launch")
    path = tmp_path / "playbook.yaml"
    path.write_text("plays:\n" + PLAY.format(action="help flow", start=launch["start"])
                    + PLAY.format(action="next year's flow", start="2026-06-01"))
    decisions = measure_decisions(warehouse, playbook=path, projects=PROJECTS, budget=200, today=dt.date(2025, 12, 31))
    section = decisions_section(decisions)
    started, planned, portfolio = section.tables
    (launched,) = started.rows
    assert launched[:2] == ("everyone in DE, purchase", "help flow") and "measured" in launched[-1]
    assert planned.rows == (("everyone in DE, purchase", "next year's flow", "cs", "Contact rate -40.00 contacts per 1,000 orders (-60.00 to -20.00)",
                             "1", "2026-06-01", "2027-01-01"),)
    assert section.message.endswith(" of 1 started plays on track; 1 planned")
    # by hand over every subset of the example's 5 projects within 200: help flow + carrier + rewrite = 350 at cost 190
    rows = dict(portfolio.rows[:3])
    assert rows["funded"] == "help-flow-other-markets, carrier-switch-BR, help-centre-rewrite"
    assert rows["cost"] == "190 of 200" and rows["benefit"].startswith("350 ")
    html = render_html(Report("t", "p", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), (section,)))
    assert "help flow" in html and "help-centre-rewrite" in html


def test_projects_need_a_budget(warehouse):
    with pytest.raises(ConfigError, match="needs a budget"):
        measure_decisions(warehouse, projects=PROJECTS)


def test_a_play_costs_the_card_it_covers(warehouse, tmp_path):
    from govex.analysis.materiality import EvidenceRules
    from govex.planning.playbook import check_playbook
    from govex.reports.actions import cost_from_playbook
    from govex.reports.friction import friction_section

    ctx = report_context(warehouse, rules=EvidenceRules(min_money=0.0))  # the small market's cells are below the default money
    issue = friction_section(ctx).issues[0]
    card = issue.action
    assert card.cost_text() == "not costed yet"
    path = tmp_path / "playbook.yaml"
    path.write_text(f"""plays:
  - {{segment: "{card.segment}", journey: {card.journey}, problem: p, evidence: e, action: callback, owner: o,
     kpi: {card.metric}, expected: {{effect: -0.05, low: -0.08, high: -0.02}}, cost: 12345,
     costing: two agent hours a week at the vendor rate, start: 2026-01-05, review: 2026-03-02}}
  - {{segment: all, journey: {card.journey}, problem: p, evidence: e, action: other, owner: o,
     kpi: {card.metric}, expected: {{effect: -0.05, low: -0.08, high: -0.02}}, cost: 999, start: 2026-01-05,
     review: 2026-03-02}}
""")
    plays = check_playbook(path)
    costed = cost_from_playbook(issue, plays, "playbook.yaml", "USD").action
    # the first play matches the card's KPI, segment and journey; the second (every customer) does not
    assert costed.cost.value == 12345 and costed.cost.source.label() == "playbook playbook.yaml (line 2)"
    assert costed.cost_text() == f"{costed.cost.text} (playbook.yaml line 2: two agent hours a week at the vendor rate)"
    assert cost_from_playbook(issue, plays[1:], "playbook.yaml", "USD") is issue


def test_without_a_project_file_the_portfolio_weighs_the_costed_plays(warehouse, tmp_path):
    path = tmp_path / "playbook.yaml"
    costed = PLAY.format(action="costed", start="2026-06-01").replace("cost: 1\n", "cost: 40\n    benefit: {value: 90, low: 60, high: 120}\n")
    path.write_text("plays:\n" + costed + PLAY.format(action="no benefit", start="2026-06-01"))
    decisions = measure_decisions(warehouse, playbook=path, budget=50, today=dt.date(2025, 12, 31))
    assert decisions.portfolio["selected"] == ["costed (line 2)"] and decisions.portfolio["cost"] == 40
    assert decisions.left_out == ("no benefit (line 15): no benefit in money; give `benefit: {value, low, high}` to weigh it",)
    section = decisions_section(decisions)
    assert section.tables[0].columns[4] == "cost" and section.tables[0].rows[0][4] == "40"
    assert section.findings[-1].text.startswith("1 play not weighed in the portfolio: no benefit (line 15)")


def test_a_distrusted_measurement_states_its_figures_in_the_kpi_unit(tmp_path):
    from govex.analysis.impact import ImpactResult
    from govex.planning.play_status import PlayStatus, judge
    from govex.planning.playbook import check_playbook
    from govex.reports.playbook import Decisions, playbook_rows

    path = tmp_path / "playbook.yaml"
    path.write_text("plays:\n" + PLAY.format(action="help flow", start="2025-10-06"))
    (play,) = check_playbook(path)
    result = ImpactResult("did", -0.031, -0.054, -0.008, 0.01, 0.01,
                          {"parallel_pre_trends": False, "pre_trend_difference_per_period": 0.0023, "pre_trend_p_value": 0.012})
    status = PlayStatus(play, *judge(play, result), "market", result)
    (row,) = playbook_rows(Decisions("playbook.yaml", (status,), as_of=dt.date(2025, 12, 31)))
    # by hand: the contact rate is contacts per order, read per 1,000 orders: 0.0023 a week apart is 2.30
    assert row[-1] == ("too early to tell: treated and control units trended apart before the start "
                       "(+2.30 contacts per 1,000 orders a week, p = 0.012); measured -31.00 contacts per 1,000 orders "
                       "(-54.00 to -8.00), 90%, difference-in-differences")
