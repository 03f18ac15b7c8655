"""Read VOC inputs from the warehouse: contact texts with their reasons, and volumes per reason.

Filters, counts and averages run in the engine through Ibis; only the texts asked for (or
one row per reason) come back as pandas.
"""
from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.voc.errors import VocInputError

DAYS_PER_MONTH = 365.25 / 12


def contact_texts(
    warehouse: Warehouse,
    *,
    labelled: bool = True,
    start: dt.date | None = None,
    end: dt.date | None = None,
    max_texts: int | None = None,
) -> pd.DataFrame:
    """Contacts with a non-blank `text` (and a `reason` when `labelled`), oldest id first.

    Returns contact_id, created_at, channel, queue, journey, reason, text.
    """
    contacts = _window(warehouse.table("contacts", purpose="voc classification"), start, end)
    keep = contacts.text.notnull() & (contacts.text.strip().length() > 0)
    if labelled:
        keep &= contacts.reason.notnull() & (contacts.reason.strip().length() > 0)
    expr = contacts.filter(keep).select("contact_id", "created_at", "channel", "queue", "journey", "reason", "text").order_by("contact_id")
    if max_texts is not None:
        expr = expr.limit(max_texts)
    frame = expr.to_pandas()
    if frame.empty:
        raise VocInputError(
            "table contacts: no row has a non-empty text" + (" and a reason" if labelled else "") + "; VOC needs the text column filled"
        )
    return frame


def reason_volumes(warehouse: Warehouse, *, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Live (not automated) contacts per month and mean handle time, per reason.

    Returns reason, live_contacts, monthly_contacts, handle_time_s, period_days; the month is
    365.25 / 12 days and the period runs from the first to the last contact date, inclusive.
    """
    contacts = _window(warehouse.table("contacts", purpose="automation ROI"), start, end)
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


def _window(contacts: ibis.Table, start: dt.date | None, end: dt.date | None) -> ibis.Table:
    if start is not None:
        contacts = contacts.filter(contacts.created_at.date() >= start)
    if end is not None:
        contacts = contacts.filter(contacts.created_at.date() <= end)
    return contacts
