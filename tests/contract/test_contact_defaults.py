"""Contacts from a contact centre that is not a marketplace: no market, journey, reason or
automated column in the source; each gets its documented default, with a warning per column."""
from __future__ import annotations

import ibis

from contract.canonical_frames import config_text, valid_frames, write_csvs
from govex.config import load_config
from govex.contract import TABLES
from govex.ingest import ingest


def test_absent_columns_with_defaults_are_filled_and_reported(tmp_path):
    contacts = valid_frames()["contacts"].drop(columns=["market", "journey", "reason", "automated", "agent_id"])
    write_csvs({"contacts": contacts}, tmp_path)
    (tmp_path / "govex.yaml").write_text(config_text(["contacts"]))
    report = ingest(load_config(tmp_path / "govex.yaml"))
    con = ibis.duckdb.connect(str(tmp_path / "govex.duckdb"))
    try:
        loaded = con.table("contacts").to_pandas()
    finally:
        con.disconnect()
    assert loaded["market"].tolist() == ["all", "all"]
    assert loaded["journey"].tolist() == ["other", "other"]
    assert loaded["reason"].tolist() == ["unspecified", "unspecified"]
    assert loaded["automated"].tolist() == [False, False]
    assert loaded["agent_id"].isna().all()
    messages = {w.where.column: w.render() for w in report.warnings}
    assert "every row gets the default 'all'" in messages["market"]
    assert "every row gets the default False" in messages["automated"]
    assert "loaded as null" in messages["agent_id"]


def test_other_is_an_allowed_contact_journey():
    assert "other" in TABLES["contacts"].column("journey").allowed
