"""The stage order of docs/architecture.md holds: `lint-imports` keeps the contracts in pyproject.toml.

The second test proves the check bites: a copy of the package with one wrong import (the lowest
stage importing the highest) must break the contract, naming the import.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
        "sys.exit(lint_imports_command())", "--no-cache", "--no-logo"]


def _lint(project: Path, src: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(LINT, cwd=project, env=env, capture_output=True, text=True, timeout=300)


def test_every_import_follows_the_stage_order():
    result = _lint(ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_wrong_import_breaks_the_contract(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src" / "govex", tmp_path / "src" / "govex",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    errors = tmp_path / "src" / "govex" / "errors.py"
    errors.write_text(errors.read_text() + "\nimport govex.reports  # deliberately wrong: the bottom stage importing an output\n")
    result = _lint(tmp_path, tmp_path / "src")
    assert result.returncode != 0
    assert "govex.errors is not allowed to import govex.reports" in result.stdout
    assert "BROKEN" in result.stdout
