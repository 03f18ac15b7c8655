"""Target cascade LP against small problems solved by hand."""
from __future__ import annotations

import math

import pytest

from govex.errors import ConfigError
from govex.planning.cascade import CascadeProblem, solve_cascade


def _problem(target_log: float, **extra) -> CascadeProblem:
    return CascadeProblem.model_validate({
        "inputs": [
            {"name": "aht", "baseline": 1.0, "min": math.exp(-0.05), "max": 1.0, "cost_down": 10},
            {"name": "cost_per_hour", "baseline": 1.0, "min": math.exp(-0.10), "max": 1.0, "cost_down": 20},
            {"name": "contact_rate", "baseline": 1.0, "min": math.exp(-0.10), "max": 1.0, "cost_down": 4},
        ],
        "outputs": [{"name": "cost_per_order", "direction": "lower", "target_change": math.expm1(target_log),
                     "exponents": {"aht": 1, "cost_per_hour": 1, "contact_rate": 0.5}}],
        **extra,
    })


def test_fractional_knapsack_by_hand():
    # Lower log(cost per order) by 0.12. Cost per unit of output moved: contact rate 4 / 0.5 = 8,
    # AHT 10, cost per hour 20. Cheapest first: contact rate to its floor (-0.10 -> output
    # -0.05, cost 0.4), AHT to its floor (-0.05, cost 0.5), then cost per hour for the last
    # 0.02 (cost 0.4). Total 1.3; the marginal 1 (log) of output costs 20 (cost per hour).
    r = solve_cascade(_problem(-0.12))
    got = r.inputs.set_index("name")
    assert got.loc["contact_rate", "target"] == pytest.approx(math.exp(-0.10))
    assert got.loc["aht", "target"] == pytest.approx(math.exp(-0.05))
    assert got.loc["cost_per_hour", "target"] == pytest.approx(math.exp(-0.02))
    assert got["at_bound"].to_dict() == {"aht": "min", "cost_per_hour": "", "contact_rate": "min"}
    assert r.total_cost == pytest.approx(1.3)
    assert r.outputs["marginal_cost"].iloc[0] == pytest.approx(20)
    assert bool(r.outputs["binding"].iloc[0])
    assert r.outputs["achieved_change"].iloc[0] == pytest.approx(math.expm1(-0.12))


def test_two_targets_pull_against_each_other():
    # CSAT rises with AHT (exponent 0.5) and must not fall more than 1 %: log(0.99) = -0.01005.
    # Cost needs -0.06 in logs. Without CSAT the plan is contact rate -0.10 (-0.05, cost 0.4)
    # and AHT -0.01 (cost 0.1); CSAT then moves by 0.5 x -0.01 = -0.005, inside its limit, so
    # the CSAT target has room (dual 0) and the answer is unchanged.
    p = _problem(-0.06).model_dump()
    p["outputs"].append({"name": "csat", "direction": "raise", "target_change": -0.01, "exponents": {"aht": 0.5}})
    r = solve_cascade(CascadeProblem.model_validate(p))
    assert r.total_cost == pytest.approx(0.5)
    out = r.outputs.set_index("name")
    assert not out.loc["csat", "binding"] and out.loc["csat", "marginal_cost"] == pytest.approx(0)
    # A CSAT floor of -0.2 % (log -0.002) caps AHT at -0.004: the rest (0.006) comes from cost
    # per hour at 20: cost = 0.4 + 10 x 0.004 + 20 x 0.006 = 0.56; the CSAT target binds and
    # relaxing it by one log unit would save (20 - 10) / 0.5 = 20.
    p["outputs"][1]["target_change"] = math.expm1(-0.002)
    r = solve_cascade(CascadeProblem.model_validate(p))
    assert r.total_cost == pytest.approx(0.56)
    out = r.outputs.set_index("name")
    assert out.loc["csat", "binding"] and out.loc["csat", "marginal_cost"] == pytest.approx(20)


def test_unreachable_target_is_explained():
    with pytest.raises(ConfigError, match="cannot be met within the inputs' ranges"):
        solve_cascade(_problem(-0.30))


def test_unknown_input_is_refused():
    with pytest.raises(ValueError, match="unknown input"):
        CascadeProblem.model_validate({"inputs": [{"name": "a", "baseline": 1, "min": 1, "max": 2}],
                                       "outputs": [{"name": "o", "direction": "raise", "target_change": 0.1,
                                                    "exponents": {"b": 1}}]})


def test_cli_runs_the_shipped_example():
    import json

    from typer.testing import CliRunner

    from govex.cli.main import app

    r = CliRunner().invoke(app, ["plan", "cascade", "--cascade", "docs/examples/target-cascade.yaml", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    achieved = {o["name"]: o["achieved_change"] for o in out["outputs"]}
    assert achieved["cost_to_serve_per_order"] <= -0.08 + 1e-9 and achieved["csat"] >= 0.02 - 1e-9
    assert out["total_cost"] == pytest.approx(sum(i["cost"] for i in out["inputs"]))
