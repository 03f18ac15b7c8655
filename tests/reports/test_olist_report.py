"""The report on the public Olist sample (customers, sellers, orders, reviews; no contact-centre,
dispute or moderation tables): every section its tables support has content, the others are
skipped with one line. Skipped when ../shared is absent."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from typer.testing import CliRunner

from govex.cli.main import app
from govex.engine import Warehouse
from govex.reports import build_report
from govex.reports.formatting import format_number


@pytest.fixture(scope="module")
def olist(shared_data, tmp_path_factory):
    from govex.ingest.olist import ingest_olist

    database = tmp_path_factory.mktemp("olist") / "olist.duckdb"
    ingest_olist(shared_data / "olist" / "sample_3000_orders", database=database)
    result = CliRunner().invoke(app, ["segments", "assign", "--db", str(database)])  # lifecycle and value; the rest skipped
    assert result.exit_code == 0, result.output
    warehouse = Warehouse.open(f"duckdb:///{database}")
    return warehouse, build_report(warehouse)


def _period_surveys(warehouse, report) -> pd.DataFrame:
    start, end = (dt.date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", report.period_label)[:2])
    surveys = warehouse.con.table("surveys").to_pandas()
    day = pd.to_datetime(surveys["responded_at"]).dt.date
    return surveys[(day >= start) & (day <= end) & surveys["csat"].notna()]


def test_every_supported_section_has_content(olist):
    _, report = olist
    for key in ("kpis", "segments", "moved", "drivers"):
        section = report.section(key)
        assert not section.absent and section.findings, (key, section.absent)
    for key in ("friction", "plan"):  # contacts are absent: one line each, no crash, no error dump
        absent = report.section(key).absent
        assert "contacts table" in absent and len(absent) < 160, absent
    for text in report.texts():
        assert not re.search(r"\b(nan|None|NaN|inf)\b", text), text
        assert "could not be built" not in text, text


def test_kpis_compare_with_the_previous_period_without_targets(olist):
    warehouse, report = olist
    kpis = report.section("kpis")
    assert kpis.findings[0].text.startswith("No targets are set for")
    rows = {r[0]: r for r in kpis.tables[0].rows}
    assert {"CSAT", "Late delivery rate", "Orders"} <= set(rows)
    csat = _period_surveys(warehouse, report)["csat"].astype(float).mean()  # independent: pandas on the raw answers
    assert rows["CSAT"][1:3] == ("points (1-5)", format_number(csat, "points (1-5)").removesuffix(" points (1-5)"))


def test_csat_of_late_against_on_time_orders(olist):
    warehouse, report = olist
    answers = _period_surveys(warehouse, report)
    orders = warehouse.con.table("orders").to_pandas()
    orders = orders[orders["delivered_at"].notna() & orders["promised_date"].notna()]
    joined = answers.merge(orders[["order_id", "delivered_at", "promised_date"]], on="order_id")
    late = pd.to_datetime(joined["delivered_at"]).dt.date > pd.to_datetime(joined["promised_date"]).dt.date
    table = report.section("drivers").tables[0]
    rows = {r[0]: r for r in table.rows}
    assert rows["late"][1] == f"{int(late.sum()):,}"
    assert rows["late"][2] == f"{joined.loc[late, 'csat'].astype(float).mean():,.2f}"
    assert rows["on time"][2] == f"{joined.loc[~late, 'csat'].astype(float).mean():,.2f}"
    assert float(rows["late"][2]) < float(rows["on time"][2])  # late orders score lower


def test_lifecycle_and_value_segments_are_shown(olist):
    _, report = olist
    titles = [t.title for t in report.section("segments").tables]
    assert "Segments of the value framework" in titles and "Segments of the lifecycle framework" in titles


def test_where_late_deliveries_concentrate(olist):
    warehouse, report = olist
    table = next(t for t in report.section("moved").tables if t.title.startswith("Where late deliveries concentrate"))
    for row in table.rows:  # each slice: enough delivered orders and at least one late order above the overall rate
        assert int(row[2].replace(",", "")) >= 30 and int(row[3].replace(",", "")) >= 1, row


def test_segments_assigned_after_the_period_are_not_projected_back(olist):
    # the default as-of is the day after the last order, in the quarter after the (last complete) report period
    _, report = olist
    section = report.section("segments")
    assert any("no health movers are shown" in f.text for f in section.findings)
    assert section.figures == ()
