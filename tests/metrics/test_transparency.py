"""The transparency export adds up to moderation_cases exactly: by hand on the tiny marketplace, by pandas on synth."""
from __future__ import annotations

import datetime as dt
import json

import ibis
import pandas as pd
import pytest
from typer.testing import CliRunner

from govex.cli.main import app
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics.transparency import BREAKDOWNS, FILES, transparency_counts, write_transparency

COUNTS = ["cases", "decided", "appeals_filed", "appeals_decided", "overturned"]


@pytest.fixture(scope="module")
def tiny_db(tiny_frames, tmp_path_factory):
    """The tiny marketplace in a DuckDB file (the command opens it by path)."""
    path = tmp_path_factory.mktemp("transparency") / "tiny.duckdb"
    Warehouse.from_frames(tiny_frames, con=ibis.duckdb.connect(str(path))).con.disconnect()
    return path


def test_tiny_marketplace_by_hand(tiny_wh):
    # m1 counterfeit remove user_report human, appealed and overturned, 3 h report -> action, handled 1800 s
    # m2 counterfeit approve automated_detection automated, 31 min; m3 harassment restrict staff_review human,
    # appealed and upheld, 8 h, 3600 s; m4 fraud pending user_report human (no report time)
    result = transparency_counts(tiny_wh)
    cells = result.cells.set_index(list(BREAKDOWNS))
    assert cells.loc[("counterfeit", "remove", "user_report", "false"), COUNTS].tolist() == [1, 1, 1, 1, 1]
    assert cells.loc[("counterfeit", "approve", "automated_detection", "true"), COUNTS].tolist() == [1, 1, 0, 0, 0]
    assert cells.loc[("harassment", "restrict", "staff_review", "false"), COUNTS].tolist() == [1, 1, 1, 1, 0]
    assert cells.loc[("fraud", "pending", "user_report", "false"), COUNTS].tolist() == [1, 0, 0, 0, 0]
    assert len(cells) == 4
    assert cells.loc[("counterfeit", "approve", "automated_detection", "true"), "median_hours_to_action"] == \
        pytest.approx(31 / 60)
    assert pd.isna(cells.loc[("fraud", "pending", "user_report", "false"), "median_hours_to_action"])
    # totals: 4 cases, 3 decided, 2 appeals decided, 1 overturned; median of 31/60, 3, 8 h is 3 h;
    # median handle time of 1800 and 3600 s is the lower one (an order statistic), 1800
    assert result.overall == {"cases": 4, "decided": 3, "appeals_filed": 2, "appeals_decided": 2, "overturned": 1,
                              "median_hours_to_action": 3.0, "median_handle_time_s": 1800.0}
    policy = result.totals["policy"].set_index("policy")
    assert policy["cases"].to_dict() == {"counterfeit": 2, "fraud": 1, "harassment": 1}
    # counterfeit: 31/60 and 3 h -> the lower, 31/60
    assert policy.loc["counterfeit", "median_hours_to_action"] == pytest.approx(31 / 60)
    # m4 is the only open case and the latest moment in the table is its own creation: it waited 0 days
    assert result.backlog_age_days_median == 0.0


@pytest.fixture(scope="module")
def synth_cases():
    from govex.datasets.synth import small_marketplace

    market = small_marketplace(seed=3)
    tables = ("moderation_cases", "vendors", "sellers", "customers")
    return market.tables["moderation_cases"], Warehouse.from_frames({t: market.tables[t] for t in tables})


def test_cells_add_up_to_the_table_exactly(synth_cases):
    cases, warehouse = synth_cases
    result = transparency_counts(warehouse)
    expected = cases.assign(
        automated=cases["automated"].map({True: "true", False: "false"}),
        decided=cases["decision"] != "pending",
        appeals_filed=cases["appeal_filed"] == True,  # noqa: E712
        appeals_decided=cases["appeal_outcome"].isin(["upheld", "overturned"]),
        overturned=cases["appeal_outcome"] == "overturned",
    ).groupby(list(BREAKDOWNS)).agg(cases=("case_id", "size"), decided=("decided", "sum"),
                                    appeals_filed=("appeals_filed", "sum"), appeals_decided=("appeals_decided", "sum"),
                                    overturned=("overturned", "sum"))
    ours = result.cells.set_index(list(BREAKDOWNS))[COUNTS]
    pd.testing.assert_frame_equal(ours.sort_index(), expected.sort_index().astype("int64"), check_names=False)
    assert result.overall["cases"] == len(cases)
    for dim, frame in result.totals.items():
        assert frame["cases"].sum() == len(cases), dim
        assert (frame.set_index(dim)[COUNTS].sort_index()
                == ours.groupby(level=dim)[COUNTS].sum().sort_index()).all().all(), dim


def test_a_date_range_counts_cases_created_in_it(synth_cases):
    cases, warehouse = synth_cases
    start, end = dt.date(2025, 1, 1), dt.date(2025, 3, 31)
    result = transparency_counts(warehouse, start=start, end=end)
    created = cases["created_at"].dt.date
    inside = cases[(created >= start) & (created <= end)]
    assert result.overall["cases"] == len(inside) == result.cells["cases"].sum()
    assert result.overall["overturned"] == (inside["appeal_outcome"] == "overturned").sum()


def test_cli_writes_csv_and_json_that_agree(tiny_db, tmp_path):
    out = tmp_path / "export"
    run = CliRunner().invoke(app, ["moderation", "transparency", "--db", str(tiny_db), "--out", str(out), "--json"])
    assert run.exit_code == 0, run.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    written = json.loads((out / "transparency.json").read_text())
    assert written == json.loads(run.output)
    cells = pd.read_csv(out / "transparency_cells.csv")
    assert cells["cases"].sum() == written["overall"]["cases"] == 4
    assert cells["overturned"].sum() == 1


def test_bad_input_is_refused_and_nothing_is_written(tiny_wh, tiny_frames, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="exists and is not a directory"):
        write_transparency(transparency_counts(tiny_wh), blocker)
    assert blocker.read_text() == "not a folder"
    without = Warehouse.from_frames({name: frame for name, frame in tiny_frames.items() if name != "moderation_cases"})
    with pytest.raises(ConfigError, match="needs the moderation_cases table"):
        transparency_counts(without)
    out = tmp_path / "export"
    run = CliRunner().invoke(app, ["moderation", "transparency", "--db", str(tmp_path / "none.duckdb"), "--out", str(out)])
    assert run.exit_code == 1 and "no such DuckDB file" in str(run.exception)
    assert not out.exists()
