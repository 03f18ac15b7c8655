"""Service policy gaps: current customers whom no specific rule of the prioritisation policy
covers in a journey (only a catch-all or the fallback tier serves them), from
`govex.policy.policy_gaps`. The largest gap, when it concerns enough customers, is an issue."""
from __future__ import annotations

from govex.policy import load_policy, policy_gaps
from govex.reports.actions import review_date
from govex.reports.context import Built, ReportContext, count
from govex.reports.formatting import readable
from govex.reports.model import Action, Finding, Number, ReportIssue, ReportTable, Section, Source
from govex.segments import ASSIGNMENTS_TABLE

TITLE = "Service policy gaps"
TOP = 8


def policy_section(ctx: ReportContext) -> Built:
    """Who only a catch-all or the fallback serves, by journey and segment combination."""
    if not ctx.warehouse.has(ASSIGNMENTS_TABLE):
        return Built(Section("policy", TITLE, "Policy gaps need segments",
                             absent="Skipped: no segment assignments yet; run `govex segments assign` first."))
    policy = load_policy()
    gaps = policy_gaps(policy, ctx.warehouse)
    source = Source("policy", "policy_gaps", f"policy {policy.spec.name} {policy.spec.version}, current segments")
    if gaps.empty:
        return Built(Section("policy", TITLE, "Every current customer has a specific rule in every journey",
                             (Finding("No journey serves current customers through a catch-all rule or the fallback tier."),)))
    journeys = gaps.groupby("journey")["customers"].sum().sort_values(ascending=False)
    findings = [Finding("Some current customers are served only through a catch-all rule or the fallback tier in {n}; "
                        "the largest gap is in {journey}, with {customers}.",
                        {"n": count(len(journeys), source, "journeys"),
                         "customers": count(journeys.iloc[0], source, "customers")},
                        {"journey": readable(journeys.index[0])})]
    rows = tuple((readable(r.journey), str(r.segments).replace("None", "no segment"), f"{r.customers:,}",
                  readable(r.tier), readable(r.served_by))
                 for r in gaps.sort_values("customers", ascending=False).head(TOP).itertuples())
    table = ReportTable("Largest policy gaps", ("journey", "segments", "customers", "tier given", "served by"), rows,
                  source.label())
    top = gaps.sort_values("customers", ascending=False).iloc[0]
    issues = ()
    if top["customers"] >= ctx.rules.min_customers:
        journey = readable(top["journey"])
        card = Action(what=f"Add a specific rule for {top['segments']} in the {journey} journey",
                      owner="CX strategy lead", cost=None, expected=None, interval=None, confidence="high",
                      due=review_date(ctx.period))
        issues = (ReportIssue(title=f"{int(top['customers']):,} customers get default service in the {journey} journey",
                        kpi="Policy coverage", value=Number(float(top["customers"]), "customers", source), target=None,
                        previous=None, last_year=None,
                        cause=f"no rule covers {top['segments']}; served by {readable(top['served_by'])}", action=card,
                        affected=Number(float(top["customers"]), "customers", source), section="policy"),)
    return Built(Section("policy", TITLE, findings[0].text, tuple(findings), (), (table,)), issues=issues)
