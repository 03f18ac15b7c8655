"""The main job: synthesise a marketplace, ingest it, and run every capability on it.

`govex demo --out DIR` is what `make demo` runs. Each step is a small function that calls the
public library (the same calls a notebook would make) and returns the lines to print, so the
demo doubles as an executable tour of govex.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import numpy as np
from rich.console import Console

from govex.engine import Warehouse
from govex.errors import ConfigError, GovexError

ENGINES = ("duckdb", "spark")
SPARK_FOLDER = "spark-warehouse"  # local Spark's tables and catalog, under the demo's folder
SPARK_OUTPUT = "govex"  # the Spark database the demo's results are written to


@dataclass
class DemoContext:
    """What the steps share: where to write, the warehouse, and results later steps reuse."""

    out: Path
    customers: int
    seed: int
    engine: str = "duckdb"  # or "spark": the same steps on local Spark, reading the synthetic files in place
    con: ibis.BaseBackend | None = None  # an engine already open (a test's or a notebook's Spark session)
    warehouse: Warehouse | None = None
    ground_truth: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)

    @property
    def database(self) -> Path:
        return self.out / "govex.duckdb"


def _synthesise(ctx: DemoContext) -> list[str]:
    import json

    from govex.datasets import synthesize

    synth_dir = ctx.out / "synth"
    synthesize(synth_dir, customers=ctx.customers, seed=ctx.seed)
    ctx.ground_truth = json.loads((synth_dir / "ground_truth.json").read_text())
    lines = [f"{ctx.customers:,} customers written to {synth_dir}; planted events:"]
    return lines + [f"  - {_describe_event(event)}" for event in ctx.ground_truth.get("events", [])]


def _describe_event(event: dict) -> str:
    """One line per planted event: its type, where, when and how big (from ground_truth.json)."""
    where = ", ".join(f"{k}={event[k]}" for k in ("market", "carrier", "vendor_id", "reason", "region", "creator_id",
                                                  "programme", "tier") if k in event)
    if "customer_ids" in event:
        where = f"{len(event['customer_ids'])} customers"
    if "seller_ids" in event:
        where = ", ".join(filter(None, (where, f"{len(event['seller_ids'])} sellers")))
    when = f" from {event['start']} to {event['end_exclusive']}" if "start" in event else ""
    sizes = ", ".join(f"{k} {v}" for k, v in event.items() if isinstance(v, (int, float)) and k != "seed")
    what = sizes or event.get("definition", "")
    return f"{event['type']}" + (f" ({where})" if where else "") + when + (f": {what}" if what else "")


def _ingest(ctx: DemoContext) -> list[str]:
    from govex.ingest import ingest_folder

    if ctx.engine == "spark":
        return _map_on_spark(ctx)
    report = ingest_folder(ctx.out / "synth", database=ctx.database)
    ctx.warehouse = Warehouse.open(f"duckdb:///{ctx.database}")
    rows = ", ".join(f"{t.name} {t.rows:,}" for t in report.loaded)
    return [f"validated and loaded into {ctx.database}", rows]


def _map_on_spark(ctx: DemoContext) -> list[str]:
    """A govex.yaml mapping the synthetic files in place on local Spark (results in SPARK_OUTPUT), then opened."""
    from govex.config import load_config
    from govex.config.example import write_new_config
    from govex.contract.schema import TABLES

    names = [name for name in TABLES if (ctx.out / "synth" / f"{name}.parquet").is_file()]
    text = "\n".join([f"engine: pyspark:///{SPARK_FOLDER}", f"output_database: {SPARK_OUTPUT}", "tables:"]
                     + [f"  {name}: {{file: synth/{name}.parquet}}" for name in names]) + "\n"
    config = load_config(write_new_config(ctx.out / "govex.yaml", text, force=True))
    ctx.warehouse = Warehouse.from_config(config, con=ctx.con)
    return [f"{len(names)} tables mapped in place by {ctx.out / 'govex.yaml'} and validated on Spark; "
            f"results go to its database {SPARK_OUTPUT!r}", ", ".join(names)]


def _segments(ctx: DemoContext) -> list[str]:
    import datetime as dt

    from govex.dashboard.precompute import TRANSITION_DAYS
    from govex.segments import assign_and_count, latest_as_of

    ctx.results["as_of"] = as_of = latest_as_of(ctx.warehouse)
    quarter_before = as_of - dt.timedelta(days=TRANSITION_DAYS)
    assign_and_count(ctx.warehouse, as_of=quarter_before)  # a second version, so transitions can be shown
    sizes = assign_and_count(ctx.warehouse, as_of=as_of)
    lines = [f"as of {quarter_before} and {as_of}, written to segment_assignments; latest sizes:"]
    for framework, rows in sizes.groupby("framework", sort=False):
        shares = ", ".join(f"{r.segment} {r.share:.0%}" for r in rows.itertuples() if r.customers)
        lines.append(f"  {framework}: {shares}")
    ring = next((e for e in ctx.ground_truth.get("events", []) if e["type"] == "abuse_ring"), None)
    if ring:  # planted vs found: the simulator's abuse ring against the top risk tier
        risk = ctx.warehouse.table("segment_assignments")
        high = risk.filter((risk.framework == "risk") & (risk.as_of == as_of) & (risk.segment == "high"))
        flagged = set(high.entity_id.to_pandas())
        found = len(flagged & set(ring["customer_ids"]))
        lines.append(f"planted abuse ring of {len(ring['customer_ids'])}: {found} in risk=high "
                     f"(precision {found / max(len(flagged), 1):.2f}, recall {found / len(ring['customer_ids']):.2f})")
    return lines


def _kpis(ctx: DemoContext) -> list[str]:
    from govex.metrics import kpi_summary

    summary = kpi_summary(ctx.warehouse)
    ctx.results["kpis"] = summary
    lines = [f"{len(summary)} KPIs against the demo targets (quarter from {summary.period_start.min()}):"]
    for r in summary.itertuples():
        gap = "" if r.gap_business != r.gap_business else f", {r.gap_business:+,.0f} {r.business_unit}"  # NaN-safe
        lines.append(f"  {r.status:>9}  {r.metric} ({r.slice}): {_number(r.value_to_date)} vs target {_number(r.target)}, "
                     f"forecast {_number(r.forecast)}{gap}")
    return lines


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _clv(ctx: DemoContext) -> list[str]:
    import datetime as dt

    from govex.features import clv_summary
    from govex.models import BetaGeo, GammaGamma, customer_lifetime_value

    as_of = dt.date.fromisoformat(ctx.ground_truth["generator"]["end_exclusive"])
    summary = clv_summary(ctx.warehouse, as_of=as_of, time_unit="day").execute()
    f, r, T, m = (summary[c].to_numpy() for c in ("frequency", "recency", "T", "mean_spend"))
    bg = BetaGeo().fit(f, r, T)
    repeat = f > 0
    gg = GammaGamma().fit(f[repeat], m[repeat])
    clv = customer_lifetime_value(bg, gg, f, r, T, m, horizon=365, period=30, discount_rate=0.01)
    truth_bg, truth_gg = ctx.ground_truth["bgnbd"], ctx.ground_truth["gamma_gamma"]

    def side_by_side(fitted: dict, truth: dict, names: tuple[str, ...]) -> str:
        return ", ".join(f"{n} {fitted[n]:.3g} (true {truth[n]:g})" for n in names)

    return [
        f"BG/NBD on {len(summary):,} customers (days): {side_by_side(bg.params_, truth_bg, ('r', 'alpha', 'a', 'b'))}",
        f"Gamma-Gamma spend: {side_by_side(gg.params_, truth_gg, ('p', 'q', 'v'))}",
        f"12-month CLV ({truth_gg['currency']}, 1% monthly discount): total {clv.sum():,.0f}, "
        f"median {np.median(clv):,.2f}, top decile from {np.quantile(clv, 0.9):,.2f}",
    ]


def _policy(ctx: DemoContext) -> list[str]:
    from govex.policy import check_policy_in_warehouse, load_policy, policy_gaps, simulate_policies

    policy = load_policy()
    findings = check_policy_in_warehouse(policy, ctx.warehouse)
    sim = simulate_policies(ctx.warehouse, [policy])
    ctx.results["policy"] = sim
    ctx.results["policy_gaps"] = gaps = policy_gaps(policy, ctx.warehouse)
    lines = [f"policy {policy.spec.name} {policy.version}: {len(findings)} consistency finding(s)"]
    lines += [f"  {line}" for finding in findings[:3] for line in finding.render().splitlines()]
    if gaps.empty:
        lines.append("policy gaps: none (every current customer is covered by a specific rule in every journey)")
    else:  # a finding, not a crash: these customers are served by the catch-all (or the fallback tier)
        lines.append(f"policy gaps: {gaps.customers.groupby(gaps.segments).max().sum():,} customer(s) in "
                     f"{gaps.segments.nunique()} segment combination(s) that no specific rule covers, e.g.")
        lines += [f"  [{r.journey}] {r.segments}: {r.customers:,} customer(s) (e.g. {r.example_customer}) -> "
                  f"{r.tier} via {r.served_by}" for r in gaps.head(3).itertuples()]
    volume = sim.tiers.groupby("tier", sort=False)[["volume"]].sum()
    lines.append("90-day contacts, disputes and returns by service tier: "
                 + ", ".join(f"{tier} {row.volume:,.0f}" for tier, row in volume.iterrows()))
    exposure, cost = sim.exposure, sim.cost.iloc[0]
    lines.append(f"refunds requested {exposure.refund_amount.sum():,.0f}, auto-approved {exposure.auto_approved_amount.sum():,.0f} "
                 f"(of which confirmed abuse {exposure.auto_approved_abuse_amount.sum():,.0f}); "
                 f"expected service cost {cost.expected_cost:,.0f}")
    return lines


def _standards(ctx: DemoContext) -> list[str]:
    import pandas as pd

    from govex.analysis import explain_metric
    from govex.policy import load_policy
    from govex.policy.promises import write_service_promises
    from govex.policy.standards import service_standards

    covered = write_service_promises(ctx.warehouse, load_policy())
    standards = service_standards(ctx.warehouse)
    misses = standards.misses()
    lines = [f"service_promises: {covered:,} customer contacts with their tier's promise; {standards.start}..{standards.end}: "
             f"{len(misses)} tier x journey cell(s) under {standards.target:.0%} within the promise, e.g."]
    lines += [f"  {r.tier} in {r.journey.replace('_', ' ')}: {r.first_response_met:.0%} answered within {r.first_response_s:g} s, "
              f"{r.resolution_met:.0%} resolved within {r.resolution_h:g} h" for r in misses.head(3).itertuples()]
    miss = next((e for e in ctx.ground_truth.get("events", []) if e["type"] == "service_promise_miss"), None)
    if miss:  # planted vs found: what moved the first-response promise, by tier and market
        start = pd.Timestamp(miss["start"]).to_period("M")
        change = explain_metric(ctx.warehouse, metric="sla_attainment_first_response", by=["tier", "market"],
                                before=[(start - k).start_time for k in (3, 2, 1)],
                                after=[(start + k).start_time for k in (1, 2, 3)])
        causes = change.localization.root_causes
        found = ", ".join(f"{k}={v}" for k, v in causes[0].dims.items()) if causes else "nothing"
        lines.append(f"planted missed promise ({miss['tier']} in {miss['market']} from {miss['start']}): found {found}"
                     + (f" ({causes[0].expected:.0%} -> {causes[0].actual:.0%} within the promise)" if causes else ""))
    return lines


def _what_moved(ctx: DemoContext) -> list[str]:
    import pandas as pd

    from govex.analysis import explain_metric, what_moved

    findings = what_moved(
        ctx.warehouse,
        metrics=["late_delivery_rate", "dispute_rate", "moderation_accuracy", "contact_rate"],
        by=["market", "carrier", "vendor_id", "reason"],
        period="month",
        max_alerts=4,
    )
    ctx.results["what_moved"] = findings
    lines = [line for finding in findings for line in finding.render().splitlines()]
    if not findings:
        lines.append("no anomaly stood out from noise")
    surge = next((e for e in ctx.ground_truth.get("events", []) if e["type"] == "contact_reason_surge"), None)
    if surge:  # an analyst's question about a known month: why did contacts per order move?
        month = pd.Timestamp(surge["start"]).to_period("M").to_timestamp()
        before = [month - pd.DateOffset(months=k) for k in (3, 2, 1)]
        change = explain_metric(ctx.warehouse, metric="contact_rate", before=before, after=month, by=["market", "reason"])
        lines.append(f"asked: why did contacts per order move in {month:%Y-%m}?")
        lines += [f"  {line}" for line in change.render().splitlines()]
    return lines


def _sellers(ctx: DemoContext) -> list[str]:
    import pandas as pd

    from govex.analysis.findings import explain_metric
    from govex.analysis.seller_education import seller_education_effect
    from govex.segments.seller_scorecard import seller_scorecard
    from govex.segments import latest_as_of
    from govex.segments.seller import run_seller_segmentation, seller_segment_sizes
    from govex.segments.seller_whatif import enforcement_whatif
    from govex.segments.store import read_assignments

    as_of = latest_as_of(ctx.warehouse)
    assignments = run_seller_segmentation(ctx.warehouse, as_of=as_of)
    sizes = seller_segment_sizes(ctx.warehouse, assignments, as_of=as_of)
    lines = [f"{name}: " + ", ".join(f"{r.segment} {r.sellers}" for r in group.itertuples())
             for name, group in sizes.groupby("framework", sort=False)]
    events = {e["type"]: e for e in ctx.ground_truth.get("events", [])}
    if "seller_fraud_ring" in events:
        rows = read_assignments(ctx.warehouse, framework="seller_risk", as_of=as_of, entity="seller").execute()
        high, ring = set(rows.entity_id[rows.segment == "high"]), set(events["seller_fraud_ring"]["seller_ids"])
        found = len(high & ring)
        lines.append(f"planted vs found: fraud ring of {len(ring)} sellers, seller_risk=high holds {len(high)}: "
                     f"precision {found / max(len(high), 1):.2f}, recall {found / len(ring):.2f}")
    card = seller_scorecard(ctx.warehouse, as_of=as_of, by="seller_type")
    for r in card.itertuples():
        refused = "none to redeem" if pd.isna(r.redemption_refusal_rate) else f"{r.redemption_refusal_rate:.2%}"
        lines.append(f"  {r.seller_type}: {r.sellers} sellers, order defects {r.order_defect_rate:.2%}, refused "
                     f"redemptions {refused}, violations per seller {r.violations_per_seller:.2f}")
    if "education_effect" in events:
        planted = events["education_effect"]
        try:
            result = seller_education_effect(ctx.warehouse)
        except GovexError as exc:  # a handful of sellers may not overlap at all
            lines.append(f"education: not measured: {exc}")
        else:
            e, sellers = result.effect, len(result.units)
            lines.append(f"education: {result.outcome}, enrolled vs not: adjusted {e.estimate:+.3f} [{e.ci_low:+.3f}, "
                         f"{e.ci_high:+.3f}] (90%, AIPW), naive {e.naive:+.3f}; planted {planted['effect']:+.3f} "
                         f"(violation rate x{planted['violation_rate_multiplier']}; sellers with a clean record enrol "
                         f"more; {sellers} sellers{', too few to tell them apart: the test uses 800' if sellers < 800 else ''})")
    whatif = enforcement_whatif(ctx.warehouse, as_of=as_of, current=0.02, proposed=0.01, by="segment:seller_performance")
    lines.append(f"what-if: action sellers at a 1% order-defect rate instead of 2%: {int(whatif.table.newly_actioned.sum())} "
                 f"more sellers ({whatif.table.gmv_newly_actioned.sum():,.0f} GMV), {whatif.review_hours:.0f} review and "
                 f"{whatif.appeal_hours:.0f} appeal hours (appeal rate {whatif.appeal_rate:.0%})")
    for name, metric, by in (("redemption_refusal_spike", "redemption_refusal_rate", ["market", "region", "seller_type"]),
                             ("creator_dispute_spike", "dispute_rate", ["market", "creator_id"])):
        if name in events:
            start = pd.Timestamp(events[name]["start"]).to_period("M")
            month = (start + 1).to_timestamp()  # the first month the event covers whole
            before = [(start - k).to_timestamp() for k in (3, 2, 1)]
            change = explain_metric(ctx.warehouse, metric=metric, before=before, after=month, by=by)
            lines.append(f"asked: why did {metric} move in {month:%Y-%m}? (planted: {name})")
            lines += [f"  {line}" for line in change.render().splitlines()]
    return lines


def _moderation(ctx: DemoContext) -> list[str]:
    import pandas as pd

    from govex.metrics import compute_metrics
    from govex.metrics.transparency import transparency_counts, write_transparency

    result = transparency_counts(ctx.warehouse)
    write_transparency(result, ctx.out / "transparency")
    total = result.overall
    lines = [f"transparency export (transparency/): {total['cases']:,} cases, {total['decided']:,} decided, median "
             f"{total['median_hours_to_action']:.1f} h from report to action, {total['appeals_filed']:,} appealed, "
             f"{total['overturned']:,} overturned; {len(result.cells)} policy x action x source x automated cells"]
    by_automated = result.totals["automated"].set_index("automated")
    lines += [f"  {'automated' if flag == 'true' else 'human'}: {int(row.cases):,} cases, median "
              f"{row.median_hours_to_action:.1f} h to action, {row.overturned / max(row.appeals_decided, 1):.0%} of "
              f"{int(row.appeals_decided):,} decided appeals overturned" for flag, row in by_automated.iterrows()]
    jump = next((e for e in ctx.ground_truth.get("events", []) if e["type"] == "appeal_overturn_jump"), None)
    if jump is not None:
        start = pd.Timestamp(jump["start"]).date()
        cells = {when: compute_metrics(ctx.warehouse, metrics=["moderation_overturn_rate"], by=["vendor_id", "policy"],
                                       period="all", **bounds)
                 for when, bounds in (("before", {"end": start - pd.Timedelta(days=1)}), ("after", {"start": start}))}
        rates = []
        for when, cube in cells.items():
            row = cube[(cube.vendor_id == jump["vendor_id"]) & (cube.policy == jump["policy"])]
            rates.append(f"{when} {row['value'].iloc[0]:.0%} of {int(row['denominator'].iloc[0])}" if len(row) else f"{when} none")
        lines.append(f"planted: {jump['vendor_id']} x {jump['policy']} overturned on appeal "
                     f"{jump['overturn_rate_baseline']:.0%} -> {jump['overturn_rate_during']:.0%} from {jump['start']}; "
                     f"measured {', '.join(rates)} decided appeals (localised by what-moved at 40k customers; "
                     f"too few appeals below that)")
    return lines


def _recovery(ctx: DemoContext) -> list[str]:
    from govex.analysis.recovery import compensation_effect, onboarding_effect

    if not (ctx.warehouse.has("compensations") and ctx.warehouse.has("customer_education")):
        return ["no compensations or customer_education table: service recovery and education not measured"]
    events = {e["type"]: e for e in ctx.ground_truth.get("events", [])}
    lines = []
    for result, kind in ((compensation_effect(ctx.warehouse), "compensation_effect"),
                         (onboarding_effect(ctx.warehouse), "onboarding_help_effect")):
        e, planted = result.effect, events.get(kind)
        lines.append(f"{result.programme} -> {result.outcome}: adjusted {e.estimate:+.3f} [{e.ci_low:+.3f}, "
                     f"{e.ci_high:+.3f}] (90%, AIPW), naive difference {e.naive:+.3f}"
                     + (f"; planted {planted['effect']:+.3f}" if planted else ""))
    lines.append("whom to compensate, by segment (expected value from CLV against cost): govex recovery")
    return lines


def _planning(ctx: DemoContext) -> list[str]:
    from govex.planning import plan_from_warehouse

    planned = plan_from_warehouse(ctx.warehouse)
    ctx.results["plan"] = planned
    plan, cur = planned.plan, planned.plan.settings.currency
    lines = [f"next week: {plan.total_fte:.1f} FTE, {plan.total_cost_week:,.0f} {cur} across {len(plan.queues)} queues; largest:"]
    for r in plan.queues.nlargest(3, "cost_week").itertuples():
        lines.append(f"  {r.queue}: {r.contacts_week:,.0f} contacts/wk, {r.fte:.1f} FTE, SL {r.service_level:.0%}, "
                     f"{r.cost_per_contact:.2f} {cur} per contact (vendor {r.vendor_id})")
    lines.append("by service line: " + "; ".join(f"{r.line.replace('_', ' ')} {r.fte:.1f} FTE, {r.cost_week:,.0f} {cur}"
                                                  for r in plan.by_line().itertuples()))
    accuracy = planned.accuracy.accuracy
    lines.append(f"daily forecasts (holdout): median WAPE {accuracy.wape.median():.2f} vs seasonal-naive "
                 f"{accuracy.baseline_wape.median():.2f}; better in {int(accuracy.beats_baseline.sum())} of {len(accuracy)} queues")
    return lines


def _automation(ctx: DemoContext) -> list[str]:
    from govex.planning import load_scenario, run_scenario
    from govex.voc import VocInputError, automation_study, write_scenario

    study = automation_study(ctx.warehouse, plan=ctx.results.get("plan"), max_texts=8_000)
    ctx.results["automation"] = study
    cur = study.plan.plan.settings.currency
    lines = [f"contact-reason classifier: holdout accuracy {study.evaluation.accuracy:.3f}",
             "top automation opportunities (recognised at the target precision x resolvable without an agent):"]
    for row in study.opportunities.head(3).itertuples():
        net = row.net_saving  # a saving that rounds to nothing prints as 0, never "-0"
        net_text = "0" if abs(net) < 0.5 else f"{net:+,.0f}"
        lines.append(f"  {row.rank}. {row.reason}: recognised {row.coverage:.0%} x resolvable {row.resolvable_share:.0%} "
                     f"= automate {row.automation_rate:.0%}; {row.fte_saved:.1f} FTE, net {net_text} {cur}/month"
                     + (f" ({row.note})" if isinstance(row.note, str) and row.note else ""))
    try:
        path = write_scenario(study.opportunities, ctx.out / "scenarios" / "automation.yaml", name="llm-deflection")
    except VocInputError:
        lines.append("no reason pays for its automation at this scale: no scenario written")
        return lines
    result = run_scenario(study.plan.inputs, load_scenario(path), study.plan.plan.settings)
    total = result.comparison.set_index("queue").loc["TOTAL"]
    lines.append(f"scenario {result.scenario.name} ({path}): {total.fte_delta:+.1f} FTE, {total.cost_delta:+,.0f} {cur} per week, "
                 f"service level {total.service_level_base:.1%} -> {total.service_level_scenario:.1%}")
    return lines


def _decisions(ctx: DemoContext) -> list[str]:
    """Measure the planted help-flow launch, draft a playbook around it, check its plays and choose a portfolio."""
    import datetime as dt

    from govex.metrics import compute_metrics
    from govex.planning.impact_read import measure_metric_impact
    from govex.planning.portfolio import EXAMPLE_PROJECTS
    from govex.reports.playbook import measure_decisions
    from govex.reports.plays import draft_playbook, write_draft

    launch = next(e for e in ctx.ground_truth["events"] if e["type"] == "help_flow_launch")
    start, market = dt.date.fromisoformat(launch["start"]), launch["market"]
    lines = [f"planted: a new help flow in {market} from {start} (not randomised), contact rate {launch['relative_effect']:+.0%}"]
    for method in ("synthetic_control", "did"):
        result = measure_metric_impact(ctx.warehouse, metric=launch["metric"], by="market", treated=[market],
                                       start=start, method=method)
        c = result.checks
        lines.append(f"  measured ({method}): {c['relative_effect']:+.1%} [{c['relative_ci_low']:+.1%}, "
                     f"{c['relative_ci_high']:+.1%}] (90%); naive before/after {c['naive_relative']:+.1%}"
                     + ("; with 1 treated market its clustered interval is too narrow" if method == "did" else ""))
    before = compute_metrics(ctx.warehouse, metrics=[launch["metric"]], by=["market"], period="quarter",
                             end=start - dt.timedelta(days=1))
    level = float(before[before["market"] == market]["value"].iloc[-1])  # contacts per order the quarter before
    draft = draft_playbook(ctx.warehouse, plan=ctx.results.get("plan"), study=ctx.results.get("automation"))
    draft.plays.insert(0, {
        "segment": "all", "journey": "purchase", "markets": [market], "problem": f"{market} customers contact us "
        "about questions a guided help flow could answer", "evidence": f"contact_rate {level:.3f} in {market} the quarter "
        "before the launch (metric layer)", "action": "launch the new help flow", "owner": "Customer service operations lead",
        "kpi": launch["metric"], "expected": {"effect": round(-0.2 * level, 4), "low": round(-0.35 * level, 4),
                                               "high": round(-0.05 * level, 4)},
        "cost": 30000, "start": start, "review": start + dt.timedelta(weeks=12)})
    path = ctx.out / "playbook.yaml"
    path.unlink(missing_ok=True)  # the demo's own output from an earlier run
    write_draft(draft, path)
    decisions = measure_decisions(ctx.warehouse, playbook=path, projects=EXAMPLE_PROJECTS, budget=200)
    ctx.results["decisions"] = decisions
    data_end = dt.date.fromisoformat(ctx.ground_truth["generator"]["end_exclusive"])
    lines.append(f"playbook {path}: the launch and {len(draft.plays) - 1} play(s) drafted from the findings (starting "
                 f"after the data; {len(draft.skipped)} finding(s) not drafted, listed in the file); status of the plays "
                 "started within the data:")
    for status in decisions.statuses:
        if status.play.start < data_end:
            lines.append(f"  {status.play.action} ({status.play.kpi}, from {status.play.start}): {status.verdict}: "
                         f"{status.reason}")
    p = decisions.portfolio
    lines.append(f"portfolio (illustrative projects, budget 200): fund {', '.join(p['selected'])}; benefit "
                 f"{p['benefit']:,.0f}, cost {p['cost']:,.0f}; just below the line: {p['marginal_out']['project']}")
    return lines


def _report(ctx: DemoContext) -> list[str]:
    from govex.reports.write import write_report

    paths = write_report(ctx.warehouse, ctx.out / "report", **_built(ctx), decisions=ctx.results.get("decisions"))
    return [f"executive report: {path}" for path in paths]


def _dashboard(ctx: DemoContext) -> list[str]:
    from govex.dashboard import precompute_dashboard

    result = precompute_dashboard(ctx.warehouse, **_built(ctx), decisions=ctx.results.get("decisions"))
    if ctx.engine == "spark":  # the app itself reads a DuckDB file
        return [result.summary(), f"written to Spark database {SPARK_OUTPUT!r} under {ctx.out / SPARK_FOLDER}"]
    return [result.summary(), f"open it with: govex dashboard --db {ctx.database}"]


def _built(ctx: DemoContext) -> dict:
    """What earlier steps already built (plan, automation study, scenario file), so outputs reuse it."""
    scenario = ctx.out / "scenarios" / "automation.yaml"
    return {"scenario": scenario if scenario.is_file() else None,
            "plan": ctx.results.get("plan"), "study": ctx.results.get("automation")}


STEPS: list[tuple[str, Callable[[DemoContext], list[str]]]] = [
    ("Synthetic marketplace", _synthesise),
    ("Ingest and validate", _ingest),
    ("Segments", _segments),
    ("KPIs against targets", _kpis),
    ("Customer lifetime value", _clv),
    ("Prioritisation policy", _policy),
    ("Service standards", _standards),
    ("What moved and why", _what_moved),
    ("Sellers and merchants", _sellers),
    ("Moderation operations", _moderation),
    ("Service recovery and education", _recovery),
    ("Workforce and cost plan", _planning),
    ("VOC and automation", _automation),
    ("Decisions and impact", _decisions),
    ("Executive report", _report),
    ("Dashboard tables", _dashboard),
]


def run_demo(out: str | Path, *, customers: int = 100_000, seed: int = 0, engine: str = "duckdb",
             con: ibis.BaseBackend | None = None, steps: Collection[str] | None = None,
             console: Console | None = None) -> DemoContext:
    """Run every demo step in order, printing each step's summary and time.

    `engine="spark"` runs the same steps on local Spark (`con`: a Spark backend already open).
    `steps` (titles from STEPS) runs only those after the first two (synthesis, ingest), e.g. the
    engine-heavy ones when checking an engine; later steps reuse what earlier ones built, if run.
    """
    if engine not in ENGINES:
        raise ConfigError(f"demo engine {engine!r}: expected one of {', '.join(ENGINES)}")
    unknown = sorted(set(steps or ()) - {title for title, _ in STEPS})
    if unknown:
        raise ConfigError(f"demo steps {unknown}: expected titles among {[title for title, _ in STEPS]}")
    console = console or Console()
    ctx = DemoContext(out=Path(out), customers=customers, seed=seed, engine=engine, con=con)
    ctx.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    chosen = STEPS if steps is None else STEPS[:2] + [(t, f) for t, f in STEPS[2:] if t in steps]
    for title, step in chosen:
        t0 = time.perf_counter()
        with console.status(f"{title} ..."):
            lines = step(ctx)
        console.print(f"[bold]{title}[/bold] [dim]({time.perf_counter() - t0:.1f} s)[/dim]")
        for line in lines:
            console.print(f"  {line}", highlight=False, soft_wrap=True)
    console.print(f"[bold green]demo finished[/bold green] in {time.perf_counter() - started:.0f} s; outputs in {ctx.out}")
    return ctx
