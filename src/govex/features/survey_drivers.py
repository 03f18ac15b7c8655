"""Operational signals behind each survey answer, for key-driver analysis of CSAT and NPS.

One row per survey response that carries a CSAT or NPS score, with 0/1 flags computed in the
engine from the canonical tables. The order of a survey is its own ``order_id`` or, for a
contact survey, the contact's. An *issue* is the set of contacts sharing customer, order and
reason (contacts without an order share an empty order key), so "repeat contact" and "slow
resolution" are read on the issue the surveyed contact belongs to.

Flags (names are the columns):

* ``late_delivery``: the order was delivered on a later calendar day than promised.
* ``refund_rejected``: the order has a return whose status is ``rejected``.
* ``item_problem``: the order has a return for ``damaged`` or ``not_as_described``.
* ``unresolved``: contact surveys: the surveyed contact has no ``resolved_at``.
* ``repeat_contact``: contact surveys: the issue has two or more contacts.
* ``slow_resolution``: contact surveys: resolved more than ``slow_resolution_days`` after the
  issue's first contact.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.engine.warehouse import Warehouse

SURVEY_DRIVERS: tuple[str, ...] = (
    "late_delivery", "refund_rejected", "item_problem", "unresolved", "repeat_contact", "slow_resolution",
)
ITEM_PROBLEM_REASONS = ("damaged", "not_as_described")
_SECONDS_PER_DAY = 86_400


def _flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition.fill_null(False), 1, 0).cast("int8")


def survey_driver_flags(warehouse: Warehouse, *, slow_resolution_days: float = 2.0) -> ir.Table:
    """Survey responses with their driver flags, as an unexecuted Ibis table.

    Columns: survey_id, customer_id, market, touchpoint, responded_at, csat, nps, and one int8
    column per name in :data:`SURVEY_DRIVERS`. Responses without CSAT and NPS are left out.
    """
    surveys = warehouse.table("surveys")
    contacts = warehouse.table("contacts")
    orders = warehouse.table("orders")
    returns = warehouse.table("returns")

    keyed = contacts.mutate(order_key=contacts.order_id.fill_null(""))
    issues = keyed.group_by(["customer_id", "order_key", "reason"]).aggregate(
        issue_contacts=keyed.contact_id.count(), issue_first_at=keyed.created_at.min())
    contact_side = keyed.join(issues, ["customer_id", "order_key", "reason"]).select(
        contact_key=keyed.contact_id,
        contact_order_id=keyed.order_id,
        unresolved=keyed.resolved_at.isnull(),
        repeat_contact=issues.issue_contacts >= 2,
        slow_resolution=(keyed.resolved_at.epoch_seconds() - issues.issue_first_at.epoch_seconds())
        > slow_resolution_days * _SECONDS_PER_DAY,
    )
    order_side = orders.select(
        order_key=orders.order_id,
        late_delivery=orders.delivered_at.date() > orders.promised_date,
    )
    return_side = returns.group_by(returns.order_id.name("return_order_id")).aggregate(
        refund_rejected=(returns.status == "rejected").any(),
        item_problem=returns.reason.isin(ITEM_PROBLEM_REASONS).any(),
    )

    answered = surveys.filter(surveys.csat.notnull() | surveys.nps.notnull())
    with_contact = answered.left_join(contact_side, answered.contact_id == contact_side.contact_key)
    with_contact = with_contact.mutate(survey_order_id=with_contact.order_id.fill_null(with_contact.contact_order_id))
    with_order = with_contact.left_join(order_side, with_contact.survey_order_id == order_side.order_key)
    full = with_order.left_join(return_side, with_order.survey_order_id == return_side.return_order_id)
    is_contact = full.contact_id.notnull()
    return full.select(
        "survey_id", "customer_id", "market", "touchpoint", "responded_at", "csat", "nps",
        late_delivery=_flag(full.late_delivery),
        refund_rejected=_flag(full.refund_rejected),
        item_problem=_flag(full.item_problem),
        unresolved=_flag(is_contact & full.unresolved),
        repeat_contact=_flag(is_contact & full.repeat_contact),
        slow_resolution=_flag(is_contact & full.slow_resolution),
    )


def survey_responses(warehouse: Warehouse, outcome: str) -> pd.DataFrame:
    """The flagged responses that answered `outcome` (csat or nps), executed: the key-driver analysis's input."""
    flags = survey_driver_flags(warehouse)
    return flags.filter(flags[outcome].notnull()).execute()
