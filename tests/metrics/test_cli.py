"""`govex metrics ...`, `govex targets status`, `govex health` on a DuckDB file of the tiny marketplace."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import ibis
import pandas as pd
import pytest
from typer.testing import CliRunner

from govex.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_db(tiny_frames, tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "tiny.duckdb"
    con = ibis.duckdb.connect(str(path))
    for name, frame in tiny_frames.items():
        con.create_table(name, frame)
    con.disconnect()
    return path


def test_list_and_show():
    listed = runner.invoke(app, ["metrics", "list", "--format", "csv"])
    assert listed.exit_code == 0
    assert "late_delivery_rate" in pd.read_csv(io.StringIO(listed.stdout))["name"].tolist()
    shown = runner.invoke(app, ["metrics", "show", "cs_cost_per_order"])
    body = json.loads(shown.stdout)
    assert body["children"] == ["assisted_contacts_per_order", "handle_hours_per_contact", "cs_cost_per_productive_hour"]
    assert body["defined_at"].startswith("govex/metrics/catalogue/efficiency.yaml:")


def test_compute_csv_matches_hand_values(tiny_db):
    result = runner.invoke(app, ["metrics", "compute", "--metric", "csat", "--metric", "contact_rate", "--by", "market",
                                 "--period", "month", "--from", "2024-01-01", "--to", "2024-01-31", "--format", "csv",
                                 "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout)).set_index(["metric", "market"])
    # hand: csat BR (2 + 5 + 3) / 3, contact rate MX 2 contacts / 3 orders
    assert frame.loc[("csat", "BR"), "value"] == pytest.approx(10 / 3)
    assert frame.loc[("contact_rate", "MX"), "value"] == pytest.approx(2 / 3)


def test_compute_json_explain_and_write(tiny_db):
    result = runner.invoke(app, ["metrics", "compute", "-m", "orders", "--format", "json", "--write", "--db", str(tiny_db)])
    rows = json.loads(result.stdout)
    assert sum(r["value"] for r in rows if r["period_start"] == "2024-01-01") == 6  # six January orders
    explained = runner.invoke(app, ["metrics", "compute", "-m", "orders", "-m", "gmv", "--explain", "--db", str(tiny_db)])
    assert explained.stdout.count("-- orders by ordered_at") == 1 and "GROUP BY" in explained.stdout


def test_targets_and_health_commands(tiny_db, tmp_path):
    targets = tmp_path / "t.yaml"
    targets.write_text("targets:\n  - {metric: orders, period: month, start: 2024-01-01, target: 5}\n")
    status = runner.invoke(app, ["targets", "status", "--targets", str(targets), "--format", "json", "--db", str(tiny_db)])
    row = json.loads(status.stdout)[0]
    assert row["value_to_date"] == 6 and row["status"] == "on track"  # 6 orders in January >= 5
    health = runner.invoke(app, ["health", "--format", "json", "--db", str(tiny_db)])
    assert health.exit_code == 0, health.output
    assert {r["segment"] for r in json.loads(health.stdout)["scores"]} == {"high", "low", "medium"}


def test_errors_exit_1_with_the_reason(tiny_db):
    done = subprocess.run([sys.executable, "-m", "govex", "metrics", "compute", "-m", "late_delivery_rate", "--by", "journey",
                           "--db", str(tiny_db)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "cannot be cut by 'journey'" in done.stderr and "Traceback" not in done.stderr
    missing = runner.invoke(app, ["metrics", "compute", "-m", "orders", "--db", "nowhere.duckdb"])
    assert missing.exit_code == 1
