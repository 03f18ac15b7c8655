"""`govex init` and `govex ingest` through the real CLI."""
from __future__ import annotations

import json
import subprocess
import sys

import ibis
from typer.testing import CliRunner

from contract.canonical_frames import config_text, valid_frames, write_csvs, write_parquets
from govex.cli.main import app

runner = CliRunner()


def test_init_writes_example_and_refuses_overwrite(tmp_path):
    target = tmp_path / "govex.yaml"
    first = runner.invoke(app, ["init", str(target)])
    assert first.exit_code == 0, first.output
    assert target.read_text().startswith("# govex.yaml")
    target.write_text("engine: duckdb:///mine.duckdb\n")
    second = runner.invoke(app, ["init", str(target)])
    assert second.exit_code != 0
    assert target.read_text() == "engine: duckdb:///mine.duckdb\n"
    forced = runner.invoke(app, ["init", str(target), "--force"])
    assert forced.exit_code == 0 and target.read_text().startswith("# govex.yaml")


def test_ingest_config_json_report(tmp_path):
    frames = {k: v for k, v in valid_frames().items() if k in ("customers", "orders")}
    write_csvs(frames, tmp_path)
    (tmp_path / "govex.yaml").write_text(config_text(list(frames)))
    result = runner.invoke(app, ["ingest", "--config", str(tmp_path / "govex.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {t["table"]: t["rows"] for t in report["loaded"]} == {"customers": 3, "orders": 4}
    assert "sellers" in report["absent"]


def test_ingest_folder_prints_rows(tmp_path):
    write_parquets({"customers": valid_frames()["customers"]}, tmp_path)
    result = runner.invoke(app, ["ingest", "folder", "--path", str(tmp_path), "--db", str(tmp_path / "g.duckdb")])
    assert result.exit_code == 0, result.output
    assert "loaded customers: 3 rows" in result.stdout


def test_bad_file_exits_non_zero_with_the_contract_message(tmp_path):
    surveys = valid_frames()["surveys"].astype(object)
    surveys.loc[0, "csat"] = 6
    write_csvs({"surveys": surveys}, tmp_path)
    (tmp_path / "govex.yaml").write_text(config_text(["surveys"]))
    done = subprocess.run(
        [sys.executable, "-m", "govex", "ingest", "--config", str(tmp_path / "govex.yaml")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert "surveys.csv, surveys.csat: 1 row(s) are outside the allowed range 1 to 5" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    con = ibis.duckdb.connect(str(tmp_path / "govex.duckdb"))
    assert con.list_tables() == []  # nothing was written
