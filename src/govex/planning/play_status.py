"""Is each started play working? Its KPI since the start, measured against its expectation.

A play names where it acts: its `markets` (the other markets are the controls), or else its
segment (the framework's other segments are the controls). The KPI comes from the metric layer
per week for those units; `govex.analysis.impact` estimates the effect. Method: difference-in-
differences with enough treated and control units (clustered errors need them), synthetic control
with fewer, interrupted time series when every unit got the change.

Verdicts, each with its reason:

* too early to tell: fewer than MIN_POST_PERIODS weeks since the start, the method's own check
  fails (pre-trends differ, the synthetic control does not fit the pre-period), or the 90% interval
  holds both no change and the expected effect;
* on track: the interval overlaps the expected interval and excludes no change;
* off track: the interval and the expected interval do not overlap.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from govex.analysis.impact import FEW_CLUSTERS, ImpactResult, estimate_cube_impact
from govex.errors import GovexError
from govex.metrics import compute_metrics
from govex.metrics.compute import shipped_catalogue
from govex.planning.playbook import EVERYONE, Play

MIN_POST_PERIODS = 4
MIN_PRE_PERIODS = 4
GRAIN = "week"
ON_TRACK, OFF_TRACK, TOO_EARLY = "on track", "off track", "too early to tell"


@dataclass(frozen=True)
class PlayStatus:
    play: Play
    verdict: str
    reason: str
    by: str = ""
    result: ImpactResult | None = None

    def to_dict(self) -> dict:
        return {"line": self.play.line, "segment": self.play.segment, "journey": self.play.journey,
                "action": self.play.action, "owner": self.play.owner, "kpi": self.play.kpi,
                "start": str(self.play.start), "review": str(self.play.review), "expected": self.play.expected,
                "verdict": self.verdict, "reason": self.reason, "by": self.by,
                "measured": self.result.to_dict() if self.result is not None else None}


def _units(play: Play) -> tuple[str, list[str]]:
    if play.markets:
        return "market", list(play.markets)
    if play.segment == EVERYONE:
        return "", []
    framework, _, label = play.segment.partition("=")
    return f"segment:{framework}", [label]


def choose_method(treated: int, controls: int) -> str:
    """DiD with enough clusters on both sides, synthetic control with fewer, ITS without controls."""
    if controls == 0:
        return "its"
    if min(treated, controls) >= FEW_CLUSTERS or controls < 2:
        return "did"
    return "synthetic_control"


def _distrust(result: ImpactResult) -> str:
    checks = result.checks
    if checks.get("parallel_pre_trends") is False:
        return (f"treated and control units trended apart before the start (difference "
                f"{checks['pre_trend_difference_per_period']:+.3g} per week, p={checks['pre_trend_p_value']:.2g})")
    if checks.get("pre_period_fit_ok") is False:
        return "the synthetic control does not track the treated units before the start"
    return ""


METHOD_NAMES = {"did": "difference-in-differences", "synthetic_control": "synthetic control",
                "its": "interrupted time series"}


def judge(play: Play, result: ImpactResult) -> tuple[str, str]:
    """The verdict and its reason from the measured 90% interval and the play's expected interval."""
    low, high, expected = play.expected["low"], play.expected["high"], play.expected["effect"]
    method = METHOD_NAMES.get(result.method, result.method)
    measured = f"measured {result.effect:+.2g} ({result.ci_low:+.2g} to {result.ci_high:+.2g}, 90%, {method})"
    against = f"expected {expected:+.2g} ({low:+.2g} to {high:+.2g})"
    distrust = _distrust(result)
    if distrust:
        return TOO_EARLY, f"{distrust}; {measured}"
    if result.ci_high < low or result.ci_low > high:
        return OFF_TRACK, f"{measured}, outside {against}"
    if result.ci_low <= 0 <= result.ci_high:
        return TOO_EARLY, f"{measured} still holds both no change and the {against}"
    return ON_TRACK, f"{measured}, within reach of {against}"


def play_status(warehouse, play: Play, *, today: dt.date, catalogue=None) -> PlayStatus:
    """Measure one play's KPI since its start (weekly, from the metric layer, up to `today`) and judge it.

    `today` is given, not read from the clock, so the same data give the same verdicts on any day
    (callers pass the data's last day: `govex.reports.playbook.measure_decisions`).
    """
    if play.start > today:
        return PlayStatus(play, TOO_EARLY, f"not started: starts {play.start}")
    by, treated = _units(play)
    if not by:
        return PlayStatus(play, TOO_EARLY, "applies to every customer everywhere: no control group; give `markets` "
                                           "(or a segment) so the others can serve as controls")
    try:
        cube = compute_metrics(warehouse, metrics=[play.kpi], by=[by], period=GRAIN, end=today, catalogue=catalogue)
    except GovexError as exc:
        return PlayStatus(play, TOO_EARLY, f"cannot compute {play.kpi} by {by}: {exc}", by)
    cube = cube[cube["value"].notna()]
    periods = pd.to_datetime(cube["period_start"]).drop_duplicates()
    start = pd.Timestamp(play.start)
    post, pre = int((periods >= start).sum()), int((periods < start).sum())
    if post < MIN_POST_PERIODS or pre < MIN_PRE_PERIODS:
        known = catalogue or shipped_catalogue()
        label = known[play.kpi].label.lower() if play.kpi in known else play.kpi
        return PlayStatus(play, TOO_EARLY, f"{post} week(s) of {label} since the start and {pre} before it; "
                                           f"need {MIN_POST_PERIODS} after and {MIN_PRE_PERIODS} before", by)
    units = set(cube[by].astype(str))
    method = choose_method(len(units & set(treated)), len(units - set(treated)))
    fallback = ""
    try:
        result = estimate_cube_impact(cube, metric=play.kpi, by=by, treated=treated, start=play.start, method=method)
    except GovexError as exc:
        if method != "synthetic_control":
            return PlayStatus(play, TOO_EARLY, f"cannot measure: {exc}", by)
        # e.g. a control unit without a value some week: DiD takes unbalanced panels (and warns about few units)
        fallback = f"synthetic control impossible ({exc}), so DiD; "
        try:
            result = estimate_cube_impact(cube, metric=play.kpi, by=by, treated=treated, start=play.start, method="did")
        except GovexError as again:
            return PlayStatus(play, TOO_EARLY, f"cannot measure: {again}", by)
    verdict, reason = judge(play, result)
    return PlayStatus(play, verdict, fallback + reason, by, result)
