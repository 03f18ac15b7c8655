"""Weekly plan and scenarios on a demand small enough to check by hand (published Erlang rows)."""
from __future__ import annotations

import pandas as pd
import pytest

from govex.errors import ConfigError
from govex.planning import PlanInputs, PlanningInputError, PlanSettings, VendorTerms, build_plan, load_scenario, \
    run_scenario
from govex.planning.scenarios import Scenario

START = pd.Timestamp("2025-01-06 09:00")  # a Monday


def demand(contacts_per_reason=50.0) -> pd.DataFrame:
    # Two half-hour intervals of a phone queue, 50 where_is_my_order + 50 refund_status contacts
    # each: 100 contacts / 30 min at AHT 180 s, the Call Centre Helper example (14 agents at 80/20).
    rows = []
    for k in range(2):
        for reason in ("where_is_my_order", "refund_status"):
            rows.append({"queue": "phone_en", "channel": "phone", "reason": reason,
                         "period_start": START + pd.Timedelta(minutes=30 * k), "contacts": contacts_per_reason,
                         "handle_time_s": 180.0})
    return pd.DataFrame(rows)


VENDOR = VendorTerms(vendor_id="V1", rate=20.0, capacity_hours_week=1000, languages="en")
SETTINGS = PlanSettings(shrinkage=0.3, max_occupancy=0.85, target_service_level=0.8, answer_s=20)


def inputs(**kw) -> PlanInputs:
    return PlanInputs(demand=kw.get("demand", demand()), vendors={"V1": VENDOR}, queue_vendor={"phone_en": "V1"})


def test_base_plan_by_hand():
    # 14 agents x 0.5 h x 2 intervals = 14 staffed hours, billed per hour at 20 = 280;
    # paid hours 14 / 0.7 = 20 -> 0.5 FTE of 40 h; SL 88.8 % in both intervals.
    plan = build_plan(inputs(), SETTINGS)
    row = plan.queues.iloc[0]
    assert row.staffed_hours_week == pytest.approx(14.0)
    assert row.cost_week == pytest.approx(280.0)
    assert row.fte == pytest.approx(0.5)
    assert row.service_level == pytest.approx(0.88835, abs=1e-5)
    assert row.cost_per_contact == pytest.approx(280 / 200)
    assert "phone_en" in plan.summary()


def test_deflection_scenario_side_by_side():
    # Deflecting all where_is_my_order contacts leaves 50 / 30 min = 100 per hour at AHT 180 s,
    # the S2 row of the WFM reference: 8 agents. Staffed hours 8 -> cost 160 (delta -120);
    # FTE 8 / 0.7 / 40 = 0.2857 (delta -0.2143).
    spec = Scenario.model_validate({"name": "bot", "changes": [
        {"kind": "deflect", "reason": "where_is_my_order", "share": 1.0, "csat_delta": -0.02}]})
    result = run_scenario(inputs(), spec, SETTINGS)
    row = result.comparison.set_index("queue").loc["phone_en"]
    assert row.cost_base == pytest.approx(280) and row.cost_scenario == pytest.approx(160)
    assert row.cost_delta == pytest.approx(-120)
    assert row.fte_delta == pytest.approx(8 / 0.7 / 40 - 0.5)
    assert result.comparison.queue.tolist()[-1] == "TOTAL"
    assert "CSAT risk: 100 deflected" in result.text()


def test_price_and_handle_time_changes():
    # +5 % vendor price: 280 -> 294. AHT -50 % (90 s): A = 5 per interval -> 8 agents again
    # (same load as S2), so cost 160 before the price change.
    spec = Scenario.model_validate({"name": "mix", "changes": [
        {"kind": "vendor_price_change", "vendor_id": "V1", "share": 0.05}]})
    assert run_scenario(inputs(), spec, SETTINGS).comparison.cost_scenario.iloc[0] == pytest.approx(294)
    spec = Scenario.model_validate({"name": "aht", "changes": [{"kind": "handle_time_change", "share": -0.5}]})
    assert run_scenario(inputs(), spec, SETTINGS).comparison.cost_scenario.iloc[0] == pytest.approx(160)


def test_sla_change_raises_staffing():
    # 90 % in 20 s needs more than 14 agents for 10 Erlangs (SL(14) = 88.8 % < 90 %).
    spec = Scenario.model_validate({"name": "sla", "changes": [{"kind": "sla_change", "target_service_level": 0.9}]})
    row = run_scenario(inputs(), spec, SETTINGS).comparison.iloc[0]
    assert row.fte_delta > 0 and row.service_level_scenario >= 0.9


def test_scenario_yaml_round_trip_and_errors(tmp_path):
    good = tmp_path / "s.yaml"
    good.write_text("name: llm-deflection-wismo\ndescription: bot\nchanges:\n"
                    "  - kind: deflect\n    reason: where_is_my_order\n    share: 0.35\n    csat_delta: -0.02\n"
                    "  - kind: volume_growth\n    share: 0.10\n")
    assert [c.kind for c in load_scenario(good).changes] == ["deflect", "volume_growth"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  - kind: deflect\n    reason: wismo\n    share: 1.5\n")
    with pytest.raises(ConfigError, match=r"bad.yaml.*changes.0.deflect.share"):
        load_scenario(bad)
    unknown = Scenario.model_validate({"name": "u", "changes": [{"kind": "deflect", "reason": "nope", "share": 0.1}]})
    with pytest.raises(ConfigError, match="no demand with reason 'nope'"):
        run_scenario(inputs(), unknown, SETTINGS)


def test_negative_demand_refused():
    with pytest.raises(PlanningInputError, match="negative contacts"):
        inputs(demand=demand(-5.0))
