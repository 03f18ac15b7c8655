"""The same validation and aggregations on DuckDB and local Spark give the same answers."""
from __future__ import annotations

import ibis
import pandas as pd
import pytest

from backends.conftest import as_text_table
from contract.canonical_frames import valid_frames
from govex.contract import Check, conform, table, validate_tables
from govex.dialect import count_where, days_between, ratio, replace_tables_atomically, whole_seconds
from govex.errors import ContractError, EngineError


def bad_tables(con):
    """Orders and surveys with planted violations, one of each kind, written by hand."""
    frames = valid_frames()
    orders = frames["orders"].astype(object)
    orders.loc[0, "status"] = "lost"
    orders.loc[1, "delivered_at"] = pd.Timestamp("2024-03-01 00:00:00")  # before ordered_at 2024-03-02 23:30
    orders = pd.concat([orders, orders.iloc[[2]]], ignore_index=True)  # o3 twice
    surveys = frames["surveys"].astype(object)
    surveys.loc[0, "csat"] = "five"
    surveys.loc[1, "csat"] = 7
    surveys.loc[2, "order_id"] = "o404"
    return {
        "orders": as_text_table(con, "orders_raw", orders),
        "surveys": as_text_table(con, "surveys_raw", surveys),
    }


# Planted above: (check, table, column, rows, examples)
EXPECTED = {
    (Check.NOT_ALLOWED, "orders", "status", 1, ("order_id='o1', status='lost'",)),
    (Check.ORDER, "orders", "delivered_at", 1,
     ("order_id='o2', ordered_at='2024-03-02T23:30:00', delivered_at='2024-03-01T00:00:00'",)),
    (Check.DUPLICATE_KEY, "orders", "order_id", 2, ("order_id='o3', rows=2",)),
    (Check.UNCASTABLE, "surveys", "csat", 1, ("survey_id='v1', csat='five'",)),
    (Check.OUT_OF_RANGE, "surveys", "csat", 1, ("survey_id='v2', csat=7",)),
    (Check.ORPHAN, "surveys", "order_id", 1, ("survey_id='v3', order_id='o404'",)),
}


def test_validation_finds_the_planted_issues(con):
    with pytest.raises(ContractError) as caught:
        validate_tables(bad_tables(con))
    found = {
        (i.check, i.where.table, i.where.column, i.where.rows, tuple(i.examples))
        for i in caught.value.issues
        if i.check is not Check.ABSENT_OPTIONAL_COLUMN
    }
    assert found == EXPECTED


def test_a_compound_key_repeats_only_when_every_column_repeats(con):
    fx = pd.DataFrame({
        "currency": ["EUR", "EUR", "USD", "USD", "GBP"],
        "valid_from": ["2024-01-01", "2024-01-01", "2024-01-01", "2024-02-01", None],
        "rate_to_reporting": [1.0, 1.0, 0.92, 0.93, 1.17],
    })
    with pytest.raises(ContractError) as caught:
        validate_tables({"fx_rates": as_text_table(con, "fx_raw", fx)})
    found = {(i.check, i.where.column, i.where.rows, tuple(i.examples)) for i in caught.value.issues}
    # By hand: (EUR, 2024-01-01) twice; USD's two dates differ; GBP has no date, so no key to repeat.
    assert found == {
        (Check.DUPLICATE_KEY, "currency, valid_from", 2, ("currency='EUR', valid_from='2024-01-01', rows=2",)),
        (Check.NULL_KEY, "valid_from", 1, ("currency='GBP', valid_from=None",)),
    }


@pytest.fixture(scope="module")
def orders(con):
    frame = valid_frames()["orders"]
    return frame, conform(as_text_table(con, "orders_ok", frame), table("orders"))


def test_late_share_and_delivery_days_by_market(orders):
    frame, expr = orders
    delivered = expr.filter(expr.delivered_at.notnull())
    result = (
        delivered.group_by("market")
        .aggregate(
            late_share=ratio(count_where(days_between(delivered.promised_date, delivered.delivered_at) > 0), delivered.count()),
            mean_days=days_between(delivered.ordered_at, delivered.delivered_at).mean(),
        )
        .order_by("market")
        .to_pandas()
    )
    # pandas: calendar days between dates (o2: 2024-03-02 23:30 -> 2024-03-06 18:00 is 4 days, not 3)
    done = frame[frame.delivered_at.notna()].copy()
    done["days"] = (done.delivered_at.dt.normalize() - done.ordered_at.dt.normalize()).dt.days
    done["late"] = done.delivered_at.dt.date > done.promised_date
    expected = done.groupby("market").agg(late_share=("late", "mean"), mean_days=("days", "mean")).reset_index()
    assert expected.mean_days.tolist() == [3.5]  # hand check: o1 3 days, o2 4 days
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_counts_and_sums_by_group(orders):
    frame, expr = orders
    result = (
        expr.group_by("currency")
        .aggregate(orders=expr.count(), amount=expr.amount.sum(), delivered=count_where(expr.status == "delivered"))
        .order_by("currency")
        .to_pandas()
    )
    expected = (
        frame.assign(delivered=frame.status == "delivered")
        .groupby("currency")
        .agg(orders=("order_id", "size"), amount=("amount", "sum"), delivered=("delivered", "sum"))
        .reset_index()
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_atomic_replace_is_refused_where_there_are_no_transactions(con):
    if con.name == "duckdb":
        con.create_table("_stage_a", pd.DataFrame({"x": [1]}), overwrite=True)
        replace_tables_atomically(con, {"_stage_a": "a"})
        assert "a" in con.list_tables() and "_stage_a" not in con.list_tables()
    else:
        with pytest.raises(EngineError, match="needs DuckDB"):
            replace_tables_atomically(con, {"_stage_a": "a"})


def test_whole_seconds_drop_the_fraction(con):
    frame = pd.DataFrame({"at": pd.to_datetime(["2024-01-01 10:00:00.970", "2024-01-01 10:00:01.000", "2024-01-01 10:00:01.001"])})
    if con.name == "pyspark":
        con.create_view("seconds_raw", ibis.memtable(frame), overwrite=True)
        expr = con.table("seconds_raw")
    else:
        expr = con.create_table("seconds_raw", frame, overwrite=True)
    got = expr.order_by("at").select(s=whole_seconds(expr.at)).to_pandas().s.tolist()
    # by hand: 2024-01-01 10:00 UTC is 19,723 days x 86,400 s + 36,000 s = 1,704,103,200 s since 1970
    assert got == [1_704_103_200.0, 1_704_103_201.0, 1_704_103_201.0]
