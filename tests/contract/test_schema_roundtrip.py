"""Schema round trip: canonical frames -> files -> ingest -> DuckDB -> the same frames and contract types."""
from __future__ import annotations

import ibis
import pandas as pd
import pytest

from contract.canonical_frames import config_text, valid_frames, write_csvs, write_parquets
from govex.config import load_config
from govex.contract import TABLES, ibis_type
from govex.ingest import ingest, ingest_folder


def read_back(database) -> dict[str, pd.DataFrame]:
    con = ibis.duckdb.connect(str(database))
    try:
        return {name: con.table(name).to_pandas() for name in con.list_tables()}, {
            name: con.table(name).schema() for name in con.list_tables()
        }
    finally:
        con.disconnect()


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Compare values, not pandas dtypes: dates and timestamps as ISO timestamps, missing as None."""
    out = frame.copy()
    for column in out.columns:
        out[column] = [
            None if v is None or (not isinstance(v, str) and pd.isna(v))
            else (pd.Timestamp(v).isoformat() if hasattr(v, "isoformat") else (v.item() if hasattr(v, "item") else v))
            for v in out[column]
        ]
    return out.reset_index(drop=True)


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_every_table_round_trips_with_contract_types(tmp_path, file_format):
    frames = valid_frames()
    if file_format == "parquet":
        write_parquets(frames, tmp_path)
        ingest_folder(tmp_path, database=tmp_path / "govex.duckdb")
    else:
        write_csvs(frames, tmp_path)
        (tmp_path / "govex.yaml").write_text(config_text(list(frames)))
        ingest(load_config(tmp_path / "govex.yaml"))
    tables, schemas = read_back(tmp_path / "govex.duckdb")
    assert set(tables) == set(TABLES)
    for name, contract in TABLES.items():
        # column order and types come from the contract, whatever the file had
        assert list(schemas[name].names) == list(contract.column_names)
        for column in contract.columns:
            assert schemas[name][column.name].is_timestamp() if column.dtype == "timestamp" else (
                schemas[name][column.name] == ibis_type(column).copy(nullable=True)
            ), (name, column.name, schemas[name][column.name])
        expected = normalised(frames[name][list(contract.column_names)])
        pd.testing.assert_frame_equal(normalised(tables[name]), expected, check_dtype=False)
