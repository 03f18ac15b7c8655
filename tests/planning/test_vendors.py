"""Vendor billing, cost per unit and the plan-vs-actual variance split, checked by hand."""
from __future__ import annotations

import numpy as np
import pytest

from govex.planning import PlanningInputError
from govex.planning.vendors import CostDrivers, PriceTier, VendorTerms, cost_per_unit, cost_variance, \
    ramp_up_capacity_hours, weekly_cost


def terms(**kw):
    base = dict(vendor_id="V1", rate=20.0, capacity_hours_week=500, languages="en,de")
    base.update(kw)
    return VendorTerms(**base)


def test_languages_parsed_from_contract_string():
    assert terms(languages="EN, de").languages == ("en", "de")


def test_per_hour_with_minimum_commitment():
    # 80 staffed hours but 100 committed: billed 100 x 20 = 2000; 150 hours: 3000
    v = terms(min_commit_hours_week=100)
    assert weekly_cost(v, staffed_hours=80, paid_hours=120, transactions=0) == pytest.approx(2000)
    assert weekly_cost(v, staffed_hours=150, paid_hours=200, transactions=0) == pytest.approx(3000)


def test_graduated_tiers():
    # first 100 h at 20, next 100 at 18, above 200 at 15: 250 h -> 2000 + 1800 + 750 = 4550
    v = terms(tiers=[PriceTier(from_units=0, rate=20), PriceTier(from_units=100, rate=18),
                     PriceTier(from_units=200, rate=15)])
    assert weekly_cost(v, staffed_hours=250, paid_hours=300, transactions=0) == pytest.approx(4550)


def test_per_fte_month_bills_paid_hours():
    # 3,500 per FTE-month of 173.33 h (40 h x 52 / 12): 400 paid hours a week is
    # 400 / 173.33 FTE-months per week -> 400 / (2080/12) x 3500 = 8076.92 a week
    v = terms(pricing_model="per_fte_month", rate=3500)
    assert weekly_cost(v, staffed_hours=280, paid_hours=400, transactions=0) == pytest.approx(400 / (2080 / 12) * 3500)


def test_per_transaction():
    v = terms(pricing_model="per_transaction", rate=1.5)
    assert weekly_cost(v, staffed_hours=10, paid_hours=10, transactions=1000) == pytest.approx(1500)


def test_ramp_up_is_linear():
    # 4-week ramp: weeks 0..4 produce 12.5 %, 37.5 %, 62.5 %, 87.5 %, 100 % of 100 h
    v = terms(ramp_up_weeks=4)
    assert ramp_up_capacity_hours(v, new_hours_week=100, weeks=5).tolist() == pytest.approx([12.5, 37.5, 62.5, 87.5, 100])


def test_cost_per_contact_and_per_correct_case():
    out = cost_per_unit([1000.0], [400.0], qa_accuracy=[0.8])
    assert out["cost_per_unit"][0] == pytest.approx(2.5) and out["cost_per_correct_unit"][0] == pytest.approx(3.125)


def test_variance_split_by_hand():
    # plan: 1000 contacts x 360 s = 100 h / 0.8 util / 0.75 (25 % shrink) = 166.67 paid h x 30 = 5000
    # actual: 1100 x 396 s = 121 h / 0.8 / 0.75 = 201.67 paid h x 33 = 6655
    # volume: 100 more contacts at plan AHT, util, shrinkage, rate: +500
    # handle time: 1100 x 36 s = 11 h / 0.6 x 30 = +550 ; rate: 201.67 h x 3 = +605
    plan = CostDrivers(volume=[1000], handle_time_s=[360], utilisation=[0.8], shrinkage=[0.25], rate_per_paid_hour=[30])
    actual = CostDrivers(volume=[1100], handle_time_s=[396], utilisation=[0.8], shrinkage=[0.25],
                         rate_per_paid_hour=[33])
    v = cost_variance(plan=plan, actual=actual)
    assert v["plan_cost"][0] == pytest.approx(5000) and v["actual_cost"][0] == pytest.approx(6655)
    assert v["volume_effect"][0] == pytest.approx(500)
    assert v["handle_time_effect"][0] == pytest.approx(550)
    assert v["utilisation_effect"][0] == pytest.approx(0) and v["shrinkage_effect"][0] == pytest.approx(0)
    assert v["rate_effect"][0] == pytest.approx(605)


def test_variance_effects_always_add_up():
    rng = np.random.default_rng(0)
    n = 20
    mk = lambda: CostDrivers(volume=rng.uniform(0, 1e4, n), handle_time_s=rng.uniform(60, 900, n),
                             utilisation=rng.uniform(0.5, 1, n), shrinkage=rng.uniform(0, 0.5, n),
                             rate_per_paid_hour=rng.uniform(10, 40, n))
    v = cost_variance(plan=mk(), actual=mk())
    effects = sum(v[k] for k in ("volume_effect", "handle_time_effect", "utilisation_effect", "shrinkage_effect",
                                 "rate_effect"))
    np.testing.assert_allclose(effects, v["actual_cost"] - v["plan_cost"], rtol=1e-10)


def test_negative_volume_refused():
    with pytest.raises(PlanningInputError, match="volume"):
        CostDrivers(volume=[-1], handle_time_s=[300], utilisation=[0.8], shrinkage=[0.3], rate_per_paid_hour=[20])
