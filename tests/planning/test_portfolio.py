"""Portfolio optimum equals brute force; constraint costs and marginal projects match re-enumeration; bad files refused."""
from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from govex.errors import ConfigError
from govex.planning.portfolio import Project, load_projects, optimise_portfolio


def brute_force(projects, budget, capacity):
    """Best benefit over every subset that respects budget, capacity and dependencies."""
    best, best_set = 0.0, ()
    for mask in itertools.product([0, 1], repeat=len(projects)):
        chosen = {p.name for p, m in zip(projects, mask) if m}
        if sum(p.cost for p in projects if p.name in chosen) > budget + 1e-9:
            continue
        if capacity is not None and sum(p.effort for p in projects if p.name in chosen) > capacity + 1e-9:
            continue
        if any(dep not in chosen for p in projects if p.name in chosen for dep in p.depends_on):
            continue
        value = sum(p.benefit for p in projects if p.name in chosen)
        if value > best + 1e-9:
            best, best_set = value, tuple(sorted(chosen))
    return best, best_set


def random_projects(rng, n):
    projects = []
    for i in range(n):
        deps = tuple(f"p{j}" for j in range(i) if rng.random() < 0.15)  # only earlier ones: no cycles
        projects.append(Project(f"p{i}", benefit=float(rng.integers(1, 100)), cost=float(rng.integers(1, 50)),
                                effort=float(rng.integers(1, 10)), benefit_sd=float(rng.integers(0, 20)),
                                depends_on=deps))
    return projects


@pytest.mark.parametrize("seed", range(12))
def test_optimum_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    projects = random_projects(rng, 9)
    budget = float(rng.integers(30, 150))
    capacity = float(rng.integers(8, 30)) if seed % 2 else None
    result = optimise_portfolio(projects, budget=budget, capacity=capacity)
    best, _ = brute_force(projects, budget, capacity)
    assert result["benefit"] == pytest.approx(best)
    assert result["cost"] <= budget
    # the 10% more budget sentence quotes the brute-force gain
    gain = brute_force(projects, 1.1 * budget, capacity)[0] - best
    text = result["constraints"]["budget"]["plus_10_percent"]
    assert (f"add {gain:,.4g} of benefit" in text) if gain > 1e-9 else ("add nothing" in text)
    # marginal project just above the line: the selected one whose forced removal loses least
    if result["marginal_in"]:
        name = result["marginal_in"]["project"]
        without = brute_force([p if p.name != name else Project(name, -1e6, p.cost, p.effort) for p in projects],
                              budget, capacity)[0]
        assert result["marginal_in"]["benefit_lost_if_dropped"] == pytest.approx(best - without)


def test_uncertainty_adds_in_quadrature():
    projects = [Project("a", 10, 1, benefit_sd=3), Project("b", 10, 1, benefit_sd=4), Project("c", 1, 5)]
    result = optimise_portfolio(projects, budget=2)
    assert result["selected"] == ["a", "b"]
    assert result["benefit_90"] == pytest.approx([20 - 1.6448536 * 5, 20 + 1.6448536 * 5])


def test_dependency_is_respected():
    projects = [Project("base", 1, 10), Project("payoff", 100, 10, depends_on=("base",))]
    assert optimise_portfolio(projects, budget=15)["selected"] == ["base"]  # payoff alone is not allowed
    assert optimise_portfolio(projects, budget=20)["selected"] == ["base", "payoff"]


def test_bad_project_files_are_refused(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("projects:\n  - {name: a, benefit: 1, cost: 2}\n  - {name: b, benefit: 1}\n")
    with pytest.raises(ConfigError, match=r"p.yaml, project 2: missing cost"):
        load_projects(bad)
    csv = tmp_path / "p.csv"
    csv.write_text("name,benefit,cost,depends_on\na,1,2,\nb,1,x,a\n")
    with pytest.raises(ConfigError, match=r"p.csv, row 3 \('b'\)"):
        load_projects(csv)
    with pytest.raises(ConfigError, match="depends on 'zz', which is not in the list"):
        optimise_portfolio([Project("a", 1, 1, depends_on=("zz",))], budget=1)
    with pytest.raises(ConfigError, match="circular dependencies among: a, b"):
        optimise_portfolio([Project("a", 1, 1, depends_on=("b",)), Project("b", 1, 1, depends_on=("a",))], budget=5)


def test_cli_reads_csv_and_prints_json(tmp_path):
    from typer.testing import CliRunner

    from govex.cli.main import app

    path = tmp_path / "projects.csv"
    path.write_text("name,benefit,benefit_sd,cost,effort,depends_on\n"
                    "refund-flow,120,40,50,6,\ncarrier-switch,200,90,120,4,\n"
                    "chatbot,90,30,40,8,help-centre\nhelp-centre,30,10,20,5,\n")
    out = CliRunner().invoke(app, ["portfolio", "--projects", str(path), "--budget", "200", "--capacity", "15",
                                   "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    # by hand: refund + carrier + help-centre = 350 at cost 190, effort 15; chatbot needs 8 more effort
    assert sorted(payload["selected"]) == ["carrier-switch", "help-centre", "refund-flow"]
    assert payload["benefit"] == 350


PLAYS = """\
plays:
  - {segment: all, journey: return, problem: p, evidence: e, action: returns bot, owner: o, kpi: automation_rate,
     expected: {effect: 0.1, low: 0.05, high: 0.15}, cost: 60, benefit: {value: 100, low: 50, high: 150},
     start: 2026-01-05, review: 2026-03-02}
  - {segment: all, journey: fulfilment, problem: p, evidence: e, action: carrier switch, owner: o, kpi: csat,
     expected: {effect: 0.1, low: 0.05, high: 0.15}, cost: 50, benefit: {value: 90, low: 80, high: 100},
     start: 2026-01-05, review: 2026-03-02}
  - {segment: all, journey: dispute, problem: p, evidence: e, action: seller review, owner: o, kpi: dispute_rate,
     expected: {effect: -0.01, low: -0.02, high: 0.0}, cost: 45, benefit: {value: 80, low: 60, high: 100},
     start: 2026-01-05, review: 2026-03-02}
  - {segment: all, journey: fulfilment, problem: p, evidence: e, action: late delivery fix, owner: o, kpi: csat,
     expected: {effect: 0.1, low: 0.05, high: 0.15}, cost: 0, benefit: {value: 500, low: 400, high: 600},
     start: 2026-01-05, review: 2026-03-02}
  - {segment: all, journey: return, problem: p, evidence: e, action: refund policy, owner: o, kpi: csat,
     expected: {effect: 0.1, low: 0.05, high: 0.15}, cost: 10, start: 2026-01-05, review: 2026-03-02}
"""


def test_plays_become_projects_and_the_cli_chooses_among_them(tmp_path):
    from typer.testing import CliRunner

    from govex.cli.main import app
    from govex.planning.playbook import check_playbook
    from govex.planning.portfolio import projects_from_plays

    path = tmp_path / "playbook.yaml"
    path.write_text(PLAYS)
    projects, left_out = projects_from_plays(check_playbook(path))
    assert [p.name for p in projects] == ["returns bot (line 2)", "carrier switch (line 5)", "seller review (line 8)"]
    assert projects[0].benefit_sd == pytest.approx(100 / (2 * 1.6448536269514722))  # the benefit interval read as 90%
    assert "late delivery fix (line 11): cost 0" in left_out[0] and "refund policy (line 14): no benefit" in left_out[1]
    out = CliRunner().invoke(app, ["portfolio", "--playbook", str(path), "--budget", "100", "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    # by hand within 100: bot alone 100, switch + review 170 at cost 95, bot + anything else is over budget
    assert sorted(payload["selected"]) == ["carrier switch (line 5)", "seller review (line 8)"]
    assert payload["benefit"] == 170 and len(payload["left_out"]) == 2
    empty = CliRunner().invoke(app, ["portfolio", "--budget", "100"])
    assert empty.exit_code != 0 and "--projects FILE, --playbook FILE or both" in str(empty.exception) + empty.output
