"""Routing and budget split on small problems whose optimum is worked out by hand in comments."""
from __future__ import annotations

import math

import pytest

from govex.errors import InfeasiblePlan
from govex.planning import PlanningInputError
from govex.planning.allocation import BudgetCell, QueueWorkload, route_volume, split_budget
from govex.planning.vendors import PriceTier, VendorTerms


def vendor(vendor_id, rate, **kw):
    base = {"vendor_id": vendor_id, "rate": rate, "languages": "en", "capacity_hours_week": 100}
    base.update(kw)
    return VendorTerms(**base)


QUEUE = [QueueWorkload(queue="Q", hours_week=100, handle_time_s=300)]


def hours(plan, vendor_id):
    return plan.allocation.set_index("vendor_id").hours_week.get(vendor_id, 0.0)


def test_cheapest_vendor_filled_first():
    # 100 h: V1 (20/h, 60 h cap) full, rest on V2 (30/h): 60*20 + 40*30 = 2400.
    # Duals: the marginal hour is bought from V2 at 30; V1 capacity saves 30 - 20 = 10 per hour.
    plan = route_volume(queues=QUEUE, vendors=[vendor("V1", 20, capacity_hours_week=60), vendor("V2", 30)])
    assert plan.total_cost_week == pytest.approx(2400)
    assert hours(plan, "V1") == pytest.approx(60) and hours(plan, "V2") == pytest.approx(40)
    prices = plan.shadow_prices.set_index("group").value
    assert prices["demand"] == pytest.approx(30) and prices["capacity"] == pytest.approx(-10)
    assert "capacity of vendor V1 binds" in plan.explain()


def test_minimum_commitment_forces_hours():
    # V2 must get >= 50 h: 50*20 + 50*30 = 2500, each committed hour 10 dearer than V1.
    plan = route_volume(queues=QUEUE, vendors=[vendor("V1", 20), vendor("V2", 30, min_commit_hours_week=50)])
    assert plan.total_cost_week == pytest.approx(2500)
    assert "minimum commitment of vendor V2 binds" in plan.explain()


def test_quality_floor_mixes_vendors():
    # -0.05 x1 + 0.03 x2 >= 0 and x1 + x2 = 100 -> x1 = 37.5: 37.5*20 + 62.5*30 = 2625.
    # Floor 0.94 instead: x1 = 50 -> 2500, so one point of floor is worth 125.
    q = [QueueWorkload(queue="Q", hours_week=100, handle_time_s=300, min_qa_accuracy=0.95)]
    plan = route_volume(queues=q, vendors=[vendor("V1", 20, qa_accuracy=0.90), vendor("V2", 30, qa_accuracy=0.98)])
    assert plan.total_cost_week == pytest.approx(2625)
    assert hours(plan, "V1") == pytest.approx(37.5)
    assert "save about 125.00" in plan.explain()


def test_falling_volume_tiers_need_the_integer_model():
    # V1 bills 30/h for its first 50 h and 15/h above; V2 25/h flat. 80 h all on V1:
    # 50*30 + 30*15 = 1950 < all on V2 (2000) < 50 on V1 + 30 on V2 (2250). An LP without the
    # fill-order binaries would price every hour at 15 (1200).
    tiers = [PriceTier(from_units=0, rate=30), PriceTier(from_units=50, rate=15)]
    q = [QueueWorkload(queue="Q", hours_week=80, handle_time_s=300)]
    plan = route_volume(queues=q, vendors=[vendor("V1", 0, tiers=tiers), vendor("V2", 25)])
    assert plan.total_cost_week == pytest.approx(1950)
    assert hours(plan, "V1") == pytest.approx(80)


def test_language_restricts_routing():
    # German queue: only V2 speaks de, so all 40 h go there at 30 although V1 is cheaper.
    q = [QueueWorkload(queue="DE", hours_week=40, handle_time_s=300, language="de")]
    plan = route_volume(queues=q, vendors=[vendor("V1", 20), vendor("V2", 30, languages="de,en")])
    assert plan.total_cost_week == pytest.approx(1200)


def test_per_transaction_price_converted_to_hours():
    # 2 per contact, AHT 300 s at 85 % occupancy: 3600*0.85/300 = 10.2 contacts per staffed hour,
    # so 20.4 per hour, cheaper than 25/h: all 100 h there, cost 2040.
    plan = route_volume(queues=QUEUE, vendors=[vendor("T", 2, pricing_model="per_transaction"), vendor("H", 25)])
    assert plan.total_cost_week == pytest.approx(2040)


@pytest.mark.parametrize(
    "vendors,needle",
    [
        ([vendor("V1", 20, capacity_hours_week=60, qa_accuracy=0.95),
          vendor("V2", 30, capacity_hours_week=30, qa_accuracy=0.95)], "capacity"),
        ([vendor("V1", 20, min_commit_hours_week=80, qa_accuracy=0.95),
          vendor("V2", 30, min_commit_hours_week=80, qa_accuracy=0.95)], "min_commit"),
        ([vendor("V1", 20, qa_accuracy=0.8)], "quality"),
    ],
)
def test_infeasible_names_binding_group(vendors, needle):
    q = [QueueWorkload(queue="Q", hours_week=100, handle_time_s=300, min_qa_accuracy=0.9)]
    with pytest.raises(InfeasiblePlan, match=f"binding constraint group is {needle}"):
        route_volume(queues=q, vendors=vendors)


def test_vendor_without_capacity_is_refused():
    with pytest.raises(PlanningInputError, match="no capacity"):
        VendorTerms.from_row({"vendor_id": "V9", "rate": 20.0, "capacity_hours_week": 0.0, "languages": "en",
                              "pricing_model": "per_hour", "currency": "EUR"})


def test_budget_split_equalises_marginal_returns():
    # f_i(b) = s_i (1 - exp(-b/k_i)), k = 10 both, s = 200 and 100, budget 30. KKT:
    # 20 exp(-bA/10) = 10 exp(-bB/10) -> bA - bB = 10 ln 2, bA + bB = 30.
    cells = [BudgetCell(domain="moderation", market="DE", scale=200, saturation=10),
             BudgetCell(domain="customer_service", market="FR", scale=100, saturation=10)]
    plan = split_budget(cells=cells, budget=30)
    expected_a = (30 + 10 * math.log(2)) / 2
    assert plan.allocation.spend.tolist() == pytest.approx([expected_a, 30 - expected_a])
    assert plan.marginal_value == pytest.approx(20 * math.exp(-expected_a / 10))


def test_budget_respects_bounds_and_explains():
    # Cell A capped at 5: the other cell gets the remaining 25.
    cells = [BudgetCell(domain="moderation", market="DE", scale=200, saturation=10, max_spend=5),
             BudgetCell(domain="customer_service", market="FR", scale=100, saturation=10)]
    plan = split_budget(cells=cells, budget=30, step=1)
    assert plan.allocation.spend.tolist() == pytest.approx([5, 25])
    assert "one more 1 in DE moderation buys" in plan.explain() and "at its maximum" in plan.explain()


def test_budget_below_minimums_is_infeasible():
    cells = [BudgetCell(domain="moderation", market="DE", scale=1, saturation=1, min_spend=20),
             BudgetCell(domain="customer_service", market="FR", scale=1, saturation=1, min_spend=20)]
    with pytest.raises(InfeasiblePlan, match="minimum spends 40"):
        split_budget(cells=cells, budget=30)
