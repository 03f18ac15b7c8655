"""The executive report from a small synthetic run: content, numbers against the metric layer,
the three rendered forms, absent data said plainly, and the CLI."""
from __future__ import annotations

import datetime as dt
import re
import subprocess

import pandas as pd
import pytest
from typer.testing import CliRunner

from govex.cli.main import app
from govex.datasets import small_marketplace
from govex.engine import Warehouse
from govex.metrics import compute_metrics
from govex.reports import build_report, parse_period
from govex.reports.formatting import format_number
from govex.reports.html import render_html
from govex.reports.write import REPORT_FILES, save_report
from govex.segments import assign_all

SECTION_TITLES = ["Headline KPIs against targets", "Segment health and movers", "What moved and why",
                  "Friction and opportunities by segment and journey", "Capacity, cost and budget plan",
                  "Benchmark position", "Recommendations"]


@pytest.fixture(scope="module")
def market():
    return small_marketplace()


@pytest.fixture(scope="module")
def warehouse(market):
    wh = Warehouse.from_frames(market.tables)
    assign_all(wh, as_of=dt.date(2025, 12, 31))
    return wh


@pytest.fixture(scope="module")
def report(warehouse):
    return build_report(warehouse, period="2025-Q4")


@pytest.fixture(scope="module")
def written(report, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    save_report(report, out)
    return out


def test_sections_in_reading_order(report):
    assert [s.title for s in report.sections] == SECTION_TITLES
    assert report.period_label.startswith("2025-Q4 (2025-10-01 to 2025-12-31)")


def test_no_nan_or_none_in_any_text(report):
    for text in report.texts():
        assert not re.search(r"\b(nan|None|NaN|inf)\b", text), text


def test_every_finding_names_a_source(report):
    for section in report.sections:
        for finding in section.findings:
            if finding.numbers:
                assert finding.sources, finding.text


def test_kpi_numbers_equal_the_metric_layer(report, market):
    # independent pandas: CSAT = mean of non-null csat of surveys responded in 2025-Q4
    surveys = market.tables["surveys"]
    day = pd.to_datetime(surveys["responded_at"]).dt.date
    q4 = surveys[(day >= dt.date(2025, 10, 1)) & (day <= dt.date(2025, 12, 31))]["csat"].dropna()
    csat_text = format_number(q4.mean(), "points (1-5)")
    kpis = report.section("kpis")
    assert any(csat_text in f.text for f in kpis.findings), csat_text
    assert any(csat_text in row for row in kpis.tables[0].rows)


def test_late_delivery_number_matches_metric_layer(report, warehouse):
    # the metric layer's value for the quarter, formatted as a share, appears in the KPI table
    value = compute_metrics(warehouse, metrics=["late_delivery_rate"], period="quarter", start="2025-10-01",
                            end="2025-12-31")["value"].iloc[0]
    row = next(r for r in report.section("kpis").tables[0].rows if r[0] == "Late delivery rate")
    assert row[1] == f"{100 * value:.1f}%"


def test_segment_sizes_follow_the_value_tiers(report):
    # segments/frameworks/value.yaml: CLV percentile >= 0.8 high, 0.5-0.8 medium, < 0.5 low -> 20/30/50%
    rows = {row[0]: int(row[1].replace(",", "")) for row in report.section("segments").tables[0].rows}
    total = sum(rows.values())
    assert rows["high"] / total == pytest.approx(0.2, abs=0.01)
    assert rows["medium"] / total == pytest.approx(0.3, abs=0.01)
    assert rows["low"] / total == pytest.approx(0.5, abs=0.01)


def test_benchmarks_are_marked_illustrative(report):
    section = report.section("benchmarks")
    assert "ILLUSTRATIVE" in section.findings[0].text
    assert all("(illustrative)" in row[3] for row in section.tables[0].rows)


def test_absent_segments_said_plainly(market):
    wh = Warehouse.from_frames({k: v for k, v in market.tables.items() if k in ("orders", "surveys", "contacts")})
    partial = build_report(wh, period="2025-Q4")
    segments = partial.section("segments")
    assert "segment_assignments" in segments.absent and "govex segment" in segments.absent
    assert "segment_assignments" in partial.section("friction").absent
    for text in partial.texts():
        assert not re.search(r"\b(nan|None)\b", text), text


def test_html_is_self_contained(report):
    page = render_html(report)
    assert "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    for title in SECTION_TITLES:
        assert title in page


def test_pdf_has_a_page_per_section(written):
    from pypdf import PdfReader

    pdf = PdfReader(written / "report.pdf")
    assert len(pdf.pages) >= 1 + len(SECTION_TITLES)
    text = subprocess.run(["pdftotext", str(written / "report.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    for title in SECTION_TITLES:
        assert title in text
    assert "page 1 of" in text


def test_pptx_has_one_title_per_slide(written, report):
    from pptx import Presentation

    deck = Presentation(written / "report.pptx")
    slides = list(deck.slides)
    assert len(slides) == 1 + len(report.sections)
    for slide, section in zip(slides[1:], report.sections):
        titles = [s for s in slide.shapes if s.is_placeholder and s.placeholder_format.type == 1]
        assert len(titles) == 1 and titles[0].text == section.message
        assert "Sources:" in slide.notes_slide.notes_text_frame.text or section.absent


def test_files_written(written):
    assert sorted(p.name for p in written.iterdir()) == sorted(REPORT_FILES)


def test_bad_period_is_a_clear_error():
    from govex.errors import ConfigError

    with pytest.raises(ConfigError, match="2025-Q4"):
        parse_period("Q4-2025")


def test_cli_needs_config_or_db(tmp_path):
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    missing = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path / "out")])
    assert missing.exit_code != 0
    assert not (tmp_path / "out").exists()
