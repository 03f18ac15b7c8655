"""Segment sizes, health scores and the segments whose health moved most."""
from __future__ import annotations

import pandas as pd

from govex.analysis.materiality import EvidenceRules, judge, membership_valid
from govex.metrics import load_health_config, segment_health
from govex.metrics.dimensions import MISSING_LABEL
from govex.metrics.health import DEFAULT_HEALTH
from govex.reports import charts
from govex.reports.context import Built, ReportContext, count, too_few
from govex.reports.formatting import counted, format_number, format_percent, format_plain, readable
from govex.reports.model import Finding, Number, ReportTable, Section, Source
from govex.segments import ASSIGNMENTS_TABLE, segment_profile

TITLE = "Segment health and movers"
HEALTH_UNIT = "health points"  # a change of the score
HEALTH_SCORE = "health score"  # the score itself, 50 = the average of all segments and months


OTHER_FRAMEWORKS = ("lifecycle",)
NO_SEGMENT = {MISSING_LABEL: "no segment"}  # customers the assignments do not place (signed up after them)


def _other_framework_sizes(ctx: ReportContext) -> list[ReportTable]:
    """Segment sizes of the other frameworks assigned (lifecycle), so a reader sees the whole base."""
    out = []
    for framework in OTHER_FRAMEWORKS:
        if framework == ctx.framework:
            continue
        profile = segment_profile(ctx.warehouse, framework=framework)
        if profile.empty:
            continue
        source = Source("segments", ASSIGNMENTS_TABLE, f"framework {framework}, as of {profile['as_of'].iloc[0]}")
        rows = tuple((readable(r.segment), f"{int(r.customers):,}", format_percent(r.share_customers))
                     for r in profile.sort_values("customers", ascending=False).itertuples())
        out.append(ReportTable(f"Segments of the {framework} framework", ("segment", "customers", "share"), rows, source.label()))
    return out


def drawable_health(scores: pd.DataFrame, rules: EvidenceRules = EvidenceRules()) -> pd.DataFrame:
    """Health by period (rows) and segment (columns), a score on too few orders left out (NaN), so a
    chart says what the findings say; a segment with no score left is dropped."""
    wide = scores.pivot(index="period_start", columns="segment", values="health").sort_index()
    if "orders" in scores and scores["orders"].notna().all():
        orders = scores.pivot(index="period_start", columns="segment", values="orders").reindex_like(wide)
        wide = wide.where(orders.fillna(0.0).map(lambda n: judge(sample=n, rules=rules).stated))
    wide.index, wide.columns = pd.to_datetime(wide.index), wide.columns.map(str)
    return wide.dropna(axis="columns", how="all")


def segment_section(ctx: ReportContext) -> Built:
    """Sizes from the latest assignments, monthly health composite and the biggest movers."""
    if not ctx.warehouse.has(ASSIGNMENTS_TABLE):
        return Built(Section("segments", TITLE, "Segment data is absent.",
                             absent=f"The warehouse has no {ASSIGNMENTS_TABLE} table, so segment sizes and health cannot be "
                                    "shown; run `govex segments assign` (govex.segments.run_segmentation) first."))
    profile = segment_profile(ctx.warehouse, framework=ctx.framework)
    if profile.empty:
        return Built(Section("segments", TITLE, "Segment data is absent.",
                             absent=f"No customer has a segment of the {ctx.framework!r} framework; run `govex segments assign`."))
    shipped = load_health_config()
    # a partial warehouse: health from the components its tables support, the others said in one line
    usable = tuple(c for c in shipped.components if ctx.computable(c.metric))
    skipped = [ctx.label(c.metric) for c in shipped.components if c not in usable]
    if not usable:
        return Built(Section("segments", TITLE, "Segment health needs data this warehouse lacks",
                             absent="Skipped: none of the health components (" + ", ".join(skipped) + ") can be computed."))
    config = shipped.model_copy(update={"framework": ctx.framework, "components": usable})
    health = segment_health(ctx.warehouse, config=config, end=ctx.period.end, catalogue=ctx.catalogue)
    spec = Source("spec", "segment health", f"{DEFAULT_HEALTH.parent.name}/{DEFAULT_HEALTH.name}, framework {ctx.framework}")
    sizes = Source("segments", ASSIGNMENTS_TABLE, f"framework {ctx.framework}, as of {profile['as_of'].iloc[0]}")
    total = int(profile["customers"].sum())
    biggest = profile.sort_values("customers", ascending=False).iloc[0]
    findings = [Finding("The {framework} framework places {total} in {n}; the largest, {segment}, "
                        "holds {share} of them.",
                        {"total": count(total, sizes, "customers"), "n": count(len(profile), sizes, "segments"),
                         "share": Number(float(biggest["share_customers"]), "share of customers", sizes)},
                        {"framework": ctx.framework, "segment": str(biggest["segment"])})]
    if skipped:
        findings.append(Finding("Health here leaves out {skipped}: their tables are absent.",
                                words={"skipped": ", ".join(skipped)}))
    actions = []
    latest = health.scores.sort_values("period_start").groupby("segment").tail(1).set_index("segment")["health"]
    as_of = pd.Timestamp(profile["as_of"].iloc[0]).date()
    if not membership_valid(as_of, ctx.period.start, ctx.period.end, ctx.rules):
        findings.append(Finding("Segments are assigned as of {as_of}, outside {period}; applying them to that period would "
                                "mix up who was in each segment then, so no health movers are shown. Assign segments as "
                                "of the period's end to see them.", words={"as_of": str(as_of), "period": ctx.period.label}))
        movers = health.movers.iloc[0:0]
    else:
        movers = health.movers
    # only the months the assignments describe: the report period and the one before it
    shown = health.scores[pd.to_datetime(health.scores["period_start"]).dt.date >= ctx.period.previous().start]
    # a move compares the last two months: the thinner one limits the evidence
    last_two = shown[shown["period_start"].isin(sorted(shown["period_start"].unique())[-2:])]
    sample = {str(k): float(v) for k, v in last_two.groupby("segment")["orders"].min().fillna(0.0).items()}
    for m in movers.head(3).itertuples():
        if not m.main_component:
            continue
        behind = sample.get(m.segment, 0.0)
        if not judge(sample=behind, rules=ctx.rules).stated:
            findings.append(Finding("Health of the {segment} segment: not enough data ({why} in the last two months).",
                                    words={"segment": m.segment, "why": too_few(ctx, behind, "orders")}))
            continue
        direction = "rose" if m.change > 0 else "fell"
        numbers = {"before": Number(m.health_before, HEALTH_SCORE, spec), "after": Number(m.health_after, HEALTH_SCORE, spec),
                   "change": Number(abs(m.change), HEALTH_UNIT, spec)}
        words = {"segment": m.segment, "direction": direction, "component": ctx.label(m.main_component)}
        findings.append(Finding("Health of the {segment} segment {direction} by {change} over the last month, from {before} "
                                "to {after} (50 = average of all segments and months), driven mostly by {component}.",
                                numbers, words))
    worst = movers[movers["change"] < 0].head(1)
    for m in worst.itertuples():
        if m.main_component and judge(sample=sample.get(m.segment, 0.0), rules=ctx.rules).stated:
            actions.append(Finding("Look into the {segment} segment: its health fell by {drop} last month, mostly "
                                   "through {component}.", {"drop": Number(-m.change, HEALTH_UNIT, spec)},
                                   {"segment": m.segment, "component": ctx.label(m.main_component)}))
    wide = drawable_health(shown, ctx.rules)
    figure = None if wide.empty else charts.time_series(
        wide.index, {NO_SEGMENT.get(s, readable(s)): wide[s].tolist() for s in wide.columns},
        title=f"Segment health by month, segments as of {as_of}", ylabel="health score (50 = average)",
        xlabel="month", alt="Monthly health score of each segment over the report period and the one before; "
                                          "months with too few orders left out")
    change = health.movers.set_index("segment")["change"] if not health.movers.empty else pd.Series(dtype=float)

    def health_cells(segment: str) -> tuple[str, str]:
        # the table says what the findings say: a move on too few orders is not shown
        if sample and not judge(sample=sample.get(segment, 0.0), rules=ctx.rules).stated:
            return "too few orders", "-"
        return format_plain(latest.get(segment), digits=1), format_plain(change.get(segment), digits=1, signed=True)

    rows = tuple((readable(r.segment), f"{int(r.customers):,}", format_percent(r.share_customers),
                  *health_cells(r.segment), format_plain(r.orders_per_customer), format_plain(r.csat))
                 for r in profile.itertuples())
    table = ReportTable(f"Segments of the {ctx.framework} framework",
                  ("segment", "customers", "share", "health", "health change", "orders per customer", "CSAT (1-5)"),
                  rows, f"{sizes.label()}; {spec.label()}")
    tables = (table, *_other_framework_sizes(ctx))
    moved = [m for m in movers.head(3).itertuples() if m.main_component
             and judge(sample=sample.get(m.segment, 0.0), rules=ctx.rules).stated]
    message = (f"Health of the {moved[0].segment} segment {'rose' if moved[0].change > 0 else 'fell'} "
               f"{format_number(abs(moved[0].change), HEALTH_UNIT)} last month, mostly through {ctx.label(moved[0].main_component)}"
               if moved else f"{counted(total, 'customers')} in {counted(len(profile), ctx.framework + ' segments')}; "
                  "no health move with enough data")
    # segments assigned outside the period describe none of its months: no health chart then
    figures = (figure,) if figure and membership_valid(as_of, ctx.period.start, ctx.period.end, ctx.rules) else ()
    return Built(Section("segments", TITLE, message, tuple(findings), figures, tables), tuple(actions))
