"""`govex playbook check|status|draft`: validate a playbook at file:line, measure started plays, draft new ones."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from govex.cli.common import CatalogueOption, ConfigOption, DbOption, JsonOption, console, out_file

playbook_app = typer.Typer(help="Playbooks: the actions decided per segment x journey.", no_args_is_help=True)


@playbook_app.command("check")
def check(
    path: Path = typer.Argument(..., help="Playbook YAML (a list under `plays:`)."),
    catalogue: CatalogueOption = None,
) -> None:
    """Refuse unknown segments, journeys or KPIs, bad intervals and review dates before the start."""
    from govex.metrics.catalogue import load_catalogue
    from govex.planning.playbook import check_playbook

    plays = check_playbook(path, catalogue=load_catalogue(*(catalogue or [])))
    console.print(f"{path}: {len(plays)} play(s), all valid", highlight=False)
    for play in plays:
        console.print(f"  line {play.line}: {play.segment} x {play.journey}: {play.action} ({play.owner}); "
                      f"{play.kpi} {play.expected['effect']:+g} [{play.expected['low']:+g}, {play.expected['high']:+g}], "
                      f"review {play.review}", highlight=False)


@playbook_app.command("status")
def status(
    path: Path = typer.Argument(..., help="Playbook YAML (a list under `plays:`)."),
    db: DbOption = None,
    config: ConfigOption = None,
    today: Optional[str] = typer.Option(None, "--today", help="Measure up to this date, YYYY-MM-DD (default: the data's "
                                        "last order day)."),
    catalogue: CatalogueOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each play's KPI since its start against its expectation: on track, off track or too early to tell (why)."""
    from govex.cli.common import open_warehouse, parse_date, print_json
    from govex.metrics.catalogue import load_catalogue
    from govex.reports.playbook import measure_decisions

    cat = load_catalogue(*(catalogue or []))
    warehouse = open_warehouse(db=db, config=config)
    statuses = measure_decisions(warehouse, playbook=path, today=parse_date(today, "--today"), catalogue=cat).statuses
    if as_json:
        print_json([s.to_dict() for s in statuses])
        return
    for s in statuses:
        console.print(f"line {s.play.line}: {s.play.action} ({s.play.owner}; {s.play.kpi}, since {s.play.start}): "
                      f"{s.verdict.upper()}: {s.reason}", highlight=False)


@playbook_app.command("draft")
def draft(
    out: Path = out_file("the drafted playbook YAML (never overwritten)"),
    db: DbOption = None,
    config: ConfigOption = None,
    framework: str = typer.Option("value", "--framework", help="Segment framework of the friction cells."),
    period: Optional[str] = typer.Option(None, "--period", help="Period to draft from, e.g. 2025-Q4 or 2025-10 (default: the last complete quarter)."),
) -> None:
    """Write candidate plays from friction cells, key drivers, VOC themes, automation opportunities, risky sellers and
    service-standard misses, evidence filled in and starting after the data, for people to edit."""
    from govex.cli.common import open_warehouse
    from govex.reports.plays import draft_playbook, write_draft

    result = draft_playbook(open_warehouse(db=db, config=config), framework=framework, period=period)
    write_draft(result, out)
    console.print(f"{out}: {len(result.plays)} candidate play(s); edit them, then `govex playbook check {out}`",
                  highlight=False)
    for note in result.skipped:
        console.print(f"  not drafted: {note}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(playbook_app, name="playbook")
