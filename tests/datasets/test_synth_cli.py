"""`govex synth` writes the files and reports their row counts; bad input exits 1 with a clear message."""
from __future__ import annotations

import json
import subprocess
import sys

import pyarrow.parquet as pq
from typer.testing import CliRunner

from govex.cli.main import app
from govex.contract.schema import TABLES


def test_synth_command_writes_every_table(tmp_path):
    result = CliRunner().invoke(app, ["synth", "--out", str(tmp_path), "--customers", "300", "--seed", "2",
                                      "--months", "3"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    for name in TABLES:
        assert pq.read_metadata(tmp_path / f"{name}.parquet").num_rows == summary["row_counts"][name]
    assert summary["row_counts"]["customers"] == 300


def test_synth_command_rejects_bad_start(tmp_path):
    done = subprocess.run([sys.executable, "-m", "govex", "synth", "--out", str(tmp_path / "o"), "--customers", "300",
                           "--start", "2024-13-01"], capture_output=True, text=True)
    assert done.returncode == 1
    assert "start" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()
