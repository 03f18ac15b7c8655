"""The policy-gap section on planted gaps: the table, and an issue only when enough customers are concerned."""
from __future__ import annotations

import pandas as pd

from govex.metrics.compute import shipped_catalogue
from govex.reports import ILLUSTRATIVE_BENCHMARKS, parse_period
from govex.reports import policy as policy_module
from govex.reports.context import ReportContext


def _context(warehouse) -> ReportContext:
    return ReportContext(warehouse=warehouse, period=parse_period("2025-Q4"), catalogue=shipped_catalogue(), currency="USD",
                         targets=(), targets_source="none", framework="value", benchmarks_path=ILLUSTRATIVE_BENCHMARKS)


def _planted(customers: list[int]):
    def gaps(policy, warehouse, **_):  # as govex.policy.policy_gaps returns them
        return pd.DataFrame({"journey": ["return_refund", "dispute"][: len(customers)],
                             "segments": ["risk=None, value=low", "risk=None, value=high"][: len(customers)],
                             "customers": customers, "example_customer": ["C1", "C2"][: len(customers)],
                             "tier": ["standard"] * len(customers),
                             "served_by": ["fallback: unknown_customer_tier"] * len(customers)})
    return gaps


def test_a_large_gap_is_an_issue_with_its_customers(warehouse, monkeypatch):
    monkeypatch.setattr(policy_module, "policy_gaps", _planted([120, 7]))
    built = policy_module.policy_section(_context(warehouse))
    rows = built.section.tables[0].rows
    assert [r[2] for r in rows] == ["120", "7"] and rows[0][0] == "return refund"
    assert "no segment" in rows[0][1]
    (issue,) = built.issues
    assert issue.affected.value == 120 and "return refund" in issue.title and len(issue.title.split()) <= 15


def test_a_small_gap_is_shown_but_not_raised(warehouse, monkeypatch):
    monkeypatch.setattr(policy_module, "policy_gaps", _planted([12]))
    built = policy_module.policy_section(_context(warehouse))
    assert built.section.tables[0].rows[0][2] == "12" and built.issues == ()
