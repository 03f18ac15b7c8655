"""Cost variance split: hand cases, exact additivity, mix, and bad input."""
from __future__ import annotations

from fractions import Fraction

import pytest

from govex.planning import PlanningInputError
from govex.planning.variance import FACTORS, split_cost_variance

# 360 s at 80 % utilisation and 20 % shrinkage: 0.1 / 0.8 / 0.8 = 0.15625 paid hours per item
BASE = {"volume": 1000, "handle_time_s": 360, "utilisation": 0.8, "shrinkage": 0.2, "price_per_paid_hour": 20}


def test_volume_and_price_share_their_interaction_by_hand():
    # plan 1000 x 0.15625 x 20 = 3125; volume alone -> 3437.5, price alone -> 3437.5,
    # both -> 3781.25. Each effect = (312.5 + 343.75) / 2 = 328.125.
    split = split_cost_variance({"q": BASE}, {"q": {**BASE, "volume": 1100, "price_per_paid_hour": 22}})
    assert split.plan_cost == Fraction("3125") and split.actual_cost == Fraction("3781.25")
    assert split.effects["volume"] == Fraction("328.125")
    assert split.effects["price"] == Fraction("328.125")
    assert all(split.effects[k] == 0 for k in ("mix", "handle_time", "utilisation", "shrinkage"))


def test_shift_to_the_dearer_vendor_is_mix():
    # 1000 items split 50/50 then 40/60 between a 20/h and a 30/h vendor:
    # 156.25 x (0.5 x 20 + 0.5 x 30) = 3906.25 -> 156.25 x (0.4 x 20 + 0.6 x 30) = 4062.5
    plan = {"a": {**BASE, "volume": 500}, "b": {**BASE, "volume": 500, "price_per_paid_hour": 30}}
    actual = {"a": {**BASE, "volume": 400}, "b": {**BASE, "volume": 600, "price_per_paid_hour": 30}}
    split = split_cost_variance(plan, actual)
    assert split.total == Fraction("156.25")
    assert split.effects["mix"] == Fraction("156.25")
    assert all(split.effects[k] == 0 for k in FACTORS if k != "mix")


def test_every_factor_moving_adds_up_exactly():
    plan = {"chat/in-house": BASE, "chat/bpo": {**BASE, "volume": 700, "price_per_paid_hour": 14.35},
            "email/bpo": {"volume": 333, "handle_time_s": 512.5, "utilisation": 0.91, "shrinkage": 0.27,
                          "price_per_paid_hour": 11.1}}
    actual = {"chat/in-house": {"volume": 1180, "handle_time_s": 371.2, "utilisation": 0.77, "shrinkage": 0.23,
                                "price_per_paid_hour": 20.4},
              "chat/bpo": {"volume": 655, "handle_time_s": 349, "utilisation": 0.83, "shrinkage": 0.18,
                           "price_per_paid_hour": 14.9},
              "voice/new": {"volume": 90, "handle_time_s": 240, "utilisation": 0.7, "shrinkage": 0.3,
                            "price_per_paid_hour": 25}}
    split = split_cost_variance(plan, actual)
    assert sum(split.effects.values()) == split.total  # exact, in rationals
    cents = split.rounded()
    assert round(sum(cents.values()) * 100) == round(split.total * 100)
    assert all(v != 0 for v in split.effects.values())
    # independent cost of the plan: sum of volume x AHT / 3600 / U / (1 - S) x price per cell
    hand = sum(Fraction(str(c["volume"])) * Fraction(str(c["handle_time_s"])) / 3600
               / Fraction(str(c["utilisation"])) / (1 - Fraction(str(c["shrinkage"])))
               * Fraction(str(c["price_per_paid_hour"])) for c in plan.values())
    assert split.plan_cost == hand


def test_single_factor_change_is_all_that_factor():
    split = split_cost_variance({"q": BASE}, {"q": {**BASE, "shrinkage": 0.36}})
    # 0.1 / 0.8 / 0.64 x 1000 x 20 = 3906.25 against 3125
    assert split.effects["shrinkage"] == Fraction("781.25") == split.total


@pytest.mark.parametrize("bad,needle", [({"utilisation": 0}, "utilisation"), ({"shrinkage": 1}, "shrinkage"),
                                        ({"volume": "many"}, "volume expected a number")])
def test_bad_drivers_are_named(bad, needle):
    with pytest.raises(PlanningInputError, match=f"actual cell q: {needle}"):
        split_cost_variance({"q": BASE}, {"q": {**BASE, **bad}})


def test_cli_split_adds_up_in_cents(tmp_path):
    import json

    from typer.testing import CliRunner

    from govex.cli.main import app

    header = "cell,volume,handle_time_s,utilisation,shrinkage,price_per_paid_hour\n"
    (tmp_path / "plan.csv").write_text(header + "chat/in-house,1000,360,0.8,0.2,20\nchat/bpo,700,360,0.8,0.2,14.35\n")
    # a cheaper month: less volume, faster handling, better utilisation (all effects negative)
    (tmp_path / "actual.csv").write_text(header + "chat/in-house,905,333.3,0.83,0.19,19.7\n"
                                         "chat/bpo,688,351,0.81,0.2,14.35\n")
    r = CliRunner().invoke(app, ["plan", "variance", "--plan", str(tmp_path / "plan.csv"),
                                 "--actual", str(tmp_path / "actual.csv"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["variance"] < 0
    assert round(sum(out["effects"].values()) * 100) == round(out["variance"] * 100)
    # plan cost by hand: (1000 x 20 + 700 x 14.35) x 0.15625 = 4694.53125
    assert out["plan_cost"] == 4694.53125


def test_bad_csv_row_is_named(tmp_path):
    from govex.planning.variance import read_cells

    path = tmp_path / "actual.csv"
    path.write_text("cell,volume,handle_time_s,utilisation,shrinkage,price_per_paid_hour\nq,10,360,1.3,0.2,20\n")
    with pytest.raises(PlanningInputError, match=r"actual.csv, row 2: q: utilisation"):
        read_cells(path)
