"""compensations and customer_education are optional: a folder without them (an older warehouse)
ingests, and the features that need them say which table is missing."""
from __future__ import annotations

import datetime as dt

import ibis
import pytest

from contract.canonical_frames import valid_frames, write_parquets
from govex.engine import Warehouse
from govex.errors import ConfigError
from govex.features.programmes import compensation_units
from govex.ingest import ingest_folder


def test_a_folder_without_the_programme_tables_ingests(tmp_path):
    frames = {k: v for k, v in valid_frames().items() if k not in ("compensations", "customer_education")}
    write_parquets(frames, tmp_path)
    ingest_folder(tmp_path, database=tmp_path / "govex.duckdb")
    con = ibis.duckdb.connect(str(tmp_path / "govex.duckdb"))
    try:
        assert set(frames) <= set(con.list_tables())
        assert not {"compensations", "customer_education"} & set(con.list_tables())
        with pytest.raises(ConfigError, match="needs the compensations table"):
            compensation_units(Warehouse(con, url="test"), as_of=dt.date(2024, 4, 1))
    finally:
        con.disconnect()
