"""Commands read the canonical tables through govex.yaml in place, on DuckDB and on Spark.

Every kind of source (file with renames, glob, `schema.table`, `sql`) is read on the engine and
checked against the contract; the expected values are the hand-written frames of
contract/canonical_frames.py, and the expected error messages are the ones `govex ingest` gives.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from contract.canonical_frames import valid_frames, write_csvs
from engine.conftest import engine_url, make_table, open_engine

from govex.config import load_config
from govex.engine import Warehouse
from govex.errors import ConfigError, ContractError
from govex.ingest import ingest


def _config(folder, engine: str, tables: str) -> object:
    (folder / "govex.yaml").write_text(f"engine: {engine_url(engine)}\ntables:\n{tables}")
    return load_config(folder / "govex.yaml")


def test_every_source_kind_is_read_in_place(tmp_path, engine):
    frames = valid_frames()
    frames["customers"].rename(columns={"customer_id": "id", "signup_date": "created"}).to_csv(
        tmp_path / "customers.csv", index=False, sep=";")
    (tmp_path / "orders").mkdir()
    # Spark cannot read pandas' default nanoseconds; every part carries the whole table's types (a part
    # whose column is all null would otherwise be typed null and clash with the others on Spark)
    schema = pa.Schema.from_pandas(frames["orders"], preserve_index=False)
    micros = dict(index=False, coerce_timestamps="us", schema=schema)
    frames["orders"].iloc[:2].to_parquet(tmp_path / "orders" / "part-1.parquet", **micros)
    frames["orders"].iloc[2:].to_parquet(tmp_path / "orders" / "part-2.parquet", **micros)
    con = open_engine(engine, tmp_path)
    make_table(con, "crm", "survey_export", frames["surveys"].rename(columns={"csat": "csat_score"}))
    make_table(con, "crm", "contact_log", frames["contacts"])
    if engine == "duckdb":
        con.disconnect()  # govex opens the file itself from the URL; Spark is handed the open session
    config = _config(tmp_path, engine, (
        "  customers:\n    file: customers.csv\n    delimiter: ';'\n    rename: {id: customer_id, created: signup_date}\n"
        "  orders:\n    glob: orders/*.parquet\n"
        "  surveys:\n    table: crm.survey_export\n    rename: {csat_score: csat}\n"
        "  contacts:\n    sql: select * from crm.contact_log where channel = 'chat'\n"
    ))
    warehouse = Warehouse.from_config(config, con=None if engine == "duckdb" else con)

    customers = warehouse.table("customers").to_pandas().sort_values("customer_id")
    assert customers.customer_id.tolist() == ["c1", "c2", "c3"]
    assert warehouse.table("customers").schema()["signup_date"].is_date()  # CSV text cast to the contract type
    assert [str(pd.Timestamp(d).date()) for d in customers.signup_date] == ["2024-01-01", "2024-01-05", "2024-02-01"]
    orders = warehouse.table("orders")
    assert orders.count().to_pandas() == 4 and orders.amount.sum().to_pandas() == pytest.approx(77.5)  # 25+40.5+12+0
    surveys = warehouse.table("surveys").to_pandas().sort_values("survey_id")
    assert surveys.csat.tolist()[:2] == [5, 2] and pd.isna(surveys.csat.tolist()[2])
    assert warehouse.table("contacts").contact_id.to_pandas().tolist() == ["k1"]  # the sql filter ran on the engine
    assert warehouse.table("contacts").schema()["handle_time_s"].is_floating()  # contract types, not the source's
    # nothing was copied under a canonical name, and unmapped tables stay absent
    assert not {"customers", "orders", "surveys", "contacts"} & set(warehouse.con.list_tables())
    assert warehouse.available() == ["customers", "orders", "contacts", "surveys"]
    assert not warehouse.has("disputes")


def test_contract_breaches_stop_with_the_messages_of_ingest(tmp_path, engine):
    frames = valid_frames()
    orders = frames["orders"].astype(object)
    orders.loc[0, "status"] = "lost"                       # not an allowed status
    orders.loc[1, "amount"] = "12,50"                      # not a number
    write_csvs({"customers": frames["customers"], "orders": orders}, tmp_path)
    tables = "  customers:\n    file: customers.csv\n  orders:\n    file: orders.csv\n"

    ingest_folder = tmp_path / "ingest"
    ingest_folder.mkdir()
    for name in ("customers", "orders"):
        (ingest_folder / f"{name}.csv").write_bytes((tmp_path / f"{name}.csv").read_bytes())
    with pytest.raises(ContractError) as by_ingest:
        ingest(_config(ingest_folder, "duckdb", tables.replace("file: ", f"file: {tmp_path}/")))
    with pytest.raises(ContractError) as in_place:
        Warehouse.from_config(_config(tmp_path, engine, tables.replace("file: ", f"file: {tmp_path}/")))

    assert [i.render() for i in in_place.value.issues] == [i.render() for i in by_ingest.value.issues]
    checks = {(i.check.value, i.where.column, i.where.rows) for i in in_place.value.issues if i.level.value == "error"}
    assert checks == {("not_allowed", "status", 1), ("uncastable", "amount", 1)}


def test_a_source_that_is_not_there_names_its_line(tmp_path, engine):
    config = _config(tmp_path, engine, "  orders:\n    file: exports/orders.parquet\n")
    with pytest.raises(ConfigError, match=r"govex.yaml:4: tables.orders.file: no file matches .*exports/orders.parquet"):
        Warehouse.from_config(config)


def test_a_file_the_engine_cannot_read_names_its_line(tmp_path, engine):
    (tmp_path / "orders.parquet").write_text("order_id,amount\no1,3\n")  # CSV text under a Parquet name
    config = _config(tmp_path, engine, "  orders:\n    file: orders.parquet\n")
    with pytest.raises(ConfigError, match=rf"govex.yaml:4: tables.orders.file: the {engine} engine cannot read .*orders.parquet"):
        Warehouse.from_config(config)


def test_warn_only_reads_data_with_orphans_and_keeps_the_warning(tmp_path):
    frames = valid_frames()
    write_csvs({"customers": frames["customers"].iloc[:2], "orders": frames["orders"]}, tmp_path)  # c3's order orphaned
    (tmp_path / "govex.yaml").write_text(
        "warn_only: true\ntables:\n  customers:\n    file: customers.csv\n  orders:\n    file: orders.csv\n")
    warehouse = Warehouse.from_config(load_config(tmp_path / "govex.yaml"))
    assert warehouse.table("orders").count().to_pandas() == 4
    assert [(w.check.value, w.where.column, w.where.rows) for w in warehouse.warnings] == [("orphan_foreign_key", "customer_id", 1)]
