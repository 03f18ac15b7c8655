"""Segment sizes, health scores and the segments whose health moved most."""
from __future__ import annotations

import pandas as pd

from govex.analysis.materiality import judge, membership_valid
from govex.metrics import compute_metrics, load_health_config, segment_health
from govex.metrics.dimensions import MISSING_LABEL
from govex.metrics.health import DEFAULT_HEALTH
from govex.reports import charts
from govex.reports.context import Built, ReportContext, count, too_few
from govex.reports.formatting import counted, format_percent, format_plain, readable
from govex.reports.model import Finding, Number, ReportTable, Section, Source
from govex.segments import ASSIGNMENTS_TABLE, segment_profile

TITLE = "Segment health and movers"
HEALTH_UNIT = "health points"


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


def _last_two_months_orders(ctx: ReportContext, scores: pd.DataFrame) -> dict[str, float]:
    """Orders of each segment over the two months a health move compares: the sample behind the move."""
    months = sorted(pd.to_datetime(scores["period_start"]).unique())[-2:]
    if not months:
        return {}
    seg = f"segment:{ctx.framework}"
    start = pd.Timestamp(months[0]).date()
    end = (pd.Timestamp(months[-1]) + pd.offsets.MonthEnd(0)).date()
    orders = compute_metrics(ctx.warehouse, metrics=["orders"], by=[seg], period="month", start=start, end=end,
                             catalogue=ctx.catalogue)
    per_month = orders.groupby(seg)["value"].min()  # the thinner month limits the evidence
    return {str(k): float(v) for k, v in per_month.items()}


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
    sample = _last_two_months_orders(ctx, health.scores)
    for m in movers.head(3).itertuples():
        if not m.main_component:
            continue
        orders = sample.get(m.segment, 0.0)
        evidence = judge(sample=orders, rules=ctx.rules)
        if not evidence.stated:
            findings.append(Finding("Health of the {segment} segment: not enough data ({why} in the last two months).",
                                    words={"segment": m.segment, "why": too_few(ctx, orders, "orders")}))
            continue
        direction = "rose" if m.change > 0 else "fell"
        numbers = {"before": Number(m.health_before, HEALTH_UNIT, spec), "after": Number(m.health_after, HEALTH_UNIT, spec),
                   "change": Number(m.change, HEALTH_UNIT, spec, signed=True)}
        words = {"segment": m.segment, "direction": direction, "component": ctx.label(m.main_component)}
        findings.append(Finding("Health of the {segment} segment {direction} from {before} to {after} ({change}; 50 = average "
                                "of all segments and months) over the last month, driven mostly by {component}.", numbers, words))
    worst = movers[movers["change"] < 0].head(1)
    for m in worst.itertuples():
        if m.main_component and judge(sample=sample.get(m.segment, 0.0), rules=ctx.rules).stated:
            actions.append(Finding("Look into the {segment} segment: its health fell by {drop} last month, mostly "
                                   "through {component}.", {"drop": Number(-m.change, HEALTH_UNIT, spec)},
                                   {"segment": m.segment, "component": ctx.label(m.main_component)}))
    # only the months the assignments describe: the report period and the one before it
    shown = health.scores[pd.to_datetime(health.scores["period_start"]).dt.date >= ctx.period.previous().start]
    wide = shown.pivot(index="period_start", columns="segment", values="health").sort_index()
    figure = charts.time_series(
        pd.to_datetime(wide.index), {NO_SEGMENT.get(str(s), readable(s)): wide[s].tolist() for s in wide.columns},
        title=f"Segment health by month, segments as of {as_of}", ylabel="health score (50 = average)",
        xlabel="month", alt="Monthly health score of each segment over the report period and the one before")
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
               f"{abs(moved[0].change):.1f} points last month, mostly through {ctx.label(moved[0].main_component)}"
               if moved else f"{counted(total, 'customers')} in {counted(len(profile), ctx.framework + ' segments')}; "
                  "no health move with enough data")
    # segments assigned outside the period describe none of its months: no health chart then
    figures = (figure,) if membership_valid(as_of, ctx.period.start, ctx.period.end, ctx.rules) else ()
    return Built(Section("segments", TITLE, message, tuple(findings), figures, tables), tuple(actions))
