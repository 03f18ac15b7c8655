"""Dashboard precompute is all or nothing on DuckDB and Spark: a run that fails while computing a part
or while writing leaves every `dash_*` table of the previous run as it was.

The parts are replaced by small stand-ins (their own computations are tested in tests/dashboard/),
so each run's tables are known in advance: run A's, then run B's.
"""
from __future__ import annotations

import pandas as pd
import pytest

import govex.dashboard.precompute as precompute
import govex.reports.plan
from govex.engine import Warehouse
from govex.errors import EngineError, GovexError

OUT = "govex_dash_test"
WRITTEN = sorted(["dash_segment_sizes", "dash_segment_health", "dash_anomalies", "dash_plan", "dash_status"])


class Plan:
    """Stands in for a built plan: the queues table and its currency."""

    def __init__(self, fte: float):
        self.plan = type("P", (), {"queues": pd.DataFrame({"queue": ["chat"], "fte": [fte]}),
                                   "settings": type("S", (), {"currency": "USD"})()})()


def _parts(run: str, *, fail_in: str | None = None, absent: str | None = None):
    """Stand-in parts: each writes a one-row table saying which run made it."""
    def part(name: str, keys: tuple[str, ...]):
        def compute(_wh):
            if name == fail_in:
                raise RuntimeError(f"injected failure in {name}")
            if name == absent:
                raise GovexError(f"{name} has no input in this run")
            return {key: pd.DataFrame({"run": [run], "part": [key]}) for key in keys}
        return compute
    return {"segments": part("segments", ("segment_sizes", "segment_health")),
            "moved": part("moved", ("anomalies",))}


@pytest.fixture
def warehouse(con, monkeypatch):
    monkeypatch.setattr(govex.reports.plan, "choose_scenario", lambda *a, **k: (None, "no scenario in this test"))
    wh = Warehouse(con, output=OUT)
    yield wh
    if con.name == "pyspark":
        con.raw_sql(f"DROP DATABASE IF EXISTS {OUT} CASCADE")


def _run(wh, monkeypatch, run: str, **options):
    monkeypatch.setattr(precompute, "PARTS", _parts(run, **options))
    return precompute.precompute_dashboard(wh, plan=Plan(fte={"A": 1.0, "B": 2.0}[run]))


def _tables(wh) -> dict[str, list]:
    present = set(wh.con.list_tables(database=OUT))
    out = {}
    for name in precompute.TABLES.values():
        if name in present:
            frame = wh.con.table(name, database=OUT).to_pandas()
            out[name] = sorted(map(tuple, frame.astype(str).to_numpy().tolist()))
    return out


def _staging_left(wh) -> list[str]:
    return [t for t in wh.con.list_tables(database=OUT) if t.startswith("_govex_staging_")]


def test_a_run_failing_in_its_last_part_leaves_the_previous_tables(warehouse, monkeypatch):
    _run(warehouse, monkeypatch, "A")
    before = _tables(warehouse)
    assert sorted(before) == WRITTEN
    assert before["dash_segment_sizes"] == [("A", "segment_sizes")]
    assert before["dash_plan"] == [("chat", "1.0", "USD")]
    with pytest.raises(RuntimeError, match="injected failure in moved"):
        _run(warehouse, monkeypatch, "B", fail_in="moved")  # `segments` (run B) was computed before the failure
    assert _tables(warehouse) == before


def test_a_write_failing_midway_leaves_the_previous_tables(warehouse, monkeypatch):
    _run(warehouse, monkeypatch, "A")
    before = _tables(warehouse)
    real_create, calls = warehouse.con.create_table, []

    def fail_on_third(name, obj=None, **kwargs):
        calls.append(name)
        if len(calls) == 3:  # two tables of run B are already written in full
            raise RuntimeError("injected failure while writing")
        return real_create(name, obj, **kwargs)

    monkeypatch.setattr(warehouse.con, "create_table", fail_on_third)
    with pytest.raises(EngineError, match="could not write tables .*injected failure while writing"):
        _run(warehouse, monkeypatch, "B")
    monkeypatch.setattr(warehouse.con, "create_table", real_create)
    assert _tables(warehouse) == before
    assert not _staging_left(warehouse)


def test_a_successful_run_replaces_every_table_and_drops_a_part_now_absent(warehouse, monkeypatch):
    _run(warehouse, monkeypatch, "A")
    result = _run(warehouse, monkeypatch, "B", absent="moved")
    after = _tables(warehouse)
    assert "dash_anomalies" not in after  # run A's anomalies would be stale
    assert after["dash_segment_sizes"] == [("B", "segment_sizes")]
    assert after["dash_plan"] == [("chat", "2.0", "USD")]
    assert result.absent["moved"] == "moved has no input in this run"
    status = warehouse.con.table("dash_status", database=OUT).to_pandas().set_index("part")
    assert not status.loc["moved", "ok"] and status.loc["segments", "ok"]
    assert not _staging_left(warehouse)
