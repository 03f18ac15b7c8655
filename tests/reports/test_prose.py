"""The report reads as prose for an executive: no code names, no headline printed again as its first
bullet, missed promises counted as promises. Checked on the shared Q4 report and on the service-line
sections of a warehouse that also has service promises and seller segments."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from govex.engine import Warehouse
from govex.reports import moderation, recovery, sellers, standards
from govex.reports.context import too_few
from govex.reports.formatting import counted, format_number, interval_after, readable

from reports.report_context import report_context

AS_OF = dt.date(2025, 12, 31)
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # fast_lane, segment_assignments, target_precision


def _prose(text: str) -> str:
    """The text a reader reads as sentences: a command to run stands in backticks and is left out."""
    return re.sub(r"`[^`]*`", "", text)


@pytest.fixture(scope="module")
def promised(market):
    from govex.policy import load_policy
    from govex.policy.promises import write_service_promises
    from govex.segments import assign_all
    from govex.segments.seller import run_seller_segmentation

    warehouse = Warehouse.from_frames(market.tables)  # its own: the session warehouse stays without promises
    assign_all(warehouse, as_of=AS_OF)
    run_seller_segmentation(warehouse, as_of=AS_OF)
    write_service_promises(warehouse, load_policy())
    return warehouse


@pytest.fixture(scope="module")
def built(promised):
    ctx = report_context(promised)
    return [builder(ctx) for builder in (standards.standards_section, sellers.seller_section,
                                          moderation.moderation_section, recovery.recovery_section)]


def _texts(b) -> list[str]:
    section = b.section
    out = [section.message, section.absent, *(f.text for f in section.findings), *(a.text for a in b.actions)]
    for t in section.tables:
        out += [t.title, *t.columns, *(c for row in t.rows for c in row)]
    for i in section.issues:
        out += [i.title, i.cause, i.action.what]
    return out


def test_the_service_line_sections_are_built(built):
    assert all(not b.section.absent for b in built), [b.section.absent for b in built if b.section.absent]
    assert built[0].issues  # the planted promise miss is an issue


def test_no_code_names_in_the_prose(report, built):
    texts = report.texts() + [t for b in built for t in _texts(b)]
    found = {t: SNAKE.findall(_prose(t)) for t in texts if SNAKE.search(_prose(t))}
    assert not found, found


def test_a_headline_is_not_printed_again_as_its_first_bullet(report, built):
    sections = [*report.sections, *(b.section for b in built)]
    repeated = [s.key for s in sections if s.findings and s.message == s.findings[0].text]
    assert not repeated, repeated


def test_a_unit_named_by_the_label_is_not_printed_again(built):
    violations = next(f for f in built[1].section.findings if "violation_rate" in f.numbers)
    assert "active sellers" not in violations.numbers["violation_rate"].text  # the label says per 1,000 active sellers
    assert violations.text.count("per 1,000 active sellers") == 1


def test_missed_promises_counted_as_promises_and_the_worse_one_raised_by_pandas(promised, built, market):
    issue = built[0].issues[0]
    promises = promised.table("service_promises").execute()
    promises = promises.merge(market.tables["contacts"][["contact_id", "journey"]], on="contact_id")
    day = pd.to_datetime(promises["created_at"]).dt.date
    q4 = promises[(day >= dt.date(2025, 10, 1)) & (day <= AS_OF)]
    # the top row of the table names the cell; its misses: unanswered in time plus unresolved in time
    tier, journey = built[0].section.tables[0].rows[0][:2]
    cell = q4[(q4["tier"].str.replace("_", " ") == tier) & (q4["journey"].str.replace("_", " ") == journey)]
    missed = int((cell["first_response_met"] == False).sum() + (cell["resolution_met"] == False).sum())  # noqa: E712
    assert issue.affected.value == missed and issue.affected.unit == "missed promises"
    assert f"{missed:,} promises missed" in issue.cause
    # the issue's KPI is the promise further below the 80% target
    answered = cell["first_response_met"].dropna().astype(bool)
    shares = [share for share in (answered.mean(), cell["resolution_met"].astype(bool).mean()) if share < 0.8]
    assert issue.value.value == pytest.approx(min(shares))


def test_the_plan_shows_the_four_service_lines(report):
    lines = next(t for t in report.section("plan").tables if "service line" in t.title)
    assert [row[0] for row in lines.rows] == ["Customer service", "Moderation", "Education", "Service recovery"]
    channels = next(t for t in report.section("plan").tables if "by channel" in t.title)
    assert "n/a" not in {c for row in channels.rows for c in row}


def test_a_count_of_one_reads_in_the_singular():
    assert (format_number(1, "orders"), format_number(2, "orders"), format_number(1204, "orders")) == \
        ("1 order", "2 orders", "1,204 orders")
    assert format_number(1, "missed promises") == "1 missed promise"
    assert format_number(-1, "customers", signed=True) == "-1 customer"
    assert counted(1, "tier and journey combinations") == "1 tier and journey combination"
    assert counted(1, "categories") == "1 category" and counted(0, "plays") == "0 plays"
    assert too_few(report_context(None), 1, "orders") == "1 order, fewer than the 30 needed"  # segment health, drivers


def test_an_interval_after_its_value_names_the_unit_once(report):
    # per-order rates read per 1,000 orders, shares keep their short pp, scores read to one decimal
    assert interval_after(-0.02440, -0.00604, "contacts per order", signed=True) == "-24.40 to -6.04"
    assert interval_after(0.017, 0.06, "share of contacts", signed=True) == "+1.7 to +6.0 pp"
    assert interval_after(1234.5, 2000, "money per order", currency="USD") == "1,234 to 2,000"
    assert format_number(-3.594, "health points") == "-3.6 health points" and format_number(49.78, "health score") == "49.8"
    punctuality = next(t for t in report.section("drivers").tables if t.title.startswith("CSAT by delivery"))
    assert all(re.fullmatch(r"\d\.\d\d to \d\.\d\d", row[3]) for row in punctuality.rows), punctuality.rows
    cards = [i.action for section in report.sections for i in section.issues if i.action.interval is not None]
    assert cards
    for card in cards:  # '-15.22 contacts per 1,000 orders (95% interval -24.40 to -6.04)'
        unit = card.expected.text.partition(" ")[2]
        assert card.expected_text().startswith(card.expected.text + " (95% interval ")
        assert card.expected_text().count(unit) == 1 or unit == "pp", card.expected_text()


def test_each_missed_cell_names_the_market_holding_most_of_its_misses(promised, built, market):
    promises = promised.table("service_promises").execute()
    promises = promises.drop(columns=[c for c in ("journey", "market") if c in promises.columns]).merge(
        market.tables["contacts"][["contact_id", "journey", "market"]], on="contact_id")
    day = pd.to_datetime(promises["created_at"]).dt.date
    q4 = promises[(day >= dt.date(2025, 10, 1)) & (day <= AS_OF)]
    missed = q4.assign(missed=(q4["first_response_met"] == False).astype(int)  # noqa: E712
                       + (q4["resolution_met"] == False).astype(int))  # noqa: E712
    by_market = missed.groupby(["tier", "journey", "market"])["missed"].sum()
    table = built[0].section.tables[0]
    column = table.columns.index("most missed in (share)")
    for row in table.rows:
        cell = by_market[(row[0].replace(" ", "_"), row[1].replace(" ", "_"))]
        top = cell[cell == cell.max()].sort_index().index[0]  # most missed promises, ties by name
        assert row[column] == f"{top} ({cell.max() / cell.sum():.0%})", (row, cell)
        assert row[6] == f"{cell.sum():,}"  # the cell's missed promises, every market
    # the planted miss: the fast lane tier's first responses in one market
    truth = market.event("service_promise_miss")
    late = [row for row in table.rows if row[0] == readable(truth["tier"]) and row[3] != "-" and int(row[3].rstrip("%")) < 80]
    assert late and all(row[column].startswith(truth["market"] + " ") for row in late), late
    top_market = table.rows[0][column].split(" ")[0]
    assert built[0].issues[0].title.endswith(f", worst in {top_market}")
    message = built[0].section.message  # a slide title: whole within 15 words, the market included
    assert message.endswith(f", worst in {top_market}") and len(message.split()) <= 15, message
    assert f" {top_market} " in built[0].section.findings[0].text
