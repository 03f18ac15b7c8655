"""Drivers of CSAT: what the answers of customers whose order was late tell against the others,
and, when the warehouse holds contacts and returns too, the key-driver analysis of all answers.

The late/on-time split needs only surveys and orders, so it reads on a partial warehouse (public
marketplace data with reviews but no contact-centre tables). Means carry a normal 95% interval.
"""
from __future__ import annotations

import math

import ibis
import pandas as pd

from govex.analysis.materiality import judge
from govex.errors import GovexError
from govex.reports import charts
from govex.reports.context import Built, ReportContext, count, too_few
from govex.reports.formatting import format_percent, interval_after, format_plain, readable
from govex.reports.model import Finding, Number, ReportTable, Section, Source

TITLE = "Drivers of CSAT"
Z95 = 1.959964


def _late_split(ctx: ReportContext) -> pd.DataFrame:
    """Mean, spread and count of CSAT for answers on late and on-time delivered orders of the period."""
    surveys, orders = ctx.warehouse.table("surveys"), ctx.warehouse.table("orders")
    day = surveys.responded_at.date()
    answered = surveys.filter(surveys.csat.notnull() & (day >= ctx.period.start) & (day <= ctx.period.end))
    delivered = orders.filter(orders.delivered_at.notnull() & orders.promised_date.notnull())
    joined = answered.join(delivered, answered.order_id == delivered.order_id)
    late = ibis.ifelse(joined.delivered_at.date() > joined.promised_date, "late", "on time").name("delivery")
    return (joined.group_by(late)
            .aggregate(mean=joined.csat.cast("float64").mean(), sd=joined.csat.cast("float64").std(),
                       n=joined.csat.count())
            .execute().set_index("delivery"))


def drivers_section(ctx: ReportContext) -> Built:
    """CSAT of late against on-time orders in the period, and the key drivers when they can be computed."""
    for table in ("surveys", "orders"):
        if not ctx.warehouse.has(table):
            return Built(Section("drivers", TITLE, "Drivers of CSAT need surveys and orders",
                                 absent=f"Skipped: the warehouse has no {table} table."))
    split = _late_split(ctx)
    source = Source("analysis", "CSAT by delivery punctuality", f"surveys joined to their orders, {ctx.period.label}")
    findings, tables, figures = [], [], []
    unit = ctx.catalogue["csat"].unit
    if not {"late", "on time"} <= set(split.index):
        findings.append(Finding("No answer in {period} is on a late order, so punctuality cannot be compared.",
                                words={"period": ctx.period.label}))
    else:
        late, on_time = split.loc["late"], split.loc["on time"]
        smaller = float(min(late["n"], on_time["n"]))
        evidence = judge(sample=smaller, rules=ctx.rules)
        if not evidence.stated:
            findings.append(Finding("CSAT of late against on-time orders: not enough data ({why} on one side).",
                                    words={"why": too_few(ctx, smaller, "answers")}))
        else:
            share_late = float(late["n"] / (late["n"] + on_time["n"]))
            gap = float(on_time["mean"] - late["mean"])
            findings.append(Finding(
                "Customers whose order arrived late score {late} against {on_time} for on-time orders ({late_n} and "
                "{on_time_n} answers); with {share} of answered orders late, on-time delivery for all would lift "
                "CSAT by about {lift}.",
                {"late": Number(float(late["mean"]), unit, source), "on_time": Number(float(on_time["mean"]), unit, source),
                 "late_n": count(late["n"], source), "on_time_n": count(on_time["n"], source),
                 "share": Number(share_late, "share of orders", source),
                 "lift": Number(gap * share_late, unit, source, signed=True)}))
            rows = []
            for name, row in ((n, split.loc[n]) for n in ("late", "on time")):
                half = Z95 * float(row["sd"]) / math.sqrt(float(row["n"])) if row["n"] > 1 else math.nan
                rows.append((name, f"{int(row['n']):,}", format_plain(row["mean"]),
                             interval_after(row["mean"] - half, row["mean"] + half, unit)))  # unit in the header
            tables.append(ReportTable(f"CSAT by delivery punctuality, {ctx.period.label}",
                                ("delivery", "answers", "CSAT (1-5)", "95% interval"), tuple(rows), source.label()))
    ranking = _key_drivers(ctx)
    if ranking is not None:
        top = ranking.iloc[0]
        kda = Source("analysis", "survey_key_drivers", "all answers; relative importance (LMG) of operational flags")
        findings.append(Finding("Across all answers, {driver} explains the largest share of CSAT differences ({share} of "
                                "the explained variance); fixing it would lift CSAT by about {gain}.",
                                {"share": Number(float(top["share_of_r2"]), "share of variance", kda),
                                 "gain": Number(float(top["expected_gain"]), unit, kda, signed=True)},
                                {"driver": readable(top["driver"])}))
        tables.append(ReportTable("Key drivers of CSAT (all answers)", ("driver", "share of explained variance", "CSAT gain if fixed"),
                            tuple((readable(r.driver), format_percent(r.share_of_r2),
                                   format_plain(r.expected_gain, signed=True)) for r in ranking.itertuples()),
                            kda.label()))
        figures.append(charts.horizontal_bars([readable(d) for d in ranking["driver"]],
                                              (100 * ranking["share_of_r2"]).tolist(),
                                              title="What drives CSAT (share of explained variance)",
                                              xlabel="% of explained variance", alt="Bar per CSAT driver",
                                              zero_line=False))
    if not findings:
        return Built(Section("drivers", TITLE, "No CSAT answers to read", absent="No CSAT answer in the period."))
    message = (f"Late orders score {findings[0].numbers['late'].text.split(' ')[0]} against "
               f"{findings[0].numbers['on_time'].text.split(' ')[0]} for on-time ones"
               if "late" in findings[0].numbers else findings[0].text)
    return Built(Section("drivers", TITLE, message, tuple(findings), tuple(figures), tuple(tables)))


def _key_drivers(ctx: ReportContext) -> pd.DataFrame | None:
    """The overall key-driver ranking, or None when its tables (contacts, returns) are absent."""
    from govex.analysis.drivers import survey_key_drivers

    try:
        result = survey_key_drivers(ctx.warehouse)
    except GovexError:
        return None
    rows = result.table[result.table["segment"] == "all"]
    return rows.sort_values("importance", ascending=False).reset_index(drop=True) if len(rows) else None
