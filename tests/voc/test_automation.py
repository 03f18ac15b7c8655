"""Automation ROI on the hand-built evaluation of test_evaluation: linear costing by hand, plan-based
costing against an Erlang C written here, and volumes and a study read from a warehouse."""
from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from govex.engine.warehouse import Warehouse
from govex.planning import PlanInputs, PlanSettings
from govex.voc.automation import (
    DEFAULT_RESOLVABLE_SHARE,
    AutomationConfig,
    automation_opportunities,
    planned_automation_opportunities,
    write_scenario,
)
from govex.errors import VocInputError
from govex.voc.evaluation import evaluate_predictions
from govex.voc.sources import DAYS_PER_MONTH, reason_volumes

from .test_evaluation import LABELS, PROBA, TRUE

VOLUMES = pd.DataFrame({"reason": ["a", "b", "c"], "monthly_contacts": [1000.0, 600.0, 400.0], "handle_time_s": [360.0, 300.0, 720.0]})
# the hand calculations below take every recognised contact as closed by automation (resolvable share 1),
# so deflected = volume x coverage; test_resolvable_share_and_escalations covers shares below 1
CONFIG = AutomationConfig(
    default_resolvable_share=1.0,
    target_precision=0.5,
    min_evaluated=1,
    productive_hours_per_fte_month=120,
    cost_per_productive_hour=25,
    rehandle_extra_s=120,
    satisfaction_cost_per_error=1.5,
    csat_drop_per_error=0.5,
    llm_cost_per_contact=0.01,
)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return automation_opportunities(evaluate_predictions(TRUE, PROBA, labels=LABELS), VOLUMES, config=CONFIG).set_index("reason")


def test_money_by_hand(table):
    # a: threshold .8 -> automation 2/2, attempts 2/2: 1000 deflected, 0 misrouted
    #    hours 1000*360/3600 = 100; FTE 100/120; labour 100*25 = 2500; LLM 1000*0.01 = 10; net 2490
    a = table.loc["a"]
    assert (a.deflected_contacts, a.misrouted_contacts, a.hours_saved) == pytest.approx((1000, 0, 100))
    assert (a.fte_saved, a.labour_cost_saved, a.llm_cost, a.net_saving) == pytest.approx((100 / 120, 2500, 10, 2490))
    # b: threshold .7 -> precision 1/2, automation 1/2, attempts 2/2 of 600: 300 deflected, 300 misrouted
    #    labour 300*300/3600*25 = 625; errors 300*(120/3600*25 + 1.5) = 700; LLM 6; net -81
    b = table.loc["b"]
    assert (b.deflected_contacts, b.misrouted_contacts) == pytest.approx((300, 300))
    assert (b.labour_cost_saved, b.error_cost, b.net_saving) == pytest.approx((625, 700, -81))
    assert b.csat_delta == pytest.approx(-0.5 * 300 / 300)
    # c: one prediction (.5, right) of 2 true c: automation 1/2 of 400 = 200; 200*720/3600*25 = 1000; net 998
    assert table.loc["c", "net_saving"] == pytest.approx(998)
    assert table["rank"].tolist() == [1, 2, 3] and table.index.tolist() == ["a", "c", "b"]


def test_unreachable_precision_is_reported_not_hidden():
    strict = CONFIG.model_copy(update={"target_precision": 0.9})
    table = automation_opportunities(evaluate_predictions(TRUE, PROBA, labels=LABELS), VOLUMES, config=strict).set_index("reason")
    # b's most confident prediction is wrong: no threshold gives 0.9 precision
    assert table.loc["b", "automation_rate"] == 0 and "not reached" in table.loc["b", "note"]


def test_scenario_yaml_matches_shared_format(table, tmp_path):
    path = write_scenario(table.reset_index(), tmp_path / "s" / "scenario.yaml", name="llm-deflection")
    doc = yaml.safe_load(path.read_text())
    assert doc["name"] == "llm-deflection" and isinstance(doc["description"], str)
    # only a and c have a positive net saving; b (-81) is left out
    assert doc["changes"] == [
        {"kind": "deflect", "reason": "a", "share": 1.0, "csat_delta": 0.0},
        {"kind": "deflect", "reason": "c", "share": 0.5, "csat_delta": 0.0},
    ]
    assert [p.name for p in path.parent.iterdir()] == ["scenario.yaml"]  # no temporary left behind


def test_nothing_worth_automating_writes_nothing(table, tmp_path):
    with pytest.raises(VocInputError, match="no reason reaches"):
        write_scenario(table.reset_index(), tmp_path / "x.yaml", name="n", min_net_saving=1e9)
    assert not (tmp_path / "x.yaml").exists()


def test_bad_volumes():
    ev = evaluate_predictions(TRUE, PROBA, labels=LABELS)
    with pytest.raises(VocInputError, match="handle_time_s"):
        automation_opportunities(ev, VOLUMES.drop(columns="handle_time_s"))
    with pytest.raises(VocInputError, match="none of the reasons"):
        automation_opportunities(ev, VOLUMES.assign(reason=["x", "y", "z"]))


def test_reason_volumes_against_pandas(contacts_en):
    got = reason_volumes(Warehouse.from_frames({"contacts": contacts_en})).set_index("reason")
    # independent pandas: live contacts, their mean AHT, and the inclusive day span of all contacts
    live = contacts_en[~contacts_en["automated"]]
    days = (contacts_en["created_at"].dt.normalize().max() - contacts_en["created_at"].dt.normalize().min()).days + 1
    expected = live.groupby("reason").agg(n=("contact_id", "size"), aht=("handle_time_s", "mean"))
    assert got["live_contacts"].to_dict() == expected["n"].to_dict()
    assert got["handle_time_s"].to_numpy() == pytest.approx(expected.loc[got.index, "aht"].to_numpy())
    assert got["monthly_contacts"].to_numpy() == pytest.approx(expected.loc[got.index, "n"].to_numpy() * DAYS_PER_MONTH / days)


def test_automation_study_on_the_fixture_warehouse(contacts_en):
    from govex.voc.study import automation_study

    study = automation_study(Warehouse.from_frames({"contacts": contacts_en}), holdout_share=0.25, automation=CONFIG.model_copy(update={"min_evaluated": 3}))
    # 30 held-out texts of 5 template-separable reasons; one row per reason present in the volumes
    assert study.evaluation.n_texts == 30 and study.evaluation.accuracy >= 0.9
    assert sorted(study.opportunities["reason"]) == sorted(contacts_en["reason"].unique())
    assert (study.opportunities["net_saving"].diff().dropna() <= 0).all()


def test_resolvable_share_and_escalations():
    config = CONFIG.model_copy(update={"resolvable_share": {"a": 0.6}, "default_resolvable_share": 0.25, "escalation_extra_s": 60})
    table = automation_opportunities(evaluate_predictions(TRUE, PROBA, labels=LABELS), VOLUMES, config=config).set_index("reason")
    a = table.loc["a"]
    # a: coverage 1 (2/2 at .8), 60% of the recognised contacts closed: 1000 x 1 x .6 = 600 deflected,
    #    400 escalated; hours 600 x 360 / 3600 = 60 -> labour 60 x 25 = 1500; escalation 400 x 60 / 3600 x 25;
    #    LLM: every attempt pays, 1000 x 0.01 = 10
    assert (a.coverage, a.resolvable_share, a.automation_rate) == pytest.approx((1.0, 0.6, 0.6))
    assert (a.deflected_contacts, a.escalated_contacts, a.hours_saved) == pytest.approx((600, 400, 60))
    assert (a.labour_cost_saved, a.escalation_cost, a.llm_cost) == pytest.approx((1500, 400 * 60 / 3600 * 25, 10))
    assert a.net_saving == pytest.approx(1500 - 400 * 60 / 3600 * 25 - 10)
    # c is not listed: the default share .25 of its coverage .5
    assert table.loc["c", "automation_rate"] == pytest.approx(0.5 * 0.25)


def test_default_resolvable_shares_are_conservative():
    config = AutomationConfig()
    # status lookups are closed more often than judgement and risk reasons, and none is taken as fully closed
    assert config.resolvable("where_is_my_order") > config.resolvable("damaged_item")
    assert config.resolvable("refund_status") > config.resolvable("suspicious_activity")
    assert max(DEFAULT_RESOLVABLE_SHARE.values()) <= 0.6 and config.resolvable("unheard_of") == config.default_resolvable_share
    with pytest.raises(VocInputError, match="between 0 and 1"):
        AutomationConfig(resolvable_share={"a": 1.5}).resolvable("a")


def _erlang_c_agents(contacts: float, interval_s: float, aht_s: float, *, target: float, answer_s: float, max_occupancy: float) -> int:
    """Smallest N with Erlang C service level >= target and occupancy A / N <= cap, written here
    from the textbook formulas (Koole 2013, ch. 4): B by the recursion B_k = A B_{k-1} / (k + A B_{k-1}),
    C = N B / (N - A (1 - B)), SL = 1 - C exp(-(N - A) t / AHT)."""
    traffic = contacts * aht_s / interval_s
    n = int(math.floor(traffic)) + 1
    while True:
        b = 1.0
        for k in range(1, n + 1):
            b = traffic * b / (k + traffic * b)
        c = n * b / (n - traffic * (1 - b))
        if 1 - c * math.exp(-(n - traffic) * answer_s / aht_s) >= target and traffic / n <= max_occupancy:
            return n
        n += 1


def test_planned_savings_follow_erlang_not_a_linear_rate():
    # one phone queue, one 30-minute interval: 100 contacts of a and 50 of b, AHT 300 s, in-house
    demand = pd.DataFrame(
        {
            "queue": "q", "channel": "phone", "reason": ["a", "b"], "period_start": pd.Timestamp("2024-01-01 09:00"),
            "contacts": [100.0, 50.0], "handle_time_s": 300.0,
        }
    )
    settings = PlanSettings(target_service_level=0.8, answer_s=20, max_occupancy=0.85, shrinkage=0.3, inhouse_rate_per_paid_hour=30)
    table = planned_automation_opportunities(
        evaluate_predictions(TRUE, PROBA, labels=LABELS), PlanInputs(demand=demand), settings=settings, config=CONFIG
    ).set_index("reason")
    assert sorted(table.index) == ["a", "b"]  # c has no demand in the plan

    def agents(contacts):
        return _erlang_c_agents(contacts, 1800, 300, target=0.8, answer_s=20, max_occupancy=0.85)

    # FTE of an interval = agents x 0.5 h / (1 - 0.3 shrinkage) / 40 paid hours a week; cost = paid hours x 30;
    # the plan is one week, a month is 52 / 12 weeks
    fte = lambda n: n * 0.5 / 0.7 / 40  # noqa: E731
    saved_a = agents(150) - agents(50)  # a fully deflected (coverage 1, resolvable 1)
    saved_b = agents(150) - agents(125)  # half of b deflected (coverage .5)
    assert table.loc["a", "fte_saved"] == pytest.approx(fte(saved_a))
    assert table.loc["b", "fte_saved"] == pytest.approx(fte(saved_b))
    assert table.loc["a", "labour_cost_saved"] == pytest.approx(saved_a * 0.5 / 0.7 * 30 * 52 / 12)
    assert table.loc["a", "monthly_contacts"] == pytest.approx(100 * 52 / 12)
    # Erlang's economies of scale: removing 2/3 of the work saves less than 2/3 of the agents
    assert saved_a / agents(150) < 100 / 150
    # misrouted b contacts (50 x 52/12 x (1 - .5)) are re-handled at the plan's cost per productive hour, 30 / 0.7
    misrouted = 50 * 52 / 12 * 0.5
    assert table.loc["b", "error_cost"] == pytest.approx(misrouted * (120 / 3600 * 30 / 0.7 + 1.5))


def test_planned_needs_contact_demand():
    demand = pd.DataFrame(
        {"queue": "moderation_spam", "channel": "moderation", "reason": ["spam"], "period_start": pd.Timestamp("2024-01-01"),
         "contacts": [10.0], "handle_time_s": 60.0}
    )
    with pytest.raises(VocInputError, match="no contact demand"):
        planned_automation_opportunities(evaluate_predictions(TRUE, PROBA, labels=LABELS), PlanInputs(demand=demand))
