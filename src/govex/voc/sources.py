"""Read VOC inputs from the warehouse: contact texts, survey comments, volumes per reason.

Filters, joins, counts and sampling run in the engine through Ibis; only the texts asked for
(or one row per reason) come back as pandas. Texts can carry each customer's current segment
of any framework (column `segment:<framework>`, from `segment_assignments`, the latest as-of
date) so that themes and reasons can be cut by segment like any metric.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import VocInputError

DAYS_PER_MONTH = 365.25 / 12
SEGMENT_PREFIX = "segment:"  # the metric layer's name for a segment dimension
NO_VALUE = "(none)"  # segment of a customer without an assignment, journey of a survey without a contact
MIN_PER_LABEL = 30  # a sampled label keeps at least this many texts (where it has them): enough to train and hold out
CONTACT_COLUMNS = ("contact_id", "customer_id", "created_at", "channel", "queue", "journey", "reason", "text")


def contact_texts(
    warehouse: Warehouse,
    *,
    labelled: bool = True,
    start: dt.date | None = None,
    end: dt.date | None = None,
    max_texts: int | None = None,
    seed: int = 0,
    segments: Sequence[str] = (),
    survey_scores: bool = False,
) -> pd.DataFrame:
    """Contacts with a non-blank `text` (and a `reason` when `labelled`), in contact_id order.

    Returns contact_id, customer_id, created_at, channel, queue, journey, reason, text; plus
    `segment:<framework>` per framework in `segments`, and, with `survey_scores`, the mean
    csat and nps of the contact's surveys (null when it has none).

    `max_texts` keeps a deterministic pseudo-random sample of that size (`seed` picks it),
    stratified by reason when `labelled`: each reason keeps its share of the texts, and at
    least `MIN_PER_LABEL` of them where it has that many, so rare reasons can still be learnt.
    """
    contacts = _window(warehouse.table("contacts", purpose="voc classification"), "created_at", start, end)
    keep = contacts.text.notnull() & (contacts.text.strip().length() > 0)
    if labelled:
        keep &= contacts.reason.notnull() & (contacts.reason.strip().length() > 0)
    expr = contacts.filter(keep).select(*CONTACT_COLUMNS)
    if max_texts is not None:
        expr = sample_rows(expr, id_col="contact_id", max_rows=max_texts, seed=seed, stratum="reason" if labelled else None)
    if survey_scores:
        expr = _with_contact_scores(expr, warehouse)
    expr = with_segments(expr, warehouse, segments)
    frame = expr.order_by("contact_id").to_pandas()
    if frame.empty:
        raise VocInputError(
            "table contacts: no row has a non-empty text" + (" and a reason" if labelled else "") + "; VOC needs the text column filled"
        )
    return frame


def survey_comments(
    warehouse: Warehouse,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    max_texts: int | None = None,
    seed: int = 0,
    segments: Sequence[str] = (),
) -> pd.DataFrame:
    """Survey responses with a non-blank comment, in survey_id order.

    Returns survey_id, customer_id, responded_at, touchpoint, market, csat, nps, journey (of the
    surveyed contact; '(none)' for order and relationship surveys) and text (the comment), plus
    `segment:<framework>` per framework in `segments`. `max_texts` samples as in `contact_texts`,
    stratified by touchpoint.
    """
    surveys = _window(warehouse.table("surveys", purpose="voc survey comments"), "responded_at", start, end)
    surveys = surveys.filter(surveys.comment.notnull() & (surveys.comment.strip().length() > 0))
    if max_texts is not None:
        surveys = sample_rows(surveys, id_col="survey_id", max_rows=max_texts, seed=seed, stratum="touchpoint")
    columns = ["survey_id", "customer_id", "responded_at", "touchpoint", "market", "csat", "nps"]
    if warehouse.has("contacts"):
        contacts = warehouse.table("contacts")
        journeys = contacts.select(_contact_id=contacts.contact_id, journey=contacts.journey)
        joined = surveys.left_join(journeys, surveys.contact_id == journeys._contact_id)
        expr = joined.select(*columns, journey=joined.journey.fill_null(NO_VALUE), text=joined.comment)
    else:
        expr = surveys.select(*columns, journey=ibis.literal(NO_VALUE), text=surveys.comment)
    frame = with_segments(expr, warehouse, segments).order_by("survey_id").to_pandas()
    if frame.empty:
        raise VocInputError("table surveys: no row has a non-empty comment in the chosen window; widen start/end")
    return frame


def with_segments(table: ir.Table, warehouse: Warehouse, frameworks: Sequence[str], *, key: str = "customer_id") -> ir.Table:
    """`table` with a `segment:<framework>` column per framework: the customer's segment at the
    framework's latest as-of date, '(none)' when the customer has no assignment."""
    if not frameworks:
        return table
    from govex.segments import read_assignments

    assignments = warehouse.table("segment_assignments", purpose="VOC by segment")
    known = set(assignments.filter(assignments.entity == "customer").select("framework").distinct().to_pandas()["framework"])
    unknown = [f for f in frameworks if f not in known]
    if unknown:
        raise VocInputError(
            f"segment_assignments: no customer assignments for framework(s) {unknown}; known frameworks: {sorted(known)}. "
            "Run `govex segments run` first or pick a known framework"
        )
    for framework in dict.fromkeys(frameworks):
        rows = read_assignments(warehouse, framework=framework)
        column = f"{SEGMENT_PREFIX}{framework}"
        rows = rows.select(_segment_entity=rows.entity_id, _segment=rows.segment)
        joined = table.left_join(rows, table[key] == rows._segment_entity)
        table = joined.mutate(**{column: joined._segment.fill_null(NO_VALUE)}).drop("_segment_entity", "_segment")
    return table


def sample_rows(table: ir.Table, *, id_col: str, max_rows: int, seed: int = 0, stratum: str | None = None) -> ir.Table:
    """A deterministic pseudo-random sample of at most `max_rows` rows (all of them when fewer).

    Rows are ordered by a hash of (`id_col`, `seed`), so the same seed gives the same sample on
    the same data. With a `stratum` column each stratum keeps `stratified_quotas` rows.
    """
    if max_rows < 1:
        raise VocInputError(f"max_texts must be at least 1; got {max_rows}")
    order = (table[id_col].cast("string") + f"#{seed}").hash()
    if stratum is None:
        return table.order_by([order, table[id_col]]).limit(max_rows)
    counts = table.group_by(stratum).aggregate(_n=table.count()).to_pandas()
    if int(counts["_n"].sum()) <= max_rows:
        return table
    quotas = stratified_quotas(counts.set_index(stratum)["_n"], max_rows, floor=MIN_PER_LABEL)
    quota_table = ibis.memtable(pd.DataFrame({"_stratum": quotas.index.astype(str), "_quota": quotas.to_numpy(dtype="int64")}))
    ranked = table.mutate(_rank=ibis.row_number().over(group_by=table[stratum], order_by=[order, table[id_col]]))
    joined = ranked.join(quota_table, ranked[stratum] == quota_table._stratum)
    return joined.filter(joined._rank < joined._quota).drop("_rank", "_stratum", "_quota")


def stratified_quotas(counts: pd.Series, total: int, *, floor: int = MIN_PER_LABEL) -> pd.Series:
    """Rows to keep per stratum: `min(n, floor)` each (the floor shrinks to total / strata when
    the floors would not fit), the rest of `total` shared in proportion to what each stratum has
    left (largest remainders get the odd rows). Sums to `total` (or to every row when there are
    fewer); never more than a stratum has.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed., sec. 5.5 (proportional
       allocation in stratified sampling).
    """
    have = counts.astype("int64")
    base = np.minimum(have, min(floor, total // max(len(have), 1)))
    left = have - base
    room = total - int(base.sum())
    if room <= 0 or left.sum() == 0:
        return base
    exact = left * min(room / left.sum(), 1.0)
    extra = np.floor(exact).astype("int64")
    short = min(room, int(left.sum())) - int(extra.sum())
    if short > 0:
        order = (exact - extra).sort_values(ascending=False, kind="stable").index[:short]
        extra.loc[order] += 1
    return base + extra


def reason_volumes(warehouse: Warehouse, *, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Live (not automated) contacts per month and mean handle time, per reason.

    Returns reason, live_contacts, monthly_contacts, handle_time_s, period_days; the month is
    365.25 / 12 days and the period runs from the first to the last contact date, inclusive.
    """
    contacts = _window(warehouse.table("contacts", purpose="automation ROI"), "created_at", start, end)
    live = contacts.filter(~contacts.automated)
    first_day = contacts.created_at.date().min().as_scalar()
    last_day = contacts.created_at.date().max().as_scalar()
    span = contacts.aggregate(first_day=first_day, last_day=last_day).to_pandas()
    if span.empty or pd.isna(span.loc[0, "first_day"]):
        raise VocInputError("table contacts: no contacts in the chosen window; widen start/end")
    period_days = (pd.Timestamp(span.loc[0, "last_day"]) - pd.Timestamp(span.loc[0, "first_day"])).days + 1
    per_reason = (
        live.group_by("reason")
        .aggregate(live_contacts=live.count(), handle_time_s=live.handle_time_s.cast("float64").mean())
        .order_by(ibis.desc("live_contacts"))
        .to_pandas()
    )
    per_reason["monthly_contacts"] = per_reason["live_contacts"] * DAYS_PER_MONTH / period_days
    per_reason["period_days"] = period_days
    return per_reason[["reason", "live_contacts", "monthly_contacts", "handle_time_s", "period_days"]]


def _with_contact_scores(contacts: ir.Table, warehouse: Warehouse) -> ir.Table:
    """Mean csat and nps of each contact's surveys (left join: null when it has none)."""
    if not warehouse.has("surveys"):
        return contacts.mutate(csat=ibis.null("float64"), nps=ibis.null("float64"))
    surveys = warehouse.table("surveys")
    surveys = surveys.filter(surveys.contact_id.notnull())
    scores = surveys.group_by(_survey_contact=surveys.contact_id).aggregate(
        csat=surveys.csat.cast("float64").mean(), nps=surveys.nps.cast("float64").mean()
    )
    return contacts.left_join(scores, contacts.contact_id == scores._survey_contact).drop("_survey_contact")


def _window(table: ir.Table, column: str, start: dt.date | None, end: dt.date | None) -> ir.Table:
    if start is not None:
        table = table.filter(table[column].date() >= start)
    if end is not None:
        table = table.filter(table[column].date() <= end)
    return table
