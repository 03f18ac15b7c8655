"""Render a report to one self-contained HTML page (CSS inline, charts as base64 PNG; no network).

The same markup, with the print rules of `REPORT_CSS`, is what WeasyPrint turns into the PDF.
"""
from __future__ import annotations

import base64
from html import escape

from govex.reports.model import Figure, Report, ReportIssue, ReportTable, Section

REPORT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
  @bottom-left { content: "govex executive report"; font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #666; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-family: "DejaVu Sans", sans-serif;
                  font-size: 8pt; color: #666; } }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; max-width: 60rem;
       margin: 0 auto; padding: 1.5rem; line-height: 1.45; font-size: 10.5pt; }
header.cover h1 { font-size: 22pt; margin-bottom: 0.2rem; }
header.cover p { color: #444; margin: 0.2rem 0; }
section { margin-top: 1.8rem; }
section h2 { font-size: 15pt; border-bottom: 2px solid #0072B2; padding-bottom: 0.2rem; margin-bottom: 0.3rem; }
p.message { font-weight: bold; font-size: 11.5pt; margin-top: 0.3rem; }
p.absent { background: #fff4e5; border-left: 4px solid #E69F00; padding: 0.5rem 0.8rem; }
ul.findings li { margin-bottom: 0.3rem; }
figure { margin: 0.8rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #555; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 8pt; width: 100%; table-layout: fixed; }
caption { text-align: left; font-weight: bold; margin-bottom: 0.2rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.3rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f2f6fa; overflow-wrap: normal; }  /* a header word is never split */
td.num { text-align: right; }
p.sources { font-size: 8pt; color: #555; }
div.issue { border-left: 4px solid #D55E00; padding: 0.3rem 0.7rem; margin: 0.7rem 0; break-inside: avoid; }
div.issue h3 { font-size: 11.5pt; margin: 0 0 0.2rem 0; }
div.issue p { margin: 0.15rem 0; }
table.card { margin: 0.3rem 0 0 0; }
sup { font-size: 7pt; color: #555; }
ol.sources { font-size: 7.5pt; color: #444; overflow-wrap: anywhere; }
tr { break-inside: avoid; }
h2, p.message, caption { break-after: avoid; }
figure { break-inside: avoid; }
@media print { section.detail#kpis { break-before: page; } body { max-width: none; padding: 0; } }
"""


def _figure(figure: Figure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(figure.alt)}" '
            f'width="{figure.width_px}" height="{figure.height_px}"><figcaption>{escape(figure.title)}</figcaption></figure>')


def _is_number(cell: str) -> bool:
    head = cell.lstrip("+-").replace(",", "").split(" ")[0].rstrip("%")
    return head.replace(".", "", 1).isdigit()


def _table(table: ReportTable) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f'<td class="num">{escape(c)}</td>' if _is_number(c) else f"<td>{escape(c)}</td>"
                                    for c in row) + "</tr>" for row in table.rows)
    caption = f"<caption>{escape(table.title)}</caption>" if table.title else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _issue(n: int, issue: ReportIssue) -> str:
    a = issue.action
    card = ReportTable("", ("action", "owner", "cost", "expected KPI change", "confidence", "review by"),
                 ((a.what, a.owner, a.cost_text(), a.expected_text(), a.confidence, str(a.due)),), "")
    widths = "".join(f'<col style="width:{w}%">' for w in (23, 14, 10, 27, 12, 14))
    return (f'<div class="issue"><h3>{n}. {escape(issue.title)}</h3><p>{escape(issue.kpi)}: {escape(issue.standing())}.</p>'
            f"<p>Cause this period: {escape(issue.cause)}.</p>"
            + _table(card).replace("<table>", f'<table class="card"><colgroup>{widths}</colgroup>', 1) + "</div>")


def _section(section: Section, notes: dict[str, int]) -> str:
    parts = [f'<section id="{escape(section.key)}" class="{"summary" if section.key == "summary" else "detail"}">'
             f"<h2>{escape(section.title)}</h2>",
             f'<p class="message">{escape(section.message)}</p>']
    if section.absent:
        parts.append(f'<p class="absent">{escape(section.absent)}</p>')
    if section.findings:
        parts.append('<ul class="findings">' + "".join(f"<li>{escape(f.text)}</li>" for f in section.findings) + "</ul>")
    parts += [_issue(i, issue) for i, issue in enumerate(section.issues, start=1)]
    parts += [_figure(f) for f in section.figures]
    parts += [_table(t) for t in section.tables]
    if section.sources:  # footnotes: the definitions and files themselves are listed in the appendix
        parts.append('<p class="sources">Sources: ' + " ".join(f"[{notes[s]}]" for s in section.sources) + "</p>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    # The cover carries the executive summary; the sections are its appendix, their sources numbered at the end.
    sources = list(dict.fromkeys(s for section in report.sections for s in section.sources))
    numbers = {s: i for i, s in enumerate(sources, start=1)}
    notes = "".join(f"<p>{escape(n)}</p>" for n in report.notes)
    appendix = ('<section id="sources" class="detail"><h2>Appendix: sources</h2><ol class="sources">'
                + "".join(f"<li>{escape(s)}</li>" for s in sources) + "</ol></section>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)} {escape(report.period_label)}</title><style>{REPORT_CSS}</style></head><body>"
        f'<header class="cover"><h1>{escape(report.title)}</h1><p>Period: {escape(report.period_label)}</p>'
        f"<p>Generated {escape(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>{notes}</header>\n"
        + "\n".join(_section(s, numbers) for s in report.sections) + f"\n{appendix}\n</body></html>\n"
    )
