"""`govex init --sample FILE`: a proposed mapping from a user's file, every guess explained."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from govex.cli.main import app
from govex.config import load_config
from govex.config.propose import propose_mapping, write_proposal
from govex.errors import ConfigError

CALLS = Path(os.environ.get("GOVEX_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")) / "callcenter"


def export(tmp_path, **extra) -> Path:
    """A ticketing export with its own column names (what a new user brings)."""
    frame = pd.DataFrame({
        "Ticket ID": ["t1", "t2", "t3", "t4"],
        "Start Time": ["2025-01-06 08:00:05", "2025-01-06 08:01:10", "2025-01-06 09:12:00", "2025-01-07 10:00:00"],
        "Skill": ["billing", "billing", "cards", "cards"],
        "Talk Time": [120, 340, 95, 410],
        "Agent": ["ana", "ben", "ana", "cy"],
        "Disposition": ["refund", "balance", "lost_card", "refund"],
        **extra,
    })
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    return path


def test_columns_are_matched_by_name_and_type(tmp_path):
    proposal = propose_mapping(export(tmp_path))
    assert proposal.table == "contacts"  # the table its columns fit best
    mapped = {g.column: g.source for g in proposal.guesses if g.source}
    assert mapped == {"contact_id": "Ticket ID", "created_at": "Start Time", "queue": "Skill",
                      "handle_time_s": "Talk Time", "agent_id": "Agent", "reason": "Disposition"}
    why = {g.column: g.why for g in proposal.guesses}
    assert "unique in the sample" in why["contact_id"]
    text = proposal.yaml(tmp_path)
    assert "Talk Time: handle_time_s" in text and "# channel: REQUIRED, no column found" in text
    assert "# market: no column found; every row gets the default 'all'" in text


def test_a_well_named_column_of_the_wrong_type_is_not_mapped(tmp_path):
    # 'wait_time' is the right name, but holds words: not mapped, and the comment says why
    proposal = propose_mapping(export(tmp_path, wait_time=["short", "long", "short", "none"]))
    guess = next(g for g in proposal.guesses if g.column == "wait_time_s")
    assert guess.source is None and "holds varchar, not float64" in guess.why


def test_written_proposal_is_a_loadable_config_and_refuses_overwrite(tmp_path):
    proposal = propose_mapping(export(tmp_path), table="contacts")
    target = write_proposal(proposal, tmp_path / "conf" / "govex.yaml")
    config = load_config(target)
    assert config.tables["contacts"].rename["Talk Time"] == "handle_time_s"
    assert yaml.safe_load(target.read_text())["tables"]["contacts"]["file"] == "../export.csv"
    with pytest.raises(ConfigError, match="already exists"):
        write_proposal(proposal, target)


def test_cli_init_from_file(tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["init", str(tmp_path / "govex.yaml"), "--sample", str(export(tmp_path))])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())  # the console wraps long lines
    assert "as table contacts" in said and "still needed" in said and "channel" in said
    missing = runner.invoke(app, ["init", str(tmp_path / "other.yaml"), "--sample", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and not (tmp_path / "other.yaml").exists()
    old_spelling = runner.invoke(app, ["init", str(tmp_path / "old.yaml"), "--from", str(export(tmp_path))])
    assert old_spelling.exit_code == 0 and (tmp_path / "old.yaml").exists()  # deprecated for one release


@pytest.mark.skipif(not CALLS.is_dir(), reason="../shared/data/callcenter is not present")
def test_bank_call_records_get_a_useful_proposal():
    proposal = propose_mapping(CALLS / "anonymous_bank_1999_10_october.txt.gz")
    mapped = {g.column: g.source for g in proposal.guesses if g.source}
    assert proposal.table == "contacts" and proposal.delimiter == "\t"
    assert mapped["contact_id"] == "call_id" and mapped["handle_time_s"] == "ser_time"
    assert mapped["agent_id"] == "server" and mapped["queue"] == "type" and mapped["wait_time_s"] == "q_time"
    created = next(g for g in proposal.guesses if g.column == "created_at")
    assert created.source is None and "('date'" in created.why and "('vru_entry'" in created.why
