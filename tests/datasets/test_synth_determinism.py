"""Same arguments, same data: frames in memory and bytes on disk."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from govex.datasets import generate, synthesize
from govex.errors import ConfigError


def test_same_seed_same_frames_other_seed_other_frames():
    first, again, other = (generate(customers=800, seed=s, months=6) for s in (4, 4, 5))
    for name, frame in first.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name], obj=name)
    pd.testing.assert_frame_equal(first.truth_customers, again.truth_customers)
    assert first.ground_truth == again.ground_truth
    assert not first.tables["orders"]["amount"].equals(other.tables["orders"]["amount"])


def test_same_arguments_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    files_a = synthesize(a, customers=300, seed=9, months=4)
    synthesize(b, customers=300, seed=9, months=4)
    for path in files_a:
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name
    assert json.loads((a / "ground_truth.json").read_text())["generator"]["seed"] == 9


def test_bad_arguments_raise_config_error_and_write_nothing(tmp_path):
    with pytest.raises(ConfigError, match="customers"):
        synthesize(tmp_path / "x", customers=10, seed=0)
    with pytest.raises(ConfigError, match="start"):
        synthesize(tmp_path / "x", customers=500, start="2024-02-30")
    assert not (tmp_path / "x").exists()


def test_out_path_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    with pytest.raises(ConfigError, match="not a directory"):
        synthesize(target, customers=200, months=3)
    assert target.read_text() == "keep me"
