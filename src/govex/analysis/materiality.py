"""Evidence rules every finding passes before it is stated: enough sample, a material size, a
relevant period and segments that were valid then.

A finding that fails the sample rule is said as "not enough data" instead of a number; one that
is too small to matter is left out of the headline (it may stay in an appendix table); one whose
event ended before the report period is flagged "earlier" and never leads. The thresholds are
the team's to set; the defaults follow the common rule of thumb that a rate or mean needs about
30 observations before its normal-approximation interval means much (e.g. Agresti & Coull, 1998,
"Approximate is better than exact for interval estimation of binomial proportions", The American
Statistician 52(2)).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

NOT_ENOUGH_DATA = "not enough data"
MATERIAL = "material"
IMMATERIAL = "immaterial"
THIS_PERIOD = "this period"
EARLIER = "earlier"
Z95 = 1.959964  # two-sided 95% normal quantile


@dataclass(frozen=True)
class EvidenceRules:
    """Thresholds a finding must pass: sample behind a value, and money or customers at stake."""

    min_sample: int = 30
    min_money: float = 1_000.0
    min_customers: int = 50
    membership_grace_days: int = 31  # segments assigned up to this many days after a period still describe it


@dataclass(frozen=True)
class Evidence:
    """The verdict on one finding and the plain reason behind it."""

    verdict: str
    relevance: str
    reason: str

    @property
    def stated(self) -> bool:
        """True when the finding may be stated with its number (enough data)."""
        return self.verdict != NOT_ENOUGH_DATA

    @property
    def headline(self) -> bool:
        """True when the finding may lead: enough data, material and about the report period."""
        return self.verdict == MATERIAL and self.relevance == THIS_PERIOD


def proportion_interval(successes: float, n: float) -> tuple[float, float]:
    """Wilson 95% interval of a proportion (Wilson, 1927, JASA 22(158)); (nan, nan) without data."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def relevance(event_end: dt.date, period_start: dt.date) -> str:
    """'earlier' for an event that ended before the report period began, else 'this period'."""
    return EARLIER if event_end < period_start else THIS_PERIOD


def membership_valid(as_of: dt.date, period_start: dt.date, period_end: dt.date, rules: EvidenceRules) -> bool:
    """Segments assigned as of `as_of` describe a period only when assigned within it or just after it:
    today's segments projected back to earlier periods would mix up who was in them then."""
    return period_start <= as_of <= period_end + dt.timedelta(days=rules.membership_grace_days)


def judge(
    *,
    sample: float,
    money: float | None = None,
    customers: float | None = None,
    event_end: dt.date | None = None,
    period_start: dt.date | None = None,
    rules: EvidenceRules = EvidenceRules(),
) -> Evidence:
    """The evidence verdict on a finding backed by `sample` units, sized in money and/or customers.

    A finding with neither size is judged on its sample alone (material when it has enough data).
    """
    when = relevance(event_end, period_start) if event_end is not None and period_start is not None else THIS_PERIOD
    if not sample >= rules.min_sample:
        observations = "1 observation" if round(sample) == 1 else f"{sample:,.0f} observations"
        return Evidence(NOT_ENOUGH_DATA, when, f"{observations}, fewer than the {rules.min_sample} needed")
    sizes = []
    if money is not None:
        sizes.append(abs(money) >= rules.min_money)
    if customers is not None:
        sizes.append(abs(customers) >= rules.min_customers)
    if sizes and not any(sizes):
        limits = " or ".join(([f"{rules.min_money:,.0f} in money"] if money is not None else [])
                             + ([f"{rules.min_customers} customers"] if customers is not None else []))
        return Evidence(IMMATERIAL, when, f"below the materiality threshold of {limits}")
    return Evidence(MATERIAL, when, "ended before the report period" if when == EARLIER else "")
