"""The synthetic tables meet the data contract: names, types, nulls, ranges, keys and order rules.

Checked twice: with govex's own validator (through the engine) and with plain pandas written
here from the contract's declarations, so a bug in one does not hide a bug in the other.
"""
from __future__ import annotations

import ibis
import pandas as pd
import pyarrow.parquet as pq
import pytest

from govex.contract.schema import BOOL, DATE, FLOAT, INT, STRING, TABLES, TIMESTAMP
from govex.contract.validate import validate_tables
from govex.datasets import small_marketplace, synthesize

PARQUET_TYPES = {STRING: "string", INT: "int64", FLOAT: "double", BOOL: "bool", DATE: "date32[day]",
                 TIMESTAMP: "timestamp[us]"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    synthesize(out, customers=1_500, seed=5)
    return out


def test_every_table_is_written_with_contract_types(written):
    for name, contract in TABLES.items():
        schema = pq.read_schema(written / f"{name}.parquet")
        assert schema.names == list(contract.column_names), name
        for col in contract.columns:
            assert str(schema.field(col.name).type) == PARQUET_TYPES[col.dtype], f"{name}.{col.name}"
    assert (written / "ground_truth.json").is_file()
    assert (written / "truth_customers.parquet").is_file()
    assert not [p for p in written.iterdir() if p.name.startswith(".")], "staging folder left behind"


def test_govex_validator_finds_nothing(written):
    con = ibis.duckdb.connect()
    tables = {name: con.read_parquet(written / f"{name}.parquet", table_name=name) for name in TABLES}
    assert validate_tables(tables) == []


@pytest.fixture(scope="module")
def small():
    return small_marketplace(seed=3)


def test_small_marketplace_size(small):
    # about 10 orders per customer by construction (docs/synthetic-data.md)
    assert len(small.tables["customers"]) == 2_000
    assert 15_000 < len(small.tables["orders"]) < 25_000


@pytest.mark.parametrize("name", sorted(TABLES))
def test_nulls_ranges_and_keys_with_pandas(small, name):
    frame, contract = small.tables[name], TABLES[name]
    for col in contract.columns:
        values = frame[col.name]
        if not col.nullable:
            assert values.notna().all(), f"{name}.{col.name} has nulls"
        present = values.dropna()
        if col.allowed is not None:
            assert set(present.unique()) <= set(col.allowed), f"{name}.{col.name}"
        if col.min is not None:
            assert (present >= col.min).all(), f"{name}.{col.name} below {col.min}"
        if col.max is not None:
            assert (present <= col.max).all(), f"{name}.{col.name} above {col.max}"
    assert not frame.duplicated(list(contract.primary_key)).any(), f"{name}: duplicate primary key"
    for fk in contract.foreign_keys:
        child = frame[fk.column].dropna()
        parent = set(small.tables[fk.table][fk.ref_column])
        assert child.isin(parent).all(), f"{name}.{fk.column} -> {fk.table}: orphans"
    for check in contract.order_checks:
        earlier, later = frame[check.earlier], frame[check.later]
        both = earlier.notna() & later.notna()
        first, second = pd.to_datetime(earlier[both]), pd.to_datetime(later[both])
        if TABLES[name].column(check.later).dtype == DATE:  # a date is compared with the day of a timestamp
            first = first.dt.normalize()
        assert (second >= first).all(), check.describe()


def test_timestamps_fall_inside_the_window(small):
    start = pd.Timestamp(small.ground_truth["generator"]["start"])
    end = pd.Timestamp(small.ground_truth["generator"]["end_exclusive"])
    for name, column in (("orders", "ordered_at"), ("orders", "delivered_at"), ("contacts", "created_at"),
                         ("contacts", "resolved_at"), ("surveys", "responded_at"), ("disputes", "opened_at"),
                         ("returns", "requested_at"), ("moderation_cases", "created_at")):
        values = small.tables[name][column].dropna()
        assert values.min() >= start and values.max() < end, f"{name}.{column}"


def test_row_counts_in_ground_truth_match(small):
    assert small.ground_truth["row_counts"] == {name: len(frame) for name, frame in small.tables.items()}
