"""The report's seller section: absent without seller segments, and its figures counted again
from the assignments and the sellers table when they exist."""
from __future__ import annotations

import datetime as dt

import pytest

from govex.datasets import generate
from govex.engine.warehouse import Warehouse
from govex.reports import sellers
from govex.segments.seller import run_seller_segmentation

from reports.report_context import report_context


@pytest.fixture(scope="module")
def market():
    generated = generate(customers=3000, seed=6)
    return generated, Warehouse.from_frames(generated.tables)


def test_section_says_what_to_run_without_seller_segments(market):
    _, warehouse = market
    built = sellers.seller_section(report_context(warehouse))
    assert "govex segments assign --entity seller" in built.section.absent


def test_section_counts_match_the_tables(market):
    generated, warehouse = market
    run_seller_segmentation(warehouse, as_of=dt.date(2026, 1, 1))
    built = sellers.seller_section(report_context(warehouse))
    section = built.section
    assert not section.absent
    first = section.findings[0].numbers
    ring = set(generated.event("seller_fraud_ring")["seller_ids"])
    assert first["total"].value == len(generated.tables["sellers"])
    assert first["high"].value == len(ring)  # the planted ring, nobody else (checked on seeds elsewhere)
    (table,) = section.tables
    counts = generated.tables["sellers"].seller_type.value_counts()
    assert {row[0].replace(" ", "_"): int(row[1].replace(",", "")) for row in table.rows} == counts.to_dict()
    assert built.actions and built.actions[0].numbers["high"].value == len(ring)
