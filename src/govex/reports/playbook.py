"""The report's decisions section: the playbook with each started play's status, and the portfolio.

`measure_decisions` reads the playbook (validated by `govex playbook check`), measures every play
with `govex.planning.play_status` and optimises the project list under the budget
(`govex.planning.portfolio`); `decisions_section` lays the results out as tables and sentences.
Both are computed once and shown as they are, in the report and the dashboard alike.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from govex.metrics.compute import shipped_catalogue
from govex.planning.play_status import METHOD_NAMES, PlayStatus, play_status
from govex.planning.playbook import EVERYONE, check_playbook
from govex.planning.portfolio import load_projects, optimise_portfolio, projects_from_plays
from govex.reports.formatting import counted, format_interval, format_number, readable
from govex.reports.model import Finding, ReportTable, Section

TITLE = "Decisions: playbook, portfolio and what worked"
PLAYBOOK_COLUMNS = ("where", "action", "owner", "KPI, expected", "cost", "start", "review", "status")
STARTED_COLUMNS = ("where", "action", "KPI, expected", "cost", "start", "status")  # the report's two playbook tables
PLANNED_COLUMNS = ("where", "action", "owner", "KPI, expected", "cost", "start", "review")
WHAT_IF = {"plus_10_percent": "10% more", "removed": "no limit"}


@dataclass(frozen=True)
class Decisions:
    playbook: str  # file name, for the sources
    statuses: tuple[PlayStatus, ...]
    projects: str = ""
    portfolio: dict | None = None
    left_out: tuple[str, ...] = ()  # plays not weighed in the portfolio, with the reason
    as_of: dt.date | None = None


def measure_decisions(warehouse, *, playbook: str | Path | None = None, projects: str | Path | None = None,
                      budget: float | None = None, capacity: float | None = None,
                      today: dt.date | None = None, catalogue=None) -> Decisions:
    """Status of every play in `playbook` up to `today` (default: the data's last order day) and the best
    portfolio under `budget` of the `projects` file or, without one, of the playbook's costed plays."""
    from govex.errors import ConfigError
    from govex.reports.build import _data_end

    catalogue = catalogue if catalogue is not None else shipped_catalogue()
    plays = check_playbook(playbook, catalogue=catalogue) if playbook is not None else []
    today = today or _data_end(warehouse, catalogue)
    statuses = tuple(play_status(warehouse, play, today=today, catalogue=catalogue) for play in plays)
    portfolio, left_out, source = None, [], Path(projects).name if projects else ""
    if budget is not None and projects is None and plays:
        candidates, left_out = projects_from_plays(plays)
        source = f"costed plays of {Path(playbook).name}"
        if candidates:
            portfolio = optimise_portfolio(candidates, budget=budget, capacity=capacity)
    elif projects is not None:
        if budget is None:
            raise ConfigError("a project list needs a budget (--budget N) to choose a portfolio")
        portfolio = optimise_portfolio(load_projects(projects), budget=budget, capacity=capacity)
    return Decisions(playbook=Path(playbook).name if playbook else "", statuses=statuses, projects=source,
                     portfolio=portfolio, left_out=tuple(left_out), as_of=today)


def _change(metric: str, effect: float, low: float, high: float) -> str:
    """A change of the KPI in the unit the report states it in: '-31 contacts per 1,000 orders (-54 to -7.7)'."""
    unit = _unit(metric)
    value, interval = format_number(effect, unit, signed=True), format_interval(low, high, unit, signed=True)
    named = value.partition(" ")[2]  # the unit once, after the value
    return f"{value} ({interval.removesuffix(' ' + named) if named else interval})"


def _status(s: PlayStatus) -> str:
    """The verdict with what was measured, in the KPI's unit (the expectation has its own column); a
    reason to distrust the measurement comes first, its figures in the KPI's unit too."""
    r = s.result
    if r is None:  # not measured yet: the reason says why
        return f"{s.verdict}: {s.reason}"
    method = METHOD_NAMES.get(r.method, r.method)
    doubt = _doubt(s.play.kpi, r.checks)
    return (f"{s.verdict}: " + (f"{doubt}; " if doubt else "")
            + f"measured {_change(s.play.kpi, r.effect, r.ci_low, r.ci_high)}, 90%, {method}")


def _doubt(metric: str, checks: dict) -> str:
    """Why a measured effect is not trusted yet (the method's own checks of the pre-period), '' when none."""
    if checks.get("parallel_pre_trends") is False:
        apart = format_number(checks["pre_trend_difference_per_period"], _unit(metric), signed=True)
        return (f"treated and control units trended apart before the start ({apart} a week, "
                f"p = {checks['pre_trend_p_value']:.2g})")
    if checks.get("pre_period_fit_ok") is False:
        return "the synthetic control does not track the treated units before the start"
    return ""


def _unit(metric: str) -> str:
    catalogue = shipped_catalogue()
    return catalogue[metric].unit if metric in catalogue else ""


def _where(play) -> str:
    """'high (value) in DE, fulfilment': the segment as words, its markets and the journey."""
    framework, _, label = play.segment.partition("=")
    who = "everyone" if play.segment == EVERYONE else f"{label} ({framework})"
    return who + (f" in {', '.join(play.markets)}" if play.markets else "") + f", {readable(play.journey)}"


def _kpi_label(metric: str) -> str:
    """The KPI as executives read it (its catalogue label), its name only when the catalogue lacks it."""
    catalogue = shipped_catalogue()
    return catalogue[metric].label if metric in catalogue else metric


def playbook_rows(decisions: Decisions) -> list[tuple[str, ...]]:
    """One row per play (PLAYBOOK_COLUMNS): where, what, who, KPI and expectation, cost, dates, and its status."""
    rows = []
    for s in decisions.statuses:
        p = s.play
        expected = _change(p.kpi, p.expected["effect"], p.expected["low"], p.expected["high"])
        rows.append((_where(p), p.action, p.owner, f"{_kpi_label(p.kpi)} {expected}", cost_words(p), str(p.start),
                     str(p.review), _status(s)))
    return rows


def cost_words(play) -> str:
    """The play's cost, or that it is not costed yet (how it was costed is a note under the table)."""
    return f"{play.cost:,.0f}" if play.cost > 0 else "not costed yet"


def _costing_note(statuses) -> Finding | None:
    costed = [s.play for s in statuses if s.play.cost > 0 and s.play.costing]
    if not costed:
        return None
    return Finding("How plays were costed: {notes}.",
                   words={"notes": "; ".join(f"{p.action} (line {p.line}): {p.costing}" for p in costed)})


def portfolio_rows(portfolio: dict) -> list[tuple[str, str]]:
    """The portfolio in words: what is funded, what each constraint costs, and the projects at the line."""
    low, high = portfolio["benefit_90"]
    rows = [("funded", ", ".join(portfolio["selected"]) or "nothing"),
            ("benefit", f"{portfolio['benefit']:,.4g} (90% {low:,.4g} to {high:,.4g})"),
            ("cost", f"{portfolio['cost']:,.4g} of {portfolio['budget']:,.4g}")]
    if portfolio["capacity"] is not None:
        rows.append(("effort", f"{portfolio['effort']:,.4g} of {portfolio['capacity']:,.4g}"))
    for name, texts in portfolio["constraints"].items():
        rows += [(f"{name}, {WHAT_IF[key]}", text) for key, text in texts.items()]
    if portfolio["marginal_in"]:
        m = portfolio["marginal_in"]
        rows.append(("just above the line", f"{m['project']} (dropping it loses {m['benefit_lost_if_dropped']:,.4g})"))
    if portfolio["marginal_out"]:
        m = portfolio["marginal_out"]
        lost = m["benefit_lost_if_forced_in"]
        rows.append(("just below the line", f"{m['project']} " + (f"(funding it instead costs {lost:,.4g} of benefit)"
                                                                  if lost is not None else "(cannot fit at all)")))
    return rows


def _pick(rows: list[tuple[str, ...]], columns: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    index = [PLAYBOOK_COLUMNS.index(c) for c in columns]
    return tuple(tuple(row[i] for i in index) for row in rows)


def decisions_section(decisions: Decisions) -> Section:
    """The started plays with their status, the planned plays, the portfolio, and a one-line count of verdicts."""
    tables, findings = [], []
    rows = playbook_rows(decisions)
    started = [(s, r) for s, r in zip(decisions.statuses, rows) if s.play.start <= decisions.as_of]
    planned = [(s, r) for s, r in zip(decisions.statuses, rows) if s.play.start > decisions.as_of]
    source = f"{decisions.playbook}; status by govex.analysis.impact on the metric layer"
    if started:
        counts: dict[str, int] = {}
        for s, _ in started:
            counts[s.verdict] = counts.get(s.verdict, 0) + 1
        findings.append(Finding(f"Started plays, measured up to {decisions.as_of}: "
                                + ", ".join(f"{n} {v}" for v, n in counts.items()) + "."))
        tables.append(ReportTable(f"Started plays ({decisions.playbook}): did they work?", STARTED_COLUMNS,
                                  _pick([r for _, r in started], STARTED_COLUMNS), source))
    if planned:
        first = min(s.play.start for s, _ in planned)
        starting = "starting" if len(planned) == 1 else "the first starting"
        findings.append(Finding(f"{counted(len(planned), 'planned plays')}, {starting} {first}: their status is "
                                "measured once they have run 4 weeks."))
        tables.append(ReportTable(f"Planned plays ({decisions.playbook})", PLANNED_COLUMNS,
                                  _pick([r for _, r in planned], PLANNED_COLUMNS), decisions.playbook))
    note = _costing_note(decisions.statuses)
    if note is not None:
        findings.append(note)
    if decisions.portfolio is not None:
        tables.append(ReportTable("Portfolio within the budget", ("", "portfolio"),  # the file is in the source
                                  tuple(portfolio_rows(decisions.portfolio)),
                                  f"{decisions.projects}; govex.planning.portfolio (HiGHS MILP)"))
    if decisions.left_out:
        findings.append(Finding("{n} not weighed in the portfolio: {plays}.",
                                words={"n": counted(len(decisions.left_out), "plays"),
                                       "plays": "; ".join(decisions.left_out)}))
    if not tables:
        return Section("decisions", TITLE, "No playbook or project list given.",
                       absent="Give a playbook (and a project list with a budget) to see decisions and their status.")
    on = sum(s.verdict == "on track" for s, _ in started)
    message = (f"{on} of {len(started)} started plays on track; {len(planned)} planned" if decisions.statuses
               else f"portfolio of {counted(len(decisions.portfolio['selected']), 'projects')} within budget")
    return Section("decisions", TITLE, message, tuple(findings), (), tuple(tables))
