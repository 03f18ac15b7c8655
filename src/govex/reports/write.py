"""Write the report's three forms (HTML, PDF, PPTX) into a folder, each to a temporary name first."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from govex.engine.warehouse import Warehouse
from govex.planning import WarehousePlan
from govex.reports.build import build_report
from govex.reports.html import render_html
from govex.reports.model import Report
from govex.reports.slides import render_pptx

if TYPE_CHECKING:
    from govex.voc import AutomationStudy

REPORT_FILES = ("report.html", "report.pdf", "report.pptx")


def render_pdf(report: Report) -> bytes:
    """The HTML rendering printed to PDF by WeasyPrint (fonts from the system; no network)."""
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def save_report(report: Report, out_dir: str | Path) -> list[Path]:
    """Render all three forms first, then write each file atomically; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rendered = {"report.html": render_html(report).encode("utf-8"), "report.pdf": render_pdf(report),
                "report.pptx": render_pptx(report)}
    paths = []
    for name in REPORT_FILES:
        _write_atomic(out / name, rendered[name])
        paths.append(out / name)
    return paths


def write_report(
    warehouse: Warehouse,
    out_dir: str | Path,
    *,
    scenario: str | Path | None = None,
    plan: WarehousePlan | None = None,
    study: AutomationStudy | None = None,
    **options,
) -> list[Path]:
    """Build the report from the warehouse and write report.html/.pdf/.pptx.

    `scenario` (a scenario YAML), `plan` (a `plan_from_warehouse` result) and `study` (an
    `automation_study` result) let a caller that already has them skip rebuilding the plan and
    re-running the automation study; the other options are `build_report`'s.
    """
    return save_report(build_report(warehouse, scenario=scenario, plan=plan, study=study, **options), out_dir)
