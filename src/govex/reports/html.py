"""Render a report to one self-contained HTML page (CSS inline, charts as base64 PNG; no network).

The same markup, with the print rules of `REPORT_CSS`, is what WeasyPrint turns into the PDF.
"""
from __future__ import annotations

import base64
from html import escape

from govex.reports.model import Figure, Report, Section, Table

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
th { background: #f2f6fa; }
td.num { text-align: right; }
p.sources { font-size: 8pt; color: #555; }
nav.toc h2 { font-size: 13pt; margin: 1.2rem 0 0.4rem 0; }
nav.toc li { margin: 0.35rem 0; }
nav.toc span.glance { color: #333; }
@media print { section { break-before: page; margin-top: 0; } body { max-width: none; padding: 0; } }
"""


def _figure(figure: Figure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(figure.alt)}" '
            f'width="{figure.width_px}" height="{figure.height_px}"><figcaption>{escape(figure.title)}</figcaption></figure>')


def _is_number(cell: str) -> bool:
    head = cell.lstrip("+-").replace(",", "").split(" ")[0].rstrip("%")
    return head.replace(".", "", 1).isdigit()


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f'<td class="num">{escape(c)}</td>' if _is_number(c) else f"<td>{escape(c)}</td>"
                                    for c in row) + "</tr>" for row in table.rows)
    return f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(section: Section) -> str:
    parts = [f'<section id="{escape(section.key)}"><h2>{escape(section.title)}</h2>',
             f'<p class="message">{escape(section.message)}</p>']
    if section.absent:
        parts.append(f'<p class="absent">{escape(section.absent)}</p>')
    if section.findings:
        parts.append('<ul class="findings">' + "".join(f"<li>{escape(f.text)}</li>" for f in section.findings) + "</ul>")
    parts += [_figure(f) for f in section.figures]
    parts += [_table(t) for t in section.tables]
    if section.sources:
        parts.append('<p class="sources">Sources: ' + "; ".join(escape(s) for s in section.sources) + "</p>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    # The cover doubles as the executive summary: each section's one-line message under its link.
    toc = "".join(f'<li><a href="#{escape(s.key)}">{escape(s.title)}</a><br><span class="glance">{escape(s.message)}</span></li>'
                  for s in report.sections)
    notes = "".join(f"<p>{escape(n)}</p>" for n in report.notes)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)} {escape(report.period_label)}</title><style>{REPORT_CSS}</style></head><body>"
        f'<header class="cover"><h1>{escape(report.title)}</h1><p>Period: {escape(report.period_label)}</p>'
        f"<p>Generated {escape(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>{notes}"
        f'<nav class="toc"><h2>At a glance</h2><ol>{toc}</ol></nav></header>\n'
        + "\n".join(_section(s) for s in report.sections) + "\n</body></html>\n"
    )
