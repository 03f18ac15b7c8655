"""Compiled SQL is reused for an equal request on the same warehouse, never the results; a changed request compiles anew."""
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.metrics import compute_metrics


def _counting_compiles(warehouse, monkeypatch) -> list:
    calls = []
    backend = type(warehouse.con)
    real = backend.compile
    monkeypatch.setattr(backend, "compile", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    return calls


def test_a_repeated_request_compiles_nothing_and_reads_the_data_afresh(tiny_frames, monkeypatch):
    warehouse = Warehouse.from_frames(tiny_frames)
    first = compute_metrics(warehouse, metrics=["contact_rate"], by=["market"], period="month")
    assert (first["value"] > 0).any()
    compiles = _counting_compiles(warehouse, monkeypatch)
    again = compute_metrics(warehouse, metrics=["contact_rate"], by=["market"], period="month")
    assert compiles == []
    pd.testing.assert_frame_equal(first, again)
    # the same tables with other rows: the same SQL, new values (no contacts: every rate is 0)
    warehouse.con.create_table("contacts", tiny_frames["contacts"].iloc[:0], overwrite=True)
    emptied = compute_metrics(warehouse, metrics=["contact_rate"], by=["market"], period="month")
    assert compiles == [] and len(emptied) == len(first) and (emptied["value"] == 0).all()


def test_another_period_compiles_its_own_queries(tiny_frames, monkeypatch):
    warehouse = Warehouse.from_frames(tiny_frames)
    compute_metrics(warehouse, metrics=["contact_rate"], by=["market"], period="month")
    compiles = _counting_compiles(warehouse, monkeypatch)
    weekly = compute_metrics(warehouse, metrics=["contact_rate"], by=["market"], period="week")
    assert len(compiles) == 2  # contacts and orders, one query each
    fresh = compute_metrics(Warehouse.from_frames(tiny_frames), metrics=["contact_rate"], by=["market"], period="week")
    pd.testing.assert_frame_equal(weekly, fresh)


def test_a_table_replaced_through_the_warehouse_builds_its_query_anew(tiny_frames):
    """The built query is reused only while the warehouse hands out the same tables: here csat turns from integers to halves."""
    warehouse = Warehouse.from_frames(tiny_frames)
    first = compute_metrics(warehouse, metrics=["csat"], period="month")
    assert len(first) > 0
    surveys = tiny_frames["surveys"].copy()
    surveys["csat"] = surveys["csat"].astype("float64") + 0.5  # a query built for integers would round these
    warehouse.replace("surveys", surveys)
    again = compute_metrics(warehouse, metrics=["csat"], period="month")
    assert again["value"].tolist() == (first["value"] + 0.5).tolist()
