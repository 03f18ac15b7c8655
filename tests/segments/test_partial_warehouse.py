"""Partial warehouses: the frameworks the tables support run, the others are skipped with one line each.

Two warehouses: the hand-made tiny marketplace without contacts, disputes and returns, and the
Olist sample (customers, sellers, orders, surveys only; skipped when ../shared is absent).
"""
from __future__ import annotations

import pytest
from features.tiny_marketplace import AS_OF, EXPECTED_LIFECYCLE, tiny_frames
from typer.testing import CliRunner

from govex.cli.main import app
from govex.engine import Warehouse
from govex.errors import ConfigError
from govex.segments import ASSIGNMENTS_TABLE, read_assignments, run_segmentation

SKIPPED = {
    "intent": "framework 'intent' skipped: the warehouse has no table 'contacts' (needed by n_recent_contacts,",
    "risk": "framework 'risk' skipped: the warehouse has no table 'disputes' (needed by n_chargeback_orders,",
    "value_x_risk": "framework 'value_x_risk' skipped: it crosses 'risk', skipped",
}


def test_tiny_warehouse_without_contacts_disputes_returns_runs_lifecycle_and_value():
    frames = {k: v for k, v in tiny_frames().items() if k in ("orders", "surveys")}
    warehouse = Warehouse.from_frames(frames)
    assignments = run_segmentation(warehouse, as_of=AS_OF)
    assert [a.framework for a in assignments] == ["lifecycle", "value"]
    assert len(assignments.skipped) == 3
    for line, start in zip(assignments.skipped, SKIPPED.values()):
        assert line.startswith(start)
    assert "table 'returns' (needed by" in assignments.skipped[1]  # risk also lacks returns
    lifecycle = read_assignments(warehouse, framework="lifecycle").execute()
    assert dict(zip(lifecycle.entity_id, lifecycle.segment)) == EXPECTED_LIFECYCLE
    assert len(read_assignments(warehouse, framework="value").execute()) == len(EXPECTED_LIFECYCLE)


def test_nothing_runnable_is_an_error_naming_the_table(tmp_path):
    (tmp_path / "mod.yaml").write_text(
        "name: mod\nsegments: [flagged, clean]\nrules:\n"
        "  - segment: flagged\n    when: {n_moderation_actions: '>= 1'}\n"
        "  - segment: clean\n    when: {n_moderation_actions: 0}\n"
    )
    warehouse = Warehouse.from_frames(tiny_frames())
    with pytest.raises(ConfigError, match=r"no framework can run on this warehouse:\n  framework 'mod' skipped: "
                                          r"the warehouse has no table 'moderation_cases' \(needed by n_moderation_actions\)"):
        run_segmentation(warehouse, as_of=AS_OF, frameworks_dir=tmp_path)
    assert not warehouse.has(ASSIGNMENTS_TABLE)


def test_a_skipped_framework_file_is_still_checked(tmp_path):
    # a misspelt segment in a framework the warehouse could not run anyway is still an error
    (tmp_path / "mod.yaml").write_text(
        "name: mod\nsegments: [flagged, clean]\nrules:\n"
        "  - segment: flaged\n    when: {n_moderation_actions: '>= 1'}\n"
        "  - segment: clean\n    when: {n_moderation_actions: 0}\n"
    )
    with pytest.raises(ConfigError, match=r"mod.yaml:4: segment 'flaged' is not one of the declared segments"):
        run_segmentation(Warehouse.from_frames(tiny_frames()), as_of=AS_OF, frameworks_dir=tmp_path)


@pytest.mark.shared_data
def test_olist_sample_segments_every_buyer_and_skips_what_it_cannot(shared_data, tmp_path):
    from govex.ingest.olist import ingest_olist

    database = tmp_path / "olist.duckdb"
    ingest_olist(shared_data / "olist" / "sample_3000_orders", database=database)
    result = CliRunner().invoke(app, ["segments", "assign", "--db", str(database)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for start in SKIPPED.values():
        assert " ".join(start.split()) in text
    warehouse = Warehouse.open(f"duckdb:///{database}")
    # independent count with pandas: buyers = customers with an order not cancelled or unavailable
    orders = warehouse.con.table("orders").to_pandas()
    buyers = set(orders[~orders.status.isin(["cancelled", "unavailable"])].customer_id)
    rows = warehouse.con.table(ASSIGNMENTS_TABLE).to_pandas()
    assert set(rows.framework) == {"lifecycle", "value"}
    for _, frame in rows.groupby("framework"):
        assert len(frame) == len(buyers) and set(frame.entity_id) == buyers
