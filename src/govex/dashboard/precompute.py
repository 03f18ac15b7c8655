"""Precompute the dashboard's tables into the warehouse, so pages read small tables per click.

`precompute_dashboard` runs the same library calls as the report for the whole-base parts that
are too slow per click (segment profiles and health, transitions, the anomaly scan, the plan and
its scenario, benchmarks, the adjusted effects of service recovery and education) and writes each result as a `dash_*` table, all of them only once every
part is computed and all or nothing (`Warehouse.replace_all`), so a failed run leaves the previous
tables as they were. KPIs and every filtered
figure are not precomputed: the app queries the metric layer live (`govex.dashboard.slices`).
A part whose input is missing (or a scenario nothing supports) is recorded in `dash_status` with
the reason, its earlier table is dropped, and its page says so; parts run on the metrics whose
tables are present.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from govex.dashboard.slices import tables_present
from govex.engine.warehouse import Warehouse
from govex.errors import GovexError

if TYPE_CHECKING:  # the app imports this module; planning loads only when precomputing
    from govex.planning import WarehousePlan
    from govex.reports.playbook import Decisions
    from govex.voc import AutomationStudy

TABLES = {
    "segment_sizes": "dash_segment_sizes",
    "segment_health": "dash_segment_health", "segment_movers": "dash_segment_movers",
    "transitions": "dash_segment_transitions", "anomalies": "dash_anomalies", "decomposition": "dash_decomposition",
    "plan": "dash_plan", "scenario": "dash_scenario", "benchmarks": "dash_benchmarks", "status": "dash_status",
    "playbook": "dash_playbook", "portfolio": "dash_portfolio",
    "programmes": "dash_programme_effects", "programme_segments": "dash_programme_segments",
}
HEALTH_FRAMEWORKS = ("value", "lifecycle", "risk")
PROFILE_FRAMEWORKS = ("value", "lifecycle", "risk", "intent")
TRANSITION_DAYS = 91


@dataclass(frozen=True)
class PrecomputeResult:
    """Rows written per table and the parts that could not be computed, with the reason."""

    rows: dict[str, int]
    absent: dict[str, str]

    def summary(self) -> str:
        written = ", ".join(f"{t} {n:,}" for t, n in self.rows.items())
        missing = "; ".join(f"{k}: {v}" for k, v in self.absent.items())
        return f"dashboard tables: {written}" + (f"; absent: {missing}" if missing else "")


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain column types DuckDB stores without surprises (dates as timestamps, objects as strings)."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object:
            sample = out[c].dropna()
            if len(sample) and isinstance(sample.iloc[0], dt.date):
                out[c] = pd.to_datetime(out[c])
            else:
                out[c] = out[c].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    return out


def _segments(wh: Warehouse) -> dict[str, pd.DataFrame]:
    from govex.metrics import load_health_config, segment_health
    from govex.segments import ASSIGNMENTS_TABLE, segment_profile

    if not wh.has(ASSIGNMENTS_TABLE):
        raise GovexError(f"no {ASSIGNMENTS_TABLE} table; run `govex segment` first")
    sizes = pd.concat([segment_profile(wh, framework=f) for f in PROFILE_FRAMEWORKS], ignore_index=True)
    scores, movers = [], []
    for framework in HEALTH_FRAMEWORKS:
        report = segment_health(wh, config=load_health_config().model_copy(update={"framework": framework}))
        scores.append(report.scores.assign(framework=framework))
        movers.append(report.movers.assign(framework=framework))
    return {"segment_sizes": sizes, "segment_health": pd.concat(scores, ignore_index=True),
            "segment_movers": pd.concat(movers, ignore_index=True)}


def _transitions(wh: Warehouse) -> dict[str, pd.DataFrame]:
    from govex.segments import ASSIGNMENTS_TABLE, segment_profile, segment_transitions

    if not wh.has(ASSIGNMENTS_TABLE):
        raise GovexError(f"no {ASSIGNMENTS_TABLE} table; run `govex segment` first")
    frames = []
    for framework in PROFILE_FRAMEWORKS:
        to_date = pd.Timestamp(segment_profile(wh, framework=framework)["as_of"].iloc[0]).date()
        from_date = to_date - dt.timedelta(days=TRANSITION_DAYS)
        long = segment_transitions(wh, framework=framework, from_date=from_date, to_date=to_date).matrix.stack()
        long = long.rename("customers").reset_index()
        long.columns = ["from_segment", "to_segment", "customers"]
        if (long.loc[long["from_segment"] != "(none)", "customers"] > 0).any():
            frames.append(long.assign(framework=framework, from_date=from_date, to_date=to_date))
    if not frames:
        raise GovexError(f"no segment assignments {TRANSITION_DAYS} days before the latest ones; run `govex segment` "
                         "for an earlier as-of date to see transitions")
    return {"transitions": pd.concat(frames, ignore_index=True)}


def _moved(wh: Warehouse) -> dict[str, pd.DataFrame]:
    from govex.analysis import decompose_mix_rate, what_moved
    from govex.metrics import compute_metrics
    from govex.reports.moved import CAUSE_DIMENSIONS, DEFAULT_METRICS, scan_window

    daily = compute_metrics(wh, metrics=["orders"], period="day")
    last = pd.Timestamp(daily["period_start"].max()).date()
    start, end = scan_window(last, last)
    metrics = [m for m in DEFAULT_METRICS if tables_present(wh, m)]
    if not metrics:
        raise GovexError(f"none of {', '.join(DEFAULT_METRICS)} has its tables in this warehouse")
    changes = what_moved(wh, metrics=metrics, by=list(CAUSE_DIMENSIONS), period="week", start=start,
                         end=end, max_alerts=5, max_causes=3)
    rows = []
    for c in changes:
        causes = c.localization.root_causes or ()
        base = {"metric": c.metric, "before": c.before, "after": c.after, "measure": c.localization.measure}
        rows += [{**base, "cause": k.label(), "expected": k.expected, "actual": k.actual,
                  "explained_share": k.explained_share, "score": k.score} for k in causes] or [
            {**base, "cause": "(no localised cause)", "expected": np.nan, "actual": np.nan, "explained_share": np.nan,
             "score": np.nan}]
    columns = {"metric": "string", "before": "datetime64[ns]", "after": "datetime64[ns]", "measure": "string",
               "cause": "string", "expected": "float64", "actual": "float64", "explained_share": "float64",
               "score": "float64"}  # typed, so a scan without alerts still writes an (empty) table
    out = {"anomalies": pd.DataFrame(rows, columns=list(columns)).astype(columns)}
    if not tables_present(wh, "contact_rate"):
        return out
    quarterly = compute_metrics(wh, metrics=["contact_rate"], by=["market"], period="quarter")
    periods = sorted(pd.to_datetime(quarterly["period_start"]).unique())
    if len(periods) >= 2:
        q = pd.to_datetime(quarterly["period_start"])
        result = decompose_mix_rate(quarterly[q == periods[-2]], quarterly[q == periods[-1]], by="market",
                                    numerator="numerator", denominator="denominator")
        out["decomposition"] = result.segments.assign(metric="contact_rate", before=periods[-2], after=periods[-1],
                                                      mix_total=result.mix_effect, rate_total=result.rate_effect)
    return out


def _plan(planned: Callable[[], WarehousePlan]) -> dict[str, pd.DataFrame]:
    built = planned()
    return {"plan": built.plan.queues.assign(currency=built.plan.settings.currency)}


def _scenario(
    wh: Warehouse, planned: Callable[[], WarehousePlan], scenario: Path | None, study: AutomationStudy | None
) -> dict[str, pd.DataFrame]:
    from govex.planning import run_scenario
    from govex.reports.plan import choose_scenario

    built = planned()
    chosen, origin = choose_scenario(wh, scenario, plan=built, study=study)
    if chosen is None:
        raise GovexError(origin)
    result = run_scenario(built.inputs, chosen, built.plan.settings)
    return {"scenario": result.comparison.assign(scenario=chosen.name, description=chosen.description, origin=origin)}


def _benchmarks(wh: Warehouse) -> dict[str, pd.DataFrame]:
    from govex.metrics import compute_metrics
    from govex.reports import benchmark_position, load_benchmarks, period_containing

    bench = load_benchmarks()
    bench = bench[bench["metric"].map(lambda m: tables_present(wh, m))]
    if bench.empty:
        raise GovexError("no benchmarked metric has its tables in this warehouse")
    daily = compute_metrics(wh, metrics=["orders"], period="day")
    period = period_containing(pd.Timestamp(daily["period_start"].max()).date())
    values = compute_metrics(wh, metrics=sorted(set(bench["metric"])), period="quarter", start=period.start, end=period.end)
    position = benchmark_position(bench, dict(zip(values["metric"], values["value"])), as_of=period.end)
    return {"benchmarks": position.assign(period=period.label, illustrative=True)}


def _programmes(wh: Warehouse) -> dict[str, pd.DataFrame]:
    """Each programme's adjusted effect (`govex recovery`, `govex sellers education`), or why it is absent;
    compensation twice: on repurchase and on the CSAT of the next survey (CSAT after recovery)."""
    from govex.analysis.recovery import compensation_effect, csat_effect, onboarding_effect
    from govex.analysis.seller_education import seller_education_effect

    measured: dict[str, object] = {}

    def csat_after_recovery(warehouse: Warehouse):
        """Compensation's effect on the next survey's CSAT, on the candidates of the repurchase estimate."""
        if "compensation" not in measured:
            raise GovexError("compensation could not be measured, so neither can the CSAT after it")
        if not warehouse.has("surveys"):
            raise GovexError("no surveys table")
        return csat_effect(measured["compensation"].units)

    rows, segments = [], []
    for name, measure in (("compensation", compensation_effect), ("CSAT after recovery", csat_after_recovery),
                          ("onboarding help", onboarding_effect), ("seller education", seller_education_effect)):
        try:
            result = measured[name] = measure(wh)
        except GovexError as exc:
            rows.append({"programme": name, "absent": str(exc)})
            continue
        e = result.effect
        rows.append({"programme": name, "description": result.programme, "outcome": result.outcome,
                     "estimate": e.estimate, "ci_low": e.ci_low, "ci_high": e.ci_high, "naive": e.naive,
                     "units": e.units, "treated": e.treated, "trimmed": e.trimmed, "balanced": e.balanced,
                     "level": e.level, "method": e.method, "absent": ""})
        segments.append(e.by_segment.assign(programme=name, segment=e.by_segment["segment"].astype(str)))
    if not segments:
        raise GovexError("; ".join(f"{r['programme']}: {r['absent']}" for r in rows))
    return {"programmes": pd.DataFrame(rows), "programme_segments": pd.concat(segments, ignore_index=True)}


PARTS: dict[str, Callable[[Warehouse], dict[str, pd.DataFrame]]] = {
    "segments": _segments, "transitions": _transitions,
    "moved": _moved, "benchmarks": _benchmarks, "programmes": _programmes,
}


def _decisions(decisions: Decisions) -> dict[str, pd.DataFrame]:
    """The report's playbook and portfolio rows (`govex.reports.playbook`), as tables."""
    from govex.reports.playbook import PLAYBOOK_COLUMNS, playbook_rows, portfolio_rows

    frames = {"playbook": pd.DataFrame(playbook_rows(decisions), columns=list(PLAYBOOK_COLUMNS)).assign(
        started=[s.play.start <= decisions.as_of for s in decisions.statuses])}
    if decisions.portfolio is not None:
        frames["portfolio"] = pd.DataFrame(portfolio_rows(decisions.portfolio), columns=["item", "portfolio"])
    return frames


def precompute_dashboard(
    warehouse: Warehouse,
    *,
    scenario: str | Path | None = None,
    plan: WarehousePlan | None = None,
    study: AutomationStudy | None = None,
    decisions: Decisions | None = None,
) -> PrecomputeResult:
    """Compute every dashboard table and write it into the warehouse (replacing earlier ones).

    Parameters
    ----------
    scenario : scenario YAML shown beside the base plan (as `build_report`'s); without one the VOC
        automation study proposes it (training a classifier), and when no reason pays for its
        automation the planning page says so.
    plan : next week's plan if already built (`govex.planning.plan_from_warehouse`); built once here otherwise.
    study : the VOC automation study if already run (`govex.voc.automation_study`); used when no scenario
        file is given, instead of running the study again.
    decisions : the playbook's statuses and the portfolio (`govex.reports.playbook.measure_decisions`), shown
        as the report shows them; without them the decisions page says none was given.
    """
    from govex.planning import plan_from_warehouse

    planned = functools.cache(lambda: plan or plan_from_warehouse(warehouse))
    scenario_path = Path(scenario) if scenario is not None else None
    parts: dict[str, Callable[[Warehouse], dict[str, pd.DataFrame]]] = {
        **PARTS, "plan": lambda _wh: _plan(planned), "scenario": lambda wh: _scenario(wh, planned, scenario_path, study)}
    if decisions is not None:
        parts["decisions"] = lambda _wh: _decisions(decisions)
    computed: dict[str, pd.DataFrame] = {}
    absent: dict[str, str] = {}
    status = []
    for part, compute in parts.items():
        try:
            frames = compute(warehouse)
        except GovexError as exc:
            absent[part] = str(exc)
            status.append({"part": part, "ok": False, "reason": str(exc)})
            continue
        computed.update({TABLES[key]: _clean(frame) for key, frame in frames.items()})
        status.append({"part": part, "ok": True, "reason": ""})
    rows = {name: len(frame) for name, frame in computed.items()}
    # Nothing is written until every part is computed; then the tables switch together (engine/write.py),
    # and an earlier run's table of a part now absent goes, as it would show stale figures.
    warehouse.replace_all({**computed, TABLES["status"]: pd.DataFrame(status)},
                          drop=sorted(set(TABLES.values()) - set(computed) - {TABLES["status"]}))
    return PrecomputeResult(rows, absent)
