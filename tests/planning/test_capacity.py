"""Capacity plan against a spreadsheet-style calculation written out by hand, month by month."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from govex.cli.main import app
from govex.errors import ConfigError
from govex.planning.capacity import (
    WEEKS_PER_MONTH,
    CapacityPlanConfig,
    PriceTier,
    build_capacity_plan,
    load_capacity_config,
    productivity,
    tiered_cost,
)


def _config(**vendor) -> CapacityPlanConfig:
    # Back office: 10,240 items in month 0, +10 % a month, 360 s each at 80 % utilisation,
    # 160 paid hours at 20 % shrinkage (128 productive): required FTE = volume / 1024.
    terms = dict(name="bpo", starting_headcount=10, monthly_attrition=0.1, hiring_lead_months=1, ramp=[0.5],
                 min_commitment_fte=11, cost_per_hire=100,
                 price_tiers=[{"up_to_fte": 12, "price_per_fte_month": 1000}, {"price_per_fte_month": 800}])
    terms.update(vendor)
    return CapacityPlanConfig.model_validate({
        "start_month": "2027-01", "hours_per_fte_month": 160,
        "queues": [{"name": "review", "function": "moderation", "kind": "backoffice", "monthly_volume": 10240,
                    "growth_per_month": 0.1, "aht_s": 360, "shrinkage": 0.2, "utilisation": 0.8,
                    "vendors": [terms]}],
    })


def test_hand_spreadsheet_with_attrition_lead_time_and_ramp():
    plan = build_capacity_plan(_config(), months=6).months
    required = [10, 11, 12.1, 13.31, 14.641, 16.1051]
    # starting staff after 10 % attrition a month: 10, 9, 8.1, 7.29, 6.561, 5.9049
    # Hires start from month 1 (one month of lead) and are sized for the month after they start
    # (first month at half productivity, then full): h(t) = (R(t+1) - P(t+1) without them) / 0.9.
    h1 = (12.1 - 8.1) / 0.9                                                     # 4.4444
    h2 = (13.31 - (7.29 + h1 * 0.81)) / 0.9                                     # 2.6889
    h3 = (14.641 - (6.561 + h1 * 0.729 + h2 * 0.81)) / 0.9                      # 2.9578
    h4 = (16.1051 - (5.9049 + h1 * 0.6561 + h2 * 0.729 + h3 * 0.81)) / 0.9      # 3.2536
    # month 5's hires aim at month 6, beyond the horizon: its requirement is taken as month 5's
    h5 = (16.1051 - (10 * 0.9**6 + h1 * 0.59049 + h2 * 0.6561 + h3 * 0.729 + h4 * 0.81)) / 0.9
    starts = [0, h1, h2, h3, h4, h5]
    headcount = [
        10,
        9 + h1,
        8.1 + h1 * 0.9 + h2,
        7.29 + h1 * 0.81 + h2 * 0.9 + h3,
        6.561 + h1 * 0.729 + h2 * 0.81 + h3 * 0.9 + h4,
        5.9049 + h1 * 0.6561 + h2 * 0.729 + h3 * 0.81 + h4 * 0.9 + h5,
    ]
    productive = [
        10,
        9 + 0.5 * h1,
        8.1 + h1 * 0.9 + 0.5 * h2,
        7.29 + h1 * 0.81 + h2 * 0.9 + 0.5 * h3,
        6.561 + h1 * 0.729 + h2 * 0.81 + h3 * 0.9 + 0.5 * h4,
        5.9049 + h1 * 0.6561 + h2 * 0.729 + h3 * 0.81 + h4 * 0.9 + 0.5 * h5,
    ]
    # billed = max(headcount, 11 committed); first 12 FTE at 1,000, the rest at 800; 100 per hire
    billed = [max(h, 11) for h in headcount]
    cost = [1000 * min(b, 12) + 800 * max(b - 12, 0) + 100 * s for b, s in zip(billed, starts)]

    assert plan["required_fte"].tolist() == pytest.approx(required)
    assert plan["hires_starting"].tolist() == pytest.approx(starts)
    assert plan["hires_requested"].tolist() == pytest.approx([h1, h2, h3, h4, h5, 0])
    assert plan["headcount"].tolist() == pytest.approx(headcount)
    assert plan["productive_fte"].tolist() == pytest.approx(productive)
    assert plan["gap_fte"].tolist() == pytest.approx([p - r for p, r in zip(productive, required)])
    assert plan["leavers"].tolist() == pytest.approx([0.1 * h for h in headcount])
    assert plan["cost"].tolist() == pytest.approx(cost)
    # from month 2 on, hired staff cover the requirement exactly one month after they start
    assert plan["gap_fte"].iloc[2:5].tolist() == pytest.approx([0.5 * h for h in (h2, h3, h4)])


def test_vendor_cap_limits_hires():
    plan = build_capacity_plan(_config(max_headcount=14), months=6).months
    assert plan["headcount"].max() <= 14 + 1e-9
    # month 1: 4.44 hires fit under the cap; month 2 would need 2.69 but only 14 - (8.1 + 4.0) = 1.9 fit
    assert plan["hires_starting"].iloc[1] == pytest.approx((12.1 - 8.1) / 0.9)
    assert plan["hires_starting"].iloc[2] == pytest.approx(14 - 12.1)


def test_training_weeks_and_ramp():
    vendor = _config(training_weeks=WEEKS_PER_MONTH / 2, ramp=[0.6, 0.9]).queues[0].vendors[0]
    assert productivity(vendor, 0) == pytest.approx(0.5 * 0.6)
    assert productivity(vendor, 1) == pytest.approx(0.9)
    assert productivity(vendor, 2) == 1.0


def test_price_tiers_apply_to_the_fte_inside_each():
    tiers = [PriceTier(up_to_fte=50, price_per_fte_month=3000), PriceTier(price_per_fte_month=2800)]
    assert tiered_cost(60, tiers) == 50 * 3000 + 10 * 2800


def test_live_queue_uses_erlang_per_interval():
    # Call Centre Helper's example in every half hour of January (100 calls, 180 s, 80/20 -> 14
    # agents): 14 x 48 x 0.5 h x 31 days / (160 h x 70 %) = 93 FTE.
    config = CapacityPlanConfig.model_validate({
        "start_month": "2027-01", "hours_per_fte_month": 160,
        "queues": [{"name": "voice", "function": "customer service", "kind": "live", "monthly_volume": 100 * 48 * 31,
                    "aht_s": 180, "shrinkage": 0.3, "interval_minutes": 30, "daily_profile": [1 / 48] * 48,
                    "answer_s": 20, "target_service_level": 0.8,
                    "vendors": [{"name": "in-house", "price_tiers": [{"price_per_fte_month": 5000}]}]}],
    })
    plan = build_capacity_plan(config, months=1).months
    assert plan["required_fte"].iloc[0] == pytest.approx(14 * 48 * 0.5 * 31 / 112)


def test_live_queue_with_a_calibration(tmp_path):
    # Half the rostered agents available and (near) infinite patience: the Erlang C count of the
    # example above (14 per half hour) needs twice the rostered hours, 186 FTE.
    from govex.planning.calibration import Calibration

    Calibration(1e9, 0.5, 20, 10, 1000, 0, 0, 0, 0).write(tmp_path / "cal.json")
    (tmp_path / "plan.yaml").write_text(
        "start_month: 2027-01\nqueues:\n  - name: voice\n    function: customer service\n    kind: live\n"
        f"    monthly_volume: {100 * 48 * 31}\n    aht_s: 180\n    shrinkage: 0.3\n    interval_minutes: 30\n"
        f"    daily_profile: {[1 / 48] * 48}\n    calibration: cal.json\n"
        "    vendors: [{name: in-house, price_tiers: [{price_per_fte_month: 5000}]}]\n")
    plan = build_capacity_plan(load_capacity_config(tmp_path / "plan.yaml"), months=1).months
    assert plan["required_fte"].iloc[0] == pytest.approx(2 * 14 * 48 * 0.5 * 31 / 112)


def test_bad_plan_is_named(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("start_month: 2027-01\nqueues:\n  - name: q\n    function: moderation\n    kind: backoffice\n"
                    "    monthly_volume: 10\n    aht_s: -5\n    vendors: [{name: v, price_tiers: [{price_per_fte_month: 1}]}]\n")
    with pytest.raises(ConfigError, match=r"plan.yaml:7.*aht_s"):
        load_capacity_config(path)


def test_cli_runs_the_shipped_example():
    r = CliRunner().invoke(app, ["plan", "capacity", "--capacity-plan", "docs/examples/capacity-plan.yaml", "--months", "18",
                                 "--json"])
    assert r.exit_code == 0, r.output
    import json

    out = json.loads(r.output)
    months = sorted({row["month"] for row in out["months"]})
    assert len(months) == 18
    first_year = sum(row["cost"] for row in out["months"] if row["month"] in months[:12])
    assert out["annual_budget"] == pytest.approx(first_year)
