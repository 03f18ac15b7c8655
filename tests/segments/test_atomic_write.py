"""Writes to segment_assignments are all or nothing: an injected failure keeps the previous rows."""
from __future__ import annotations

import datetime as dt

import pytest
from features.tiny_marketplace import AS_OF, tiny_frames

from govex.engine import Warehouse
from govex.errors import EngineError
from govex.segments import ASSIGNMENTS_TABLE, run_segmentation


class _FailingRename:
    """A DuckDB connection whose ALTER ... RENAME fails, after the DROP of the old table ran."""

    def __init__(self, raw):
        self._raw = raw

    def execute(self, sql, *args, **kwargs):
        if "RENAME" in sql:
            raise RuntimeError("injected failure during the swap")
        return self._raw.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._raw, name)


def _rows(warehouse):
    return warehouse.con.table(ASSIGNMENTS_TABLE).execute().sort_values(["framework", "as_of", "entity_id"]).reset_index(drop=True)


@pytest.fixture
def written():
    warehouse = Warehouse.from_frames(tiny_frames())
    run_segmentation(warehouse, as_of=AS_OF, names=("lifecycle",))
    return warehouse


def test_failure_inside_the_swap_keeps_the_previous_rows(written, monkeypatch):
    before = _rows(written)
    monkeypatch.setattr(written.con, "con", _FailingRename(written.con.con))
    with pytest.raises(EngineError, match="injected failure"):
        run_segmentation(written, as_of=dt.date(2024, 5, 31), names=("lifecycle",))
    monkeypatch.undo()
    after = _rows(written)
    # the DROP of the old table was rolled back with the failed rename: same 8 rows as before
    assert len(after) == 8 and after.equals(before)
    assert not [t for t in written.con.list_tables() if t.startswith("_govex_segments_")]


def test_failure_while_rebuilding_keeps_the_previous_rows(written, monkeypatch):
    before = _rows(written)
    real_create = written.con.create_table

    def create_table(name, *args, **kwargs):
        if name.startswith("_govex_segments_rebuilt_"):
            raise RuntimeError("injected failure while rebuilding")
        return real_create(name, *args, **kwargs)

    monkeypatch.setattr(written.con, "create_table", create_table)
    with pytest.raises(EngineError, match="table was left unchanged"):
        run_segmentation(written, as_of=dt.date(2024, 5, 31), names=("lifecycle",))
    monkeypatch.undo()
    assert _rows(written).equals(before)
