"""Render a report to a PPTX deck: one message per slide as its title, the chart, and the numbers'
sources in the speaker notes (python-pptx, 16:9)."""
from __future__ import annotations

import io

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from govex.reports.model import Report, Section, Table

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MAX_BULLETS = 4
MAX_ROWS = 8
SUMMARY_WIDTHS = (0.22, 0.14, 0.09, 0.09, 0.26, 0.20)


def _notes(section: Section) -> str:
    lines = [section.title, ""]
    lines += [f"- {f.text}" for f in section.findings]
    if section.absent:
        lines.append(section.absent)
    if section.sources:
        lines += ["", "Sources:"] + [f"- {s}" for s in section.sources]
    return "\n".join(lines)


def _title(slide, text: str, size: int = 26) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.5), Inches(0.3), SLIDE_W - Inches(1.0), Inches(1.1)
    title.text = text
    for p in slide.shapes.title.text_frame.paragraphs:
        p.font.size = Pt(size)


def _bullets(slide, texts: list[str], left, top, width, height) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, text in enumerate(texts):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.text = "\u2022 " + text
        p.font.size = Pt(13)
        p.space_after = Pt(6)


def _table(slide, table: Table, left, top, width, widths: tuple[float, ...] | None = None) -> None:
    rows = table.rows[:MAX_ROWS]
    shape = slide.shapes.add_table(len(rows) + 1, len(table.columns), left, top, width, Inches(0.3) * (len(rows) + 1))
    if widths:
        for j, share in enumerate(widths):
            shape.table.columns[j].width = Emu(int(width * share))
    for j, name in enumerate(table.columns):
        shape.table.cell(0, j).text = name
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            shape.table.cell(i, j).text = value
    for cell in (shape.table.cell(i, j) for i in range(len(rows) + 1) for j in range(len(table.columns))):
        for p in cell.text_frame.paragraphs:
            p.font.size = Pt(10)


def summary_table(section: Section) -> Table:
    """The executive summary as the deck's first slide shows it: one row per issue."""
    rows = tuple((f"{n}. {i.title}", i.value.text + (f" (target {i.target.text})" if i.target else ""),
                  i.previous.text if i.previous else "n/a", i.last_year.text if i.last_year else "n/a",
                  f"{i.action.what}; {i.action.owner}; review by {i.action.due}",
                  f"{i.action.expected_text()}; confidence {i.action.confidence}")
                 for n, i in enumerate(section.issues, start=1))
    first = section.issues[0] if section.issues else None
    return Table("", ("issue", "now", first.previous_label if first else "previous", first.last_year_label if first
                      else "a year before", "action", "expected KPI change"), rows, "")


def _section_slide(prs, section: Section) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    _title(slide, section.message, size=22)
    margin = Inches(0.5)
    top = Inches(1.5)
    texts = ([section.absent] if section.absent else []) + [f.text for f in section.findings[:MAX_BULLETS]]
    if section.issues:
        _table(slide, summary_table(section), margin, top, SLIDE_W - 2 * margin, widths=SUMMARY_WIDTHS)
    elif section.figures:
        figure = section.figures[0]
        text_w = Inches(5.2)
        _bullets(slide, texts, margin, top, text_w, SLIDE_H - top - margin)
        max_w, max_h = SLIDE_W - text_w - 2 * margin - Inches(0.2), SLIDE_H - top - margin
        scale = min(max_w / figure.width_px, max_h / figure.height_px)
        slide.shapes.add_picture(io.BytesIO(figure.png), margin + text_w + Inches(0.2), top,
                                 width=Emu(int(figure.width_px * scale)), height=Emu(int(figure.height_px * scale)))
    elif section.tables and not section.absent:
        _bullets(slide, texts[:2], margin, top, SLIDE_W - 2 * margin, Inches(1.6))
        _table(slide, section.tables[0], margin, top + Inches(1.8), SLIDE_W - 2 * margin)
    else:
        _bullets(slide, texts if section.key != "recommendations" else [f.text for f in section.findings],
                 margin, top, SLIDE_W - 2 * margin, SLIDE_H - top - margin)
    slide.notes_slide.notes_text_frame.text = _notes(section)


def render_pptx(report: Report) -> bytes:
    """The deck as bytes: a title slide, then one slide per section."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    _title(cover, report.title, size=36)
    cover.shapes.title.top = Inches(2.2)
    subtitle = cover.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.5), Inches(3.6), SLIDE_W - Inches(1.0), Inches(2.0)
    subtitle.text = f"{report.period_label}\n" + " ".join(report.notes)
    cover.notes_slide.notes_text_frame.text = "\n".join(report.notes)
    for section in report.sections:
        _section_slide(prs, section)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
