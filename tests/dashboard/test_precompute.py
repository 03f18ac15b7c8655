"""Dashboard precompute without a browser: the scenario file and plan a caller already has are used
as given (no second plan, no automation study), the study runs once when no file is given, and when
no automation pays the planning table and page say why."""
from __future__ import annotations

from types import SimpleNamespace

import ibis
import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

import govex.planning
import govex.voc
from govex.dashboard import TABLES, precompute_dashboard
from govex.datasets import small_marketplace
from govex.engine import Warehouse
from govex.planning import load_scenario, plan_from_warehouse, run_scenario

SCENARIO = {"name": "new-market-launch", "description": "four times the contacts, handle time 20% longer",
            "changes": [{"kind": "volume_growth", "share": 3.0}, {"kind": "handle_time_change", "share": 0.2}]}


@pytest.fixture(scope="module")
def market():
    return small_marketplace()


@pytest.fixture(scope="module")
def plan(market):
    return plan_from_warehouse(Warehouse.from_frames(market.tables))


@pytest.fixture()
def warehouse(market, tmp_path):
    path = tmp_path / "govex.duckdb"
    return path, Warehouse.from_frames(market.tables, con=ibis.duckdb.connect(str(path)))


@pytest.fixture()
def scenario_file(tmp_path):
    path = tmp_path / "growth.yaml"
    path.write_text(yaml.safe_dump(SCENARIO, sort_keys=False))
    return path


class StudyCalls:
    """Stands in for `govex.voc.automation_study`: counts calls, keeps the plan it was given, and
    returns opportunities where no reason pays (net saving below zero), as on a small warehouse."""

    def __init__(self) -> None:
        self.plans: list = []

    def __call__(self, warehouse, *, plan=None, **options):
        self.plans.append(plan)
        return SimpleNamespace(opportunities=pd.DataFrame(
            {"reason": ["where_is_my_order", "refund_status"], "automation_rate": [0.3, 0.2], "net_saving": [-120.0, -40.0]}))


def _no_rebuild(*_args, **_kwargs):
    raise AssertionError("the plan was rebuilt although the caller passed it")


def _no_study(*_args, **_kwargs):
    raise AssertionError("the automation study ran although a scenario file was given")


def _status(wh: Warehouse) -> dict[str, tuple[bool, str]]:
    frame = wh.table(TABLES["status"]).to_pandas()
    return {r.part: (bool(r.ok), r.reason) for r in frame.itertuples()}


def test_scenario_file_and_plan_are_used_as_given(warehouse, plan, scenario_file, monkeypatch):
    monkeypatch.setattr(govex.voc, "automation_study", _no_study)
    monkeypatch.setattr(govex.planning, "plan_from_warehouse", _no_rebuild)
    _, wh = warehouse
    precompute_dashboard(wh, scenario=scenario_file, plan=plan)
    # expected: the planning module's own comparison of the same scenario against the same plan inputs
    expected = run_scenario(plan.inputs, load_scenario(scenario_file), plan.plan.settings).comparison.set_index("queue")
    shown = wh.table(TABLES["scenario"]).to_pandas().set_index("queue")
    assert shown.loc["TOTAL", "fte_delta"] == pytest.approx(expected.loc["TOTAL", "fte_delta"])
    assert shown.loc["TOTAL", "cost_delta"] == pytest.approx(expected.loc["TOTAL", "cost_delta"])
    assert set(shown["scenario"]) == {SCENARIO["name"]}
    assert wh.table(TABLES["plan"]).to_pandas()["fte"].sum() == pytest.approx(plan.plan.total_fte)
    assert _status(wh)["scenario"] == (True, "")


def test_no_paying_automation_says_why_once_and_drops_the_old_scenario(warehouse, plan, scenario_file, monkeypatch):
    path, wh = warehouse
    plans_built = []

    def counting(wh, **options):
        plans_built.append(wh)
        return plan_from_warehouse(wh, **options)

    monkeypatch.setattr(govex.planning, "plan_from_warehouse", counting)
    precompute_dashboard(wh, scenario=scenario_file)  # an earlier run with a scenario and no plan given
    assert len(plans_built) == 1  # the plan table and the scenario share one plan
    assert wh.has(TABLES["scenario"])
    study = StudyCalls()
    monkeypatch.setattr(govex.voc, "automation_study", study)
    monkeypatch.setattr(govex.planning, "plan_from_warehouse", _no_rebuild)
    result = precompute_dashboard(wh, plan=plan)
    assert len(study.plans) == 1 and study.plans[0] is plan  # one study per call, costed against the given plan
    ok, reason = _status(wh)["scenario"]
    assert not ok and "no contact reason pays for its automation" in reason
    assert "no contact reason pays" in result.absent["scenario"]
    assert not wh.has(TABLES["scenario"])  # the earlier run's scenario is not shown as if current
    assert wh.has(TABLES["plan"])
    wh.con.disconnect()

    page = AppTest.from_function(_planning_page, args=(str(path),), default_timeout=30).run()
    assert not page.exception
    info = " ".join(element.value for element in page.info)
    assert "A scenario to compare with the base plan is absent: no contact reason pays for its automation" in info
    assert "--scenario FILE.yaml" in info
    assert "FTE (base plan)" in [m.label for m in page.metric]


def _planning_page(db: str) -> None:
    from govex.dashboard.app import planning

    planning(db)


def test_cli_scenario_needs_precompute(tmp_path, scenario_file):
    from typer.testing import CliRunner

    from govex.cli.main import app

    db = tmp_path / "empty.duckdb"
    db.write_bytes(b"")
    result = CliRunner().invoke(app, ["dashboard", "--db", str(db), "--scenario", str(scenario_file), "--no-serve"])
    assert result.exit_code != 0
    assert "--scenario is used when precomputing; add --precompute" in str(result.exception) + result.output
