"""The report's service-recovery section: the effect and advice as the analysis computes them, and a
plain 'absent' for a warehouse without compensations."""
from __future__ import annotations

import datetime as dt

from govex.analysis.recovery import compensation_effect
from govex.analysis.seller_education import seller_education_effect
from govex.engine.warehouse import Warehouse
from govex.metrics.compute import shipped_catalogue
from govex.reports import recovery
from govex.reports.context import ReportContext
from govex.reports.period import parse_period


def _context(warehouse: Warehouse) -> ReportContext:
    return ReportContext(warehouse=warehouse, period=parse_period("2025-Q4"), catalogue=shipped_catalogue(),
                         currency="USD", targets=(), targets_source="", framework="value", benchmarks_path=None)


def test_section_states_the_adjusted_effect_and_advice(warehouse):
    built = recovery.recovery_section(_context(warehouse))
    section = built.section
    assert not section.absent
    effect = compensation_effect(warehouse, as_of=dt.date(2026, 1, 1)).effect
    first = section.findings[0]
    assert first.numbers["treated"].value == effect.treated and first.numbers["units"].value == effect.units
    assert first.numbers["effect"].value == effect.estimate and first.numbers["naive"].value == effect.naive
    # repurchase is a 0/1 outcome: its effect reads in percentage points
    assert f"{100 * effect.estimate:+.1f} pp" in first.text and f"{100 * effect.naive:+.1f} pp" in first.text
    (table,) = section.tables
    assert [row[0] for row in table.rows] == list(effect.by_segment.segment)
    assert any("Onboarding help" in f.text for f in section.findings[1:])
    # the seller academy's finding carries the seller education estimate, in violations per seller-year
    academy = seller_education_effect(warehouse, as_of=dt.date(2026, 1, 1))
    [seller] = [f for f in section.findings if f.text.startswith("Seller education")]
    assert seller.numbers["effect"].value == academy.effect.estimate
    assert seller.numbers["units"].value == academy.effect.units and "violations per seller-year" in seller.text


def test_section_is_absent_without_compensations(market):
    warehouse = Warehouse.from_frames({t: market.tables[t] for t in ("customers", "orders")})
    built = recovery.recovery_section(_context(warehouse))
    assert built.section.absent and "compensations" in built.section.absent
