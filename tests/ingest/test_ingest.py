"""Ingest from govex.yaml: source kinds, renames, pseudonymisation, and all-or-nothing writes."""
from __future__ import annotations

import hashlib

import ibis
import pandas as pd
import pytest

from contract.canonical_frames import valid_frames, write_csvs, write_parquets
from govex.config import load_config
from govex.errors import ConfigError, EngineError
from govex.ingest import ingest, ingest_folder
from govex.ingest import load as load_module


def tables_in(database) -> dict[str, pd.DataFrame]:
    con = ibis.duckdb.connect(str(database))
    try:
        return {name: con.table(name).to_pandas() for name in con.list_tables()}
    finally:
        con.disconnect()


def test_renames_glob_and_gzip_sources(tmp_path):
    frames = valid_frames()
    customers = frames["customers"].rename(columns={"customer_id": "id", "signup_date": "created"})
    customers.to_csv(tmp_path / "customers.csv.gz", index=False, sep=";")
    parts = tmp_path / "orders"
    parts.mkdir()
    frames["orders"].iloc[:2].to_parquet(parts / "part-1.parquet", index=False)
    frames["orders"].iloc[2:].to_parquet(parts / "part-2.parquet", index=False)
    (tmp_path / "govex.yaml").write_text(
        "tables:\n"
        "  customers:\n    file: customers.csv.gz\n    delimiter: ';'\n"
        "    rename: {id: customer_id, created: signup_date}\n"
        "  orders:\n    glob: orders/*.parquet\n"
    )
    report = ingest(load_config(tmp_path / "govex.yaml"))
    assert report.rows("customers") == 3 and report.rows("orders") == 4  # rows written by hand in canonical_frames
    loaded = tables_in(tmp_path / "govex.duckdb")
    assert sorted(loaded["customers"].customer_id) == ["c1", "c2", "c3"]
    assert sorted(loaded["orders"].order_id) == ["o1", "o2", "o3", "o4"]
    assert "sellers" in report.absent and "seller metrics" in report.absent["sellers"]


def test_engine_table_and_sql_sources(tmp_path):
    database = tmp_path / "govex.duckdb"
    con = ibis.duckdb.connect(str(database))
    con.create_table("crm_customers", valid_frames()["customers"])
    con.disconnect()
    (tmp_path / "govex.yaml").write_text(
        "tables:\n"
        "  customers:\n    table: crm_customers\n"
        "  orders:\n    sql: select * from read_parquet('orders.parquet')\n"
    )
    write_parquets({"orders": valid_frames()["orders"]}, tmp_path)
    # DuckDB resolves relative paths in SQL against the working directory
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        report = ingest(load_config(tmp_path / "govex.yaml"))
    assert report.rows("customers") == 3 and report.rows("orders") == 4


def test_pseudonymised_ids_are_salted_sha256_and_joins_survive(tmp_path):
    frames = valid_frames()
    write_csvs({k: frames[k] for k in ("customers", "sellers", "orders")}, tmp_path)
    (tmp_path / "govex.yaml").write_text(
        "pseudonymise:\n  salt: test-salt-123\n"
        "tables:\n  customers:\n    file: customers.csv\n  sellers:\n    file: sellers.csv\n"
        "  orders:\n    file: orders.csv\n"
    )
    ingest(load_config(tmp_path / "govex.yaml"))
    loaded = tables_in(tmp_path / "govex.duckdb")
    expected = {hashlib.sha256(f"test-salt-123{cid}".encode()).hexdigest() for cid in ["c1", "c2", "c3"]}
    assert set(loaded["customers"].customer_id) == expected  # hashlib, independent of the engine
    assert set(loaded["orders"].customer_id) <= expected
    assert loaded["orders"].seller_id.isna().sum() == 1  # the null seller stays null
    assert set(loaded["orders"].seller_id.dropna()) <= set(loaded["sellers"].seller_id)
    assert set(loaded["orders"].order_id) == {"o1", "o2", "o3", "o4"}  # order ids are not personal


def test_missing_source_file_names_config_line_and_creates_nothing(tmp_path):
    (tmp_path / "govex.yaml").write_text("tables:\n  orders:\n    file: exports/orders.csv\n")
    with pytest.raises(ConfigError, match=r"govex.yaml:3: tables.orders.file: no file matches"):
        ingest(load_config(tmp_path / "govex.yaml"))
    assert not (tmp_path / "govex.duckdb").exists()


def test_failure_while_staging_leaves_previous_tables_and_no_staging(tmp_path, monkeypatch):
    write_parquets(valid_frames(), tmp_path / "v1")
    ingest_folder(tmp_path / "v1", database=tmp_path / "govex.duckdb")
    before = tables_in(tmp_path / "govex.duckdb")
    changed = valid_frames()
    changed["orders"]["amount"] = changed["orders"]["amount"] + 1
    write_parquets(changed, tmp_path / "v2")

    real_swap = load_module.replace_tables_atomically

    def swap_then_fail(con, staged):
        # the last rename names a staging table that does not exist, after every real one has
        # been renamed: the transaction must roll all of them back
        real_swap(con, {**staged, "_govex_staging_missing": "ghost"})

    monkeypatch.setattr(load_module, "replace_tables_atomically", swap_then_fail)
    with pytest.raises(EngineError, match="nothing was changed"):
        ingest_folder(tmp_path / "v2", database=tmp_path / "govex.duckdb")
    after = tables_in(tmp_path / "govex.duckdb")
    assert sorted(after) == sorted(before)  # no staging table left, no partial swap
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])


def test_folder_without_canonical_files(tmp_path):
    with pytest.raises(ConfigError, match="no canonical Parquet files"):
        ingest_folder(tmp_path, database=tmp_path / "govex.duckdb")
