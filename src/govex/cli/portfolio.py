"""`govex portfolio`: the best set of projects under a budget and capacity, and what the limits cost."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import JsonOption, console, print_json


def portfolio(
    projects: Path = typer.Option(None, "--projects", help="YAML or CSV: name, benefit, benefit_sd, cost, effort, depends_on."),
    playbook: Path = typer.Option(None, "--playbook", help="Playbook YAML: its plays with a cost and a benefit join the "
                                  "candidates (benefit in money per year, so a --projects file must use the same unit)."),
    budget: float = typer.Option(..., "--budget", help="Money available (same unit as cost)."),
    capacity: float = typer.Option(None, "--capacity", help="Effort available (same unit as effort)."),
    as_json: JsonOption = False,
) -> None:
    """Choose projects maximising expected benefit within budget and capacity (MILP, HiGHS)."""
    from govex.errors import ConfigError
    from govex.planning.playbook import check_playbook
    from govex.planning.portfolio import load_projects, optimise_portfolio, projects_from_plays

    if projects is None and playbook is None:
        raise ConfigError("give the candidates: --projects FILE, --playbook FILE or both")
    candidates = load_projects(projects) if projects is not None else []
    left_out: list[str] = []
    if playbook is not None:
        from_plays, left_out = projects_from_plays(check_playbook(playbook))
        candidates += from_plays
    if not candidates:
        raise ConfigError(f"no candidate project: {len(left_out)} play(s) of {playbook} left out: " + "; ".join(left_out))
    result = optimise_portfolio(candidates, budget=budget, capacity=capacity)
    if as_json:
        print_json({**result, "left_out": left_out})
        return
    low, high = result["benefit_90"]
    console.print(f"fund {', '.join(result['selected']) or 'nothing'}: benefit {result['benefit']:,.4g} "
                  f"(90% {low:,.4g} to {high:,.4g}), cost {result['cost']:,.4g} of {budget:,.4g}"
                  + (f", effort {result['effort']:,.4g} of {capacity:,.4g}" if capacity is not None else ""),
                  highlight=False)
    for name, texts in result["constraints"].items():
        for text in texts.values():
            console.print(f"  {name}: {text}", highlight=False)
    if result["marginal_in"]:
        console.print(f"  just above the line: {result['marginal_in']['project']} "
                      f"(dropping it loses {result['marginal_in']['benefit_lost_if_dropped']:,.4g})", highlight=False)
    if result["marginal_out"]:
        lost = result["marginal_out"]["benefit_lost_if_forced_in"]
        console.print(f"  just below the line: {result['marginal_out']['project']} "
                      + (f"(funding it instead costs {lost:,.4g} of benefit)" if lost is not None
                         else "(cannot fit at all)"), highlight=False)
    for note in left_out:
        console.print(f"  left out: {note}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("portfolio")(portfolio)
