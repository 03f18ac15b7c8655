"""`govex voc` commands end to end on the shipped fixture, from files and from a DuckDB warehouse."""
from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from govex.cli.main import app

from .conftest import CONTACTS_CSV
from .test_sources import value_segments

runner = CliRunner()


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


# a BPO billing per contact (per_transaction, 4.0 a contact) handles every fixture contact, so the
# plan-based saving of deflecting a reason is visible even on 120 contacts (Erlang staffing of so
# small a queue would not drop an agent)
VENDORS = pd.DataFrame(
    {
        "vendor_id": ["V1"], "vendor_name": ["Test BPO"], "function": ["customer_service"], "site": ["Lisbon"],
        "languages": ["en"], "pricing_model": ["per_transaction"], "rate": [4.0], "currency": ["EUR"],
        "capacity_hours_week": [400.0], "min_commit_hours_week": [0.0], "ramp_up_weeks": [0.0], "qa_target": [0.9],
    }
)


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory, contacts_en):
    path = tmp_path_factory.mktemp("wh") / "govex.duckdb"
    with duckdb.connect(str(path)) as con:
        con.register("frame", contacts_en.assign(vendor_id="V1"))
        con.execute("CREATE TABLE contacts AS SELECT * FROM frame")
        con.register("vendor_frame", VENDORS)
        con.execute("CREATE TABLE vendors AS SELECT * FROM vendor_frame")
        con.register("segment_frame", value_segments())
        con.execute("CREATE TABLE segment_assignments AS SELECT * FROM segment_frame")
    return path


def test_train_classify_evaluate_automation_from_the_warehouse(warehouse_file, tmp_path, contacts_en):
    model, ev = tmp_path / "model.joblib", tmp_path / "ev.json"
    trained = json.loads(_ok(["voc", "train", "--db", str(warehouse_file), "--out", str(model), "--holdout", "0.25", "--evaluation-out", str(ev)]))
    assert trained["n_train"] == 90 and trained["n_evaluated"] == 30
    out = tmp_path / "labelled.csv"
    _ok(["voc", "classify", "--model", str(model), "--input", str(CONTACTS_CSV), "--out", str(out)])
    labelled = pd.read_csv(out)
    assert len(labelled) == len(contacts_en) and labelled["confidence"].between(0, 1).all()
    # most fixture texts come back with their own reason (90 of them were seen in training)
    assert (labelled["label"] == labelled["reason"]).mean() >= 0.9
    scored = json.loads(_ok(["voc", "evaluate", "--model", str(model), "--input", str(CONTACTS_CSV)]))
    assert scored["n_texts"] == 120 and len(scored["per_class"]) == 5
    scenario = tmp_path / "scenario.yaml"
    table = json.loads(_ok(["voc", "automation", "--evaluation", str(ev), "--db", str(warehouse_file), "--out", str(scenario), "--target-precision", "0.8"]))
    doc = yaml.safe_load(scenario.read_text())
    assert {c["kind"] for c in doc["changes"]} == {"deflect"}
    assert {c["reason"] for c in doc["changes"]} <= set(contacts_en["reason"])
    assert [row["rank"] for row in table] == list(range(1, len(table) + 1))


def test_themes_command(tmp_path):
    out = tmp_path / "themes.csv"
    payload = json.loads(_ok(["voc", "themes", "--input", str(CONTACTS_CSV), "--n-themes", "5", "--by", "journey", "--out", str(out)]))
    assert len(payload["themes"]) == 5 and {"journey", "theme", "n_texts", "share"} <= set(payload["scores"][0])
    assert "theme" in pd.read_csv(out).columns


def test_errors_are_clear_and_leave_nothing(tmp_path):
    empty = tmp_path / "empty.csv"
    pd.DataFrame({"text": ["where is my parcel", ""], "reason": ["a", "b"]}).to_csv(empty, index=False)
    result = subprocess.run(
        [sys.executable, "-m", "govex", "voc", "train", "--input", str(empty), "--out", str(tmp_path / "m.joblib")],
        capture_output=True, text=True,
    )
    assert result.returncode == 1 and "empty or not text" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("m.*"))
    one_class = tmp_path / "one.csv"
    pd.DataFrame({"text": ["a b", "c d", "e f"], "reason": ["x", "x", "x"]}).to_csv(one_class, index=False)
    result = runner.invoke(app, ["voc", "train", "--input", str(one_class), "--out", str(tmp_path / "m.joblib")])
    assert result.exit_code != 0 and "only one class" in str(result.exception)
    result = runner.invoke(app, ["voc", "train", "--input", str(one_class), "--text-col", "body", "--out", str(tmp_path / "m.joblib")])
    assert "column(s) ['body'] not found" in str(result.exception)


def test_warehouse_reads_are_sampled_and_cut_by_segment(warehouse_file, tmp_path, contacts_en):
    trained = json.loads(_ok(["voc", "train", "--db", str(warehouse_file), "--out", str(tmp_path / "m.joblib"), "--max-texts", "60"]))
    assert trained["n_train"] == 60  # 12 of each of the five reasons
    payload = json.loads(
        _ok(["voc", "themes", "--db", str(warehouse_file), "--n-themes", "5", "--segment", "value", "--by", "segment:value"])
    )
    # volumes per segment add up to the contacts of that segment (K000-K019 high: contact numbers mod 40 < 20)
    per_segment = pd.DataFrame(payload["scores"]).groupby("segment:value")["n_texts"].sum()
    number = contacts_en["customer_id"].str[1:].astype(int)
    assert per_segment["high"] == (number < 20).sum() and per_segment["(none)"] == (number >= 35).sum()
    result = runner.invoke(app, ["voc", "themes", "--input", str(CONTACTS_CSV), "--segment", "value"])
    assert result.exit_code != 0 and "--segment needs --db" in str(result.exception)
    result = runner.invoke(
        app, ["voc", "automation", "--evaluation", "x.json", "--db", str(warehouse_file), "--out", str(tmp_path / "s.yaml"), "--resolvable", "wismo"]
    )
    assert "expected REASON=SHARE" in str(result.exception) and not (tmp_path / "s.yaml").exists()
