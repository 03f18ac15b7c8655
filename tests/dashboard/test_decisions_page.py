"""Dashboard decisions page: the playbook with statuses and the portfolio, the report's rows as they are."""
from __future__ import annotations

import ibis
import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from govex.dashboard import TABLES, precompute_dashboard
from govex.datasets import small_marketplace
from govex.engine import Warehouse
from govex.planning import plan_from_warehouse
from govex.planning.portfolio import EXAMPLE_PROJECTS
from govex.reports.playbook import measure_decisions, playbook_rows

PLAYBOOK = {"plays": [{
    "segment": "all", "journey": "purchase", "markets": ["DE"], "problem": "questions a help flow answers",
    "evidence": "contact_rate by market", "action": "launch the new help flow", "owner": "cs", "kpi": "contact_rate",
    "expected": {"effect": -0.04, "low": -0.06, "high": -0.02}, "cost": 1, "start": "2025-06-02",
    "review": "2025-09-01"}]}
SCENARIO = {"name": "growth", "description": "more contacts", "changes": [{"kind": "volume_growth", "share": 0.1}]}


def _decisions_page(db: str) -> None:
    from govex.dashboard.app import decisions

    decisions(db)


@pytest.fixture(scope="module")
def market():
    return small_marketplace()


def test_page_shows_what_precompute_wrote(market, tmp_path):
    from typer.testing import CliRunner

    from govex.cli.main import app

    path = tmp_path / "govex.duckdb"
    Warehouse.from_frames(market.tables, con=ibis.duckdb.connect(str(path))).con.disconnect()
    playbook, scenario = tmp_path / "playbook.yaml", tmp_path / "scenario.yaml"
    playbook.write_text(yaml.safe_dump(PLAYBOOK))
    scenario.write_text(yaml.safe_dump(SCENARIO))
    out = CliRunner().invoke(app, ["dashboard", "--db", str(path), "--precompute", "--no-serve", "--scenario", str(scenario),
                                   "--playbook", str(playbook), "--projects", str(EXAMPLE_PROJECTS), "--budget", "200"])
    assert out.exit_code == 0, out.output
    wh = Warehouse.open(f"duckdb:///{path}")
    shown = wh.table(TABLES["playbook"]).to_pandas()
    # the same rows as the report's, measured up to the data's last order day
    decisions = measure_decisions(wh, playbook=playbook, projects=EXAMPLE_PROJECTS, budget=200)
    assert decisions.as_of == pd.to_datetime(market.tables["orders"]["ordered_at"]).max().date()
    assert [tuple(r) for r in shown.drop(columns="started").itertuples(index=False)] == playbook_rows(decisions)
    assert shown["started"].tolist() == [True]  # the launch started within the data
    wh.con.disconnect()
    page = AppTest.from_function(_decisions_page, args=(str(path),), default_timeout=30).run()
    assert not page.exception
    tables = page.dataframe
    assert len(tables) == 2 and "launch the new help flow" in tables[0].value["action"].tolist()
    assert tables[0].value["status"].iloc[0] == shown["status"].iloc[0]  # the verdict is on screen, not scrolled off
    assert "help-centre-rewrite" in " ".join(tables[1].value["portfolio"])


def test_page_without_a_playbook_says_so(market, tmp_path):
    path = tmp_path / "govex.duckdb"
    wh = Warehouse.from_frames(market.tables, con=ibis.duckdb.connect(str(path)))
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(SCENARIO))
    precompute_dashboard(wh, plan=plan_from_warehouse(wh), scenario=scenario)
    wh.con.disconnect()
    page = AppTest.from_function(_decisions_page, args=(str(path),), default_timeout=30).run()
    assert not page.exception and "No playbook was given" in page.info[0].value
