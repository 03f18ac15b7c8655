"""`govex playbook check`: validate a playbook file (segments, journeys, KPIs, dates) at file:line."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from govex.cli.common import console

playbook_app = typer.Typer(help="Playbooks: the actions decided per segment x journey.", no_args_is_help=True)


@playbook_app.command("check")
def check(
    path: Path = typer.Argument(..., help="playbook YAML (a list under `plays:`)"),
    catalogue: Optional[list[Path]] = typer.Option(None, "--catalogue", help="Extra metric YAML file or folder (repeatable)."),
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


def register(app: typer.Typer) -> None:
    app.add_typer(playbook_app, name="playbook")
