"""Automation ROI on the hand-built evaluation of test_evaluation, and volumes read from a warehouse."""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

from govex.engine.warehouse import Warehouse
from govex.voc.automation import AutomationConfig, automation_opportunities, write_scenario
from govex.voc.errors import VocInputError
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
