"""The executive report from a small synthetic run: content, numbers against the metric layer,
the three rendered forms, absent data said plainly, and the CLI."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import govex.planning
import govex.voc

from govex.cli.main import app
from govex.engine import Warehouse
from govex.metrics import compute_metrics
from govex.planning import Scenario, load_scenario, run_scenario
from govex.reports import ILLUSTRATIVE_BENCHMARKS, build_report, parse_period
from govex.reports import plan as plan_module
from govex.reports.formatting import format_number, format_plain
from govex.reports.html import render_html
from govex.reports.summary import short_title
from govex.reports.write import REPORT_FILES, save_report

from reports.report_context import report_context

SECTION_TITLES = ["Executive summary", "Headline KPIs", "Segment health and movers", "What moved and why",
                  "Drivers of CSAT", "Friction and opportunities by segment and journey", "Service policy gaps",
                  "Service standards", "Sellers and merchants", "Moderation operations", "Service recovery and education",
                  "Capacity, cost and budget plan",
                  "Benchmark position", "Recommendations"]
SCENARIO = {"name": "new-market-launch", "description": "four times the contacts, handle time 20% longer",
            "changes": [{"kind": "volume_growth", "share": 3.0}, {"kind": "handle_time_change", "share": 0.2}]}


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "growth.yaml"
    path.write_text(yaml.safe_dump(SCENARIO, sort_keys=False))
    return path


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
    csat_text = f"{q4.mean():.2f}"  # the unit is in its own column, once
    assert any(row[:3] == ("CSAT", "points (1-5)", csat_text) for row in report.section("kpis").tables[0].rows), csat_text


def test_late_delivery_number_matches_metric_layer(report, warehouse):
    # the metric layer's value for the quarter, formatted as a share, appears in the KPI table
    value = compute_metrics(warehouse, metrics=["late_delivery_rate"], period="quarter", start="2025-10-01",
                            end="2025-12-31")["value"].iloc[0]
    row = next(r for r in report.section("kpis").tables[0].rows if r[0] == "Late delivery rate")
    assert row[1:3] == ("%", f"{100 * value:.1f}%")


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
    table = section.tables[0]
    name = table.columns.index("best peer")
    assert all("(illustrative)" in row[name] for row in table.rows)


def test_benchmark_cells_are_bare_numbers_of_their_unit_column(report, market):
    # the same independent Q4 CSAT as the KPI table; the peer median of the illustrative file's
    # CSAT rows by hand; each unit is written once, in its column
    surveys = market.tables["surveys"]
    day = pd.to_datetime(surveys["responded_at"]).dt.date
    csat = surveys[(day >= dt.date(2025, 10, 1)) & (day <= dt.date(2025, 12, 31))]["csat"].dropna().mean()
    peers = pd.read_csv(ILLUSTRATIVE_BENCHMARKS, comment="#")
    median = peers.loc[peers["metric"] == "csat", "value"].median()
    table = report.section("benchmarks").tables[0]
    rows = {row[0]: dict(zip(table.columns, row)) for row in table.rows}
    assert (rows["CSAT"]["unit"], rows["CSAT"]["ours"], rows["CSAT"]["peer median"]) == (
        "points (1-5)", f"{csat:.2f}", f"{median:.2f}")
    assert rows["CSAT"]["best"] == f'{peers.loc[peers["metric"] == "csat", "value"].max():.2f}'
    for row in rows.values():  # a share keeps its short % in the cell, as in the KPI table
        words = "" if row["unit"] == "%" else row["unit"]
        assert not any(words and words in row[column] for column in ("ours", "peer median", "best")), row


def test_absent_segments_said_plainly(market, scenario_file):
    wh = Warehouse.from_frames({k: v for k, v in market.tables.items() if k in ("orders", "surveys", "contacts")})
    partial = build_report(wh, period="2025-Q4", scenario=scenario_file)
    segments = partial.section("segments")
    assert "segment_assignments" in segments.absent and "govex segments assign" in segments.absent
    assert "segment_assignments" in partial.section("friction").absent
    for text in partial.texts():
        assert not re.search(r"\b(nan|None)\b", text), text


def _plan_context(warehouse, plan, scenario_path=None, study=None):
    return report_context(warehouse, targets_source="none", benchmarks_path=ILLUSTRATIVE_BENCHMARKS,
                          scenario_path=scenario_path, plan=plan, study=study)


def _no_rebuild(*_args, **_kwargs):
    raise AssertionError("the plan was rebuilt although the caller passed it")


def _no_study(*_args, **_kwargs):
    raise AssertionError("the automation study ran although a scenario file was given")


def test_plan_section_uses_the_given_scenario_and_plan(warehouse, plan, scenario_file, monkeypatch):
    monkeypatch.setattr(govex.voc, "automation_study", _no_study)
    monkeypatch.setattr(govex.planning, "plan_from_warehouse", _no_rebuild)
    monkeypatch.setattr(plan_module, "plan_from_warehouse", _no_rebuild)
    section = plan_module.plan_section(_plan_context(warehouse, plan, scenario_file)).section
    # expected: the planning module's comparison of the same scenario against the same plan inputs, formatted as written
    result = run_scenario(plan.inputs, load_scenario(scenario_file), plan.plan.settings)
    fte_delta = result.comparison.set_index("queue").loc["TOTAL", "fte_delta"]
    scenario_text = section.findings[1].text
    assert SCENARIO["name"] in scenario_text and format_number(fte_delta, "FTE", signed=True) in scenario_text
    total_row = next(t for t in section.tables if t.title.startswith("Weekly plan by channel")).rows[-1]
    assert total_row[0] == "total" and total_row[3] == format_plain(result.changed.total_fte, digits=1)


def test_plan_section_says_why_when_no_automation_pays(warehouse, plan, monkeypatch):
    studies = []

    def nothing_pays(wh, *, plan=None, **options):  # as on a small warehouse: every reason's net saving is negative
        studies.append(plan)
        return SimpleNamespace(opportunities=pd.DataFrame(
            {"reason": ["where_is_my_order"], "automation_rate": [0.3], "net_saving": [-120.0]}))

    monkeypatch.setattr(govex.voc, "automation_study", nothing_pays)
    monkeypatch.setattr(plan_module, "plan_from_warehouse", _no_rebuild)
    section = plan_module.plan_section(_plan_context(warehouse, plan)).section
    assert len(studies) == 1 and studies[0] is plan  # one study, costed against the plan already built
    texts = [f.text for f in section.findings]
    assert any(t.startswith("No scenario is shown: no contact reason pays for its automation") for t in texts), texts
    channels = next(t for t in section.tables if t.title.startswith("Weekly plan by channel"))
    assert not any("scenario" in c for c in channels.columns)  # no column of n/a where no scenario exists


def test_plan_section_uses_a_given_study_without_running_one(warehouse, plan, monkeypatch):
    monkeypatch.setattr(govex.voc, "automation_study", _no_study)
    monkeypatch.setattr(plan_module, "plan_from_warehouse", _no_rebuild)
    study = SimpleNamespace(opportunities=pd.DataFrame(  # as a caller's earlier automation_study returned it
        {"reason": ["where_is_my_order"], "automation_rate": [0.9], "csat_delta": [0.0], "net_saving": [500.0]}))
    section = plan_module.plan_section(_plan_context(warehouse, plan, study=study)).section
    # expected: the planning module deflecting 90% of where_is_my_order from the same plan inputs
    deflect = Scenario(name="expected", changes=[{"kind": "deflect", "reason": "where_is_my_order", "share": 0.9}])
    total = run_scenario(plan.inputs, deflect, plan.plan.settings).comparison.set_index("queue").loc["TOTAL"]
    # (on this small warehouse minimum staffing keeps every agent, so the deltas may be zero: the scenario's
    # presence, named as choose_scenario names the study's scenario, is what shows the given study was used)
    scenario_text = section.findings[1].text
    assert scenario_text.startswith("Scenario automation-top-reasons")
    assert format_number(total["fte_delta"], "FTE", signed=True) in scenario_text
    assert format_number(total["cost_delta"], "money", currency="USD", signed=True) in scenario_text


def test_html_is_self_contained(report):
    page = render_html(report)
    assert "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    for title in SECTION_TITLES:
        assert title in page


def _pdf_pages(path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_pdf_has_every_section_and_no_near_empty_page(written):
    pages = _pdf_pages(written / "report.pdf")
    text = "\n".join(pages)
    for title in SECTION_TITLES:
        assert title in text
    assert "page 1 of" in text
    for number, page in enumerate(pages, start=1):
        words = len(page.split()) - 5  # less the running footer ("govex executive report", "page n of m")
        assert words >= 40, f"page {number} of {len(pages)} has only {words} words"


def test_pdf_never_splits_a_table_row(written, report):
    # a row is whole when one page holds every one of its cells (whitespace aside: cells wrap)
    pages = ["".join(page.split()) for page in _pdf_pages(written / "report.pdf")]
    for section in report.sections:
        for table in section.tables:
            for row in table.rows:
                cells = ["".join(c.split()) for c in row if c.strip()]
                assert any(all(c in page for c in cells) for page in pages), (table.title, row)


def test_pptx_has_one_title_per_slide(written, report):
    from pptx import Presentation

    deck = Presentation(written / "report.pptx")
    slides = list(deck.slides)
    assert len(slides) == 1 + len(report.sections)
    for slide, section in zip(slides[1:], report.sections):
        titles = [s for s in slide.shapes if s.is_placeholder and s.placeholder_format.type == 1]
        assert len(titles) == 1 and titles[0].text == short_title(section.message)
        assert len(titles[0].text.split()) <= 15
        assert "Sources:" in slide.notes_slide.notes_text_frame.text or section.absent or not section.sources


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


def _wrapped_lines(text: str, width_pt: float, font) -> int:
    """Greedy word wrap with the font's real advance widths (PIL), in points."""
    count, line = 1, ""
    for word in text.split(" "):
        candidate = word if not line else line + " " + word
        if line and font.getlength(candidate) > width_pt:
            count, line = count + 1, word
        else:
            line = candidate
    return count


def test_slide_text_fits_its_boxes(written):
    # measure every text box and table of the deck with DejaVu Sans metrics (the font the deck sets)
    from PIL import ImageFont
    from pptx import Presentation

    font_file = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    emu_pt = 12700.0
    deck = Presentation(written / "report.pptx")

    def needed_pt(frame, width_emu) -> float:
        total = 0.0
        for p in frame.paragraphs:
            if not p.text.strip():
                continue
            size = (p.runs[0].font.size or p.font.size).pt
            font = ImageFont.truetype(font_file, size=int(size))
            lines = _wrapped_lines(p.text, (width_emu - 2 * 91440) / emu_pt, font)  # 0.1 in insets each side
            total += lines * size * 1.2 + (p.space_after.pt if p.space_after is not None else 0.0)
        return total + 2 * 45720 / emu_pt  # 0.05 in insets top and bottom

    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                need = needed_pt(shape.text_frame, shape.width)
                assert need <= shape.height / emu_pt + 1, (number, shape.name, shape.text_frame.text[:80], need)
            if shape.has_table:
                table = shape.table
                height = sum(max(needed_pt(table.cell(i, j).text_frame, table.columns[j].width)
                                 for j in range(len(table.columns))) for i in range(len(table.rows)))
                assert shape.top / emu_pt + height <= deck.slide_height / emu_pt, (number, "table overflows the slide")


def test_segment_health_moves_read_the_same_in_headline_bullets_and_table(report):
    # one decimal everywhere: the bullet's change is the table's change cell, its 'to' is the table's
    # health cell, and 'from' minus 'to' is the change (to the rounding of the two scores)
    section = report.section("segments")
    table = section.tables[0]
    rows = {row[0]: dict(zip(table.columns, row)) for row in table.rows}
    moves = [re.fullmatch(r"Health of the (\w+) segment (rose|fell) by ([\d.]+) health points over the last month, "
                          r"from ([\d.]+) to ([\d.]+) \(50 = average of all segments and months\), driven mostly by .+\.",
                          f.text) for f in section.findings if f.text.startswith("Health of the") and " by " in f.text]
    assert moves and all(moves), [f.text for f in section.findings]
    for segment, direction, change, before, after in (m.groups() for m in moves):
        signed = ("+" if direction == "rose" else "-") + change
        assert (rows[segment]["health change"], rows[segment]["health"]) == (signed, after)
        assert abs(float(after) - float(before) - float(signed)) <= 0.1 + 1e-9
    first = moves[0].groups()
    assert section.message.startswith(f"Health of the {first[0]} segment {first[1]} {first[2]} health points last month")
