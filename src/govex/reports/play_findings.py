"""Draft plays from the VOC, seller and service findings (the friction and driver ones are in `plays`).

* VOC themes (`govex.voc.ThemeFinder` on the period's survey comments): the themes whose
  respondents score CSAT furthest below the other respondents, weighted by their number; the play
  lifts them to the others' mean, so the expected effect on CSAT is that gap times the theme's
  share of comments, from half of it to all of it;
* automation opportunities (`govex.voc.automation_study`, the LLM-automation estimate): the reasons
  whose automation saves money net of its errors; the expected effect on the automation rate is the
  deflected share of the plan week's contacts, from half to one and a half times it (the resolvable
  share is an assumption); cost and benefit are a year of the study's figures;
* the riskiest seller-risk tier (seller_risk assignments, `govex.features.seller`): its pooled dispute rate
  against the other sellers'; the play brings it to theirs (half to all of the gap, weighted by
  their share of orders) and is costed as one review per seller at the period's cost per
  moderation case (staffing cost per human-reviewed case: handling time x vendor rate);
* service-standard misses: the attainment of each promise metric (`STANDARD_METRICS`) per market
  and journey against the best market of the journey, when the catalogue has those metrics.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from govex.errors import GovexError
from govex.metrics import compute_metrics
from govex.reports.context import ReportContext
from govex.reports.formatting import readable
from govex.reports.plays import Draft, candidate
from govex.segments import ASSIGNMENTS_TABLE

TOP = 2
N_THEMES = 8
MAX_TEXTS = 5_000
RISK_TIERS = ("high", "elevated")  # seller_risk's tiers, riskiest first: the play takes the riskiest one with sellers
STANDARD_METRICS = ("sla_attainment_first_response", "sla_attainment_resolution")
MONTHS = 12



def theme_plays(ctx: ReportContext, start: dt.date, draft: Draft) -> None:
    from govex.contract.schema import JOURNEYS
    from govex.voc import ThemeConfig, ThemeFinder
    from govex.voc.sources import survey_comments

    p = ctx.period
    try:
        comments = survey_comments(ctx.warehouse, start=p.start, end=p.end, max_texts=MAX_TEXTS)
        comments = comments[comments["csat"].notna()]
        finder = ThemeFinder(ThemeConfig(n_themes=N_THEMES)).fit(comments["text"])
    except GovexError as exc:
        draft.skipped.append(f"VOC themes: {exc}")
        return
    comments = comments.assign(theme=finder.assignments_)
    themes = finder.themes_.set_index("theme")
    rows = []
    for theme, group in comments[comments["theme"] >= 0].groupby("theme"):
        rest = comments.loc[comments["theme"] != theme, "csat"]
        lost = (rest.mean() - group["csat"].mean()) * len(group)
        if len(group) >= ctx.rules.min_sample and lost > 0:
            rows.append((lost, theme, group, rest.mean()))
    if not rows:
        draft.skipped.append(f"VOC themes: no theme of at least {ctx.rules.min_sample:.0f} of the {len(comments):,} "
                             f"{p.label} comments scores CSAT below the others")
    for lost, theme, group, rest_mean in sorted(rows, key=lambda row: -row[0])[:TOP]:
        journeys = group["journey"][group["journey"].isin(JOURNEYS)]
        label = themes.loc[theme, "label"]
        if journeys.empty:
            draft.skipped.append(f"VOC theme '{label}': its comments name no journey; write its play by hand")
            continue
        journey = str(journeys.mode().iloc[0])
        share = len(group) / len(comments)
        gap = rest_mean - group["csat"].mean()
        draft.plays.append(candidate(
            segment="all", journey=journey, problem=f"customers who write about '{label}' rate us low",
            evidence=f"VOC theme '{label}' in {p.label} survey comments: {len(group):,} of {len(comments):,} comments "
                     f"({share:.0%}), CSAT {group['csat'].mean():.2f} against {rest_mean:.2f} for the others, mostly "
                     f"in {readable(journey)}; e.g. \"{themes.loc[theme, 'examples'][0]}\" (govex.voc.ThemeFinder, NMF)",
            action=f"fix what customers describe as '{label}' in {readable(journey)} (say how)", kpi="csat",
            category="experience", expected=(0.75 * gap * share, 0.5 * gap * share, gap * share), start=start))


def _reason_journeys(ctx: ReportContext) -> dict[str, str]:
    """Each contact reason's most frequent journey (the contacts table's own labels)."""
    contacts = ctx.warehouse.table("contacts")
    counts = contacts.group_by(["reason", "journey"]).aggregate(n=contacts.count()).execute()
    counts = counts.sort_values(["reason", "n", "journey"], ascending=[True, False, True])
    return dict(zip(counts.drop_duplicates("reason")["reason"], counts.drop_duplicates("reason")["journey"]))


def automation_plays(ctx: ReportContext, start: dt.date, draft: Draft) -> None:
    from govex.contract.schema import JOURNEYS
    from govex.voc import automation_study

    try:
        study = ctx.study or automation_study(ctx.warehouse, plan=ctx.plan, max_texts=MAX_TEXTS)
    except GovexError as exc:
        draft.skipped.append(f"automation: {exc}")
        return
    table = study.opportunities
    paying = table[table["net_saving"] > 0].head(TOP)
    if paying.empty:
        draft.skipped.append("automation: no contact reason pays for its automation at this scale")
        return
    journeys = _reason_journeys(ctx)
    total = float(table["monthly_contacts"].sum())
    for r in paying.itertuples():
        journey = journeys.get(r.reason)
        if journey not in JOURNEYS:
            draft.skipped.append(f"automation of {r.reason}: its contacts belong to no one journey; write its play by hand")
            continue
        share = float(r.deflected_contacts) / total
        cost = MONTHS * float(r.error_cost + r.escalation_cost + r.llm_cost)
        saved = MONTHS * float(r.labour_cost_saved)
        draft.plays.append(candidate(
            segment="all", journey=journey, problem=f"agents answer {readable(r.reason)} contacts automation could close",
            evidence=f"automation study: {r.reason} {r.monthly_contacts:,.0f} contacts a month, recognised "
                     f"{r.coverage:.0%} at precision {r.precision:.0%} x resolvable {r.resolvable_share:.0%} = "
                     f"{r.deflected_contacts:,.0f} deflected a month, {r.fte_saved:.1f} FTE, net saving "
                     f"{r.net_saving:,.0f} {r.currency} a month (govex.voc.automation_study, costed by the plan)",
            action=f"automate {readable(r.reason)} contacts (self-service or an LLM flow)", kpi="automation_rate",
            category="efficiency", expected=(share, 0.5 * share, 1.5 * share), start=start, cost=cost,
            costing=f"a year of the study's misroute re-handling and escalation time at the plan's cost per productive "
                    f"hour ({r.cost_per_productive_hour:,.2f} {r.currency}: handling time x vendor rate) plus model cost",
            benefit=(saved, 0.5 * saved, 1.5 * saved)))


def seller_plays(ctx: ReportContext, start: dt.date, draft: Draft) -> None:
    from govex.features.seller import seller_features
    from govex.segments.seller_scorecard import seller_cut
    from govex.segments.store import read_assignments

    if not ctx.warehouse.has(ASSIGNMENTS_TABLE):
        draft.skipped.append(f"sellers: no {ASSIGNMENTS_TABLE} (run `govex segments assign --entity seller` first)")
        return
    assigned = read_assignments(ctx.warehouse, framework="seller_risk", entity="seller")
    as_of = assigned.as_of.max().execute()
    if as_of is None or pd.isna(as_of):
        draft.skipped.append("sellers: no seller_risk assignments (run `govex segments assign --entity seller` first)")
        return
    as_of = pd.Timestamp(as_of).date()
    try:
        table = seller_cut(ctx.warehouse, seller_features(ctx.warehouse, as_of=as_of).table, "segment:seller_risk")
        sums = table.group_by("cut").aggregate(
            sellers=table.count(), disputed=table.n_disputed_orders.sum(), orders=table.n_orders.sum()).execute()
    except GovexError as exc:
        draft.skipped.append(f"sellers: {exc}")
        return
    sums = sums.set_index("cut")
    tier = next((t for t in RISK_TIERS if t in sums.index and sums.loc[t, "orders"] > 0), None)
    if tier is None or sums["orders"].sum() <= sums.loc[tier, "orders"]:
        draft.skipped.append(f"sellers: no {' or '.join(RISK_TIERS)} seller-risk tier with orders beside other sellers "
                             f"as of {as_of}")
        return
    high = sums.loc[tier]
    rest = sums.drop(index=tier).sum()
    rate_high, rate_rest = high.disputed / high.orders, rest.disputed / rest.orders
    if rate_high <= rate_rest:
        draft.skipped.append(f"sellers: the {tier} seller-risk tier's dispute rate is not above the others' as of {as_of}")
        return
    gap = -(rate_high - rate_rest) * high.orders / (high.orders + rest.orders)  # on the marketplace's dispute rate
    cost, costing = 0.0, "not costed: the period has no cost per moderation case"
    if ctx.computable("cost_per_moderation_case"):
        p = ctx.period
        rows = compute_metrics(ctx.warehouse, metrics=["cost_per_moderation_case"], period=p.grain, start=p.start,
                               end=p.end, catalogue=ctx.catalogue, partial=True)
        if len(rows) and pd.notna(rows["value"].iloc[0]):
            per_case = float(rows["value"].iloc[0])
            cost = per_case * int(high.sellers)
            costing = (f"one review per {tier}-risk seller at {p.label}'s cost per moderation case, {per_case:,.2f} "
                       f"{ctx.currency} (staffing cost per human-reviewed case: handling time x vendor rate)")
    draft.plays.append(candidate(
        segment="all", journey="dispute", problem=f"{tier}-risk sellers draw more disputes than the other sellers",
        evidence=f"seller_risk as of {as_of}: {int(high.sellers):,} {tier}-risk sellers, dispute rate {rate_high:.2%} of "
                 f"their {int(high.orders):,} orders against {rate_rest:.2%} for the other {int(rest.sellers):,} sellers "
                 "(segment_assignments, govex.features.seller)",
        action=f"review the {int(high.sellers):,} {tier}-risk sellers' listings and payouts; act on what the review finds",
        kpi="dispute_rate", category="trust", expected=(0.75 * gap, gap, 0.5 * gap), start=start, cost=cost,
        costing=costing))


def standard_plays(ctx: ReportContext, start: dt.date, draft: Draft) -> None:
    names = [m for m in STANDARD_METRICS if ctx.computable(m)]
    if not names:
        draft.skipped.append(f"service-standard misses: the catalogue has none of {', '.join(STANDARD_METRICS)} "
                             "computable here; write these plays by hand")
        return
    p = ctx.period
    cube = compute_metrics(ctx.warehouse, metrics=names, by=["market", "journey"], period=p.grain, start=p.start,
                           end=p.end, catalogue=ctx.catalogue)
    cube = cube[cube["value"].notna() & (cube["denominator"] >= ctx.rules.min_sample)]
    cube = cube.assign(best=cube.groupby(["metric", "journey"])["value"].transform("max"))
    cube = cube.assign(missed=(cube["best"] - cube["value"]) * cube["denominator"])
    for r in cube[cube["missed"] > 0].sort_values("missed", ascending=False).head(TOP).itertuples():
        gap = float(r.best - r.value)
        label = ctx.label(r.metric).lower()
        draft.plays.append(candidate(
            segment="all", journey=str(r.journey), markets=(str(r.market),),
            problem=f"{r.market} misses the promised service in {readable(r.journey)} more than the best market",
            evidence=f"{label} in {r.market} x {readable(r.journey)}, {p.label}: {r.value:.1%} of {r.denominator:,.0f} "
                     f"against {r.best:.1%} in the best market; {r.missed:,.0f} more contacts would have met the promise "
                     f"(metric {r.metric})",
            action=f"meet the promise in {r.market} {readable(r.journey)} (staffing or routing: say how)", kpi=r.metric,
            category="experience", expected=(0.75 * gap, 0.5 * gap, gap), start=start))
