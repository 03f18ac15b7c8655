"""Result tables are replaced all or nothing, in the output database, on DuckDB and on Spark."""
from __future__ import annotations

import pandas as pd
import pytest
from engine.conftest import open_engine

from govex.engine.write import KEEP_VERSIONS, replace_table, versions_of
from govex.errors import EngineError

OUT = "govex_results"


@pytest.fixture
def con(engine, tmp_path):
    backend = open_engine(engine, tmp_path)
    yield backend
    if engine == "pyspark":  # the session is shared by the test run: leave no result tables behind
        backend.raw_sql(f"DROP DATABASE IF EXISTS {OUT} CASCADE")
    else:
        backend.disconnect()


def _written(con) -> set[str]:
    """Tables govex wrote in the output database (Spark also lists every session's temporary views)."""
    return {t for t in con.list_tables(database=OUT) if t == "cube" or t.startswith("_govex")}


def _rows(con, name="cube"):
    return sorted(con.table(name, database=OUT).to_pandas().x.tolist())


def test_each_write_replaces_the_rows_in_the_output_database(con):
    for run in range(KEEP_VERSIONS + 2):
        replace_table(con, "cube", pd.DataFrame({"x": [run, run + 10]}), database=OUT)
        assert _rows(con) == [run, run + 10]
    assert "cube" not in con.list_tables()  # nothing in the default database
    leftovers = [t for t in con.list_tables(database=OUT) if t.startswith("_govex_staging_")]
    versions = versions_of(con, "cube", OUT)
    assert not leftovers
    # DuckDB swaps a staging table in; Spark keeps the version readers see and the one before it
    assert len(versions) == (0 if con.name == "duckdb" else KEEP_VERSIONS)


def test_an_expression_over_default_database_tables_is_written_to_the_output_database(con):
    con.create_table("src_rows", pd.DataFrame({"x": [3, 1, 2]}), overwrite=True)
    source = con.table("src_rows")
    replace_table(con, "cube", source.filter(source.x > 1), database=OUT)
    assert _rows(con) == [2, 3]
    con.drop_table("src_rows")


def test_a_failed_write_leaves_the_previous_rows(con, monkeypatch):
    replace_table(con, "cube", pd.DataFrame({"x": [1, 2]}), database=OUT)
    before = _written(con)
    real_create = con.create_table

    def failing_create(name, obj=None, **kwargs):
        real_create(name, obj, **kwargs)  # the new rows land in full, then the engine fails
        raise RuntimeError("injected failure after writing the new rows")

    monkeypatch.setattr(con, "create_table", failing_create)
    with pytest.raises(EngineError, match="could not write table 'cube': injected failure"):
        replace_table(con, "cube", pd.DataFrame({"x": [7, 8, 9]}), database=OUT)
    monkeypatch.undo()
    assert _rows(con) == [1, 2]
    assert _written(con) == before  # the new rows were dropped again


@pytest.mark.spark
def test_spark_a_failed_switch_keeps_the_view_on_the_previous_version(spark_backend, monkeypatch):
    con = spark_backend
    try:
        replace_table(con, "cube", pd.DataFrame({"x": [1, 2]}), database=OUT)
        before = _written(con)
        real_sql = con.raw_sql

        def failing_sql(query, *args, **kwargs):
            if "CREATE OR REPLACE VIEW" in str(query):
                raise RuntimeError("injected failure while switching the view")
            return real_sql(query, *args, **kwargs)

        monkeypatch.setattr(con, "raw_sql", failing_sql)
        with pytest.raises(EngineError, match="previous version was left in place"):
            replace_table(con, "cube", pd.DataFrame({"x": [7, 8, 9]}), database=OUT)
        monkeypatch.undo()
        assert _rows(con) == [1, 2]
        assert _written(con) == before
    finally:
        con.raw_sql(f"DROP DATABASE IF EXISTS {OUT} CASCADE")


@pytest.mark.spark
def test_spark_a_plain_table_of_an_older_writer_becomes_a_view(spark_backend):
    con = spark_backend
    try:
        con.create_database(OUT, force=True)
        con.create_table("cube", pd.DataFrame({"x": [0]}), database=OUT)
        replace_table(con, "cube", pd.DataFrame({"x": [5]}), database=OUT)
        assert _rows(con) == [5]
        assert con._session.catalog.getTable(f"{OUT}.cube").tableType == "VIEW"
    finally:
        con.raw_sql(f"DROP DATABASE IF EXISTS {OUT} CASCADE")


def test_names_that_are_not_identifiers_are_refused(con):
    with pytest.raises(EngineError, match="not a plain identifier"):
        replace_table(con, "cube; drop table x", pd.DataFrame({"x": [1]}))
