"""The report's decisions section: the playbook with statuses and the portfolio, as computed by their modules."""
from __future__ import annotations

import datetime as dt

import pytest

from govex.errors import ConfigError
from govex.planning.portfolio import EXAMPLE_PROJECTS
from govex.reports.html import render_html
from govex.reports.model import Report
from govex.reports.playbook import decisions_section, measure_decisions

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
    playbook, portfolio = section.tables
    (launched, later) = playbook.rows
    assert launched[1] == "help flow" and launched[0] == "all in DE x purchase"
    assert later[-1] == "too early to tell: not started: starts 2026-06-01"
    # by hand over every subset of the example's 5 projects within 200: help flow + carrier + rewrite = 350 at cost 190
    rows = dict(portfolio.rows[:3])
    assert rows["funded"] == "help-flow-other-markets, carrier-switch-BR, help-centre-rewrite"
    assert rows["cost"] == "190 of 200" and rows["benefit"].startswith("350 ")
    html = render_html(Report("t", "p", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), (section,)))
    assert "help flow" in html and "help-centre-rewrite" in html


def test_projects_need_a_budget(warehouse):
    with pytest.raises(ConfigError, match="needs a budget"):
        measure_decisions(warehouse, projects=PROJECTS)
