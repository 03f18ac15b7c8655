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


def test_metric_and_by_take_comma_lists_as_well_as_repetition(tiny_db):
    common = ["--period", "month", "--from", "2024-01-01", "--to", "2024-01-31", "--format", "csv", "--db", str(tiny_db)]
    listed = runner.invoke(app, ["metrics", "compute", "--metric", "csat,contact_rate", "-m", "orders", "--by", "market", *common])
    repeated = runner.invoke(app, ["metrics", "compute", "-m", "csat", "-m", "contact_rate", "-m", "orders", "--by", "market", *common])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout == repeated.stdout
    assert set(pd.read_csv(io.StringIO(listed.stdout))["metric"]) == {"csat", "contact_rate", "orders"}
    cuts = runner.invoke(app, ["metrics", "compute", "-m", "orders", "--by", "market,segment:value", *common])
    frame = pd.read_csv(io.StringIO(cuts.stdout))
    # hand: January orders BR by segment: c1 (medium) o1 o2, c2 (low) o3 -> 2 and 1
    assert frame.set_index(["market", "segment:value"]).loc[("BR", "medium"), "value"] == 2


def test_money_units_name_the_reporting_currency(tiny_db):
    result = runner.invoke(app, ["metrics", "compute", "-m", "gmv,cost_per_contact", "--currency", "USD", "--format", "csv",
                                 "--from", "2024-01-01", "--to", "2024-01-31", "--db", str(tiny_db)])
    units = pd.read_csv(io.StringIO(result.stdout)).set_index("metric")["unit"]
    assert units["gmv"] == "USD" and units["cost_per_contact"] == "USD per contact"
    # the tiny marketplace is all in USD and has no fx_rates: asking for EUR cannot be honoured
    refused = runner.invoke(app, ["metrics", "compute", "-m", "gmv", "--currency", "EUR", "--db", str(tiny_db)])
    assert refused.exit_code == 1 and "all in USD but the reporting currency is EUR" in str(refused.exception)


@pytest.mark.parametrize(("value", "text"), [
    (21610.6, "21,611"), (1234567.891, "1,234,568"), (28.169154, "28.17"), (0.069824, "0.06982"),
    (4.2, "4.2"), (6.0, "6"), (0.0, "0"), (-0.018593, "-0.01859"), (float("nan"), ""),
])
def test_numbers_for_people(value, text):
    from govex.cli.metrics import human_number

    # expected: thousands separators, 4 significant digits (whole numbers kept whole), no exponent, nan empty
    assert human_number(value) == text


def test_table_output_has_no_scientific_notation_or_nan(tiny_db):
    result = runner.invoke(app, ["metrics", "compute", "-m", "gmv,csat", "--by", "market", "--db", str(tiny_db)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "e+" not in result.stdout and "nan" not in result.stdout.lower()
    # hand: January GMV MX = o4 200 + o5 80 + o6 40 (none cancelled) = 320
    assert "320" in result.stdout


def test_targets_status_table_is_compact_and_json_complete(tiny_db, tmp_path, monkeypatch):
    from govex.cli.common import console

    # the shared console fixed its width from COLUMNS when first imported (by whichever test ran first
    # in this process); without it, the width is read from COLUMNS at print time, as in a fresh CLI call
    monkeypatch.setattr(console, "_width", None)
    targets = tmp_path / "t.yaml"
    targets.write_text("targets:\n  - {metric: contact_rate, period: month, start: 2024-01-01, target: 0.5}\n")
    args = ["targets", "status", "--targets", str(targets), "--as-of", "2024-01-31", "--db", str(tiny_db)]
    table = runner.invoke(app, args, env={"COLUMNS": "250"})
    header = next(line for line in table.stdout.splitlines() if "metric" in line)
    for column in ("metric", "slice", "period", "value to date", "target", "forecast", "status", "gap", "gap in business terms"):
        assert column in header
    for hidden in ("baseline", "elapsed_share", "period_end", "business_unit"):
        assert hidden not in header
    # hand: 5 contacts / 6 orders in January = 0.8333 vs target 0.5 -> gap 0.3333 x 6 orders = 2 contacts
    assert "2024-01" in table.stdout and "2 contacts" in table.stdout
    full = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)[0]
    assert {"baseline", "elapsed_share", "period_end", "gap_business", "business_unit", "unit"} <= set(full)
    assert full["gap_business"] == pytest.approx(2.0)
