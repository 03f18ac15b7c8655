"""The report's service-recovery section: the effect and advice as the analysis computes them, and a
plain 'absent' for a warehouse without compensations."""
from __future__ import annotations

import datetime as dt

from govex.analysis.recovery import compensation_effect, csat_effect
from govex.analysis.seller_education import seller_education_effect
from govex.engine.warehouse import Warehouse
from govex.reports import recovery

from reports.report_context import report_context


def test_section_states_the_adjusted_effect_and_advice(warehouse):
    built = recovery.recovery_section(report_context(warehouse))
    section = built.section
    assert not section.absent
    effect = compensation_effect(warehouse, as_of=dt.date(2026, 1, 1)).effect
    first = section.findings[0]
    assert first.numbers["treated"].value == effect.treated and first.numbers["units"].value == effect.units
    assert first.numbers["effect"].value == effect.estimate and first.numbers["naive"].value == effect.naive
    # repurchase is a 0/1 outcome: its effect reads in percentage points
    assert f"{100 * effect.estimate:+.1f} pp" in first.text and f"{100 * effect.naive:+.1f} pp" in first.text
    assert f"(90% interval {100 * effect.ci_low:+.1f} to {100 * effect.ci_high:+.1f} pp)" in first.text
    (table,) = section.tables
    assert [row[0] for row in table.rows] == list(effect.by_segment.segment)
    # the unit once, in the header; each cell in percentage points by hand
    assert table.columns[3] == "effect on repurchase, pp [90%]"
    for row, segment in zip(table.rows, effect.by_segment.itertuples()):
        assert row[3] == f"{100 * segment.estimate:+.1f} [{100 * segment.ci_low:+.1f} to {100 * segment.ci_high:+.1f}]"
    # CSAT after recovery: the same candidates, those who answered a survey, in CSAT points
    csat = csat_effect(compensation_effect(warehouse, as_of=dt.date(2026, 1, 1)).units).effect
    [after] = [f for f in section.findings if "CSAT of the next survey" in f.text]
    assert after.numbers["effect"].value == csat.estimate and after.numbers["units"].value == csat.units
    assert after.numbers["treated"].value == csat.treated and "points (1-5)" in after.text
    # the unit once, after the effect; the interval's ends bare (3 decimals below 1 point)
    ends = [f"{v:+.3f}".rstrip("0") if abs(v) < 1 else f"{v:+.2f}" for v in (csat.ci_low, csat.ci_high)]
    assert f"(90% interval {ends[0]} to {ends[1]})" in after.text and after.text.count("points (1-5)") == 2  # effect, naive
    assert any("Onboarding help" in f.text for f in section.findings[1:])
    # the seller academy's finding carries the seller education estimate, in violations per seller-year
    academy = seller_education_effect(warehouse, as_of=dt.date(2026, 1, 1))
    [seller] = [f for f in section.findings if f.text.startswith("Seller education")]
    assert seller.numbers["effect"].value == academy.effect.estimate
    assert seller.numbers["units"].value == academy.effect.units and "violations per seller-year" in seller.text


def test_section_is_absent_without_compensations(market):
    warehouse = Warehouse.from_frames({t: market.tables[t] for t in ("customers", "orders")})
    built = recovery.recovery_section(report_context(warehouse))
    assert built.section.absent and "compensations" in built.section.absent
