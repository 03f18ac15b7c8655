"""Render a report to a PPTX deck: one message per slide as its title, the chart, and the numbers'
sources in the speaker notes (python-pptx, 16:9).

The deck's first slide after the cover is the executive summary, the same issues as the report's
cover. Text is set in DejaVu Sans and sized to its box by measuring it with that font's metrics:
a title or a list that would not fit is set smaller (down to a floor), then cut at a whole bullet.
"""
from __future__ import annotations

import io
from functools import lru_cache

from PIL import ImageFont
from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from govex.reports.model import Report, ReportTable, Section
from govex.reports.summary import short_title

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MAX_BULLETS = 4
MAX_ROWS = 8
SUMMARY_WIDTHS = (0.22, 0.14, 0.09, 0.09, 0.26, 0.20)
FONT_NAME = "DejaVu Sans"
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINE = 1.2            # line height as a multiple of the font size
INSET_X, INSET_Y = Inches(0.1), Inches(0.05)  # python-pptx's default text frame insets
EMU_PER_PT = 12700


@lru_cache(maxsize=None)
def _font(size_pt: float):
    try:
        return ImageFont.truetype(FONT_FILE, size=max(1, round(size_pt * 10)))  # 10x for sub-point precision
    except OSError:
        return None


def text_width_pt(text: str, size_pt: float) -> float:
    font = _font(size_pt)
    return font.getlength(text) / 10 if font is not None else 0.6 * size_pt * len(text)


def lines_needed(text: str, width_pt: float, size_pt: float) -> int:
    """Lines the text wraps to at word boundaries in a box `width_pt` wide."""
    lines, current = 1, ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if text_width_pt(trial, size_pt) <= width_pt or not current:
            current = trial
        else:
            lines, current = lines + 1, word
    return lines


def height_needed(texts: list[str], width_emu: int, size_pt: float, space_after_pt: float = 0.0) -> float:
    """Height in EMU of paragraphs set at `size_pt` in a box `width_emu` wide (insets included)."""
    width_pt = (width_emu - 2 * INSET_X) / EMU_PER_PT
    lines = sum(lines_needed(t, width_pt, size_pt) for t in texts)
    return (lines * size_pt * LINE + space_after_pt * len(texts)) * EMU_PER_PT + 2 * INSET_Y


def _fitting_size(texts: list[str], width_emu: int, height_emu: int, sizes: tuple[int, ...],
                  space_after_pt: float = 0.0) -> int | None:
    for size in sizes:
        if height_needed(texts, width_emu, size, space_after_pt) <= height_emu:
            return size
    return None


def _notes(section: Section) -> str:
    lines = [section.title, ""]
    lines += [f"- {f.text}" for f in section.findings]
    lines += [f"- {i.title}: {i.standing()}; cause: {i.cause}" for i in section.issues]
    if section.absent:
        lines.append(section.absent)
    if section.sources:
        lines += ["", "Sources:"] + [f"- {s}" for s in section.sources]
    return "\n".join(lines)


def _title(slide, text: str, size: int = 26) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.5), Inches(0.3), SLIDE_W - Inches(1.0), Inches(1.1)
    title.text = text
    fitted = _fitting_size([text], title.width, title.height, tuple(range(size, 15, -2))) or 16
    for p in slide.shapes.title.text_frame.paragraphs:
        p.font.size = Pt(fitted)
        p.font.name = FONT_NAME


def _bullets(slide, texts: list[str], left, top, width, height) -> None:
    """Bullets set as large as fits (13 pt down to 10 pt); bullets that still do not fit are left to the notes."""
    items = ["\u2022 " + t for t in texts]
    size = None
    while items and size is None:
        size = _fitting_size(items, width, height, (13, 12, 11, 10), space_after_pt=6)
        if size is None:
            items = items[:-1]
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, text in enumerate(items):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.text = text
        p.font.size = Pt(size or 10)
        p.font.name = FONT_NAME
        p.space_after = Pt(6)


def _row_heights(rows: list[tuple[str, ...]], widths: list[int], size: float) -> list[int]:
    """Each row's height: its tallest cell's wrapped text (a table row grows to hold its text)."""
    return [int(max(height_needed([cell], w, size) for cell, w in zip(row, widths))) for row in rows]


def _table(slide, table: ReportTable, left, top, width, widths: tuple[float, ...] | None = None, size: int = 10) -> None:
    """A table whose font is the largest (from `size` down to 8 pt) at which every row fits above the slide's foot."""
    rows = table.rows[:MAX_ROWS]
    shares = widths or tuple(1 / len(table.columns) for _ in table.columns)
    column_widths = [int(width * share) for share in shares]
    room = SLIDE_H - top - Inches(0.3)
    everything = [tuple(table.columns), *rows]
    while True:
        heights = _row_heights(everything, column_widths, size)
        if sum(heights) <= room or size <= 8:
            break
        size -= 1
    while sum(heights) > room and len(everything) > 2:  # still too tall at the floor: the last rows go to the notes
        everything, heights = everything[:-1], heights[:-1]
    rows = everything[1:]
    shape = slide.shapes.add_table(len(rows) + 1, len(table.columns), left, top, width, Emu(sum(heights)))
    for j, column_width in enumerate(column_widths):
        shape.table.columns[j].width = Emu(column_width)
    for i, height in enumerate(heights):
        shape.table.rows[i].height = Emu(height)
    for j, name in enumerate(table.columns):
        shape.table.cell(0, j).text = name
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            shape.table.cell(i, j).text = value
    for cell in (shape.table.cell(i, j) for i in range(len(rows) + 1) for j in range(len(table.columns))):
        for p in cell.text_frame.paragraphs:
            p.font.size = Pt(size)
            p.font.name = FONT_NAME


def summary_table(section: Section) -> ReportTable:
    """The executive summary as the deck's first slide shows it: one row per issue."""
    rows = tuple((f"{n}. {i.title}", i.value.text + (f" (target {i.target.text})" if i.target else ""),
                  i.previous.text if i.previous else "n/a", i.last_year.text if i.last_year else "n/a",
                  f"{i.action.what}; {i.action.owner}; review by {i.action.due}",
                  f"{i.action.expected_text()}; confidence {i.action.confidence}")
                 for n, i in enumerate(section.issues, start=1))
    first = section.issues[0] if section.issues else None
    return ReportTable("", ("issue", "now", first.previous_label if first else "previous", first.last_year_label if first
                      else "a year before", "action", "expected KPI change"), rows, "")


def _section_slide(prs, section: Section) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    _title(slide, short_title(section.message), size=22)
    margin = Inches(0.5)
    top = Inches(1.5)
    texts = ([section.absent] if section.absent else []) + [f.text for f in section.findings[:MAX_BULLETS]]
    if section.issues:
        _table(slide, summary_table(section), margin, top, SLIDE_W - 2 * margin, widths=SUMMARY_WIDTHS, size=11)
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
    """The deck as bytes: a title slide, then one slide per section (the executive summary first)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    _title(cover, report.title, size=36)
    cover.shapes.title.top = Inches(2.2)
    subtitle = cover.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.5), Inches(3.6), SLIDE_W - Inches(1.0), Inches(2.0)
    subtitle.text = f"{report.period_label}\n" + " ".join(report.notes)
    for p in subtitle.text_frame.paragraphs:
        p.font.size = Pt(18)
        p.font.name = FONT_NAME
    cover.notes_slide.notes_text_frame.text = "\n".join(report.notes)
    for section in report.sections:
        _section_slide(prs, section)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
