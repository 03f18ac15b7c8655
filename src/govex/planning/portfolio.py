"""Investment portfolio: which projects to fund under a budget and a team capacity.

A 0/1 integer programme solved by HiGHS (``scipy.optimize.milp``): maximise the sum of expected
benefits subject to total cost <= budget, total effort <= capacity and "a project needs the
projects it depends on". What a constraint costs is found by re-solving, not by LP duals (which
mean little for integer programmes): the benefit gained from 10% more of it, and from dropping it.
The marginal projects are found the same way: forcing each project out (or in) and re-solving;
the selected one whose removal costs least is just above the line, the unselected one whose
inclusion costs least just below it. Benefit uncertainties (one standard deviation per project)
are added in quadrature, assuming the projects' outcomes are independent.

Plays of a playbook become projects (`projects_from_plays`) when they say what they are worth
(`benefit`, money per year, its interval read as 90%) and what they cost; the others are listed
with the reason they were left out.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize

from govex.errors import ConfigError, InfeasiblePlan

Z90 = 1.6448536269514722  # standard normal 95th percentile: a 90% interval
EXAMPLE_PROJECTS = Path(__file__).with_name("example_projects.yaml")  # illustrative, for the demo and the guide


@dataclass(frozen=True)
class Project:
    name: str
    benefit: float
    cost: float
    effort: float = 0.0
    benefit_sd: float = 0.0
    depends_on: tuple[str, ...] = ()


def _solve(projects: list[Project], budget: float, capacity: float | None,
           fixed: dict[int, int] | None = None) -> tuple[float, np.ndarray] | None:
    """Best selection (benefit, 0/1 vector) or None when the constraints cannot all hold."""
    n = len(projects)
    index = {p.name: i for i, p in enumerate(projects)}
    rows, lower, upper = [[p.cost for p in projects]], [-np.inf], [budget]
    if capacity is not None:
        rows.append([p.effort for p in projects])
        lower.append(-np.inf)
        upper.append(capacity)
    for i, p in enumerate(projects):
        for dep in p.depends_on:  # x_i - x_dep <= 0
            row = [0.0] * n
            row[i], row[index[dep]] = 1.0, -1.0
            rows.append(row)
            lower.append(-np.inf)
            upper.append(0.0)
    lo, hi = np.zeros(n), np.ones(n)
    for i, value in (fixed or {}).items():
        lo[i] = hi[i] = value
    result = optimize.milp(-np.array([p.benefit for p in projects]), integrality=np.ones(n),
                           bounds=optimize.Bounds(lo, hi),
                           constraints=optimize.LinearConstraint(np.array(rows), lower, upper))
    if result.status != 0 or result.x is None:
        return None
    chosen = np.round(result.x).astype(int)
    return float(sum(p.benefit for p, x in zip(projects, chosen) if x)), chosen


def check_projects(projects: list[Project]) -> None:
    """Refuse duplicate names, negative costs/efforts/uncertainty and unknown or circular dependencies."""
    names = [p.name for p in projects]
    seen: set[str] = set()
    for p in projects:
        if p.name in seen:
            raise ConfigError(f"project {p.name!r} is listed twice; give each project once")
        seen.add(p.name)
        for label, value in (("cost", p.cost), ("effort", p.effort), ("benefit_sd", p.benefit_sd)):
            if not np.isfinite(value) or value < 0:
                raise ConfigError(f"project {p.name!r}: {label} must be a number >= 0; got {value}")
        for dep in p.depends_on:
            if dep not in names:
                raise ConfigError(f"project {p.name!r} depends on {dep!r}, which is not in the list; "
                                  f"known projects: {', '.join(names)}")
    needs = {p.name: set(p.depends_on) for p in projects}
    done: set[str] = set()
    while len(done) < len(needs):
        ready = {name for name, deps in needs.items() if name not in done and deps <= done}
        if not ready:
            raise ConfigError("circular dependencies among: " + ", ".join(sorted(set(needs) - done)))
        done |= ready


def _describe(what: str, base: float, other: tuple[float, np.ndarray] | None, chosen: np.ndarray,
              projects: list[Project]) -> str:
    if other is None or other[0] <= base + 1e-9:
        return f"{what} would add nothing: this constraint is not what holds the portfolio back there"
    added = [p.name for p, a, b in zip(projects, chosen, other[1]) if b and not a]
    dropped = [p.name for p, a, b in zip(projects, chosen, other[1]) if a and not b]
    change = "adding " + ", ".join(added) if added else ""
    if dropped:
        change += (" and " if change else "") + "dropping " + ", ".join(dropped)
    return f"{what} would add {other[0] - base:,.4g} of benefit ({change})"


def optimise_portfolio(projects: list[Project], *, budget: float, capacity: float | None = None) -> dict[str, Any]:
    """The best portfolio, its benefit interval, what each constraint costs and the marginal projects."""
    if not projects:
        raise ConfigError("the project list is empty")
    if budget < 0 or (capacity is not None and capacity < 0):
        raise ConfigError(f"--budget and --capacity must be >= 0; got {budget} and {capacity}")
    check_projects(projects)
    best = _solve(projects, budget, capacity)
    if best is None:
        raise InfeasiblePlan("no portfolio fits the budget and capacity (not even an empty one)")
    benefit, chosen = best
    selected = [p for p, x in zip(projects, chosen) if x]
    sd = float(np.sqrt(sum(p.benefit_sd ** 2 for p in selected)))
    constraints = {
        "budget": {
            "plus_10_percent": _describe(f"another {0.1 * budget:,.4g} of budget (+10%)", benefit,
                                         _solve(projects, 1.1 * budget, capacity), chosen, projects),
            "removed": _describe("an unlimited budget", benefit, _solve(projects, np.inf, capacity), chosen, projects),
        },
    }
    if capacity is not None:
        constraints["capacity"] = {
            "plus_10_percent": _describe(f"another {0.1 * capacity:,.4g} of capacity (+10%)", benefit,
                                         _solve(projects, budget, 1.1 * capacity), chosen, projects),
            "removed": _describe("unlimited capacity", benefit, _solve(projects, budget, None), chosen, projects),
        }
    losses = {}
    for i, p in enumerate(projects):
        forced = _solve(projects, budget, capacity, fixed={i: 1 - int(chosen[i])})
        losses[p.name] = benefit - forced[0] if forced is not None else np.inf
    inside = [p.name for p in selected]
    outside = [p.name for p in projects if p.name not in inside]
    above = min(inside, key=lambda name: losses[name]) if inside else None
    below = min(outside, key=lambda name: losses[name]) if outside else None
    return {
        "selected": inside,
        "benefit": benefit,
        "benefit_90": [benefit - Z90 * sd, benefit + Z90 * sd],
        "cost": float(sum(p.cost for p in selected)), "budget": budget,
        "effort": float(sum(p.effort for p in selected)), "capacity": capacity,
        "constraints": constraints,
        "marginal_in": {"project": above, "benefit_lost_if_dropped": losses.get(above)} if above else None,
        "marginal_out": ({"project": below, "benefit_lost_if_forced_in": losses[below]
                          if np.isfinite(losses[below]) else None} if below else None),
    }


def projects_from_plays(plays) -> tuple[list[Project], list[str]]:
    """Projects from playbook plays (`govex.planning.playbook.Play`), and why each other play was left out."""
    projects, left_out = [], []
    for play in plays:
        name = f"{play.action} (line {play.line})"
        if play.benefit is None:
            left_out.append(f"{name}: no benefit in money; give `benefit: {{value, low, high}}` to weigh it")
        elif play.cost <= 0:
            left_out.append(f"{name}: cost 0, not costed yet; give its cost to weigh it")
        else:
            sd = (play.benefit["high"] - play.benefit["low"]) / (2 * Z90)
            projects.append(Project(name=name, benefit=play.benefit["value"], cost=play.cost, benefit_sd=sd))
    return projects, left_out


def load_projects(path) -> list[Project]:
    """Projects from YAML (a list, or ``projects:`` holding one) or CSV (``depends_on`` split on ';')."""
    import pandas as pd
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"--projects {path}: no such file")
    if path.suffix.lower() == ".csv":
        records = pd.read_csv(path, keep_default_na=False).to_dict("records")
        where = [f"{path}, row {i + 2}" for i in range(len(records))]  # line 1 is the header
    else:
        loaded = yaml.safe_load(path.read_text())
        records = loaded.get("projects") if isinstance(loaded, dict) else loaded
        if not isinstance(records, list):
            raise ConfigError(f"{path}: expected a list of projects (or 'projects:' holding one)")
        where = [f"{path}, project {i + 1}" for i in range(len(records))]
    projects = []
    for record, place in zip(records, where):
        if not isinstance(record, dict):
            raise ConfigError(f"{place}: expected a mapping with name, benefit, cost; got {record!r}")
        missing = [key for key in ("name", "benefit", "cost") if record.get(key) in (None, "")]
        if missing:
            raise ConfigError(f"{place}: missing {', '.join(missing)}")
        deps = record.get("depends_on") or ()
        if isinstance(deps, str):
            deps = [d.strip() for d in deps.split(";") if d.strip()]
        try:
            projects.append(Project(name=str(record["name"]), benefit=float(record["benefit"]),
                                    cost=float(record["cost"]), effort=float(record.get("effort") or 0.0),
                                    benefit_sd=float(record.get("benefit_sd") or 0.0), depends_on=tuple(deps)))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{place} ({record.get('name')!r}): benefit, cost, effort and benefit_sd must be "
                              f"numbers ({exc})") from None
    return projects
