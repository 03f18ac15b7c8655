"""The policy-gap section on planted gaps: the table, and an issue only when enough customers are concerned."""
from __future__ import annotations

import pandas as pd

from govex.reports import ILLUSTRATIVE_BENCHMARKS
from govex.reports import policy as policy_module

from reports.report_context import report_context


def _context(warehouse):
    return report_context(warehouse, targets_source="none", benchmarks_path=ILLUSTRATIVE_BENCHMARKS)


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
    # one journey, counted in the singular
    assert "fallback tier in 1 journey; the largest gap is in return refund, with 12 customers." in \
        built.section.findings[0].text
