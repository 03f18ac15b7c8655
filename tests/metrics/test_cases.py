"""Every shipped metric against values worked out by hand on the tiny marketplace.

Each case file in tests/cases/metrics/ names a metric, its cuts and the expected cells, with the
hand arithmetic in a comment; values are written as fractions so the arithmetic stays visible.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
import yaml

from govex.metrics import compute_metrics, load_catalogue

CASES_DIR = Path(__file__).resolve().parents[1] / "cases" / "metrics"

CASE_FILES = ("trust", "experience", "efficiency", "growth", "cuts", "sellers", "moderation", "service", "recovery")
CASES = [
    pytest.param(case, id=f"{stem}:{case['metric']}:{'x'.join(case.get('by', [])) or 'all'}")
    for stem in CASE_FILES
    for case in yaml.safe_load((CASES_DIR / f"{stem}.yaml").read_text())["cases"]
]


@pytest.fixture(scope="module")
def tiny_cube(tiny_wh):
    """All cases sharing cuts and period computed in one call (as a dashboard would)."""
    wanted: dict[tuple, list[str]] = {}
    for param in CASES:
        case = param.values[0]
        wanted.setdefault((tuple(case.get("by", [])), case.get("period", "month")), []).append(case["metric"])
    return {key: compute_metrics(tiny_wh, metrics=names, by=list(key[0]), period=key[1], start="2024-01-01", end="2024-01-31")
            for key, names in wanted.items()}


def _number(text) -> float:
    return float(Fraction(str(text)))


@pytest.mark.parametrize("case", CASES)
def test_case(case, tiny_cube):
    by = case.get("by", [])
    period = case.get("period", "month")
    cube = tiny_cube[(tuple(by), period)]
    cube = cube[cube["metric"] == case["metric"]]
    keys = ["period_start", *by] if period != "month" else by
    got = cube.assign(period_start=cube["period_start"].dt.strftime("%Y-%m-%d"))
    assert len(got) == len(case["expect"]), got[[*keys, "value"]].to_string()
    for row in case["expect"]:
        match = got
        for key in keys:
            match = match[match[key] == str(row[key])]
        assert len(match) == 1, f"no cell {row} in\n{got[[*keys, 'value']]}"
        cell = match.iloc[0]
        assert cell["value"] == pytest.approx(_number(row["value"]), rel=1e-9, abs=1e-12)
        for field in ("numerator", "denominator", "n"):
            if field in row:
                assert cell[field] == pytest.approx(float(row[field]), rel=1e-9)
        if pd.notna(cell["ci_low"]) and cell["ci_method"] not in ("poisson_exact",):
            assert cell["ci_low"] <= cell["value"] + 1e-12 <= cell["ci_high"] + 2e-12


def test_every_shipped_metric_has_a_hand_worked_case():
    covered = {case.values[0]["metric"] for case in CASES}
    missing = set(load_catalogue().names()) - covered
    assert not missing, f"shipped metrics without a hand-worked case: {sorted(missing)}"
