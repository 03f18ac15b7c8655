"""The executive summary: the issues that matter most, ranked by money at stake, then by the
customers, orders or contacts affected; each with where the KPI stands, the cause found for this
period and an action card. The deck's first slide shows the same issues."""
from __future__ import annotations

from collections.abc import Sequence

from govex.reports.context import Built
from govex.reports.model import Finding, ReportIssue, Section

TITLE = "Executive summary"
MAX_ISSUES = 5
MAX_TITLE_WORDS = 15


def short_title(text: str, limit: int = MAX_TITLE_WORDS) -> str:
    """At most `limit` words; a longer title is cut at a word and marked with an ellipsis."""
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]) + "\u2026"


def ranked_issues(built: Sequence[Built]) -> list[ReportIssue]:
    """Every section's issues, this period's first, largest money (then count affected) first."""
    issues = [i for b in built for i in b.issues]
    return sorted(issues, key=lambda i: (i.earlier, *i.rank_key()))


def summary_section(built: Sequence[Built], period_label: str) -> Section:
    chosen = [i for i in ranked_issues(built) if not i.earlier][:MAX_ISSUES]
    if not chosen:
        return Section("summary", TITLE, f"Nothing material needs a decision in {period_label}",
                       (Finding("No KPI is off track or clearly worse, and no sized opportunity passes the materiality "
                                "and sample rules; keep the current plan and review next period."),))
    titled = tuple(ReportIssue(**{**i.__dict__, "title": short_title(i.title)}) for i in chosen)
    message = f"{len(titled)} issue{'s' if len(titled) > 1 else ''} to act on in {period_label}, largest first"
    return Section("summary", TITLE, message, issues=titled)
